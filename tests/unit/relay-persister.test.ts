/**
 * Group commit on its own timers: batching, retry with backoff after a failed transaction.
 */
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../server/log.ts';
import { Persister } from '../../server/persister.ts';
import { MemoryStore } from '../../server/storage/memory.ts';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('persister', () => {
	it('[R24][R31] the commit reports every client write its rows hold: a burst stored as one row counts each write, a barrier none', async () => {
		const reported: number[] = [];
		const persister = new Persister(new MemoryStore(), memoryLogger(), { delayMs: 5, onCommit: (_ms, updates) => reported.push(updates) });
		persister.enqueue({ room: 'r', update: new Uint8Array([1]), writes: 3, onCommitted: () => {} });
		persister.enqueue({ room: 'r', update: new Uint8Array([2]), onCommitted: () => {} });
		persister.enqueue({ room: 'r', update: null, onCommitted: () => {} });
		expect(await persister.flush()).toBe(true);
		expect(reported).toEqual([4]);
	});

	it('[R17] updates queued together commit in one transaction, in order', async () => {
		const store = new MemoryStore();
		let transactions = 0;
		const append = store.append.bind(store);
		store.append = (entries) => {
			transactions++;
			return append(entries);
		};
		const persister = new Persister(store, memoryLogger(), { delayMs: 5 });
		const committed: number[] = [];
		for (let i = 0; i < 10; i++) {
			persister.enqueue({ room: 'r', update: new Uint8Array([i]), onCommitted: () => committed.push(i) });
		}
		for (let i = 0; i < 200 && committed.length < 10; i++) await wait(10);
		expect(committed).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
		expect(transactions).toBe(1);
		expect((await store.load('r')).map((row) => row.update[0])).toEqual(committed);
	});

	it('[R20] a failed transaction is retried with backoff until it commits; nothing is committed before', async () => {
		const store = new MemoryStore();
		const log = memoryLogger();
		const persister = new Persister(store, log, { delayMs: 1, retryMinMs: 5, retryMaxMs: 20 });
		store.failAppend = new Error('SQLITE_FULL: database or disk is full');
		let seq = 0;
		persister.enqueue({ room: 'r', update: new Uint8Array([1]), onCommitted: (s) => (seq = s) });
		await wait(60);
		expect(seq).toBe(0);
		expect(persister.pendingCount).toBe(1);
		const failures = log.lines.filter((line) => line.message.includes('append failed')).length;
		expect(failures).toBeGreaterThanOrEqual(3);
		expect(failures).toBeLessThan(20); // backing off, not spinning
		store.failAppend = null;
		for (let i = 0; i < 200 && seq === 0; i++) await wait(10);
		expect(seq).toBeGreaterThan(0);
		expect(persister.pendingCount).toBe(0);
		persister.stop();
	});
});
