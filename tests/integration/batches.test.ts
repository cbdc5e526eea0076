/**
 * Batches on the multiplexed endpoint (PROTOCOL.md [R34]), against a real relay process: a client
 * offering meridian.v2 joins many rooms in one WebSocket message and gets their answers gathered
 * into few; a client offering only meridian.v1 sends and receives one frame per message, as before;
 * a batch that does not decode closes the socket with 4400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	CloseCode,
	MAX_BATCH_BYTES,
	SyncType,
	encodeBatch,
	encodeFrame,
	isBatch,
	meridianBatchProtocol,
	meridianProtocol,
	tokenProtocolPrefix
} from '../../src/lib/protocol/index.ts';
import { MuxClient, RecordingSocket, seedRooms, waitFor } from './clients.ts';
import { RawPeer, syncMessage } from './raw-peer.ts';
import { spawnRelay, stopAllRelays, type RelayProcess } from './relay-process.ts';

let relay: RelayProcess;
let token: string;
const ROOMS = Array.from({ length: 120 }, (_, i) => `ws1/batch-${i}`);

beforeAll(async () => {
	relay = await spawnRelay();
	token = await relay.token('editor');
	// Every room holds ~4 KB, so the answers to all the joins (~480 KB) need more than one batch.
	await seedRooms(relay.syncUrl, token, ROOMS, (i) => `room ${i}: ${'x'.repeat(4000)}`);
});
afterAll(async () => {
	await relay?.kill();
	await stopAllRelays();
});

const v2 = (): string[] => [meridianBatchProtocol, meridianProtocol, tokenProtocolPrefix + token];
const joinFrame = (room: string): Uint8Array => encodeFrame(room, syncMessage(SyncType.step1, Y.encodeStateVector(new Y.Doc())));

describe('[R34] batches', () => {
	it('a client offering meridian.v2 joins 120 rooms in one message; the answers come back gathered into batches', async () => {
		const peer = new RawPeer(relay.syncUrl, token, v2());
		await peer.opened;
		expect(peer.socket.ws.protocol).toBe(meridianBatchProtocol);
		peer.socket.send(encodeBatch(ROOMS.map(joinFrame)));
		await waitFor(() => ROOMS.every((room) => peer.log(room).step2.length === 1), 'every room answered');
		for (const [i, room] of ROOMS.entries()) expect(peer.doc(room).getText('t').toString()).toBe(`room ${i}: ${'x'.repeat(4000)}`);
		// 120 step 2s and 120 step 1s: a handful of batches, each within the bound.
		expect(peer.batches).toBeGreaterThan(0);
		expect(peer.messages).toBeLessThan(ROOMS.length / 4);
		for (const message of peer.socket.messages) if (isBatch(message)) expect(message.byteLength).toBeLessThanOrEqual(MAX_BATCH_BYTES + 64 * 1024);
		// Writes inside a batch are counted and acknowledged per frame, as single frames are.
		const doc = peer.doc(ROOMS[0]!);
		const before = Y.encodeStateVector(doc);
		doc.getText('t').insert(0, 'batched write; ');
		const update = Y.encodeStateAsUpdate(doc, before);
		peer.socket.send(encodeBatch([encodeFrame(ROOMS[0]!, syncMessage(SyncType.update, update)), encodeFrame(ROOMS[1]!, syncMessage(SyncType.update, new Uint8Array([0, 0])))]));
		await waitFor(() => peer.log(ROOMS[0]!).stored === 1 && peer.log(ROOMS[1]!).stored === 1, 'both writes acknowledged');
		peer.close();

		const reader = new MuxClient(relay.syncUrl, token);
		await reader.opened;
		reader.join(ROOMS[0]!);
		await waitFor(() => reader.text(ROOMS[0]!).startsWith('batched write; '), 'the batched write stored and served');
		reader.close();
	});

	it('rooms loaded from storage as the joins arrive are answered in batches too', async () => {
		// A restart: every room is on disk, loaded by the storage thread as the joins come in.
		await relay.restart();
		token = await relay.token('editor');
		const peer = new RawPeer(relay.syncUrl, token, v2());
		await peer.opened;
		peer.socket.send(encodeBatch(ROOMS.map(joinFrame)));
		await waitFor(() => ROOMS.every((room) => peer.log(room).step2.length === 1), 'every room answered');
		// (Room 0 also holds the first test's batched write.)
		for (const [i, room] of ROOMS.entries()) expect(peer.doc(room).getText('t').toString().endsWith(`room ${i}: ${'x'.repeat(4000)}`)).toBe(true);
		// Each room's step 2 and step 1 at least travel together: fewer messages than rooms, and
		// far fewer than their 240 frames.
		expect(peer.batches).toBeGreaterThan(0);
		expect(peer.messages).toBeLessThanOrEqual(ROOMS.length);
		peer.close();
	});

	it('a relay whose MAX_MESSAGE_BYTES is under two batches never selects meridian.v2', async () => {
		const small = await spawnRelay({ env: { MAX_MESSAGE_BYTES: String(256 * 1024) } });
		try {
			const socket = new RecordingSocket(small.syncUrl, [meridianBatchProtocol, meridianProtocol, tokenProtocolPrefix + (await small.token('editor'))]);
			await socket.opened;
			expect(socket.ws.protocol).toBe(meridianProtocol);
			socket.close();
			// Offering meridian.v2 and a token but not meridian.v1: the token is echoed, never v2.
			const token = tokenProtocolPrefix + (await small.token('editor'));
			const noV1 = new RecordingSocket(small.syncUrl, [meridianBatchProtocol, token]);
			await noV1.opened;
			expect(noV1.ws.protocol).toBe(token);
			noV1.close();
		} finally {
			await small.kill();
		}
	});

	it('a client offering only meridian.v1 gets one frame per message, never a batch', async () => {
		const peer = new RawPeer(relay.syncUrl, token);
		await peer.opened;
		expect(peer.socket.ws.protocol).toBe(meridianProtocol);
		for (const room of ROOMS) peer.socket.send(joinFrame(room));
		await waitFor(() => ROOMS.every((room) => peer.log(room).step2.length === 1), 'every room answered');
		expect(peer.batches).toBe(0);
		expect(peer.socket.messages.some(isBatch)).toBe(false);
		expect(peer.messages).toBeGreaterThanOrEqual(2 * ROOMS.length);
		peer.close();
	});

	it('a batch that does not decode closes that socket with 4400; the relay carries on', async () => {
		const socket = new RecordingSocket(relay.syncUrl, v2());
		await socket.opened;
		// The first frame would be answered at once (a room of another workspace: roomError).
		const whole = encodeBatch([joinFrame('ws2/elsewhere'), joinFrame(ROOMS[1]!)]);
		socket.send(whole.subarray(0, whole.byteLength - 3)); // the second frame cut short
		expect(await socket.closed).toMatchObject({ code: CloseCode.malformed });
		// Nothing of the cut batch was handled: no answer to its first, whole frame either.
		expect(socket.messages).toHaveLength(0);

		// A frame without a room inside a batch: its answer would read as a batch.
		const roomless = new RecordingSocket(relay.syncUrl, v2());
		await roomless.opened;
		roomless.send(encodeBatch([joinFrame('ws2/elsewhere'), joinFrame('')]));
		expect(await roomless.closed).toMatchObject({ code: CloseCode.malformed });
		expect(roomless.messages).toHaveLength(0);

		const peer = new RawPeer(relay.syncUrl, token, v2());
		await peer.opened;
		peer.socket.send(encodeBatch([joinFrame(ROOMS[2]!)]));
		await waitFor(() => peer.log(ROOMS[2]!).step2.length === 1, 'another socket still served');
		peer.close();
	});

	it('[R14] a per-room socket offering meridian.v2 gets it selected, with stored acks and plain messages', async () => {
		const socket = new RecordingSocket(`${relay.syncUrl}/ws1/per-room-v2`, v2());
		await socket.opened;
		expect(socket.ws.protocol).toBe(meridianBatchProtocol);
		const doc = new Y.Doc();
		doc.getText('t').insert(0, 'per room');
		socket.send(syncMessage(SyncType.update, Y.encodeStateAsUpdate(doc)));
		// stored := varUint(4) • varUint(1)
		await waitFor(() => socket.messages.some((m) => m.byteLength === 2 && m[0] === 4 && m[1] === 1), 'the stored ack');
		socket.close();
	});
});
