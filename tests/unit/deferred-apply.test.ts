/**
 * Applying what a join stored and deferred (src/lib/sync/deferred.ts), against stand-in links.
 *   [DA1] slices: each applies links until APPLY_SLICE_MS is spent, at least one, oldest first, and
 *         asks for another slice while any wait; a link added twice is applied once
 *   [DA2] stopped (the session closed), it applies nothing more
 */
import { describe, expect, it } from 'vitest';
import { APPLY_SLICE_MS, DeferredApplier } from '../../src/lib/sync/deferred.ts';
import type { RoomLink } from '../../src/lib/sync/room-link.ts';

function links(count: number, applied: string[]): RoomLink[] {
	return Array.from({ length: count }, (_, i) => ({ applyDeferred: () => void applied.push(`room${i}`) }) as unknown as RoomLink);
}

describe('DeferredApplier', () => {
	it('[DA1] applies oldest first, a slice at a time, at least one a slice, until none wait', () => {
		const queue: (() => void)[] = [];
		// Every look at the clock moves it on by half a slice: two links a slice.
		let clock = 0;
		const applier = new DeferredApplier((run) => queue.push(run), () => (clock += APPLY_SLICE_MS / 2));
		const applied: string[] = [];
		const waiting = links(5, applied);
		for (const link of waiting) applier.add(link);
		applier.add(waiting[0]!);
		expect(queue).toHaveLength(1);
		expect(applier.waiting).toBe(5);
		queue.shift()!();
		expect(applied).toEqual(['room0', 'room1']);
		expect(queue).toHaveLength(1);
		queue.shift()!();
		queue.shift()!();
		expect(applied).toEqual(['room0', 'room1', 'room2', 'room3', 'room4']);
		expect(queue).toHaveLength(0);

		// However long one takes, a slice applies it.
		const slow = new DeferredApplier((run) => queue.push(run), () => (clock += APPLY_SLICE_MS * 10));
		const more: string[] = [];
		for (const link of links(2, more)) slow.add(link);
		queue.shift()!();
		expect(more).toEqual(['room0']);
		queue.shift()!();
		expect(more).toEqual(['room0', 'room1']);
	});

	it('[DA2] applies nothing once stopped', () => {
		const queue: (() => void)[] = [];
		const applier = new DeferredApplier((run) => queue.push(run), () => 0);
		const applied: string[] = [];
		for (const link of links(3, applied)) applier.add(link);
		applier.stop();
		queue.splice(0).forEach((run) => run());
		expect(applied).toEqual([]);
		expect(applier.waiting).toBe(0);
	});
});
