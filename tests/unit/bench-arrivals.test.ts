/**
 * The fan-out benchmark's reader bookkeeping (bench/relay/arrivals.ts): which writes a reader has
 * received, told from the update bytes without applying them. The benchmark's propagation figure
 * and its drain rest on it, so it must count as Yjs would integrate:
 *
 * [BA1] A message that carries several writes (a merged burst, several writers) delivers each, at
 *       that message's time.
 * [BA2] A write that arrives before an earlier write of the same writer counts only when the gap
 *       fills (Yjs would hold it pending); so does a merged update whose gap is a Skip.
 * [BA3] The reader's own writes, repeats, and clients not in the table count for nothing.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Arrivals, type Writer } from '../../bench/relay/arrivals.ts';

/** Writers taking turns in one document, as the benchmark's writers do: each write's update and the writer's clock after it. */
function writeTurns(turns: readonly number[], marker = true): { doc: Y.Doc; writers: Map<number, Writer & { endClock: number[] }>; updates: Uint8Array[] } {
	const doc = new Y.Doc();
	const writers = new Map<number, Writer & { endClock: number[] }>();
	const updates: Uint8Array[] = [];
	let last: Uint8Array | null = null;
	doc.on('update', (update: Uint8Array) => (last = update));
	turns.forEach((client, i) => {
		doc.clientID = client;
		doc.transact(() => {
			doc.getText('body').insert(doc.getText('body').length, `word${i} `);
			if (marker) doc.getMap('marks').set(String(client), { seq: i });
		});
		updates.push(last!);
		const writer = writers.get(client) ?? { endClock: [] };
		writer.endClock.push(Y.getState(doc.store, client));
		writers.set(client, writer);
	});
	return { doc, writers, updates };
}

function reader(writers: Map<number, Writer & { endClock: number[] }>, self: number | null = null) {
	const arrived: [client: number, write: number, at: number][] = [];
	const clientOf = new Map([...writers].map(([client, writer]) => [writer, client]));
	const arrivals = new Arrivals(writers, self === null ? null : writers.get(self)!, (writer, write, at) => arrived.push([clientOf.get(writer)!, write, at]));
	return { arrivals, arrived };
}

describe('bench fan-out arrivals', () => {
	it('[BA1] a message carrying several writes delivers each of them at its time', () => {
		const { writers, updates } = writeTurns([1, 2, 1, 2]);
		const { arrivals, arrived } = reader(writers);
		arrivals.receive(Y.mergeUpdates([updates[0]!, updates[1]!, updates[2]!]), 10);
		// In the order of the merged update's structs (clients in any order, each in clock order).
		expect([...arrived].sort((a, b) => a[0] - b[0] || a[1] - b[1])).toEqual([
			[1, 0, 10],
			[1, 1, 10],
			[2, 0, 10]
		]);
		arrivals.receive(updates[3]!, 20);
		expect(arrived.at(-1)).toEqual([2, 1, 20]);
		expect(arrivals.count(writers.get(1)!)).toBe(2);
		expect(arrivals.count(writers.get(2)!)).toBe(2);
	});

	it('[BA1] one struct spanning several writes (a state update, as a sync step 2 carries) delivers each of them', () => {
		// The doc merged the writer's three consecutive inserts into one item.
		const { doc, writers } = writeTurns([1, 1, 1], false);
		const merged = Y.encodeStateAsUpdate(doc);
		expect(Y.decodeUpdate(merged).structs).toHaveLength(1);
		const { arrivals, arrived } = reader(writers);
		arrivals.receive(merged, 10);
		expect(arrived).toEqual([
			[1, 0, 10],
			[1, 1, 10],
			[1, 2, 10]
		]);
	});

	it('[BA2] a write beyond a gap in its writer counts when the gap fills', () => {
		const { writers, updates } = writeTurns([1, 1, 1]);
		const { arrivals, arrived } = reader(writers);
		arrivals.receive(updates[1]!, 10);
		expect(arrived).toEqual([]);
		arrivals.receive(updates[0]!, 20);
		expect(arrived).toEqual([
			[1, 0, 20],
			[1, 1, 20]
		]);
	});

	it('[BA2] a merged update with a gap (a Skip) delivers only what precedes it', () => {
		const { writers, updates } = writeTurns([1, 1, 1]);
		const merged = Y.mergeUpdates([updates[0]!, updates[2]!]);
		expect(Y.decodeUpdate(merged).structs.some((struct) => struct instanceof Y.Skip)).toBe(true);
		const { arrivals, arrived } = reader(writers);
		arrivals.receive(merged, 10);
		expect(arrived).toEqual([[1, 0, 10]]);
		arrivals.receive(updates[1]!, 20);
		expect(arrived).toEqual([
			[1, 0, 10],
			[1, 1, 20],
			[1, 2, 20]
		]);
	});

	it('[BA3] its own writes, repeats and unknown clients count for nothing', () => {
		const { writers, updates } = writeTurns([1, 2, 3]);
		writers.delete(3);
		const { arrivals, arrived } = reader(writers, 1);
		arrivals.receive(updates[0]!, 10);
		arrivals.receive(updates[2]!, 10);
		expect(arrived).toEqual([]);
		arrivals.receive(updates[1]!, 20);
		arrivals.receive(updates[1]!, 30);
		expect(arrived).toEqual([[2, 0, 20]]);
	});
});
