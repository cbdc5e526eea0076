/**
 * The app's RelayConnection (src/lib/sync/relay-connection.ts) against a real relay process, on
 * the `ws` WebSocket (the browser's API; Node 20 has none of its own): with meridian.v2 selected it
 * sends the frames of one task as one batch ([R34]) — a join of many rooms is one WebSocket
 * message, not one per room — and reads the relay's batches. The relay's /metrics counts the
 * messages it received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import * as Y from 'yjs';
import { meridianBatchProtocol } from '../../src/lib/protocol/index.ts';
import { RelayConnection } from '../../src/lib/sync/relay-connection.ts';
import { MuxClient, seedRooms, waitFor } from './clients.ts';
import { spawnRelay, stopAllRelays, type RelayProcess } from './relay-process.ts';

(globalThis as { WebSocket: unknown }).WebSocket = NodeWebSocket;

let relay: RelayProcess;
let token: string;
const ROOMS = Array.from({ length: 60 }, (_, i) => `ws1/conn-${i}`);

beforeAll(async () => {
	relay = await spawnRelay();
	token = await relay.token('editor');
	await seedRooms(relay.syncUrl, token, ROOMS, (i) => `room ${i}`);
});
afterAll(async () => {
	await relay?.kill();
	await stopAllRelays();
});

async function messagesReceived(): Promise<number> {
	const text = await (await fetch(`${relay.url}/metrics`)).text();
	return Number(/^meridian_messages_received_total (\d+)$/m.exec(text)![1]);
}

describe('[R34] the app connection batches', () => {
	it('joins 60 rooms in one message, reads the answers, and sends one task’s writes as one message', async () => {
		const connection = new RelayConnection(relay.syncUrl, token);
		const docs = ROOMS.map((room) => new Y.Doc({ guid: room }));
		const links = ROOMS.map((room, i) => connection.addRoom(room, docs[i]!, { canWrite: true }));
		const before = await messagesReceived();
		connection.connect();
		try {
			await waitFor(() => links.every((link) => link.synced), 'every room synced');
			docs.forEach((doc, i) => expect(doc.getText('t').toString()).toBe(`room ${i}`));
			const joined = await messagesReceived();
			// The joins were one message (plus nothing else: these new documents have nothing to answer with).
			expect(joined - before).toBe(1);

			for (const doc of docs.slice(0, 3)) doc.getText('t').insert(0, 'edited ');
			await waitFor(() => links.slice(0, 3).every((link) => link.state.kind === 'stored'), 'the three writes stored');
			expect((await messagesReceived()) - joined).toBe(1);
		} finally {
			connection.close();
		}

		const reader = new MuxClient(relay.syncUrl, token);
		await reader.opened;
		for (const room of ROOMS.slice(0, 3)) reader.join(room);
		await waitFor(() => ROOMS.slice(0, 3).every((room, i) => reader.text(room) === `edited room ${i}`), 'the writes on the relay');
		reader.close();
	});

	it('a write made in the task that closes the connection is sent before the close', async () => {
		const room = ROOMS[30]!;
		const connection = new RelayConnection(relay.syncUrl, token);
		const doc = new Y.Doc({ guid: room });
		const link = connection.addRoom(room, doc, { canWrite: true });
		connection.connect();
		await waitFor(() => link.synced, 'the room synced');
		doc.getText('t').insert(0, 'last words; ');
		connection.close();

		const reader = new MuxClient(relay.syncUrl, token);
		await reader.opened;
		reader.join(room);
		await waitFor(() => reader.text(room) === 'last words; room 30', 'the last write on the relay');
		reader.close();
	});

	it('offers meridian.v2 first and falls back to single frames where the relay selects meridian.v1', async () => {
		const offered: string[][] = [];
		class Recording extends NodeWebSocket {
			constructor(url: string, protocols: string[]) {
				offered.push(protocols);
				// A relay that knows only meridian.v1: the same socket, offering it without v2.
				super(url, protocols.filter((protocol) => protocol !== meridianBatchProtocol));
			}
		}
		(globalThis as { WebSocket: unknown }).WebSocket = Recording;
		const connection = new RelayConnection(relay.syncUrl, token);
		try {
			const rooms = ROOMS.slice(10, 20);
			const links = rooms.map((room) => connection.addRoom(room, new Y.Doc({ guid: room }), { canWrite: true }));
			const before = await messagesReceived();
			connection.connect();
			await waitFor(() => links.every((link) => link.synced), 'every room synced');
			expect(offered[0]![0]).toBe(meridianBatchProtocol);
			expect((await messagesReceived()) - before).toBe(rooms.length);
		} finally {
			connection.close();
			(globalThis as { WebSocket: unknown }).WebSocket = NodeWebSocket;
		}
	});
});
