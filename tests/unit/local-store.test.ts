/**
 * The device store's batched reads (src/lib/sync/local-store.ts), on fake-indexeddb: the browser
 * tests run it on Chromium's IndexedDB with workspaces too small for a range read.
 *
 * [LS1] A batch of RANGE_READ_FROM loads or more (a join) reads its key range in one go: each
 *       document gets its own rows, oldest first, with queued updates after them; documents in the
 *       range that were not asked for are left out; the rows are known for compaction.
 * [LS2] A batch of meta reads as large reads its range too: values by key, null where none.
 * [LS3] A small batch reads name by name, with the same answers.
 * [LS4] An update that is a view into a larger buffer (received inside a batch of frames) is
 *       stored as its own bytes, not with the whole buffer (IndexedDB clones a view's buffer).
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { LocalStore, RANGE_READ_FROM } from '../../src/lib/sync/local-store.ts';

const bytes = (...values: number[]) => new Uint8Array(values);
let workspaces = 0;

/** A workspace database holding two rows for each of `docs` documents, and a store (a new tab's) on it. */
async function seeded(docs: number): Promise<{ store: LocalStore; names: string[] }> {
	const id = `ls-${++workspaces}`;
	const writer = new LocalStore(id);
	const names = Array.from({ length: docs }, (_, i) => `w/page/${String(i).padStart(4, '0')}`);
	// Two rows per document, written in two batches so each document's rows are apart in key order.
	for (const round of [1, 2]) {
		names.forEach((name, i) => writer.append(name, bytes(i % 256, round)));
		await writer.whenSaved();
	}
	await writer.close();
	return { store: new LocalStore(id), names };
}

describe('the device store reads a join in one range', () => {
	it('[LS1] loads each asked-for document from one range read', async () => {
		const { store, names } = await seeded(2 * RANGE_READ_FROM + 20);
		// Every other document, so the range holds documents not asked for.
		const asked = names.filter((_, i) => i % 2 === 0);
		expect(asked.length).toBeGreaterThanOrEqual(RANGE_READ_FROM);
		store.append(asked[3]!, bytes(9, 9));
		const loads = await Promise.all(asked.map((name) => store.load(name)));
		loads.forEach((rows, n) => {
			const i = names.indexOf(asked[n]!);
			const expected = [[i % 256, 1], [i % 256, 2], ...(n === 3 ? [[9, 9]] : [])];
			expect(rows.map((row) => [...row])).toEqual(expected);
		});
		await store.whenSaved();
		expect(store.rowCount(asked[0]!)).toBe(2);
		expect(store.rowCount(names[1]!)).toBe(0);
		await store.close();
	});

	it('[LS2] reads a large batch of facts from one range', async () => {
		const { store, names } = await seeded(1);
		const keys = Array.from({ length: RANGE_READ_FROM + 5 }, (_, i) => `stored:${names[0]}-${String(i).padStart(4, '0')}`);
		await Promise.all(keys.filter((_, i) => i % 3 === 0).map((key, i) => store.putMeta(key, bytes(i))));
		await store.putMeta('stored:other', bytes(7));
		// Inside the range read, not asked for: left out.
		await store.putMeta(`${keys[1]!}-between`, bytes(255, 255));
		const read = await Promise.all(keys.map((key) => store.getMeta<Uint8Array>(key)));
		read.forEach((value, i) => {
			if (i % 3 === 0) expect([...value!]).toEqual([i / 3]);
			else expect(value).toBeNull();
		});
		expect(read.filter((value) => value?.length === 2)).toEqual([]);
		await store.close();
	});

	it('[LS3] reads a small batch name by name, alike', async () => {
		const { store, names } = await seeded(5);
		const loads = await Promise.all([names[4]!, names[1]!].map((name) => store.load(name)));
		expect(loads.map((rows) => rows.map((row) => [...row]))).toEqual([
			[[4, 1], [4, 2]],
			[[1, 1], [1, 2]]
		]);
		expect(await store.getMeta('missing')).toBeNull();
		await store.close();
	});
});

describe('what the device store writes', () => {
	it('[LS4] stores a view into a larger buffer as its own bytes', async () => {
		const id = `ls-${++workspaces}`;
		const writer = new LocalStore(id);
		const batch = new Uint8Array(100_000).fill(7);
		batch.set([1, 2, 3], 500);
		writer.append('w/page/view', batch.subarray(500, 503));
		await writer.whenSaved();
		await writer.close();
		const reader = new LocalStore(id);
		const [row] = await reader.load('w/page/view');
		expect(row).toEqual(bytes(1, 2, 3));
		expect(row!.buffer.byteLength).toBe(3);
		await reader.close();
	});
});
