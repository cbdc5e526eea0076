/**
 * Storage faults in memory, fast: a slow disk and a failing one under the persister (no ack before
 * the commit, order kept, one error log per fault episode, recovery), and quarantine of corrupt
 * rows in both stores and through the room registry (the room is served without the row, which
 * is kept aside byte for byte). The same faults against a real relay process and a real SQLite
 * file: tests/integration/faults.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { SyncType } from '../../src/lib/protocol/index.ts';
import { memoryLogger } from '../../server/log.ts';
import { Persister } from '../../server/persister.ts';
import { CheckedStore, checkRows, rowProblem } from '../../server/storage/checked.ts';
import { crc32 } from 'node:zlib';
import { MemoryStore } from '../../server/storage/memory.ts';
import { SqliteStore } from '../../server/storage/sqlite.ts';
import type { Store } from '../../server/storage/types.ts';
import { applyAll, createHarness, step1, syncMessage, textUpdate } from './relay-harness.ts';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const garbage = new Uint8Array([0xff, 0xfe, 0xfd, 0x01]);

/** A store whose commits take `delayMs` (a slow disk): the transaction is durable only at the end. */
function slowStore(inner: MemoryStore, delayMs: number): MemoryStore {
	const append = inner.append.bind(inner);
	inner.append = async (entries) => {
		await wait(delayMs);
		return append(entries);
	};
	return inner;
}

describe('persister under storage faults', () => {
	it('a slow disk: nothing is acknowledged before its commit, and commits stay in order', async () => {
		const store = slowStore(new MemoryStore(), 40);
		const latencies: number[] = [];
		const persister = new Persister(store, memoryLogger(), {
			delayMs: 1,
			onCommit: (ms) => latencies.push(ms)
		});
		const acked: number[] = [];
		for (let i = 0; i < 30; i++) {
			persister.enqueue({
				room: 'r',
				update: new Uint8Array([i]),
				onCommitted: async () => {
					// At the moment of the ack, the update is in the store.
					const rows = await store.load('r');
					expect(rows.some((row) => row.update[0] === i)).toBe(true);
					acked.push(i);
				}
			});
			if (i % 10 === 9) await wait(15);
		}
		for (let i = 0; i < 300 && acked.length < 30; i++) await wait(10);
		expect(acked).toEqual([...Array(30).keys()]);
		expect((await store.load('r')).map((row) => row.update[0])).toEqual(acked);
		expect(latencies.length).toBeGreaterThan(0);
		for (const ms of latencies) expect(ms).toBeGreaterThanOrEqual(35);
		persister.stop();
	});

	it('a fault episode is logged once, counted, and its end logged; held updates then commit in order', async () => {
		const store = new MemoryStore();
		const log = memoryLogger();
		const persister = new Persister(store, log, { delayMs: 1, retryMinMs: 2, retryMaxMs: 5 });
		const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
		store.failAppend = full;
		const acked: number[] = [];
		for (let i = 0; i < 5; i++) persister.enqueue({ room: 'r', update: new Uint8Array([i]), onCommitted: () => acked.push(i) });
		for (let i = 0; i < 100 && persister.failedCommits < 5; i++) await wait(5);
		expect(persister.faulted).toBe(true);
		expect(persister.failedCommits).toBeGreaterThanOrEqual(5);
		expect(persister.faultEpisodes).toBe(1);
		expect(acked).toEqual([]);
		const errors = () => log.lines.filter((line) => line.level === 'error');
		expect(errors()).toHaveLength(1);
		expect(errors()[0]!.fields?.code).toBe('SQLITE_FULL');

		for (let i = 5; i < 8; i++) persister.enqueue({ room: 'r', update: new Uint8Array([i]), onCommitted: () => acked.push(i) });
		store.failAppend = null;
		for (let i = 0; i < 100 && acked.length < 8; i++) await wait(5);
		expect(acked).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
		expect((await store.load('r')).map((row) => row.update[0])).toEqual(acked);
		expect(persister.faulted).toBe(false);
		expect(log.lines.filter((line) => line.message.startsWith('storage recovered'))).toHaveLength(1);

		// A second episode is a second error line.
		store.failAppend = full;
		persister.enqueue({ room: 'r', update: new Uint8Array([8]), onCommitted: () => acked.push(8) });
		for (let i = 0; i < 100 && persister.failedCommits < 8; i++) await wait(5);
		expect(persister.faultEpisodes).toBe(2);
		expect(errors()).toHaveLength(2);
		store.failAppend = null;
		for (let i = 0; i < 100 && acked.length < 9; i++) await wait(5);
		expect(acked.at(-1)).toBe(8);
		persister.stop();
	});
});

describe('quarantine', () => {
	const stores: [string, () => Store][] = [
		['memory', () => new MemoryStore()],
		['sqlite', () => new SqliteStore(join(mkdtempSync(join(tmpdir(), 'meridian-q-')), 'q.sqlite'))]
	];
	for (const [name, make] of stores) {
		it(`${name}: a quarantined row leaves the room, is counted and its bytes no longer stored`, async () => {
			const store = make();
			const [a, b, c] = await store.append([
				{ room: 'r', update: new Uint8Array([1, 2, 3]) },
				{ room: 'r', update: new Uint8Array([4, 5]) },
				{ room: 's', update: new Uint8Array([6]) }
			]);
			expect(store.storedBytes()).toBe(6);
			await store.quarantine('r', b!, 'test');
			await store.quarantine('r', c!, 'not this room’s row: a no-op');
			await store.quarantine('r', 999, 'no such row: a no-op');
			expect((await store.load('r')).map((row) => row.seq)).toEqual([a]);
			expect((await store.load('s')).map((row) => row.seq)).toEqual([c]);
			expect(store.quarantinedCount()).toBe(1);
			expect(store.storedBytes()).toBe(4);
			await store.close();
		});
	}

	it('sqlite: the row is kept aside byte for byte with room, seq and reason, across reopening', async () => {
		const file = join(mkdtempSync(join(tmpdir(), 'meridian-q-')), 'q.sqlite');
		const store = new SqliteStore(file);
		const [seq] = await store.append([{ room: 'ws1/p', update: garbage }]);
		await store.quarantine('ws1/p', seq!, 'does not decode');
		await store.close();
		const reopened = new SqliteStore(file);
		expect(reopened.quarantinedCount()).toBe(1);
		await reopened.close();
		const db = new Database(file, { readonly: true });
		const rows = db.prepare('SELECT room, seq, data, reason FROM quarantine').all();
		db.close();
		expect(rows).toEqual([{ room: 'ws1/p', seq, data: Buffer.from(garbage), reason: 'does not decode' }]);
	});

	it('sqlite: a row whose bytes changed on disk is caught by its checksum even when they still decode', async () => {
		const file = join(mkdtempSync(join(tmpdir(), 'meridian-q-')), 'q.sqlite');
		const store = new SqliteStore(file);
		const [kept, damaged] = await store.append([
			{ room: 'r', update: textUpdate('kept') },
			{ room: 'r', update: textUpdate('original') }
		]);
		await store.close();
		const db = new Database(file);
		db.prepare('UPDATE updates SET data = ? WHERE seq = ?').run(textUpdate('FORGED'), damaged);
		db.close();
		const reopened = new SqliteStore(file);
		const rows = await reopened.load('r');
		expect(rows.map((row) => [row.seq, row.problem])).toEqual([
			[kept, undefined],
			[damaged, expect.stringMatching(/checksum mismatch/)]
		]);
		const checked = new CheckedStore(reopened, memoryLogger());
		expect((await checked.load('r')).map((row) => row.seq)).toEqual([kept]);
		expect(reopened.quarantinedCount()).toBe(1);
		await reopened.close();
	});

	it('[R33] sqlite: a stored state vector changed on disk is dropped by its own checksum; the row stays, read as one without', async () => {
		const file = join(mkdtempSync(join(tmpdir(), 'meridian-q-')), 'sv.sqlite');
		const store = new SqliteStore(file);
		const [seq] = await store.append([{ room: 'r', update: textUpdate('kept') }]);
		const doc = new Y.Doc();
		Y.applyUpdate(doc, textUpdate('kept'));
		await store.compact('r', Y.encodeStateAsUpdate(doc), seq!, Y.encodeStateVector(doc));
		expect((await store.load('r')).map((row) => [row.verified, row.problem])).toEqual([[true, undefined]]);
		await store.close();
		const db = new Database(file);
		db.prepare('UPDATE updates SET sv = ? WHERE seq = ?').run(Buffer.from([1, 9, 9]), seq);
		db.close();
		const reopened = new SqliteStore(file);
		const rows = await reopened.load('r');
		expect(rows.map((row) => [row.verified, row.problem, row.storedStateVector])).toEqual([[true, undefined, undefined]]);
		// The loader reads the vector off the bytes then, as for any lone row.
		expect(checkRows(rows).stateVector).toEqual(Y.encodeStateVector(doc));
		// The bytes' own checksum is the bytes' alone: what an older relay checks.
		const raw = new Database(file);
		const stored = raw.prepare('SELECT data, crc FROM updates WHERE seq = ?').get(seq) as { data: Buffer; crc: number };
		raw.close();
		expect(stored.crc).toBe(crc32(stored.data));
		await reopened.close();
	});

	it('sqlite: a database from before checksums gains the column; its old rows load unchecked', async () => {
		const file = join(mkdtempSync(join(tmpdir(), 'meridian-q-')), 'old.sqlite');
		const old = new Database(file);
		old.exec('CREATE TABLE updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, data BLOB NOT NULL)');
		old.prepare('INSERT INTO updates (room, data) VALUES (?, ?)').run('r', textUpdate('old'));
		old.close();
		const store = new SqliteStore(file);
		await store.append([{ room: 'r', update: textUpdate('new') }]);
		const rows = await store.load('r');
		expect(rows.map((row) => row.problem)).toEqual([undefined, undefined]);
		await store.close();
	});

	it('rowProblem names rows that do not decode and passes real updates', () => {
		expect(rowProblem(textUpdate('fine'))).toBeNull();
		expect(rowProblem(garbage)).toMatch(/does not decode/);
		expect(rowProblem(new Uint8Array())).toBe('empty row');
	});

	it('CheckedStore loads the good rows, quarantines the rest and logs each once', async () => {
		const inner = new MemoryStore();
		await inner.append([
			{ room: 'r', update: textUpdate('a') },
			{ room: 'r', update: garbage },
			{ room: 'r', update: textUpdate('b') }
		]);
		const log = memoryLogger();
		const checked = new CheckedStore(inner, log);
		expect((await checked.load('r')).map((row) => row.seq)).toEqual([1, 3]);
		expect((await checked.load('r')).map((row) => row.seq)).toEqual([1, 3]);
		expect(inner.quarantined.map(({ room, seq, update }) => ({ room, seq, update: [...update] }))).toEqual([
			{ room: 'r', seq: 2, update: [...garbage] }
		]);
		expect(log.lines.filter((line) => line.level === 'error')).toHaveLength(1);
	});

	it('a room with a corrupt row is served without it; the client that has it heals the room; other rooms unaffected', async () => {
		const store = new MemoryStore();
		const author = new Y.Doc();
		const text = author.getText('t');
		const updates: Uint8Array[] = [];
		author.on('update', (update: Uint8Array) => updates.push(update));
		text.insert(0, 'kept ');
		text.insert(5, 'lost ');
		text.insert(10, 'after');
		for (const update of updates) await store.append([{ room: 'ws1/p1', update }]);
		await store.append([{ room: 'ws1/p2', update: textUpdate('other') }]);
		store.corrupt('ws1/p1', 1, garbage);

		const h = createHarness({ store });
		const reader = h.mux('viewer');
		reader.send('ws1/p1', step1(new Y.Doc()));
		reader.send('ws1/p2', step1(new Y.Doc()));
		await wait(10);
		const got = reader.take();
		expect(got.some((m) => m.kind === 'roomError')).toBe(false);
		const p1 = new Y.Doc();
		applyAll(p1, got.filter((m) => m.room === 'ws1/p1'));
		// 'after' was typed after 'lost ' and depends on it: it waits, invisible, for it to come back.
		expect(p1.getText('t').toString()).toBe('kept ');
		const p2 = new Y.Doc();
		applyAll(p2, got.filter((m) => m.room === 'ws1/p2'));
		expect(p2.getText('t').toString()).toBe('other');
		expect(store.quarantined.map((row) => row.seq)).toEqual([2]);
		expect(h.registry.quarantinedRows).toBe(1);

		// The author's device still holds the document: syncing with the relay sends what it lacks.
		const healer = h.mux('editor', 'ws1', 'm2');
		healer.send('ws1/p1', step1(author));
		await wait(10);
		// The relay's step 1 asks for what it lacks; answer it as a client would.
		const relayStep1 = healer.take().find((m) => m.kind === 'sync' && m.syncType === SyncType.step1);
		if (relayStep1?.kind !== 'sync') throw new Error('the relay sent no sync step 1');
		healer.send('ws1/p1', syncMessage(SyncType.step2, Y.encodeStateAsUpdate(author, relayStep1.payload)));
		await h.persister.flush();
		await wait(10);
		applyAll(p1, reader.take().filter((m) => m.room === 'ws1/p1'));
		expect(p1.getText('t').toString()).toBe('kept lost after');
		const fresh = new Y.Doc();
		for (const row of await store.load('ws1/p1')) Y.applyUpdate(fresh, row.update);
		expect(fresh.getText('t').toString()).toBe('kept lost after');
	});
});
