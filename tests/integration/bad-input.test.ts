/**
 * Bad input closes only the offending socket with a documented code; the process, other rooms
 * and stored data carry on. Plus the plain HTTP side: SPA, health, metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import * as Y from 'yjs';
import { CloseCode, encodeFrame } from '../../src/lib/protocol/index.ts';
import { MuxClient, RecordingSocket, meridianProtocols, waitFor } from './clients.ts';
import { spawnRelay, stopAllRelays, tempDir, type RelayProcess } from './relay-process.ts';

const buildDir = tempDir('meridian-build-');
mkdirSync(join(buildDir, '_app/immutable'), { recursive: true });
writeFileSync(join(buildDir, 'index.html'), '<!doctype html><title>Meridian</title>');
writeFileSync(join(buildDir, 'service-worker.js'), 'self.addEventListener("fetch", () => {});');
writeFileSync(join(buildDir, '_app/immutable/app.abc.js'), 'export {};');
writeFileSync(join(buildDir, 'manifest.webmanifest'), '{}');

let relay: RelayProcess;
let token: string;
beforeAll(async () => {
	relay = await spawnRelay({ env: { MAX_MESSAGE_BYTES: String(64 * 1024), BUILD_DIR: buildDir } });
	token = await relay.token('editor');
});
afterAll(async () => {
	await relay?.kill();
	await stopAllRelays();
});

/** A second client in another room that must keep syncing whatever happens to the first. */
async function bystander(room: string) {
	const a = new MuxClient(relay.syncUrl, token);
	const b = new MuxClient(relay.syncUrl, token);
	await Promise.all([a.opened, b.opened]);
	a.join(room);
	b.join(room);
	return {
		async stillSyncing(text: string) {
			a.docs.get(room)!.getText('t').insert(0, text);
			await waitFor(() => b.text(room).includes(text), `bystander sync in ${room}`);
			await a.allStored(room);
		},
		close() {
			a.close();
			b.close();
		}
	};
}

describe('bad input', () => {
	it('[R7][R10] a malformed frame closes that socket with 4400 while another room keeps syncing', async () => {
		const other = await bystander('ws1/other');
		const victim = new MuxClient(relay.syncUrl, token);
		await victim.opened;
		victim.join('ws1/target');
		victim.socket.send(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]));
		expect((await victim.socket.closed).code).toBe(CloseCode.malformed);
		await other.stillSyncing('alive');
		other.close();
	});

	it('[R10] an update that does not decode closes with 4400 and is never stored', async () => {
		const writer = new MuxClient(relay.syncUrl, token);
		await writer.opened;
		writer.join('ws1/garbage').getText('t').insert(0, 'kept');
		await writer.allStored('ws1/garbage');
		const doc = new Y.Doc();
		doc.getText('t').insert(0, 'truncated update');
		const update = Y.encodeStateAsUpdate(doc);
		const broken = update.slice(0, update.length - 4);
		writer.socket.send(encodeFrame('ws1/garbage', new Uint8Array([0, 2, broken.length, ...broken])));
		expect((await writer.socket.closed).code).toBe(CloseCode.malformed);
		const reader = new MuxClient(relay.syncUrl, token);
		await reader.opened;
		reader.join('ws1/garbage');
		await waitFor(() => reader.text('ws1/garbage') === 'kept', 'stored content intact');
		reader.close();
	});

	it('[R10] an unknown message type on a per-room socket closes with 4400', async () => {
		const socket = new RecordingSocket(`${relay.syncUrl}/ws1/p1`, meridianProtocols(token));
		await socket.opened;
		socket.send(new Uint8Array([99]));
		expect((await socket.closed).code).toBe(CloseCode.malformed);
	});

	it('[R4] an unknown room: per-room close 4404 with no message; multiplexed roomError 4404', async () => {
		for (const path of ['ws1/p1/nope', 'ws1/a/b/c', 'bad%room', '%E0%A4%A']) {
			const socket = new RecordingSocket(`${relay.syncUrl}/${path}`, meridianProtocols(token));
			const { code } = await socket.closed;
			expect({ path, code, messages: socket.messages.length }).toEqual({ path, code: CloseCode.unknownRoom, messages: 0 });
		}
		const mux = new MuxClient(relay.syncUrl, token);
		await mux.opened;
		mux.join('ws1/p1/nope');
		await waitFor(() => mux.roomErrors.has('ws1/p1/nope'), 'roomError');
		expect(mux.roomErrors.get('ws1/p1/nope')!.code).toBe(CloseCode.unknownRoom);
		expect(mux.socket.ws.readyState).toBe(mux.socket.ws.OPEN);
		mux.close();
	});

	it('[R11] a message over MAX_MESSAGE_BYTES closes with 1009; the relay carries on', async () => {
		const other = await bystander('ws1/other2');
		const socket = new RecordingSocket(`${relay.syncUrl}/ws1/big`, meridianProtocols(token));
		await socket.opened;
		socket.send(new Uint8Array(64 * 1024 + 1));
		expect((await socket.closed).code).toBe(CloseCode.tooLarge);
		await other.stillSyncing('still here');
		other.close();
	});
});

describe('http', () => {
	it('[R24] /healthz, static files with content types, SPA fallback, service worker not cached', async () => {
		const health = await fetch(`${relay.url}/healthz`);
		expect(health.status).toBe(200);
		expect(await health.json()).toEqual({ ok: true });

		const sw = await fetch(`${relay.url}/service-worker.js`);
		expect(sw.headers.get('content-type')).toMatch(/^text\/javascript/);
		expect(sw.headers.get('cache-control')).toBe('no-cache');

		const asset = await fetch(`${relay.url}/_app/immutable/app.abc.js`);
		expect(asset.headers.get('cache-control')).toContain('immutable');
		expect((await fetch(`${relay.url}/manifest.webmanifest`)).headers.get('content-type')).toMatch(/manifest\+json/);

		for (const path of ['/', '/w/ws1/p/abc', '/deep/link?x=1']) {
			const page = await fetch(relay.url + path);
			expect(page.status).toBe(200);
			expect(page.headers.get('content-type')).toMatch(/^text\/html/);
			expect(await page.text()).toContain('<title>Meridian</title>');
		}
		// No escaping the build directory.
		const traversal = await fetch(`${relay.url}/..%2f..%2fetc%2fpasswd`);
		expect(await traversal.text()).toContain('<title>Meridian</title>');
	});

	it('[R7] a request line no URL can hold is answered 400, as a page and as an upgrade; the relay carries on', async () => {
		const { port } = new URL(relay.url);
		const raw = (request: string) =>
			new Promise<string>((resolve, reject) => {
				const socket = connect(Number(port), '127.0.0.1', () => socket.write(request));
				let answer = '';
				socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
				socket.on('end', () => resolve(answer));
				socket.on('close', () => resolve(answer));
				socket.on('error', reject);
				setTimeout(() => socket.end(), 2000).unref();
			});
		const page = await raw('GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
		expect(page).toMatch(/^HTTP\/1\.1 400 /);
		const upgrade = await raw('GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
		expect(upgrade).toMatch(/^HTTP\/1\.1 400 /);
		expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
	});

	it('[R24] /metrics speaks the Prometheus text format', async () => {
		const response = await fetch(`${relay.url}/metrics`);
		expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
		const text = await response.text();
		for (const name of ['meridian_rooms_loaded', 'meridian_connections', 'meridian_pending_updates', 'meridian_stored_bytes']) {
			expect(text).toMatch(new RegExp(`^# TYPE ${name} gauge\\n${name} \\d+$`, 'm'));
		}
		expect(Number(/^meridian_stored_bytes (\d+)$/m.exec(text)![1])).toBeGreaterThan(0);
	});

	it('[R24] without a build, every page is a short 503 saying to run npm run build', async () => {
		const bare = await spawnRelay({ env: { BUILD_DIR: join(buildDir, 'missing') } });
		try {
			const page = await fetch(`${bare.url}/anything`);
			expect(page.status).toBe(503);
			expect(await page.text()).toContain('npm run build');
			expect((await fetch(`${bare.url}/healthz`)).status).toBe(200);
		} finally {
			await bare.kill();
		}
	});
});
