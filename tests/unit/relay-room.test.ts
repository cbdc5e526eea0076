/**
 * Room logic over in-memory sockets and a MemoryStore; the test decides when storage commits.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import { MAX_AWARENESS_IDS, MAX_AWARENESS_STATE_CHARS } from '../../server/room.ts';
import { CloseCode, MessageType, SyncType, encodeMessage, writeLeave } from '../../src/lib/protocol/index.ts';
import { checkRows } from '../../server/storage/checked.ts';
import { MemoryStore } from '../../server/storage/memory.ts';
import { defaultLimits } from '../../server/config.ts';
import {
	applyAll,
	createHarness,
	editorsIn,
	endTurn,
	halfApplying,
	settle,
	step1,
	syncMessage,
	textUpdate,
	updateMessage
} from './relay-harness.ts';

const stored = (messages: { kind: string }[]) =>
	messages.filter((m): m is { kind: 'stored'; count: number } => m.kind === 'stored').map((m) => m.count);

async function loadText(store: MemoryStore, room: string): Promise<string> {
	const doc = new Y.Doc();
	for (const row of await store.load(room)) Y.applyUpdate(doc, row.update);
	return doc.getText('t').toString();
}

describe('multiplexed join', () => {
	it('[R8] a step1 frame joins: the relay answers step2, then its own step1', async () => {
		const h = createHarness();
		const a = h.mux('editor');
		a.send('ws1/p1', step1(new Y.Doc()));
		expect(a.take()).toEqual([]); // still loading
		await settle();
		const got = a.take();
		expect(got.map((m) => [m.room, m.kind, m.kind === 'sync' ? m.syncType : null])).toEqual([
			['ws1/p1', 'sync', SyncType.step2],
			['ws1/p1', 'sync', SyncType.step1]
		]);
	});

	it('[R8] messages other than step1 for a room not joined are ignored', async () => {
		const h = createHarness();
		const a = h.mux('editor');
		a.send('ws1/p1', updateMessage(textUpdate('x')));
		await settle();
		expect(a.take()).toEqual([]);
		expect(h.registry.size).toBe(0);
	});

	it('[R4][R3] unknown rooms and other workspaces get roomError and the connection carries on', async () => {
		const h = createHarness();
		const a = h.mux('editor');
		a.send('ws1/p1/nope', step1(new Y.Doc()));
		a.send('ws2/p1', step1(new Y.Doc()));
		a.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		const got = a.take();
		expect(got.filter((m) => m.kind === 'roomError').map((m) => [m.room, 'code' in m ? m.code : 0])).toEqual([
			['ws1/p1/nope', CloseCode.unknownRoom],
			['ws2/p1', CloseCode.forbidden]
		]);
		expect(got.some((m) => m.room === 'ws1/p1' && m.kind === 'sync')).toBe(true);
		expect(a.socket.isOpen).toBe(true);
	});

	it('[R8][R16] leave unsubscribes and removes the awareness states of that connection', async () => {
		const h = createHarness();
		const a = h.mux('viewer');
		const b = h.mux('editor');
		a.send('ws1/p1', step1(new Y.Doc()));
		b.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		const presence = new awarenessProtocol.Awareness(new Y.Doc());
		presence.setLocalState({ name: 'ann' });
		a.send(
			'ws1/p1',
			encodeMessage((e) => {
				encoding.writeVarUint(e, MessageType.awareness);
				encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(presence, [presence.clientID]));
			})
		);
		const room = h.registry.get('ws1/p1')!;
		expect(room.awareness.getStates().has(presence.clientID)).toBe(true);
		b.take();
		a.send('ws1/p1', encodeMessage(writeLeave));
		expect(room.awareness.getStates().has(presence.clientID)).toBe(false);
		expect(b.take().some((m) => m.kind === 'awareness')).toBe(true); // the removal was broadcast
		a.take();
		// After leaving, a's updates to that room would be ignored and it receives nothing more.
		b.send('ws1/p1', updateMessage(textUpdate('hi')));
		expect(a.take()).toEqual([]);
		presence.destroy();
	});

	it('[R26] awareness states carry the token\'s member: stamped over whatever the peer wrote; another peer\'s client id is left alone', async () => {
		const h = createHarness();
		const ann = h.mux('viewer', 'ws1', 'ann');
		const bob = h.mux('editor', 'ws1', 'bob');
		ann.send('ws1', step1(new Y.Doc()));
		bob.send('ws1', step1(new Y.Doc()));
		await settle();
		const room = h.registry.get('ws1')!;
		const awarenessMessage = (presence: awarenessProtocol.Awareness) =>
			encodeMessage((e) => {
				encoding.writeVarUint(e, MessageType.awareness);
				encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(presence, [presence.clientID]));
			});
		// Ann claims to be Bob: the relay keeps her state but says who she is.
		const annPresence = new awarenessProtocol.Awareness(new Y.Doc());
		annPresence.setLocalState({ user: { memberId: 'bob', name: 'Bob' }, page: 'p1' });
		ann.send('ws1', awarenessMessage(annPresence));
		expect(room.awareness.getStates().get(annPresence.clientID)).toEqual({ user: { memberId: 'ann', name: 'Bob' }, page: 'p1' });
		// What Bob receives is the stamped state too.
		const seen = new awarenessProtocol.Awareness(new Y.Doc());
		for (const m of bob.take()) if (m.kind === 'awareness') awarenessProtocol.applyAwarenessUpdate(seen, m.payload, 'relay');
		expect(seen.getStates().get(annPresence.clientID)).toMatchObject({ user: { memberId: 'ann' } });

		// Bob sends a state under Ann's client id: ignored, hers stays.
		const forged = new awarenessProtocol.Awareness(new Y.Doc());
		forged.clientID = annPresence.clientID;
		forged.setLocalState({ user: { name: 'Not Ann' } });
		forged.setLocalState({ user: { name: 'Still not Ann' } });
		bob.send('ws1', awarenessMessage(forged));
		expect(room.awareness.getStates().get(annPresence.clientID)).toMatchObject({ user: { memberId: 'ann', name: 'Bob' } });

		// A state without a user object gets one; a state that is not an object becomes one.
		const bare = new awarenessProtocol.Awareness(new Y.Doc());
		bare.setLocalState({ cursor: null });
		bob.send('ws1', awarenessMessage(bare));
		expect(room.awareness.getStates().get(bare.clientID)).toEqual({ cursor: null, user: { memberId: 'bob' } });

		// An awareness update that does not decode closes the socket with 4400 and changes nothing.
		const before = room.awareness.getStates().size;
		ann.send('ws1', encodeMessage((e) => {
			encoding.writeVarUint(e, MessageType.awareness);
			encoding.writeVarUint8Array(e, new Uint8Array([1, 5, 1, 3, 0x7b, 0x7b, 0x7b]));
		}));
		expect(ann.socket.closeCode).toBe(CloseCode.malformed);
		expect(room.awareness.getStates().size).toBe(before - 1); // her own state left with her socket
		for (const p of [annPresence, forged, bare, seen]) p.destroy();
	});

	it('[R26] a client id stays its first member\'s: nobody else takes it over after they leave; the same member carries it on from a new connection', async () => {
		const h = createHarness();
		const ann = h.mux('editor', 'ws1', 'ann');
		const bob = h.mux('editor', 'ws1', 'bob');
		ann.send('ws1', step1(new Y.Doc()));
		bob.send('ws1', step1(new Y.Doc()));
		await settle();
		const room = h.registry.get('ws1')!;
		const send = (client: typeof ann, presence: awarenessProtocol.Awareness) =>
			client.send('ws1', encodeMessage((e) => {
				encoding.writeVarUint(e, MessageType.awareness);
				encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(presence, [presence.clientID]));
			}));
		const mine = new awarenessProtocol.Awareness(new Y.Doc());
		mine.setLocalState({ user: { name: 'Ann' } });
		send(ann, mine);
		// Ann reconnects before her old socket is found dead: the new connection carries her id on.
		const again = h.mux('editor', 'ws1', 'ann');
		again.send('ws1', step1(new Y.Doc()));
		await settle();
		mine.setLocalState({ user: { name: 'Ann again' } });
		send(again, mine);
		ann.connection.closed(); // its socket went away
		expect(room.awareness.getStates().get(mine.clientID)).toMatchObject({ user: { memberId: 'ann', name: 'Ann again' } });
		// Ann leaves for good; Bob cannot take her id, even with a newer clock.
		again.connection.closed();
		expect(room.awareness.getStates().has(mine.clientID)).toBe(false);
		const forged = new awarenessProtocol.Awareness(new Y.Doc());
		forged.clientID = mine.clientID;
		for (let i = 0; i < 5; i++) forged.setLocalState({ user: { name: `take ${i}` } });
		send(bob, forged);
		expect(room.awareness.getStates().has(mine.clientID)).toBe(false);
		for (const p of [mine, forged]) p.destroy();
	});

	it('[R26] an oversized presence state, or too many client ids from one connection, closes it with 4400', async () => {
		const h = createHarness();
		const big = h.mux('editor', 'ws1', 'big');
		const many = h.mux('editor', 'ws1', 'many');
		big.send('ws1', step1(new Y.Doc()));
		many.send('ws1', step1(new Y.Doc()));
		await settle();
		const room = h.registry.get('ws1')!;
		const presenceMessage = (presence: awarenessProtocol.Awareness) =>
			encodeMessage((e) => {
				encoding.writeVarUint(e, MessageType.awareness);
				encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(presence, [presence.clientID]));
			});
		const huge = new awarenessProtocol.Awareness(new Y.Doc());
		huge.setLocalState({ user: { name: 'x'.repeat(MAX_AWARENESS_STATE_CHARS) } });
		big.send('ws1', presenceMessage(huge));
		expect(big.socket.closeCode).toBe(CloseCode.malformed);
		expect(room.awareness.getStates().has(huge.clientID)).toBe(false);

		const made: awarenessProtocol.Awareness[] = [];
		for (let i = 0; i <= MAX_AWARENESS_IDS; i++) {
			const presence = new awarenessProtocol.Awareness(new Y.Doc());
			presence.setLocalState({ user: { name: `tab ${i}` } });
			made.push(presence);
			if (many.socket.isOpen) many.send('ws1', presenceMessage(presence));
		}
		expect(many.socket.closeCode).toBe(CloseCode.malformed);
		// Its states went with it.
		expect(made.some((p) => room.awareness.getStates().has(p.clientID))).toBe(false);
		for (const p of [huge, ...made]) p.destroy();
	});

	it('[R8] a thousand rooms on one connection', async () => {
		const h = createHarness();
		const a = h.mux('editor');
		for (let i = 0; i < 1000; i++) a.send(`ws1/p${i}`, step1(new Y.Doc()));
		await settle();
		expect(h.registry.size).toBe(1000);
		expect(a.connection.sessionCount).toBe(1000);
		expect(a.take()).toHaveLength(2000);
		for (let i = 0; i < 1000; i++) a.send(`ws1/p${i}`, updateMessage(textUpdate(`page ${i}`)));
		expect(await h.persister.flush()).toBe(true);
		const acks = a.take();
		expect(acks).toHaveLength(1000);
		expect(acks.every((m) => m.kind === 'stored' && m.count === 1)).toBe(true);
		expect(await loadText(h.store, 'ws1/p999')).toBe('page 999');
	});
});

describe('durable acks', () => {
	it('[R12] stored(count) is sent only after the commit that holds the writes', async () => {
		const h = createHarness();
		const a = h.mux('editor');
		a.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		a.take();
		const doc = new Y.Doc();
		a.send('ws1/p1', updateMessage(textUpdate('one', doc)));
		a.send('ws1/p1', updateMessage(textUpdate(' two', doc)));
		expect(stored(a.take())).toEqual([]);
		expect(await h.store.load('ws1/p1')).toEqual([]);
		await h.persister.flush();
		expect(stored(a.take())).toEqual([2]);
		expect(await loadText(h.store, 'ws1/p1')).toBe('one two');
	});

	it('[R12] a write that changes nothing is acked at once, unless an earlier write is uncommitted', async () => {
		const h = createHarness();
		const a = h.mux('editor');
		a.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		a.take();
		// The empty step2 every client sends after the relay's step1: count 1, nothing to store.
		a.send('ws1/p1', syncMessage(SyncType.step2, Y.encodeStateAsUpdate(new Y.Doc())));
		expect(stored(a.take())).toEqual([1]);
		const update = textUpdate('x');
		a.send('ws1/p1', updateMessage(update)); // 2: queued
		a.send('ws1/p1', updateMessage(update)); // 3: a duplicate, but 2 is not committed yet
		await endTurn();
		expect(stored(a.take())).toEqual([]);
		await h.persister.flush();
		expect(stored(a.take())).toEqual([3]);
		a.send('ws1/p1', updateMessage(update)); // 4: duplicate, nothing pending
		expect(stored(a.take())).toEqual([4]);
	});

	it('[R12] a write that repeats another session’s uncommitted write is acked only after that commit', async () => {
		// Two tabs: tab B repeats tab A's change (it arrived over BroadcastChannel). The relay's doc
		// already has it, but its disk does not — and here the disk is full.
		const h = createHarness();
		const [a, b] = await editorsIn(h);
		const update = textUpdate('from tab A');
		h.store.failAppend = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
		a.send('ws1/p1', updateMessage(update));
		b.send('ws1/p1', updateMessage(update));
		expect(await h.persister.flush()).toBe(false);
		expect(stored(a.take())).toEqual([]);
		expect(stored(b.take())).toEqual([]);
		// A reconnecting client whose step2 repeats the same content is not told "stored" either.
		const c = h.mux('editor');
		c.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		c.take();
		c.send('ws1/p1', syncMessage(SyncType.step2, update));
		expect(stored(c.take())).toEqual([]);
		h.store.failAppend = null;
		expect(await h.persister.flush()).toBe(true);
		await settle();
		expect(stored(a.take())).toEqual([1]);
		expect(stored(b.take())).toEqual([1]);
		expect(stored(c.take())).toEqual([1]);
		expect(await loadText(h.store, 'ws1/p1')).toBe('from tab A');
		// The barrier stored nothing of its own.
		expect((await h.store.load('ws1/p1')).length).toBe(1);
	});

	it('[R12] counts are per connection and per room, and acks never go backwards', async () => {
		const h = createHarness();
		const a = h.mux('editor');
		const b = h.mux('editor');
		for (const c of [a, b]) for (const room of ['ws1/p1', 'ws1/p2']) c.send(room, step1(new Y.Doc()));
		await settle();
		a.take();
		b.take();
		a.send('ws1/p1', updateMessage(textUpdate('a1')));
		a.send('ws1/p2', updateMessage(textUpdate('a2')));
		a.send('ws1/p2', updateMessage(textUpdate('a3')));
		b.send('ws1/p1', updateMessage(textUpdate('b1')));
		await endTurn();
		await h.persister.flush();
		expect(a.take().filter((m) => m.kind === 'stored')).toEqual([
			{ room: 'ws1/p1', kind: 'stored', count: 1 },
			{ room: 'ws1/p2', kind: 'stored', count: 2 }
		]);
		expect(b.take().filter((m) => m.kind === 'stored')).toEqual([{ room: 'ws1/p1', kind: 'stored', count: 1 }]);
	});

	it('[R20] a failed commit sends no ack, keeps the updates and stores them on retry', async () => {
		const h = createHarness({ idleMs: 0 });
		const a = h.mux('editor');
		a.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		a.take();
		a.send('ws1/p1', updateMessage(textUpdate('keep me')));
		h.store.failAppend = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
		expect(await h.persister.flush()).toBe(false);
		expect(stored(a.take())).toEqual([]);
		expect(h.persister.pendingCount).toBe(1);
		expect(h.log.lines.some((l) => l.level === 'error' && l.message.includes('append failed'))).toBe(true);
		// The writer goes away; with unstored updates the room must stay loaded.
		a.connection.closed();
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(h.registry.get('ws1/p1')).toBeDefined();
		h.store.failAppend = null;
		expect(await h.persister.flush()).toBe(true);
		expect(await loadText(h.store, 'ws1/p1')).toBe('keep me');
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(h.registry.get('ws1/p1')).toBeUndefined(); // now idle and stored: unloaded
	});

	it('[R14] per-room sockets get stored only when they negotiated meridian.v1', async () => {
		const h = createHarness();
		const stock = h.perRoom('editor', 'ws1/p1', false);
		const meridian = h.perRoom('editor', 'ws1/p1', true);
		await settle();
		stock.send(updateMessage(textUpdate('s')));
		meridian.send(updateMessage(textUpdate('m')));
		await h.persister.flush();
		expect(stock.take().some((m) => m.kind === 'stored')).toBe(false);
		expect(stored(meridian.take())).toEqual([1]);
	});
});

describe('roles', () => {
	it('[R15] a viewer’s writes are not applied, stored, forwarded or counted, and it is told once', async () => {
		const h = createHarness();
		const viewer = h.mux('viewer');
		const editor = h.mux('editor');
		viewer.send('ws1/p1', step1(new Y.Doc()));
		editor.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		viewer.take();
		editor.take();
		viewer.send('ws1/p1', updateMessage(textUpdate('vandal')));
		viewer.send('ws1/p1', syncMessage(SyncType.step2, textUpdate('vandal 2')));
		await h.persister.flush();
		// Told once that it may not write (y-protocols auth), no stored ack; nothing forwarded.
		expect(viewer.take()).toEqual([{ room: 'ws1/p1', kind: 'other', type: MessageType.auth }]);
		expect(editor.take()).toEqual([]);
		expect(h.registry.get('ws1/p1')!.doc.getText('t').toString()).toBe('');
		expect(await h.store.load('ws1/p1')).toEqual([]);
		// The viewer still reads what editors write.
		editor.send('ws1/p1', updateMessage(textUpdate('hello')));
		const doc = new Y.Doc();
		applyAll(doc, viewer.take());
		expect(doc.getText('t').toString()).toBe('hello');
	});

	it('[R15] a commenter writes in talk rooms and nowhere else', async () => {
		const h = createHarness();
		const c = h.mux('commenter');
		c.send('ws1/p1', step1(new Y.Doc()));
		c.send('ws1/p1/talk', step1(new Y.Doc()));
		await settle();
		c.take();
		c.send('ws1/p1', updateMessage(textUpdate('edit')));
		c.send('ws1/p1/talk', updateMessage(textUpdate('comment')));
		await h.persister.flush();
		expect(c.take().filter((m) => m.kind === 'stored').map((m) => m.room)).toEqual(['ws1/p1/talk']);
		expect(await loadText(h.store, 'ws1/p1/talk')).toBe('comment');
		expect(await h.store.load('ws1/p1')).toEqual([]);
	});
});

describe('bad input and failed loads', () => {
	it('[R10] an update that does not decode closes the socket with 4400 and is never stored', async () => {
		const h = createHarness();
		const a = h.mux('editor');
		const b = h.mux('editor');
		a.send('ws1/p1', step1(new Y.Doc()));
		b.send('ws1/p2', step1(new Y.Doc()));
		await settle();
		const good = textUpdate('hello world');
		a.send('ws1/p1', updateMessage(good.slice(0, good.length - 3)));
		expect(a.socket.closeCode).toBe(CloseCode.malformed);
		await h.persister.flush();
		expect(await h.store.load('ws1/p1')).toEqual([]);
		expect(h.registry.get('ws1/p1')!.doc.getText('t').toString()).toBe('');
		b.send('ws1/p2', updateMessage(textUpdate('fine')));
		await h.persister.flush();
		expect(b.socket.isOpen).toBe(true);
		expect(await loadText(h.store, 'ws1/p2')).toBe('fine');
	});

	it('[R7][R10] an undecodable frame or an unknown message type closes with 4400', async () => {
		const h = createHarness();
		const a = h.mux('editor');
		a.connection.receive(new Uint8Array([200]));
		expect(a.socket.closeCode).toBe(CloseCode.malformed);
		const b = h.mux('editor');
		b.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		b.send('ws1/p1', new Uint8Array([42]));
		expect(b.socket.closeCode).toBe(CloseCode.malformed);
		const c = h.perRoom('editor', 'ws1/p1');
		await settle();
		c.send(new Uint8Array([MessageType.stored, 1]));
		expect(c.socket.closeCode).toBe(CloseCode.malformed);
	});

	it('[R19] a room whose rows do not load serves nobody, stores nothing and is never compacted', async () => {
		// (A row that does not decode is quarantined instead: tests/unit/storage-quarantine.test.ts.)
		const store = new MemoryStore();
		await store.append([{ room: 'ws1/p1', update: textUpdate('precious') }]);
		await store.append([{ room: 'ws1/p1', update: textUpdate(' more') }]);
		const before = (await store.load('ws1/p1')).map((row) => [...row.update]);
		store.failLoadOf.set('ws1/p1', new Error('I/O error reading the room'));
		const h = createHarness({ store, idleMs: 0, compactThreshold: 2 });
		const a = h.mux('editor');
		const stock = h.perRoom('editor', 'ws1/p1');
		a.send('ws1/p1', step1(new Y.Doc()));
		a.send('ws1/p2', step1(new Y.Doc()));
		await settle();
		const got = a.take();
		expect(got.filter((m) => m.room === 'ws1/p1')).toEqual([
			{ room: 'ws1/p1', kind: 'roomError', code: CloseCode.roomUnavailable, reason: 'room unavailable' }
		]);
		expect(got.some((m) => m.room === 'ws1/p2' && m.kind === 'sync')).toBe(true);
		expect(stock.socket.closeCode).toBe(CloseCode.roomUnavailable);
		expect(stock.take()).toEqual([]);
		// Writes for it go nowhere, and unloading does not compact it.
		a.send('ws1/p1', updateMessage(textUpdate('overwrite')));
		await h.persister.flush();
		await new Promise((resolve) => setTimeout(resolve, 20));
		store.failLoadOf.clear();
		expect((await store.load('ws1/p1')).map((row) => [...row.update])).toEqual(before);
	});

	it('[R19] a failed room is retried after it has been idle, even when clients keep asking for it', async () => {
		const store = new MemoryStore();
		await store.append([{ room: 'ws1/p1', update: textUpdate('precious') }]);
		store.failLoadOf.set('ws1/p1', new Error('I/O error reading the room'));
		const h = createHarness({ store, idleMs: 10 });
		const a = h.mux('editor');
		a.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		expect(a.take().map((m) => m.kind)).toEqual(['roomError']);
		// A reconnecting client asks again at once: that must not keep the failed room alive forever.
		const b = h.mux('editor');
		b.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		expect(b.take().map((m) => m.kind)).toEqual(['roomError']);
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(h.registry.get('ws1/p1')).toBeUndefined();
		// Storage repaired (say, a backup restored): the next join loads it afresh and serves it.
		store.failLoadOf.clear();
		const c = h.mux('editor');
		c.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		expect(c.take().some((m) => m.kind === 'sync')).toBe(true);
	});

	it('[R18][R23] compaction keeps every edit and the deleted history (gc off)', async () => {
		const h = createHarness({ compactThreshold: 5 });
		const a = h.mux('editor');
		a.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		const doc = new Y.Doc({ gc: false });
		for (let i = 0; i < 8; i++) {
			const before = Y.encodeStateVector(doc);
			doc.getText('t').insert(0, String(i));
			if (i === 7) doc.getText('t').delete(0, 1);
			a.send('ws1/p1', updateMessage(Y.encodeStateAsUpdate(doc, before)));
			await h.persister.flush();
			await settle();
		}
		const rows = await h.store.load('ws1/p1');
		expect(rows.length).toBeLessThan(6);
		const loaded = new Y.Doc({ gc: false });
		for (const row of rows) Y.applyUpdate(loaded, row.update);
		expect(loaded.getText('t').toString()).toBe(doc.getText('t').toString());
		// The deleted "7" is still in the stored history: a snapshot before the delete shows it.
		expect(h.registry.get('ws1/p1')!.doc.gc).toBe(false);
		expect(Y.encodeStateAsUpdate(loaded).byteLength).toBeGreaterThan(0);
		const deleted = Y.createDocFromSnapshot(loaded, Y.createSnapshot(Y.createDeleteSet(), Y.decodeStateVector(Y.encodeStateVector(loaded))));
		expect(deleted.getText('t').toString()).toContain('7');
	});

	it('[R18] compactions run one at a time for the relay, each merging what is stored when its turn comes', async () => {
		const store = new MemoryStore();
		// Two rooms with two rows each.
		for (const room of ['ws1/p1', 'ws1/p2']) {
			await store.append([{ room, update: textUpdate(`${room} one`) }]);
			await store.append([{ room, update: textUpdate(`${room} two`) }]);
		}
		const started: string[] = [];
		let release = (): void => undefined;
		const compact = store.compact.bind(store);
		store.compact = async (room, merged, upToSeq, stateVector) => {
			started.push(room);
			if (room === 'ws1/p1') await new Promise<void>((resolve) => (release = resolve));
			return compact(room, merged, upToSeq, stateVector);
		};
		const h = createHarness({ store });
		const a = h.mux('editor');
		for (const room of ['ws1/p1', 'ws1/p2']) a.send(room, step1(new Y.Doc()));
		await settle();
		const [first, second] = [h.registry.get('ws1/p1')!, h.registry.get('ws1/p2')!];
		const done = [first.compact(), second.compact()];
		await settle();
		expect(started).toEqual(['ws1/p1']);
		// A write to the waiting room meanwhile is committed, and its compaction, when it comes, holds it.
		a.send('ws1/p2', updateMessage(textUpdate(' three')));
		await h.persister.flush();
		release();
		await Promise.all(done);
		expect(started).toEqual(['ws1/p1', 'ws1/p2']);
		expect((await store.load('ws1/p2')).map((row) => row.seq)).toHaveLength(1);
		expect(await loadText(store, 'ws1/p2')).toContain(' three');
		expect(await loadText(store, 'ws1/p1')).toContain('ws1/p1 one');
	});

	it('[R6] a write is forwarded to the others as received, and one that changes nothing is not forwarded', async () => {
		const h = createHarness();
		const [a, b] = await editorsIn(h);
		const doc = new Y.Doc();
		doc.getText('t').insert(0, 'hello');
		const update = Y.encodeStateAsUpdate(doc);
		a.send('ws1/p1', updateMessage(update));
		await settle();
		const forwarded = b.take().filter((m) => m.kind === 'sync');
		expect(forwarded).toHaveLength(1);
		expect(forwarded[0]).toMatchObject({ syncType: SyncType.update });
		expect([...(forwarded[0] as { payload: Uint8Array }).payload]).toEqual([...update]);
		expect(a.take().filter((m) => m.kind === 'sync')).toEqual([]);
		// The same write again (a second tab, a resend after reconnecting): nothing new, nothing sent.
		b.send('ws1/p1', updateMessage(update));
		await settle();
		expect(a.take().filter((m) => m.kind === 'sync')).toEqual([]);
		// A deletion alone is a change too.
		const before = Y.encodeStateVector(doc);
		doc.getText('t').delete(0, 1);
		a.send('ws1/p1', updateMessage(Y.encodeStateAsUpdate(doc, before)));
		await settle();
		const deletion = b.take().filter((m) => m.kind === 'sync');
		expect(deletion).toHaveLength(1);
		const replica = new Y.Doc();
		Y.applyUpdate(replica, update);
		Y.applyUpdate(replica, (deletion[0] as { payload: Uint8Array }).payload);
		expect(replica.getText('t').toString()).toBe('ello');
	});

	it('[R18] a long document is compacted once the rows since the last compaction add up to half its size, not every compactThreshold rows', async () => {
		const store = new MemoryStore();
		const page = new Y.Doc({ gc: false });
		page.getText('t').insert(0, 'x'.repeat(20_000));
		await store.append([{ room: 'ws1/p1', update: Y.encodeStateAsUpdate(page) }]);
		const h = createHarness({ store, compactThreshold: 5 });
		const a = h.mux('editor');
		a.send('ws1/p1', step1(page));
		await settle();
		const type = async (count: number): Promise<void> => {
			for (let i = 0; i < count; i++) {
				const before = Y.encodeStateVector(page);
				page.getText('t').insert(0, 'abcdefghij'.repeat(10));
				a.send('ws1/p1', updateMessage(Y.encodeStateAsUpdate(page, before)));
				await h.persister.flush();
				await settle();
			}
		};
		// ~20 KB stored; 20 rows of ~120 bytes are far from half of it: kept as rows.
		await type(20);
		expect((await store.load('ws1/p1')).length).toBe(21);
		// Past ~10 KB written since, the next commit compacts, into one row holding everything.
		await type(70);
		const rows = await store.load('ws1/p1');
		expect(rows.length).toBeLessThan(20);
		const loaded = new Y.Doc({ gc: false });
		for (const row of rows) Y.applyUpdate(loaded, row.update);
		expect(loaded.getText('t').toString()).toBe(page.getText('t').toString());
	});

	it('[R31] a burst from one connection in one turn: each write counted and acknowledged, stored and forwarded together, nothing lost', async () => {
		const h = createHarness();
		const [a, b] = await editorsIn(h);
		const typist = new Y.Doc();
		const text = typist.getText('t');
		const writes: Uint8Array[] = [];
		typist.on('update', (update: Uint8Array) => writes.push(update));
		for (let i = 0; i < 300; i++) text.insert(Math.floor(i / 2), String.fromCharCode(97 + (i % 26)));
		for (let i = 0; i < 100; i++) text.delete(i * 2, 1);
		// One turn: every write, plus one repeated (nothing new, acknowledged with the rest).
		for (const write of writes) a.send('ws1/p1', updateMessage(write));
		a.send('ws1/p1', updateMessage(writes[5]!));
		await endTurn();
		await h.persister.flush();
		await settle();
		expect(stored(a.take()).at(-1)).toBe(writes.length + 1);
		// The first write alone (applied at once), then the rest as one update.
		const forwarded = b.take().filter((m) => m.kind === 'sync');
		expect(forwarded).toHaveLength(2);
		const replica = new Y.Doc();
		applyAll(replica, forwarded);
		expect(replica.getText('t').toString()).toBe(text.toString());
		const rows = await h.store.load('ws1/p1');
		expect(rows).toHaveLength(2);
		expect(await loadText(h.store, 'ws1/p1')).toBe(text.toString());
		expect(h.registry.get('ws1/p1')!.doc.getText('t').toString()).toBe(text.toString());
	});

	it('[R31] writes of one turn from two connections are applied one by one, each forwarded to the other', async () => {
		const h = createHarness();
		const [a, b] = await editorsIn(h);
		a.send('ws1/p1', updateMessage(textUpdate('a1')));
		b.send('ws1/p1', updateMessage(textUpdate('b1')));
		a.send('ws1/p1', updateMessage(textUpdate('a2')));
		await endTurn();
		await h.persister.flush();
		await settle();
		const toA = a.take();
		const toB = b.take();
		expect(toA.filter((m) => m.kind === 'sync')).toHaveLength(1);
		expect(toB.filter((m) => m.kind === 'sync')).toHaveLength(2);
		expect(stored(toA).at(-1)).toBe(2);
		expect(stored(toB).at(-1)).toBe(1);
		expect([...(await loadText(h.store, 'ws1/p1'))].sort().join('')).toBe('112aab');
	});

	it('[R31] a join in the same turn as a burst is answered with every write before it', async () => {
		const h = createHarness();
		const a = h.mux('editor');
		a.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		a.take();
		const typist = new Y.Doc();
		const writes: Uint8Array[] = [];
		typist.on('update', (update: Uint8Array) => writes.push(update));
		for (let i = 0; i < 20; i++) typist.getText('t').insert(i, 'x');
		const b = h.mux('editor');
		for (const write of writes) a.send('ws1/p1', updateMessage(write));
		b.send('ws1/p1', step1(new Y.Doc()));
		const answer = b.take().filter((m) => m.kind === 'sync' && m.syncType === SyncType.step2);
		const joined = new Y.Doc();
		applyAll(joined, answer);
		expect(joined.getText('t').toString()).toBe('x'.repeat(20));
	});

	it('[R10][R31] a write that decodes but fails to apply half way through a burst: the writes before it are stored and forwarded, nothing of it is', async () => {
		const h = createHarness();
		const [a, b] = await editorsIn(h);
		const writer = new Y.Doc();
		a.send('ws1/p1', updateMessage(textUpdate('one', writer)));
		a.send('ws1/p1', updateMessage(textUpdate('two', writer)));
		a.send('ws1/p1', updateMessage(halfApplying()));
		await endTurn();
		await h.persister.flush();
		await settle();
		expect(a.socket.closeCode).toBe(CloseCode.malformed);
		const peer = new Y.Doc();
		applyAll(peer, b.take());
		expect(peer.getText('t').toString()).toBe('onetwo');
		expect(await loadText(h.store, 'ws1/p1')).toBe('onetwo');
	});

	it('[R12][R6] a write waiting on a missing struct while others already wait is stored and forwarded, alone or in a burst', async () => {
		const writer = new Y.Doc();
		const writes: Uint8Array[] = [];
		writer.on('update', (update: Uint8Array) => writes.push(update));
		for (const letter of 'abcd') writer.getText('t').insert(writer.getText('t').length, letter);
		for (const burst of [false, true]) {
			const h = createHarness();
			const a = h.mux('editor');
			const b = h.mux('editor');
			a.send('ws1/p1', step1(new Y.Doc()));
			b.send('ws1/p1', step1(new Y.Doc()));
			await settle();
			a.take();
			b.take();
			// "a" never arrives; "b", "c", "d" depend on it.
			for (const write of writes.slice(1)) {
				a.send('ws1/p1', updateMessage(write));
				if (!burst) await endTurn();
			}
			await endTurn();
			await h.persister.flush();
			await settle();
			expect(stored(a.take()).at(-1)).toBe(3);
			const restarted = new Y.Doc();
			for (const row of await h.store.load('ws1/p1')) Y.applyUpdate(restarted, row.update);
			Y.applyUpdate(restarted, writes[0]!);
			expect(restarted.getText('t').toString()).toBe('abcd');
			const peer = new Y.Doc();
			applyAll(peer, b.take());
			Y.applyUpdate(peer, writes[0]!);
			expect(peer.getText('t').toString()).toBe('abcd');
		}
	});

	it('[R27][R31] a burst refused part way: the writes before the refusal reach the other members before the writer leaves', async () => {
		const store = new MemoryStore();
		const h = createHarness({ store, limits: { ...defaultLimits, maxDocumentBytes: 400 } });
		const a = h.mux('editor');
		const b = h.mux('editor', 'ws1', 'm2');
		a.send('ws1/p1', step1(new Y.Doc()));
		b.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		a.take();
		b.take();
		const writer = new Y.Doc();
		a.send('ws1/p1', updateMessage(textUpdate('x'.repeat(50), writer)));
		a.send('ws1/p1', updateMessage(textUpdate('y'.repeat(50), writer)));
		a.send('ws1/p1', updateMessage(textUpdate('z'.repeat(400), writer)));
		await endTurn();
		await h.persister.flush();
		await settle();
		expect(a.take().filter((m) => m.kind === 'roomError').map((m) => (m as { code: number }).code)).toEqual([CloseCode.documentTooLarge]);
		const peer = new Y.Doc();
		applyAll(peer, b.take());
		expect(peer.getText('t').toString()).toBe('x'.repeat(50) + 'y'.repeat(50));
		expect(await loadText(store, 'ws1/p1')).toBe('x'.repeat(50) + 'y'.repeat(50));
	});

	it('[R6] a step 2 that changes the document is forwarded as what it changed, not with the writer\'s whole delete set', async () => {
		const h = createHarness();
		const a = h.mux('editor');
		const b = h.mux('editor');
		const writer = new Y.Doc();
		const text = writer.getText('t');
		for (let i = 0; i < 200; i++) {
			text.insert(0, 'ab');
			text.delete(1, 1);
		}
		a.send('ws1/p1', step1(new Y.Doc()));
		a.send('ws1/p1', updateMessage(Y.encodeStateAsUpdate(writer)));
		b.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		const peer = new Y.Doc();
		applyAll(peer, b.take());
		expect(peer.getText('t').toString()).toBe(text.toString());
		// Offline, one more character; back online, the writer answers the relay's step 1 with
		// everything the relay lacks — which carries every deletion of the page's history.
		text.insert(0, '!');
		const answer = Y.encodeStateAsUpdate(writer, Y.encodeStateVector(h.registry.get('ws1/p1')!.doc));
		const c = h.mux('editor');
		c.send('ws1/p1', step1(writer));
		c.send('ws1/p1', syncMessage(SyncType.step2, answer));
		await settle();
		const forwarded = b.take().filter((m) => m.kind === 'sync');
		expect(forwarded).toHaveLength(1);
		expect((forwarded[0] as { payload: Uint8Array }).payload.byteLength).toBeLessThan(answer.byteLength / 4);
		applyAll(peer, forwarded);
		expect(peer.getText('t').toString()).toBe(text.toString());
	});
});

describe('answered from storage', () => {
	/** A room stored as one row (as a room is after it unloads), holding "hello world" from one author. */
	async function storedRoom() {
		const store = new MemoryStore();
		const author = new Y.Doc();
		author.getText('t').insert(0, 'hello');
		const hello = Y.encodeStateAsUpdate(author);
		author.getText('t').insert(5, ' world');
		await store.append([{ room: 'ws1/p1', update: Y.encodeStateAsUpdate(author) }]);
		return { store, author, hello };
	}

	it('[R32] a room stored as one row answers joins from the row, and builds its document only for a write with content', async () => {
		const { store, author, hello } = await storedRoom();
		const h = createHarness({ store });
		// A new device: the whole row, and the relay's state vector as the document would give it.
		const fresh = h.mux('editor');
		fresh.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		const [answer, greeting, ...rest] = fresh.take();
		expect(rest).toEqual([]);
		const freshDoc = new Y.Doc();
		applyAll(freshDoc, [answer!]);
		expect(freshDoc.getText('t').toString()).toBe('hello world');
		expect(greeting).toMatchObject({ kind: 'sync', syncType: SyncType.step1, payload: Y.encodeStateVector(author) });
		const room = h.registry.get('ws1/p1')!;
		expect(room.built).toBe(false);
		// Its empty answer to the greeting is a write that changed nothing: acknowledged, nothing built.
		fresh.send('ws1/p1', syncMessage(SyncType.step2, Y.encodeStateAsUpdate(new Y.Doc())));
		expect(stored(fresh.take())).toEqual([1]);
		expect(room.built).toBe(false);
		// A device holding "hello" gets only what it lacks.
		const partial = new Y.Doc();
		Y.applyUpdate(partial, hello);
		const b = h.mux('editor', 'ws1', 'm2');
		b.send('ws1/p1', step1(partial));
		await settle();
		const [diff] = b.take();
		expect(diff).toMatchObject({ kind: 'sync', syncType: SyncType.step2 });
		const sent = Y.parseUpdateMeta((diff as { payload: Uint8Array }).payload);
		expect(sent.from.get(author.clientID)).toBe(5);
		applyAll(partial, [diff!]);
		expect(partial.getText('t').toString()).toBe('hello world');
		expect(room.built).toBe(false);
		// A write with content builds the document from the row, then applies on top of it.
		b.send('ws1/p1', updateMessage(textUpdate('!', partial)));
		expect(room.built).toBe(true);
		applyAll(freshDoc, fresh.take());
		expect(freshDoc.getText('t').toString()).toBe('hello world!');
		await h.persister.flush();
		expect(await loadText(h.store, 'ws1/p1')).toBe('hello world!');
	});

	it('[R33] a room stored as one appended row (4 KB or more) is written again with its state vector as it unloads; once stored with one, it is not rewritten; a small one is left as it is', async () => {
		const { store, author } = await storedRoom();
		// Past REWRITE_LONE_ROW_FROM: a page's worth of text.
		const big = new Y.Doc();
		big.getText('t').insert(0, 'x'.repeat(5000));
		await store.append([{ room: 'ws1/p2', update: Y.encodeStateAsUpdate(big) }]);
		const compactions: string[] = [];
		const compact = store.compact.bind(store);
		store.compact = async (room, merged, upToSeq, stateVector) => {
			compactions.push(room);
			return compact(room, merged, upToSeq, stateVector);
		};
		const joinAndUnload = async () => {
			const h = createHarness({ store, idleMs: 0 });
			const a = h.mux('editor');
			for (const name of ['ws1/p1', 'ws1/p2']) a.send(name, step1(new Y.Doc()));
			await settle();
			a.take();
			const room = h.registry.get('ws1/p2')!;
			a.connection.closed();
			await new Promise((resolve) => setTimeout(resolve, 30));
			expect(h.registry.size).toBe(0);
			// The same bytes written again with their vector: the document was never built for it.
			expect(room.built).toBe(false);
			return h;
		};
		const first = await joinAndUnload();
		expect(compactions).toEqual(['ws1/p2']);
		const rows = await store.load('ws1/p2');
		expect(rows.map((row) => row.storedStateVector)).toEqual([Y.encodeStateVector(big)]);
		expect((await store.load('ws1/p1')).map((row) => row.storedStateVector)).toEqual([undefined]);
		expect(await loadText(store, 'ws1/p1')).toBe('hello world');
		expect(first.log.lines.filter((l) => l.level === 'error')).toEqual([]);
		// Loaded again, it carries its state vector: nothing to rewrite, nothing read off its bytes.
		expect(checkRows(rows).stateVector).toBe(rows[0]!.storedStateVector);
		await joinAndUnload();
		expect(compactions).toEqual(['ws1/p2']);
		expect(author.getText('t').toString()).toBe('hello world');
	});

	it('[R32] a room\'s only row that decodes but does not apply is quarantined, and the room is served without it', async () => {
		const store = new MemoryStore();
		await store.append([{ room: 'ws1/p1', update: halfApplying() }]);
		const h = createHarness({ store });
		const a = h.mux('editor');
		a.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		const got = a.take();
		expect(got.map((m) => m.kind)).toEqual(['sync', 'sync']);
		const doc = new Y.Doc();
		applyAll(doc, got);
		expect(doc.getText('t').toString()).toBe('');
		expect(store.quarantined.map((row) => row.reason)).toEqual([expect.stringContaining('does not apply')]);
	});

	it('[R32][R19] should a lone row still fail to apply when the doc is built, the room fails as a failed load does and the row is quarantined: its sessions are told, nothing is written, the next load serves the room without it', async () => {
		// A store that says it checked its rows (as the worker store does) but let a bad one through.
		class Unchecked extends MemoryStore {
			readonly decodesRows = true;
		}
		const store = new Unchecked();
		await store.append([{ room: 'ws1/p1', update: halfApplying() }]);
		const before = (await store.load('ws1/p1')).map((row) => [...row.update]);
		const h = createHarness({ store, idleMs: 0 });
		const a = h.mux('editor');
		a.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		a.take();
		expect(h.registry.get('ws1/p1')!.built).toBe(false);
		// A write with content needs the doc: building it throws, and the room fails.
		a.send('ws1/p1', updateMessage(textUpdate('lost?')));
		await settle();
		expect(a.take()).toEqual([{ room: 'ws1/p1', kind: 'roomError', code: CloseCode.roomUnavailable, reason: 'room unavailable' }]);
		expect(a.socket.isOpen).toBe(true);
		await h.persister.flush();
		await new Promise((resolve) => setTimeout(resolve, 20));
		// Nothing written; the row that does not apply moved aside, as it was.
		expect(await store.load('ws1/p1')).toEqual([]);
		expect(store.quarantined.map((row) => [row.room, [...row.update]])).toEqual([['ws1/p1', before[0]]]);
		expect(store.quarantined[0]!.reason).toContain('does not apply');
		// Idle and failed, it was unloaded: the next join loads it afresh ([R19]), without the row.
		expect(h.registry.get('ws1/p1')).toBeUndefined();
		const b = h.mux('editor');
		b.send('ws1/p1', step1(new Y.Doc()));
		await settle();
		expect(b.take().map((m) => m.kind)).toEqual(['sync', 'sync']);
		expect(h.registry.get('ws1/p1')!.state).toBe('ready');
	});
});
