/**
 * The relay's limits over in-memory sockets: the token bucket on its own (a hand-stepped clock),
 * then rooms per connection, document size and rate limits through real rooms and connections.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import { CloseCode, MessageType, SyncType, encodeFrame, readOnlyReason } from '../../src/lib/protocol/index.ts';
import { defaultLimits, type Limits } from '../../server/config.ts';
import { MuxConnection } from '../../server/connection.ts';
import { MAX_AWARENESS_OWNERS } from '../../server/room.ts';
import { memoryLogger } from '../../server/log.ts';
import { Persister } from '../../server/persister.ts';
import { TokenBucket } from '../../server/rate-limit.ts';
import { RoomRegistry } from '../../server/rooms.ts';
import { MemoryStore } from '../../server/storage/memory.ts';
import { TestSocket, claims, decodeMessage, endTurn, settle, step1, syncMessage, textUpdate, updateMessage } from './relay-harness.ts';

describe('TokenBucket', () => {
	it('allows a burst, then the refill rate, and never more than the burst after a quiet spell', () => {
		let now = 0;
		const bucket = new TokenBucket(10, 5, () => now);
		expect(Array.from({ length: 6 }, () => bucket.take())).toEqual([true, true, true, true, true, false]);
		now += 100; // 10/s → one token
		expect([bucket.take(), bucket.take()]).toEqual([true, false]);
		now += 60_000;
		expect(Array.from({ length: 6 }, () => bucket.take()).filter(Boolean)).toHaveLength(5);
	});
});

function relay(limits: Partial<Limits>) {
	const all = { ...defaultLimits, ...limits };
	const store = new MemoryStore();
	const log = memoryLogger();
	const persister = new Persister(store, log, { delayMs: 86_400_000, retryMinMs: 86_400_000 });
	persister.stop();
	const registry = new RoomRegistry({ store, persister, log, idleMs: 86_400_000, compactThreshold: 200, limits: all });
	const mux = (role: 'viewer' | 'editor' = 'editor', memberId = 'm1') => {
		const socket = new TestSocket();
		const connection = new MuxConnection(socket, registry, log, claims(role, 'ws1', memberId), all);
		return {
			socket,
			connection,
			send: (room: string, message: Uint8Array) => connection.receive(encodeFrame(room, message)),
			take: () => socket.take()
		};
	};
	return { store, persister, registry, mux };
}

function roomErrors(frames: Uint8Array[]): { code: number; reason: string }[] {
	return frames
		.map((frame) => decodeMessage(frame.subarray(frame[0]! + 1)))
		.filter((m): m is { kind: 'roomError'; code: number; reason: string } => m.kind === 'roomError')
		.map(({ code, reason }) => ({ code, reason }));
}

describe('limits', () => {
	it('[R28] rooms per connection: the room past the limit gets roomError 4414, the others carry on', async () => {
		const r = relay({ maxRoomsPerConnection: 3 });
		const c = r.mux();
		for (const page of ['a', 'b', 'c']) c.send(`ws1/${page}`, step1(new Y.Doc()));
		await settle();
		expect(roomErrors(c.take())).toEqual([]);
		c.send('ws1/d', step1(new Y.Doc()));
		expect(roomErrors(c.take())).toEqual([{ code: CloseCode.tooManyRooms, reason: 'more than 3 rooms on one connection' }]);
		expect(r.registry.get('ws1/d')).toBeUndefined();
		expect(c.socket.isOpen).toBe(true);
		// Leaving one makes room for another.
		c.send('ws1/a', new Uint8Array([MessageType.leave]));
		c.send('ws1/d', step1(new Y.Doc()));
		await settle();
		expect(roomErrors(c.take())).toEqual([]);
		expect(r.registry.get('ws1/d')!.sessionCount).toBe(1);
	});

	it('[R27] a write that would take a document past MAX_DOCUMENT_BYTES is refused with 4413 and not applied, stored or forwarded', async () => {
		const r = relay({ maxDocumentBytes: 200 });
		const writer = r.mux();
		const reader = r.mux('viewer', 'm2');
		writer.send('ws1/p', step1(new Y.Doc()));
		reader.send('ws1/p', step1(new Y.Doc()));
		await settle();
		const author = new Y.Doc();
		writer.send('ws1/p', updateMessage(textUpdate('x'.repeat(100), author)));
		await r.persister.flush();
		expect(r.registry.get('ws1/p')!.storedBytes).toBeGreaterThan(100);
		writer.take();
		reader.take();
		writer.send('ws1/p', updateMessage(textUpdate('y'.repeat(100), author)));
		await r.persister.flush();
		expect(roomErrors(writer.take())).toEqual([{ code: CloseCode.documentTooLarge, reason: "document is at the relay's size limit (200 bytes)" }]);
		expect(reader.take()).toEqual([]);
		expect(r.registry.get('ws1/p')!.doc.getText('t').toString()).toBe('x'.repeat(100));
		expect((await r.store.load('ws1/p')).length).toBe(1);
		// A reader's empty answer to step 1 at the limit is no write: it stays joined.
		const late = r.mux('viewer', 'm3');
		late.send('ws1/p', step1(new Y.Doc()));
		await settle();
		late.send('ws1/p', syncMessage(SyncType.step2, Y.encodeStateAsUpdate(new Y.Doc())));
		expect(roomErrors(late.take())).toEqual([]);
		expect(r.registry.get('ws1/p')!.sessionCount).toBe(2);
	});

	it('[R20] while MAX_PENDING_BYTES of writes wait for a failing store, new writes in any room get roomError 4503: not applied, forwarded or acknowledged; once the queue drains, writes are taken again', async () => {
		const all = { ...defaultLimits, maxPendingBytes: 150 };
		let failing = true;
		const store = new MemoryStore();
		const append = store.append.bind(store);
		store.append = (writes) => (failing ? Promise.reject(Object.assign(new Error('disk full'), { code: 'SQLITE_FULL' })) : append(writes));
		const log = memoryLogger();
		const persister = new Persister(store, log, { delayMs: 86_400_000, retryMinMs: 86_400_000, retryMaxMs: 86_400_000 });
		persister.stop();
		const registry = new RoomRegistry({ store, persister, log, idleMs: 86_400_000, compactThreshold: 200, limits: all });
		const socket = new TestSocket();
		const writer = new MuxConnection(socket, registry, log, claims('editor', 'ws1', 'w'), all);
		const readerSocket = new TestSocket();
		const reader = new MuxConnection(readerSocket, registry, log, claims('viewer', 'ws1', 'r'), all);
		for (const room of ['ws1/p', 'ws1/q']) {
			writer.receive(encodeFrame(room, step1(new Y.Doc())));
			reader.receive(encodeFrame(room, step1(new Y.Doc())));
		}
		await settle();
		socket.take();
		readerSocket.take();
		const author = new Y.Doc();
		// Two writes of 100 bytes fit under 150 (the first took it to 100); the store fails them.
		writer.receive(encodeFrame('ws1/p', updateMessage(textUpdate('a'.repeat(90), author))));
		writer.receive(encodeFrame('ws1/p', updateMessage(textUpdate('b'.repeat(90), author))));
		expect(await persister.flush()).toBe(false);
		expect(persister.pendingBytes).toBeGreaterThanOrEqual(150);
		readerSocket.take();
		const other = new Y.Doc();
		writer.receive(encodeFrame('ws1/q', updateMessage(textUpdate('c', other))));
		writer.receive(encodeFrame('ws1/p', updateMessage(textUpdate('d', author))));
		await settle();
		const refusal = { code: CloseCode.storageUnavailable, reason: 'storage unavailable, retry later' };
		const frames = socket.take();
		expect(roomErrors(frames)).toEqual([refusal, refusal]);
		expect(frames.map((f) => decodeMessage(f.subarray(f[0]! + 1)).kind)).not.toContain('stored');
		expect(readerSocket.take()).toEqual([]);
		expect(registry.get('ws1/q')!.doc.getText('t').toString()).toBe('');
		expect(registry.get('ws1/p')!.doc.getText('t').toString()).toBe('a'.repeat(90) + 'b'.repeat(90));

		failing = false;
		expect(await persister.flush()).toBe(true);
		expect(persister.pendingBytes).toBe(0);
		expect((await store.load('ws1/p')).length).toBe(2);
		expect(await store.load('ws1/q')).toEqual([]);
		// Rejoined, the refused change goes through.
		writer.receive(encodeFrame('ws1/q', step1(new Y.Doc())));
		await settle();
		writer.receive(encodeFrame('ws1/q', updateMessage(textUpdate('c', new Y.Doc()))));
		expect(await persister.flush()).toBe(true);
		expect(roomErrors(socket.take())).toEqual([]);
		expect(registry.get('ws1/q')!.doc.getText('t').toString()).toBe('c');
	});

	it('[R27] the bytes a room counts are its stored rows plus queued writes, also after compaction and a reload', async () => {
		const r = relay({});
		const c = r.mux();
		c.send('ws1/p', step1(new Y.Doc()));
		await settle();
		const author = new Y.Doc();
		for (let i = 0; i < 5; i++) c.send('ws1/p', updateMessage(textUpdate(`line ${i} `.repeat(i + 1), author)));
		await endTurn();
		const room = r.registry.get('ws1/p')!;
		const rowBytes = async (): Promise<number> => (await r.store.load('ws1/p')).reduce((n, row) => n + row.update.byteLength, 0);
		const queued = room.storedBytes;
		expect(queued).toBeGreaterThan(0);
		expect(await rowBytes()).toBe(0);
		await r.persister.flush();
		expect(room.storedBytes).toBe(await rowBytes());
		expect(room.storedBytes).toBe(queued);
		await room.compact();
		expect((await r.store.load('ws1/p')).length).toBe(1);
		expect(room.storedBytes).toBe(await rowBytes());
		const reloaded = relay({});
		await reloaded.store.append((await r.store.load('ws1/p')).map((row) => ({ room: 'ws1/p', update: row.update })));
		const again = reloaded.mux();
		again.send('ws1/p', step1(new Y.Doc()));
		await settle();
		expect(reloaded.registry.get('ws1/p')!.storedBytes).toBe(await rowBytes());
	});

	it('[R29] updates over the burst close the socket with 4429; what came before is applied, the rest is not', async () => {
		const r = relay({ updateBurst: 5, updatesPerSecond: 1 });
		const c = r.mux();
		c.send('ws1/p', step1(new Y.Doc()));
		await settle();
		// The answer to the relay's step 1 is free.
		c.send('ws1/p', syncMessage(SyncType.step2, textUpdate('0')));
		const author = new Y.Doc();
		for (let i = 1; i <= 7; i++) c.send('ws1/p', updateMessage(textUpdate(String(i), author)));
		expect(c.socket.closeCode).toBe(CloseCode.rateLimited);
		const text = r.registry.get('ws1/p')?.doc.getText('t').toString() ?? '';
		expect([...text].sort().join('')).toBe('012345');
	});

	it('[R29] a join’s step 1 is free; asking again counts like a write', async () => {
		const r = relay({ updateBurst: 2, updatesPerSecond: 1 });
		const c = r.mux();
		for (const page of ['a', 'b', 'c', 'd']) c.send(`ws1/${page}`, step1(new Y.Doc()));
		await settle();
		expect(c.socket.isOpen).toBe(true);
		c.send('ws1/a', step1(new Y.Doc()));
		c.send('ws1/a', step1(new Y.Doc()));
		expect(c.socket.isOpen).toBe(true);
		c.send('ws1/a', step1(new Y.Doc()));
		expect(c.socket.closeCode).toBe(CloseCode.rateLimited);
	});

	it('[R29] awareness and queryAwareness over the burst close the socket with 4429', async () => {
		const r = relay({ awarenessBurst: 3, awarenessPerSecond: 1 });
		const c = r.mux();
		c.send('ws1/p', step1(new Y.Doc()));
		await settle();
		const awareness = new awarenessProtocol.Awareness(new Y.Doc());
		awareness.setLocalState({ user: { name: 'a' } });
		const message = (): Uint8Array => {
			const e = encoding.createEncoder();
			encoding.writeVarUint(e, MessageType.awareness);
			encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(awareness, [awareness.clientID]));
			return encoding.toUint8Array(e);
		};
		c.send('ws1/p', message());
		c.send('ws1/p', new Uint8Array([MessageType.queryAwareness]));
		c.send('ws1/p', message());
		expect(c.socket.isOpen).toBe(true);
		c.send('ws1/p', new Uint8Array([MessageType.queryAwareness]));
		expect(c.socket.closeCode).toBe(CloseCode.rateLimited);
	});

	it('[R26] the owners a room remembers stay bounded when a peer reconnects with new client ids over and over', async () => {
		const r = relay({ awarenessBurst: 1_000_000, awarenessPerSecond: 1_000_000 });
		let id = 1;
		for (let round = 0; round < (MAX_AWARENESS_OWNERS + 1000) / 10; round++) {
			const c = r.mux('viewer', 'churn');
			c.send('ws1/p', step1(new Y.Doc()));
			if (round === 0) await settle();
			const e = encoding.createEncoder();
			encoding.writeVarUint(e, MessageType.awareness);
			const states = encoding.createEncoder();
			encoding.writeVarUint(states, 10);
			for (let i = 0; i < 10; i++) {
				encoding.writeVarUint(states, id++);
				encoding.writeVarUint(states, 1);
				encoding.writeVarString(states, '{"cursor":1}');
			}
			encoding.writeVarUint8Array(e, encoding.toUint8Array(states));
			c.send('ws1/p', encoding.toUint8Array(e));
			expect(c.socket.isOpen).toBe(true);
			c.connection.closed();
		}
		const room = r.registry.get('ws1/p')!;
		expect(room.awareness.getStates().size).toBe(0);
		expect(room.awarenessOwnerCount).toBeGreaterThan(0);
		expect(room.awarenessOwnerCount).toBeLessThanOrEqual(MAX_AWARENESS_OWNERS);
	});

	it('[R15] a reader is told once, with the read-only reason, and only for writes that would change the document', async () => {
		const r = relay({});
		const v = r.mux('viewer');
		v.send('ws1/p', step1(new Y.Doc()));
		await settle();
		v.take();
		v.send('ws1/p', syncMessage(SyncType.step2, Y.encodeStateAsUpdate(new Y.Doc())));
		expect(v.take()).toEqual([]);
		v.send('ws1/p', updateMessage(textUpdate('a')));
		v.send('ws1/p', updateMessage(textUpdate('b')));
		const told = v.take().map((frame) => frame.subarray(frame[0]! + 1));
		expect(told).toHaveLength(1);
		const expected = encoding.createEncoder();
		encoding.writeVarUint(expected, MessageType.auth);
		encoding.writeVarUint(expected, 0);
		encoding.writeVarString(expected, readOnlyReason);
		expect(told[0]).toEqual(encoding.toUint8Array(expected));
		expect(v.socket.isOpen).toBe(true);
	});
});
