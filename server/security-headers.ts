/**
 * The Content-Security-Policy and the other security headers on every HTTP response.
 *
 * The built index.html holds two inline scripts: the theme script from src/app.html (run before
 * the first paint so a dark theme never flashes white) and SvelteKit's bootstrap that imports the
 * app. Rather than 'unsafe-inline', they are allowed by their sha256 hashes, read from the HTML
 * file being served (and re-read when it changes, so a rebuild under a running relay works).
 * SvelteKit's own `kit.csp` would put the policy in a <meta> tag, which cannot carry
 * frame-ancestors, and does not hash scripts written into app.html by hand.
 */
import { createHash } from 'node:crypto';

/** The text of every inline <script> (no src attribute), exactly as the browser hashes it. */
export function inlineScripts(html: string): string[] {
	const scripts: string[] = [];
	for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
		const attributes = match[1] ?? '';
		if (/\bsrc\s*=/i.test(attributes)) continue;
		scripts.push(match[2] ?? '');
	}
	return scripts;
}

/** CSP source expressions ('sha256-…') for each inline script of `html`. */
export function inlineScriptHashes(html: string): string[] {
	return [...new Set(inlineScripts(html).map((text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`))];
}

/** The policy for a page whose inline scripts hash to `scriptHashes`. */
export function contentSecurityPolicy(scriptHashes: readonly string[]): string {
	return [
		"default-src 'self'",
		`script-src 'self'${scriptHashes.map((h) => ` ${h}`).join('')}`,
		// Svelte writes style="" attributes (transitions, style: directives, the app shell's
		// display: contents) and ProseMirror sets inline styles: hashes cannot cover attributes,
		// and styles cannot run code.
		"style-src 'self' 'unsafe-inline'",
		// WebSockets to the same host are 'self' in CSP Level 3 (ws: for http:, wss: for https:).
		"connect-src 'self'",
		// The search index runs in a worker that Vite inlines and starts from a blob: URL (a data:
		// URL where blob: fails).
		"worker-src 'self' blob: data:",
		"img-src 'self' data: blob:",
		"font-src 'self'",
		"manifest-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'"
	].join('; ');
}

/** Headers for every response; `csp` is the policy for the page (or for any other response). */
export function securityHeaders(csp: string): Record<string, string> {
	return {
		'Content-Security-Policy': csp,
		'X-Content-Type-Options': 'nosniff',
		'Referrer-Policy': 'no-referrer',
		'X-Frame-Options': 'DENY',
		'Cross-Origin-Opener-Policy': 'same-origin',
		// Nothing in the app asks for these; a compromised dependency cannot either.
		'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()'
	};
}
