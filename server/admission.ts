/**
 * Who may open a WebSocket at all, decided from the upgrade request before the token is even
 * looked at: the page it comes from (Origin) and how many sockets its address already holds.
 * Refusals here are plain HTTP answers (403, 429), so no WebSocket byte is ever exchanged.
 *
 * Tokens are not cookies, so a foreign page cannot borrow a member's session by itself; the
 * Origin check is defence in depth against a page that got hold of a token, and it keeps other
 * sites from using a team's relay as their sync server from their members' browsers.
 */
import type { IncomingMessage } from 'node:http';

/**
 * Whether a browser page at `origin` may open a socket on a relay reached as `host` (the Host
 * header). No Origin header — ws clients in Node, y-websocket on a server, curl — is allowed:
 * those are not browsers, and a browser always sends one. Otherwise the origin must name the host
 * the relay is served on (any scheme: behind a TLS proxy the page is https and the relay sees
 * plain HTTP), or be one of `allowed` (exact origins, e.g. `https://wiki.example.com`).
 * `Origin: null` (sandboxed frames, file: pages) is never allowed.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: ReadonlySet<string>): boolean {
	if (origin === undefined) return true;
	let url: URL;
	try {
		url = new URL(origin);
	} catch {
		return false;
	}
	if (url.origin === 'null') return false;
	if (allowed.has(url.origin)) return true;
	if (!host) return false;
	const served = host.toLowerCase();
	if (url.host === served) return true;
	// A Host header may spell out the default port that the origin leaves out.
	const defaultPort = url.protocol === 'https:' || url.protocol === 'wss:' ? 443 : 80;
	return `${url.host}:${defaultPort}` === served;
}

/**
 * Normalizes ALLOWED_ORIGINS entries to what `URL.origin` gives for an Origin header; throws with
 * the offending entry for anything that is not a plain http(s) origin.
 */
export function parseAllowedOrigins(raw: string): string[] {
	const origins: string[] = [];
	for (const entry of raw.split(',').map((e) => e.trim()).filter((e) => e.length > 0)) {
		let url: URL;
		try {
			url = new URL(entry);
		} catch {
			throw new Error(`"${entry}" is not an origin (like https://wiki.example.com)`);
		}
		const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
		if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !bare) {
			throw new Error(`"${entry}" is not an origin (scheme://host[:port], no path), e.g. https://wiki.example.com`);
		}
		origins.push(url.origin);
	}
	return origins;
}

/**
 * The address a connection counts against. The socket's peer, unless the relay sits behind a
 * proxy it trusts (TRUST_PROXY): then the last X-Forwarded-For entry, the one that proxy appended.
 * Entries before it were written by the client and prove nothing.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
	const peer = req.socket.remoteAddress ?? 'unknown';
	if (!trustProxy) return peer;
	const header = req.headers['x-forwarded-for'];
	const value = Array.isArray(header) ? header.at(-1) : header;
	const last = value
		?.split(',')
		.map((e) => e.trim())
		.filter((e) => e.length > 0)
		.at(-1);
	return last ?? peer;
}

/**
 * Counts open (and opening) sockets per address. `take` reserves a slot before the token is
 * verified, so a burst of upgrades cannot all slip in while verification is pending; every
 * successful `take` must be matched by exactly one `release`.
 */
export class AddressLimiter {
	readonly #max: number;
	readonly #counts = new Map<string, number>();

	constructor(max: number) {
		this.#max = max;
	}

	/** Reserves a slot for `address`; false (and nothing reserved) when it already holds the maximum. */
	take(address: string): boolean {
		const count = this.#counts.get(address) ?? 0;
		if (count >= this.#max) return false;
		this.#counts.set(address, count + 1);
		return true;
	}

	release(address: string): void {
		const count = this.#counts.get(address) ?? 0;
		if (count <= 1) this.#counts.delete(address);
		else this.#counts.set(address, count - 1);
	}

	count(address: string): number {
		return this.#counts.get(address) ?? 0;
	}

	/** Addresses holding at least one socket (for tests and metrics). */
	get addresses(): number {
		return this.#counts.size;
	}
}
