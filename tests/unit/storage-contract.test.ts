/**
 * One contract, every Store implementation (server/storage/types.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MemoryStore } from '../../server/storage/memory.ts';
import { SqliteStore } from '../../server/storage/sqlite.ts';
import { WorkerStore } from '../../server/storage/worker.ts';
import { CheckedStore, checkRows } from '../../server/storage/checked.ts';
import * as Y from 'yjs';
import { halfApplying } from './relay-harness.ts';
import type { Store } from '../../server/storage/types.ts';

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

interface Subject {
	store: Store;
	/** A second store over the same data (after close), if the implementation is durable. */
	reopen: (() => Store | Promise<Store>) | null;
	cleanup: () => void;
}

function storageContractSuite(name: string, make: () => Subject | Promise<Subject>): void {
	describe(`storage contract: ${name}`, () => {
		let subject: Subject;
		afterEach(async () => {
			await subject.store.close().catch(() => {});
			subject.cleanup();
		});

		it('[R17] a room never written loads as empty', async () => {
			subject = await make();
			expect(await subject.store.load('ws1')).toEqual([]);
		});

		it('[R17] append returns increasing seqs and load returns rows in order, per room', async () => {
			subject = await make();
			const seqs = await subject.store.append([
				{ room: 'a', update: bytes(1) },
				{ room: 'b', update: bytes(2) },
				{ room: 'a', update: bytes(3) }
			]);
			expect(seqs).toHaveLength(3);
			expect(seqs[0]! < seqs[1]! && seqs[1]! < seqs[2]!).toBe(true);
			const more = await subject.store.append([{ room: 'a', update: bytes(4) }]);
			expect(more[0]! > seqs[2]!).toBe(true);
			const a = await subject.store.load('a');
			expect(a.map((row) => [...row.update])).toEqual([[1], [3], [4]]);
			expect(a.map((row) => row.seq)).toEqual([seqs[0], seqs[2], more[0]]);
			expect((await subject.store.load('b')).map((row) => [...row.update])).toEqual([[2]]);
		});

		it('[R17] an empty append is a no-op', async () => {
			subject = await make();
			expect(await subject.store.append([])).toEqual([]);
			expect(subject.store.storedBytes()).toBe(0);
		});

		it('[R18] compact replaces rows up to seq with one merged row and keeps later rows', async () => {
			subject = await make();
			const seqs = await subject.store.append([
				{ room: 'a', update: bytes(1, 1) },
				{ room: 'a', update: bytes(2, 2) },
				{ room: 'b', update: bytes(9) },
				{ room: 'a', update: bytes(3, 3) }
			]);
			await subject.store.compact('a', bytes(7, 7, 7), seqs[1]!);
			const a = await subject.store.load('a');
			expect(a.map((row) => [...row.update])).toEqual([[7, 7, 7], [3, 3]]);
			expect(a[0]!.seq).toBe(seqs[1]);
			expect((await subject.store.load('b')).map((row) => [...row.update])).toEqual([[9]]);
			// The merged row stays before anything appended later.
			await subject.store.append([{ room: 'a', update: bytes(4) }]);
			expect((await subject.store.load('a')).map((row) => [...row.update])).toEqual([[7, 7, 7], [3, 3], [4]]);
		});

		it('[R33] a compacted row carries the state vector it was compacted with; appended rows carry none', async () => {
			subject = await make();
			const doc = new Y.Doc();
			doc.getText('t').insert(0, 'compacted');
			const seqs = await subject.store.append([
				{ room: 'a', update: bytes(1) },
				{ room: 'a', update: bytes(2) }
			]);
			await subject.store.compact('a', Y.encodeStateAsUpdate(doc), seqs[1]!, Y.encodeStateVector(doc));
			await subject.store.append([{ room: 'a', update: bytes(3) }]);
			const rows = await subject.store.load('a');
			expect(rows.map((row) => [row.verified, row.storedStateVector])).toEqual([
				[true, Y.encodeStateVector(doc)],
				[rows[1]!.verified, undefined]
			]);
			// A lone compacted row is checked without reading its bytes: the stored vector is its own.
			expect(checkRows([rows[0]!]).stateVector).toEqual(Y.encodeStateVector(doc));
			// Compacted without one (as before), none.
			await subject.store.compact('a', Y.encodeStateAsUpdate(doc), rows[1]!.seq);
			expect((await subject.store.load('a')).map((row) => row.storedStateVector)).toEqual([undefined]);
		});

		it('[R18] storedBytes follows appends and compactions', async () => {
			subject = await make();
			const seqs = await subject.store.append([
				{ room: 'a', update: bytes(1, 2, 3) },
				{ room: 'a', update: bytes(4, 5) }
			]);
			expect(subject.store.storedBytes()).toBe(5);
			await subject.store.compact('a', bytes(1), seqs[1]!);
			expect(subject.store.storedBytes()).toBe(1);
		});

		it('[R17] bytes are stored and returned exactly, including ones that are not a valid update', async () => {
			subject = await make();
			const odd = bytes(0xff, 0x00, 0xfe, 0x80);
			await subject.store.append([{ room: 'a', update: odd }]);
			odd[0] = 0; // callers may reuse their buffers
			expect([...(await subject.store.load('a'))[0]!.update]).toEqual([0xff, 0x00, 0xfe, 0x80]);
		});

		it('[R17] committed rows survive close and reopen', async () => {
			subject = await make();
			if (!subject.reopen) return;
			await subject.store.append([{ room: 'a', update: bytes(5) }]);
			await subject.store.close();
			subject.store = await subject.reopen();
			expect((await subject.store.load('a')).map((row) => [...row.update])).toEqual([[5]]);
			expect(subject.store.storedBytes()).toBe(1);
		});
	});
}

storageContractSuite('memory', () => ({ store: new MemoryStore(), reopen: null, cleanup: () => {} }));

storageContractSuite('sqlite', () => {
	const dir = mkdtempSync(join(tmpdir(), 'meridian-store-'));
	const path = join(dir, 'meridian.sqlite');
	return {
		store: new SqliteStore(path),
		reopen: () => new SqliteStore(path),
		cleanup: () => rmSync(dir, { recursive: true, force: true })
	};
});

// The relay's store: the same SQLite on a worker thread, every call a message.
storageContractSuite('sqlite on a worker thread', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'meridian-store-'));
	const path = join(dir, 'meridian.sqlite');
	return {
		store: await WorkerStore.open(path),
		reopen: () => WorkerStore.open(path),
		cleanup: () => rmSync(dir, { recursive: true, force: true })
	};
});

describe('sqlite on a worker thread', () => {
	/** Runs `test` against a WorkerStore on a new database file, closed and deleted after. */
	async function withWorkerStore(test: (opened: { store: WorkerStore; path: string }) => Promise<void>): Promise<void> {
		const dir = mkdtempSync(join(tmpdir(), 'meridian-store-'));
		const path = join(dir, 'meridian.sqlite');
		const store = await WorkerStore.open(path);
		try {
			await test({ store, path });
		} finally {
			await store.close();
			rmSync(dir, { recursive: true, force: true });
		}
	}

	it('[R20] an error in the worker comes back with its SQLite code, and nothing of that transaction is stored', () =>
		withWorkerStore(async ({ store, path }) => {
			await store.append([{ room: 'a', update: bytes(1, 2, 3) }]);
			// Another connection takes the write lock: the worker's commit meets SQLITE_BUSY.
			const other = new Database(path, { timeout: 0 });
			other.exec('BEGIN IMMEDIATE');
			const failed = await store.append([{ room: 'a', update: bytes(4) }]).then(
				() => null,
				(error: unknown) => error as { code?: string }
			);
			other.exec('ROLLBACK');
			other.close();
			expect(failed?.code).toBe('SQLITE_BUSY');
			expect((await store.load('a')).map((row) => [...row.update])).toEqual([[1, 2, 3]]);
			expect(store.storedBytes()).toBe(3);
		}));

	it('[R19] rows are decoded on the worker: one that is not a Yjs update comes back with its problem, and is quarantined by the loader without a second parse', () =>
		withWorkerStore(async ({ store }) => {
			const doc = new Y.Doc();
			doc.getText('t').insert(0, 'kept');
			await store.append([
				{ room: 'a', update: Y.encodeStateAsUpdate(doc) },
				{ room: 'a', update: bytes(255, 255, 255, 255) }
			]);
			const rows = await store.load('a');
			expect(rows.map((row) => row.problem === undefined)).toEqual([true, false]);
			const checked = new CheckedStore(store, () => {});
			const good = await checked.load('a');
			expect(good).toHaveLength(1);
			expect(store.quarantinedCount()).toBe(1);
		}));

	it('[R32] a room\'s only row is checked on the worker, which reads its state vector: off the bytes when its checksum verified them, by applying it otherwise', () =>
		withWorkerStore(async ({ store }) => {
			const doc = new Y.Doc();
			doc.getText('t').insert(0, 'kept');
			await store.append([
				{ room: 'good', update: Y.encodeStateAsUpdate(doc) },
				{ room: 'two', update: Y.encodeStateAsUpdate(doc) },
				{ room: 'two', update: halfApplying() }
			]);
			// Verified by its checksum (the bytes the relay wrote): its state vector, for the room to greet joins with.
			expect((await store.load('good')).map((row) => [row.verified, row.problem, row.stateVector])).toEqual([[true, undefined, Y.encodeStateVector(doc)]]);
			// Beside other rows it only has to decode: the room applies them together as it loads ([R19]).
			expect((await store.load('two')).map((row) => row.problem)).toEqual([undefined, undefined]);
			// A row no checksum vouches for (an older database's) must apply, not only decode.
			expect(checkRows([{ seq: 1, update: halfApplying() }]).problems[0]).toMatch(/^does not apply/);
			expect(checkRows([{ seq: 1, update: Y.encodeStateAsUpdate(doc) }])).toEqual({ problems: [null], stateVector: Y.encodeStateVector(doc) });
			// One that does not even parse is caught either way.
			expect(checkRows([{ seq: 1, update: new Uint8Array([5, 200]), verified: true }]).problems[0]).toMatch(/^does not decode/);
			// A verified row that decodes but does not apply is left to the room, which quarantines it
			// when it builds the document (relay-room [R32][R19]).
			expect(checkRows([{ seq: 1, update: halfApplying(), verified: true }]).problems).toEqual([null]);
		}));

	it('a database that cannot be opened fails open(), as the constructor does on the main thread', async () => {
		await expect(WorkerStore.open('/nonexistent-dir/meridian.sqlite')).rejects.toThrow();
	});
});

describe('sqlite specifics', () => {
	it('[R17] the database file is in WAL mode (synchronous=FULL is per connection, set in the constructor)', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'meridian-store-'));
		const path = join(dir, 'meridian.sqlite');
		const store = new SqliteStore(path);
		await store.close();
		const { default: Database } = await import('better-sqlite3');
		const db = new Database(path);
		expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
		db.close();
		rmSync(dir, { recursive: true, force: true });
	});
});
