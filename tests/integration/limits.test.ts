/**
 * The relay's limits against a real relay process with small knobs: frame size (1009), document
 * size (4413), rooms per connection (4414), updates and awareness per second (4429) — each with
 * what was and was not applied and stored — and one relay with the default knobs under the app's
 * heaviest normal use (2,000 rooms on one connection, a burst of edits), which must trip nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode, MessageType, SyncType } from '../../src/lib/protocol/index.ts';
import { MuxClient, RecordingSocket, meridianProtocols, waitFor } from './clients.ts';
import { RawPeer, awarenessMessage, storedDoc, storedRows, syncMessage } from './raw-peer.ts';
import { spawnRelay, stopAllRelays, type RelayProcess } from './relay-process.ts';

const limits = {
	MAX_MESSAGE_BYTES: String(32 * 1024),
	MAX_DOCUMENT_BYTES: '4000',
	MAX_ROOMS_PER_CONNECTION: '5',
	// A token per 1,000 s: no pause of the test process (GC, a busy core) refills one, so the
	// counts past each burst are exact.
	UPDATES_PER_SECOND: '0.001',
	UPDATE_BURST: '40',
	AWARENESS_PER_SECOND: '0.001',
	AWARENESS_BURST: '20'
};

let relay: RelayProcess;
let defaults: RelayProcess;
beforeAll(async () => {
	[relay, defaults] = await Promise.all([spawnRelay({ env: limits }), spawnRelay()]);
});
afterAll(async () => {
	await Promise.all([relay?.kill(), defaults?.kill()]);
	await stopAllRelays();
});

/** An update from `doc`'s own client setting `key` (so a series of them applies in any order). */
function setKey(doc: Y.Doc, key: string, value: unknown = true): Uint8Array {
	const before = Y.encodeStateVector(doc);
	doc.getMap('m').set(key, value);
	return Y.encodeStateAsUpdate(doc, before);
}

describe('limits', () => {
	it('[R11] a message over MAX_MESSAGE_BYTES closes the socket with 1009', async () => {
		const socket = new RecordingSocket(`${relay.syncUrl}/ws1/big`, meridianProtocols(await relay.token('editor')));
		await socket.opened;
		socket.send(new Uint8Array(32 * 1024 + 1));
		expect((await socket.closed).code).toBe(CloseCode.tooLarge);
	});

	it('[R27] a write past MAX_DOCUMENT_BYTES: roomError 4413 (mux) or close 4413 (per room); not applied, stored or forwarded; reading goes on', async () => {
		const room = 'ws1/full';
		const writer = new RawPeer(relay.syncUrl, await relay.token('editor'));
		const reader = new RawPeer(relay.syncUrl, await relay.token('viewer', 'ws1', { memberId: 'reader' }));
		await Promise.all([writer.opened, reader.opened]);
		await writer.barrier(room);
		await reader.barrier(room);
		const doc = new Y.Doc();
		writer.send(room, syncMessage(SyncType.update, setKey(doc, 'first', 'x'.repeat(3000))));
		await waitFor(() => writer.log(room).stored === 1, 'first write stored');
		const before = storedRows(relay.dataDir).get(room);
		writer.send(room, syncMessage(SyncType.update, setKey(doc, 'second', 'y'.repeat(1500))));
		await waitFor(() => writer.log(room).roomErrors.length === 1, 'refusal');
		expect(writer.log(room).roomErrors).toEqual([{ code: CloseCode.documentTooLarge, reason: "document is at the relay's size limit (4000 bytes)" }]);
		expect(writer.socket.closeInfo).toBeNull();
		await reader.barrier(room);
		expect([...reader.doc(room).getMap('m').keys()]).toEqual(['first']);
		expect(storedRows(relay.dataDir).get(room)).toEqual(before);

		// Per-room socket: closed with 4413; a fresh reader still gets the document.
		const perRoom = new RecordingSocket(`${relay.syncUrl}/${room}`, meridianProtocols(await relay.token('editor')));
		await perRoom.opened;
		perRoom.send(syncMessage(SyncType.update, setKey(doc, 'third', 'z'.repeat(1500))));
		expect((await perRoom.closed).code).toBe(CloseCode.documentTooLarge);
		const late = new RawPeer(relay.syncUrl, await relay.token('viewer', 'ws1', { memberId: 'late' }));
		await late.opened;
		await late.barrier(room);
		expect([...late.doc(room).getMap('m').keys()]).toEqual(['first']);
		expect(storedRows(relay.dataDir).get(room)).toEqual(before);
		for (const peer of [writer, reader, late]) peer.close();
	});

	it('[R28] joining past MAX_ROOMS_PER_CONNECTION: roomError 4414 for that room; leave frees a place', async () => {
		const peer = new RawPeer(relay.syncUrl, await relay.token('editor'));
		await peer.opened;
		for (let i = 0; i < 5; i++) await peer.barrier(`ws1/r${i}`);
		peer.step1('ws1/r5');
		await waitFor(() => peer.log('ws1/r5').roomErrors.length === 1, 'refusal');
		expect(peer.log('ws1/r5').roomErrors).toEqual([{ code: CloseCode.tooManyRooms, reason: 'more than 5 rooms on one connection' }]);
		expect(peer.log('ws1/r5').step2).toHaveLength(0);
		peer.send('ws1/r0', new Uint8Array([MessageType.leave]));
		await peer.barrier('ws1/r5');
		expect(peer.socket.closeInfo).toBeNull();
		peer.close();
	});

	it('[R29] updates past UPDATE_BURST close the socket with 4429; those before it are applied and stored, the rest are not', async () => {
		const room = 'ws1/flood';
		const flooder = new RawPeer(relay.syncUrl, await relay.token('editor'));
		const observer = new RawPeer(relay.syncUrl, await relay.token('admin', 'ws1', { memberId: 'obs' }));
		await Promise.all([flooder.opened, observer.opened]);
		await observer.barrier(room);
		flooder.step1(room);
		const doc = new Y.Doc();
		// The answer to the relay's step 1 is free; then 40 updates fit the burst, the 41st does not.
		await waitFor(() => flooder.log(room).step1 === 1, "relay's step 1");
		flooder.send(room, syncMessage(SyncType.step2, setKey(doc, 'answer')));
		for (let i = 0; i < 60; i++) flooder.send(room, syncMessage(SyncType.update, setKey(doc, `u${i}`)));
		expect((await flooder.socket.closed).code).toBe(CloseCode.rateLimited);
		await observer.barrier(room);
		const applied = ['answer', ...Array.from({ length: 40 }, (_, i) => `u${i}`)].sort();
		expect([...observer.doc(room).getMap('m').keys()].sort()).toEqual(applied);
		await waitFor(() => storedDoc(storedRows(relay.dataDir), room).getMap('m').size === applied.length, 'stored');
		expect([...storedDoc(storedRows(relay.dataDir), room).getMap('m').keys()].sort()).toEqual(applied);
		expect(observer.socket.closeInfo).toBeNull();
		observer.close();
	});

	it('[R29] a rejoin pays: leave, step 1, step 2 in a loop closes with 4429, and the writes past the burst are not applied or stored', async () => {
		const room = 'ws1/rejoin';
		const looper = new RawPeer(relay.syncUrl, await relay.token('editor'));
		const observer = new RawPeer(relay.syncUrl, await relay.token('admin', 'ws1', { memberId: 'obs' }));
		await Promise.all([looper.opened, observer.opened]);
		await observer.barrier(room);
		await looper.barrier(room);
		const doc = new Y.Doc();
		for (let i = 0; i < 60; i++) {
			looper.send(room, new Uint8Array([MessageType.leave]));
			looper.step1(room);
			looper.send(room, syncMessage(SyncType.step2, setKey(doc, `r${String(i).padStart(2, '0')}`)));
		}
		expect((await looper.socket.closed).code).toBe(CloseCode.rateLimited);
		await observer.barrier(room);
		// Each rejoin costs two of the 40 tokens (its step 1, its step 2): 20 writes, in order.
		const applied = [...observer.doc(room).getMap('m').keys()].sort();
		expect(applied).toEqual(Array.from({ length: 20 }, (_, i) => `r${String(i).padStart(2, '0')}`));
		await waitFor(() => storedDoc(storedRows(relay.dataDir), room).getMap('m').size === applied.length, 'stored');
		expect([...storedDoc(storedRows(relay.dataDir), room).getMap('m').keys()].sort()).toEqual(applied);
		expect(observer.socket.closeInfo).toBeNull();
		observer.close();
	});

	it('[R29] a reader rejoining in a loop (each rejoin a whole-document diff) closes with 4429', async () => {
		const room = 'ws1/rediff';
		const reader = new RawPeer(relay.syncUrl, await relay.token('viewer', 'ws1', { memberId: 'rediff' }));
		await reader.opened;
		await reader.barrier(room);
		for (let i = 0; i < 60; i++) {
			reader.send(room, new Uint8Array([MessageType.leave]));
			reader.step1(room);
		}
		expect((await reader.socket.closed).code).toBe(CloseCode.rateLimited);
		// The first join's answer, then one per rejoin within the 40-token burst.
		expect(reader.log(room).step2).toHaveLength(41);
	});

	it('[R29] awareness past AWARENESS_BURST closes the socket with 4429; other connections carry on', async () => {
		const room = 'ws1/chatty';
		const chatty = new RawPeer(relay.syncUrl, await relay.token('viewer', 'ws1', { memberId: 'chatty' }));
		const other = new RawPeer(relay.syncUrl, await relay.token('viewer', 'ws1', { memberId: 'other' }));
		await Promise.all([chatty.opened, other.opened]);
		await chatty.barrier(room);
		await other.barrier(room);
		for (let clock = 1; clock <= 30; clock++) chatty.send(room, awarenessMessage(77, clock, { cursor: clock }));
		expect((await chatty.socket.closed).code).toBe(CloseCode.rateLimited);
		await other.barrier(room);
		// Others heard the 20 states within the burst, then its removal as the socket closed.
		expect(other.log(room).awareness).toHaveLength(21);
		expect(other.presence(room).has(77)).toBe(false);
		expect(other.socket.closeInfo).toBeNull();
		other.close();
	});
});

describe('default limits and the app’s normal use', () => {
	it('[R27][R28][R29] 2,000 rooms on one connection, each answering with offline work, then a burst of 500 edits: nothing refused or closed', async () => {
		const client = new MuxClient(defaults.syncUrl, await defaults.token('editor'));
		await client.opened;
		const rooms = Array.from({ length: 2000 }, (_, i) => (i % 2 ? `ws1/p${i >> 1}/talk` : `ws1/p${i >> 1}`));
		for (const room of rooms) {
			const doc = new Y.Doc();
			doc.getText('t').insert(0, `offline work in ${room}`);
			client.join(room, doc);
		}
		await waitFor(() => rooms.every((room) => (client.stored.get(room) ?? 0) >= 1), 'every room stored', 30_000);
		const page = client.docs.get('ws1/p0')!;
		for (let i = 0; i < 500; i++) page.getText('t').insert(page.getText('t').length, 'k');
		await client.allStored('ws1/p0');
		expect(client.roomErrors.size).toBe(0);
		expect(client.socket.closeInfo).toBeNull();
		client.close();
	}, 40_000);
});
