/**
 * [R25] A peer that stops answering pings is cut off, so its sessions and presence end and its
 * rooms can unload; a peer that answers stays connected.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { meridianProtocols, waitFor } from './clients.ts';
import { spawnRelay, stopAllRelays } from './relay-process.ts';

afterAll(stopAllRelays);

describe('heartbeat', () => {
	it('[R25] a socket that does not answer pings is terminated; one that does stays open', async () => {
		const relay = await spawnRelay({ env: { PING_INTERVAL_MS: '100' } });
		const token = await relay.token('editor');
		const silent = new WebSocket(relay.syncUrl, meridianProtocols(token), { autoPong: false });
		const alive = new WebSocket(relay.syncUrl, meridianProtocols(token));
		let silentClosed: number | null = null;
		let aliveClosed = false;
		silent.on('close', (code) => (silentClosed = code));
		alive.on('close', () => (aliveClosed = true));
		await waitFor(() => silent.readyState === WebSocket.OPEN && alive.readyState === WebSocket.OPEN, 'both sockets open');
		await waitFor(() => silentClosed !== null, 'the silent socket to be cut off', 5_000);
		// Terminated, not closed politely: no close frame arrives (1006).
		expect(silentClosed).toBe(1006);
		// The answering socket has by now lived through several ping rounds.
		expect(aliveClosed).toBe(false);
		expect(alive.readyState).toBe(WebSocket.OPEN);
		alive.close();
		await relay.kill('SIGTERM');
	});
});
