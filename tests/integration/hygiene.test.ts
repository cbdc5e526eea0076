/**
 * Token hygiene and admission against a real relay process: tokens never reach the logs on any
 * path (good and bad, sub-protocol and query, refusals and errors), the Origin check and the
 * per-address socket limit close the WebSocket at once with a code the app can say (4406, 4430)
 * and no other byte (plain HTTP 429 only for a flood past twice the limit), and every HTTP
 * response carries the security headers with a CSP that allows exactly the page's inline scripts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { CloseCode, encodeFrame } from '../../src/lib/protocol/index.ts';
import { signToken } from '../../server/auth.ts';
import { MuxClient, RecordingSocket, meridianProtocols, stockProvider, waitFor } from './clients.ts';
import { spawnRelay, stopAllRelays, tempDir, type RelayProcess } from './relay-process.ts';

const themeScript = "document.documentElement.dataset.theme = 'dark';";
const bootScript = '\n\t{ import("/_app/immutable/start.js"); }\n';
const buildDir = tempDir('meridian-build-');
mkdirSync(join(buildDir, '_app/immutable'), { recursive: true });
writeFileSync(
	join(buildDir, 'index.html'),
	`<!doctype html><title>Meridian</title><script>${themeScript}</script>` +
		`<script src="/_app/immutable/start.js"></script><div><script>${bootScript}</script></div>`
);
writeFileSync(join(buildDir, '_app/immutable/start.js'), 'export {};');

const devOrigin = 'http://localhost:5173';
let relay: RelayProcess;
/** No TRUST_PROXY, two sockets per address. */
let strict: RelayProcess;
beforeAll(async () => {
	[relay, strict] = await Promise.all([
		spawnRelay({
			env: {
				LOG_LEVEL: 'debug',
				BUILD_DIR: buildDir,
				ALLOWED_ORIGINS: devOrigin,
				TRUST_PROXY: '1',
				MAX_CONNECTIONS_PER_ADDRESS: '3',
				MAX_MESSAGE_BYTES: String(64 * 1024)
			}
		}),
		spawnRelay({ env: { MAX_CONNECTIONS_PER_ADDRESS: '2' } })
	]);
});
afterAll(async () => {
	await Promise.all([relay?.kill(), strict?.kill()]);
	await stopAllRelays();
});

interface Upgrade {
	/** 101 when the WebSocket opened, else the HTTP status the relay answered with. */
	readonly status: number;
	readonly body: string;
	readonly upgradeHeader: string | null;
	readonly socket: WebSocket;
}

/** Tries an upgrade and reports how the relay answered; an opened socket is left open. */
function upgrade(url: string, options: { protocols?: string[]; headers?: Record<string, string> } = {}): Promise<Upgrade> {
	return new Promise((resolve, reject) => {
		const socket = new WebSocket(url, options.protocols ?? [], { headers: options.headers });
		socket.on('error', () => {});
		socket.once('open', () => resolve({ status: 101, body: '', upgradeHeader: 'websocket', socket }));
		socket.once('unexpected-response', (_req, res) => {
			let body = '';
			res.on('data', (chunk: Buffer) => (body += chunk.toString()));
			res.on('end', () =>
				resolve({ status: res.statusCode ?? 0, body, upgradeHeader: res.headers.upgrade ?? null, socket })
			);
		});
		setTimeout(() => reject(new Error(`no answer to the upgrade of ${url}`)), 10_000).unref();
	});
}

interface Refused {
	/** The HTTP status line's code: 101 when the relay completed the upgrade. */
	readonly status: number;
	/** Every WebSocket frame's opcode the relay sent (0x8: close). */
	readonly opcodes: number[];
	readonly code: number;
	readonly reason: string;
	/** Left open without answering the close: the relay holds the slot until its close timeout. */
	readonly socket: Socket;
}

/**
 * An upgrade over a raw TCP socket that reads what the relay sends until its close frame, and
 * never answers it; for refusals that must send nothing but a close (no document byte).
 */
function refusedUpgrade(url: string, options: { protocols?: string[]; headers?: Record<string, string> } = {}): Promise<Refused> {
	const target = new URL(url);
	return new Promise((resolve, reject) => {
		const socket = connect(Number(target.port), target.hostname);
		let data = Buffer.alloc(0);
		socket.on('error', reject);
		socket.on('data', (chunk: Buffer) => {
			data = Buffer.concat([data, chunk]);
			const end = data.indexOf('\r\n\r\n');
			if (end < 0) return;
			const status = Number(data.subarray(0, end).toString().split(' ')[1]);
			if (status !== 101) return resolve({ status, opcodes: [], code: 0, reason: '', socket });
			const opcodes: number[] = [];
			let at = end + 4;
			// Server frames are unmasked; the refusals' frames are all short (length < 126).
			while (at + 2 <= data.length) {
				const opcode = data[at]! & 0x0f;
				const length = data[at + 1]! & 0x7f;
				if (at + 2 + length > data.length) return;
				opcodes.push(opcode);
				if (opcode === 0x8) {
					const payload = data.subarray(at + 2, at + 2 + length);
					return resolve({ status, opcodes, code: payload.readUInt16BE(0), reason: payload.subarray(2).toString(), socket });
				}
				at += 2 + length;
			}
		});
		const headers = {
			Host: target.host,
			Upgrade: 'websocket',
			Connection: 'Upgrade',
			'Sec-WebSocket-Version': '13',
			'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
			...(options.protocols ? { 'Sec-WebSocket-Protocol': options.protocols.join(', ') } : {}),
			...options.headers
		};
		socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
		setTimeout(() => reject(new Error(`no answer to the upgrade of ${url}`)), 10_000).unref();
	});
}

async function closeAll(upgrades: Upgrade[]): Promise<void> {
	await Promise.all(
		upgrades.map(
			({ socket }) =>
				new Promise<void>((resolve) => {
					if (socket.readyState === WebSocket.CLOSED) return resolve();
					socket.once('close', () => resolve());
					socket.close();
				})
		)
	);
}

describe('tokens', () => {
	it('[R13] no token reaches the logs (LOG_LEVEL=debug): good and bad, sub-protocol and query, refusals and socket errors', async () => {
		const good = await relay.token('editor');
		const stock = await relay.token('viewer', 'ws1', { memberId: 'stock-1' });
		const expired = await relay.token('editor', 'ws1', { expiresInSeconds: -60 });
		const foreign = await relay.token('editor', 'ws2');
		const forged = await signToken(new TextEncoder().encode('another-secret-entirely-0123456789'), {
			workspaceId: 'ws1',
			role: 'admin',
			memberId: 'forger',
			expiresInSeconds: 3600
		});
		const garbage = 'garbage-token-Zq7xVw3Kp';
		const tooLarge = await relay.token('editor', 'ws1', { memberId: 'big' });
		const secrets = [good, stock, expired, foreign, forged, garbage, tooLarge];

		// A good token as sub-protocol: joins, writes, is acknowledged, then sends a malformed frame.
		const mux = new MuxClient(relay.syncUrl, good);
		await mux.opened;
		mux.join('ws1/hygiene').getText('t').insert(0, 'hello');
		await mux.allStored('ws1/hygiene');
		mux.socket.send(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]));
		expect((await mux.socket.closed).code).toBe(CloseCode.malformed);

		// A good token in the query, as the stock client sends it.
		const doc = new Y.Doc();
		const provider = stockProvider(relay.syncUrl, 'ws1/hygiene', doc, stock);
		await waitFor(() => doc.getText('t').toString() === 'hello', 'stock client synced');
		provider.destroy();

		// Bad tokens both ways, on both endpoints; the expired one is refused like any other (4401).
		for (const token of [expired, forged, garbage]) {
			for (const path of ['', '/ws1/hygiene']) {
				const viaProtocol = new RecordingSocket(relay.syncUrl + path, meridianProtocols(token));
				expect((await viaProtocol.closed).code).toBe(CloseCode.unauthorized);
				const viaQuery = new RecordingSocket(`${relay.syncUrl}${path}?token=${token}`);
				expect((await viaQuery.closed).code).toBe(CloseCode.unauthorized);
				expect(viaProtocol.messages.length + viaQuery.messages.length).toBe(0);
			}
		}
		const otherWorkspace = new RecordingSocket(`${relay.syncUrl}/ws1/hygiene?token=${foreign}`);
		expect((await otherWorkspace.closed).code).toBe(CloseCode.forbidden);

		// Refused before the token is read: wrong origin, unknown path; a plain GET with a token.
		const refusedOrigin = await refusedUpgrade(`${relay.syncUrl}?token=${good}`, {
			protocols: meridianProtocols(good),
			headers: { Origin: 'https://evil.example' }
		});
		expect(refusedOrigin).toMatchObject({ status: 101, opcodes: [0x8], code: CloseCode.originNotAllowed });
		refusedOrigin.socket.destroy();
		expect((await upgrade(`${relay.url.replace('http', 'ws')}/elsewhere?token=${good}`)).status).toBe(404);
		expect((await fetch(`${relay.url}/w/ws1?token=${good}`)).status).toBe(200);

		// Errors raised by the ws library: a text message and a message over the size limit.
		const text = new RecordingSocket(`${relay.syncUrl}/ws1/hygiene`, meridianProtocols(good));
		await text.opened;
		text.ws.send('hello');
		expect((await text.closed).code).toBe(CloseCode.malformed);
		const big = new RecordingSocket(`${relay.syncUrl}?token=${tooLarge}`);
		await big.opened;
		big.send(encodeFrame('ws1/hygiene', new Uint8Array(64 * 1024 + 1)));
		expect((await big.closed).code).toBe(CloseCode.tooLarge);

		await waitFor(() => (relay.stderr.match(/"msg":"connection closed"/g) ?? []).length >= 4, 'close lines');
		const log = relay.stderr;
		// The paths above did log: refusals with their reasons, opened and closed connections.
		expect(log).toMatch(/"msg":"relay started".*"trustProxy":true,"allowedOrigins":"http:\/\/localhost:5173","maxConnectionsPerAddress":3/);
		// Twelve refused tokens from one address: one line a minute, not twelve.
		expect(log.match(/"msg":"connection refused","reason":"unauthorized","code":4401,"address":"127\.0\.0\.1"/g)).toHaveLength(1);
		expect(log).toMatch(/"msg":"connection refused","reason":"origin","code":4406,"origin":"https:\/\/evil.example"/);
		expect(log).toMatch(/"msg":"connection opened".*"member":"stock-1"/);
		expect(log).toMatch(/"msg":"connection closed".*"code":1009,"by":"relay"/);
		expect(log).toMatch(/"msg":"socket error"/);
		for (const token of secrets) {
			const [, payload, signature] = token.split('.');
			expect(log).not.toContain(token);
			if (signature) expect(log).not.toContain(signature);
			if (payload) expect(log).not.toContain(payload);
		}
		expect(log).not.toContain('token=');
		expect(log).not.toContain('meridian-token.');
		expect(log).not.toContain('/elsewhere');
		// Every line is one JSON object.
		for (const line of log.trim().split('\n')) expect(() => JSON.parse(line), line).not.toThrow();
	});
});

describe('Origin', () => {
	it('[R30] a browser page on another origin is closed at once with 4406 and no other byte; none, the same host and ALLOWED_ORIGINS are let in', async () => {
		const token = await relay.token('editor');
		const protocols = meridianProtocols(token);
		const host = new URL(relay.url).host;
		const refused = await refusedUpgrade(relay.syncUrl, { protocols, headers: { Origin: 'https://evil.example' } });
		expect(refused).toMatchObject({ status: 101, opcodes: [0x8], code: CloseCode.originNotAllowed, reason: 'origin not allowed' });
		refused.socket.destroy();
		for (const origin of ['null', `http://${host}.evil.example`, 'http://localhost:5174']) {
			const other = await refusedUpgrade(`${relay.syncUrl}/ws1/o`, { protocols, headers: { Origin: origin } });
			expect(other, origin).toMatchObject({ opcodes: [0x8], code: CloseCode.originNotAllowed });
			other.socket.destroy();
		}
		const opened = [
			await upgrade(relay.syncUrl, { protocols }),
			await upgrade(relay.syncUrl, { protocols, headers: { Origin: relay.url } }),
			await upgrade(relay.syncUrl, { protocols, headers: { Origin: devOrigin } })
		];
		expect(opened.map((u) => u.status)).toEqual([101, 101, 101]);
		await closeAll(opened);
	});
});

describe('connections per address', () => {
	it('[R30] over MAX_CONNECTIONS_PER_ADDRESS an upgrade is closed at once with 4430, past twice it gets plain 429; a closed socket frees its slot; behind TRUST_PROXY addresses come from X-Forwarded-For', async () => {
		const protocols = meridianProtocols(await relay.token('editor'));
		const from = (address: string) => ({ protocols, headers: { 'X-Forwarded-For': `10.9.9.9, ${address}` } });
		const first = await Promise.all([1, 2, 3].map(() => upgrade(relay.syncUrl, from('203.0.113.7'))));
		expect(first.map((u) => u.status)).toEqual([101, 101, 101]);
		// Over the limit: a close the app can say, nothing else. These never answer the close, so
		// each holds its slot (until the relay's close timeout).
		const over: Refused[] = [];
		for (let i = 0; i < 3; i++) over.push(await refusedUpgrade(relay.syncUrl, from('203.0.113.7')));
		for (const refused of over) {
			expect(refused).toMatchObject({ status: 101, opcodes: [0x8], code: CloseCode.tooManyConnections, reason: 'too many connections from this address' });
		}
		// Past twice the limit (a flood): plain HTTP, no handshake.
		const flood = await upgrade(relay.syncUrl, from('203.0.113.7'));
		expect(flood).toMatchObject({ status: 429, upgradeHeader: null });
		for (let i = 0; i < 2; i++) expect((await upgrade(relay.syncUrl, from('203.0.113.7'))).status).toBe(429);
		// Refused every time, logged once a minute per address; the counter sees every refusal.
		const metrics = await (await fetch(`${relay.url}/metrics`)).text();
		expect(metrics).toContain('meridian_upgrades_refused_total{reason="address_limit"} 6\n');
		expect(relay.stderr.match(/"reason":"address_limit","code":4430,"address":"203\.0\.113\.7"/g)).toHaveLength(1);
		for (const refused of over) refused.socket.destroy();
		// Another address behind the same proxy has slots of its own.
		const neighbour = await upgrade(relay.syncUrl, from('203.0.113.8'));
		expect(neighbour.status).toBe(101);

		// The slot is freed when the relay sees the socket close, a moment after the client does.
		await closeAll(first.slice(0, 1));
		let again: Upgrade;
		const deadline = Date.now() + 5000;
		do {
			again = await upgrade(relay.syncUrl, from('203.0.113.7'));
			if (again.status === 101) break;
			await new Promise((resolve) => setTimeout(resolve, 50));
		} while (Date.now() < deadline);
		expect(again.status).toBe(101);
		await closeAll([...first, neighbour, again]);
	});

	it('[R30] without TRUST_PROXY, X-Forwarded-For is ignored: the socket peer is the address', async () => {
		const protocols = meridianProtocols(await strict.token('editor'));
		const opened = await Promise.all(
			['198.51.100.1', '198.51.100.2'].map((address) => upgrade(strict.syncUrl, { protocols, headers: { 'X-Forwarded-For': address } }))
		);
		expect(opened.map((u) => u.status)).toEqual([101, 101]);
		const spoofed = await refusedUpgrade(strict.syncUrl, { protocols, headers: { 'X-Forwarded-For': '198.51.100.3' } });
		expect(spoofed).toMatchObject({ status: 101, code: CloseCode.tooManyConnections });
		spoofed.socket.destroy();
		await closeAll(opened);
	});
});

function sha256(text: string): string {
	return `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}

describe('security headers', () => {
	it('[R24][R30] every response carries them; the page CSP allows its own inline scripts by hash and nothing inline else', async () => {
		const expected = {
			'x-content-type-options': 'nosniff',
			'referrer-policy': 'no-referrer',
			'x-frame-options': 'DENY',
			'cross-origin-opener-policy': 'same-origin'
		};
		const responses = await Promise.all(
			['/', '/w/ws1/p/x', '/_app/immutable/start.js', '/healthz', '/metrics', '/sync', '/index.html'].map(async (path) => ({
				path,
				response: await fetch(relay.url + path)
			}))
		);
		responses.push({ path: 'POST /', response: await fetch(relay.url, { method: 'POST' }) });
		for (const { path, response } of responses) {
			for (const [name, value] of Object.entries(expected)) expect(response.headers.get(name), `${path} ${name}`).toBe(value);
			expect(response.headers.get('permissions-policy'), path).toContain('camera=()');
			// HSTS belongs to the TLS proxy in front (docs/operations.md); the relay speaks plain HTTP.
			expect(response.headers.get('strict-transport-security'), path).toBeNull();
			const csp = response.headers.get('content-security-policy') ?? '';
			const scriptSrc = /(?:^|; )script-src ([^;]*)/.exec(csp)?.[1]?.split(' ');
			expect(scriptSrc, path).toEqual(["'self'", sha256(themeScript), sha256(bootScript)]);
			for (const directive of ["default-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "connect-src 'self'"]) {
				expect(csp.split('; '), `${path}: ${directive}`).toContain(directive);
			}
		}
	});

	it('[R30] a rebuilt index.html under a running relay gets the CSP of its new scripts', async () => {
		const changed = "document.documentElement.dataset.theme = 'light';";
		writeFileSync(join(buildDir, 'index.html'), `<!doctype html><title>Meridian</title><script>${changed}</script>`);
		const csp = (await fetch(`${relay.url}/some/route`)).headers.get('content-security-policy') ?? '';
		expect(csp).toContain(`script-src 'self' ${sha256(changed)};`);
		expect(csp).not.toContain(sha256(themeScript));
	});
});
