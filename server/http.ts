/**
 * Plain HTTP: the built SPA from build/ (static files, index.html for every other GET path),
 * GET /healthz and GET /metrics; /api/* goes to the invites and members API (api.ts). Nothing here
 * touches rooms except to count them. Every response
 * carries the security headers (security-headers.ts); each HTML page's CSP allows exactly its own
 * inline scripts.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { contentSecurityPolicy, inlineScriptHashes, securityHeaders } from './security-headers.ts';

const contentTypes: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.webmanifest': 'application/manifest+json; charset=utf-8',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.jpg': 'image/jpeg',
	'.jpeg': 'image/jpeg',
	'.gif': 'image/gif',
	'.webp': 'image/webp',
	'.ico': 'image/x-icon',
	'.txt': 'text/plain; charset=utf-8',
	'.map': 'application/json; charset=utf-8',
	'.woff': 'font/woff',
	'.woff2': 'font/woff2',
	'.wasm': 'application/wasm'
};

export interface HttpOptions {
	readonly buildDir: string;
	/** Prometheus text for GET /metrics. */
	readonly metrics: () => string;
	/** Everything under /api/ (api.ts); answered 404 when absent. */
	readonly api?: (req: IncomingMessage, res: ServerResponse) => void;
}

const notBuilt = `<!doctype html><meta charset="utf-8"><title>Meridian relay</title>
<p>The relay is running, but the app is not built: run <code>npm run build</code>, then reload.</p>\n`;

/** The request's URL, or null when it does not parse (the relay answers 400, never throws). */
export function requestUrl(target: string | undefined): URL | null {
	try {
		return new URL(target ?? '/', 'http://relay.invalid');
	} catch {
		return null;
	}
}

export function createRequestHandler(options: HttpOptions): (req: IncomingMessage, res: ServerResponse) => void {
	const root = options.buildDir;
	const index = join(root, 'index.html');
	const policies = new PolicyCache();
	return (req, res) => {
		// Every response, errors included: the policy of index.html (what any other response would
		// be loaded under), or one with no inline script at all before the app is built.
		for (const [name, value] of Object.entries(securityHeaders(policies.forPage(index)))) res.setHeader(name, value);
		const url = requestUrl(req.url);
		// A request line Node's parser accepts but no URL can hold ("GET http://[ HTTP/1.1").
		if (!url) return sendText(req, res, 400, 'text/plain; charset=utf-8', 'bad request\n');
		const path = url.pathname;
		if (path === '/api' || path.startsWith('/api/')) {
			if (options.api) return options.api(req, res);
			return sendText(req, res, 404, 'application/json; charset=utf-8', '{"error":"There is no such API endpoint."}');
		}
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
			res.end('method not allowed\n');
			return;
		}
		if (path === '/healthz') return sendText(req, res, 200, 'application/json', '{"ok":true}');
		if (path === '/metrics') {
			return sendText(req, res, 200, 'text/plain; version=0.0.4; charset=utf-8', options.metrics());
		}
		if (path === '/sync' || path.startsWith('/sync/')) {
			return sendText(req, res, 426, 'text/plain; charset=utf-8', 'WebSocket upgrade required\n');
		}
		if (!existsSync(index)) return sendText(req, res, 503, 'text/html; charset=utf-8', notBuilt);

		const file = resolveFile(root, path) ?? index; // anything else is a client-side route of the SPA
		if (extname(file).toLowerCase() === '.html') res.setHeader('Content-Security-Policy', policies.forPage(file));
		return sendFile(req, res, file, file === index ? 'no-cache' : cacheControl(path));
	};
}

/** The CSP of each HTML file, computed from its inline scripts and recomputed when the file changes. */
class PolicyCache {
	readonly #byFile = new Map<string, { stamp: string; policy: string }>();

	forPage(file: string): string {
		let stamp: string;
		try {
			const stat = statSync(file);
			stamp = `${stat.mtimeMs}:${stat.size}`;
		} catch {
			return contentSecurityPolicy([]);
		}
		const cached = this.#byFile.get(file);
		if (cached?.stamp === stamp) return cached.policy;
		let html: string;
		try {
			html = readFileSync(file, 'utf8');
		} catch {
			return contentSecurityPolicy([]);
		}
		const policy = contentSecurityPolicy(inlineScriptHashes(html));
		this.#byFile.set(file, { stamp, policy });
		return policy;
	}
}

/** The file under root that `urlPath` names, or null (traversal, directories, missing files). */
function resolveFile(root: string, urlPath: string): string | null {
	let decoded: string;
	try {
		decoded = decodeURIComponent(urlPath);
	} catch {
		return null;
	}
	if (decoded.includes('\0')) return null;
	const file = normalize(join(root, decoded));
	if (file !== root && !file.startsWith(root + sep)) return null;
	try {
		return statSync(file).isFile() ? file : null;
	} catch {
		return null;
	}
}

function cacheControl(path: string): string {
	// The service worker must be revalidated on every load, or an update is never seen.
	if (path === '/service-worker.js') return 'no-cache';
	if (path.startsWith('/_app/immutable/')) return 'public, max-age=31536000, immutable';
	return 'no-cache';
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string, cache: string): void {
	const size = statSync(file).size;
	res.writeHead(200, {
		'Content-Type': contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream',
		'Content-Length': size,
		'Cache-Control': cache
	});
	if (req.method === 'HEAD') {
		res.end();
		return;
	}
	createReadStream(file)
		.on('error', () => res.destroy())
		.pipe(res);
}

function sendText(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string): void {
	res.writeHead(status, {
		'Content-Type': type,
		'Content-Length': Buffer.byteLength(body),
		'Cache-Control': 'no-store'
	});
	res.end(req.method === 'HEAD' ? undefined : body);
}
