/**
 * The pace of an index's re-reads (src/lib/sync/pace.ts); the indexes' own tests check they use it
 * ([L3] backlinks, [CU-I5] catch-up, [SX15] search).
 *
 * [PC1] A read that took t ≥ PACED_FROM_MS holds the key back until PACE × t after it; a cheaper
 *       read holds nothing back; a held key wakes its index once, when the earliest is due.
 * [PC2] A key forgotten, or a pacer stopped, holds nothing back and wakes nothing.
 * [PC3] The member's own edits hold a slow key until OWN_EDIT_QUIET_MS after the last of them
 *       (each pushes it on), never less than its pace; a cheap key is never held.
 */
import { describe, expect, it } from 'vitest';
import { OWN_EDIT_QUIET_MS, PACE, PACED_FROM_MS, Pacer } from '../../src/lib/sync/pace.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Pacer', () => {
	it('[PC1] holds back a slow read for PACE × its time, not a cheap one, and wakes once when due', async () => {
		let clock = 1000;
		let wakes = 0;
		const pacer = new Pacer(() => clock, () => wakes++);
		const took = (key: string, ms: number) =>
			pacer.read(key, () => {
				clock += ms;
				return key;
			});

		expect(took('cheap', PACED_FROM_MS / 2)).toBe('cheap');
		expect(pacer.due('cheap')).toBe(true);

		took('slow', 4);
		took('slower', 5);
		expect(pacer.due('slow')).toBe(false);
		expect(pacer.due('slower')).toBe(false);
		clock += PACE * 4 - 5 - 1;
		expect(pacer.due('slow')).toBe(false);
		clock += 1;
		expect(pacer.due('slow')).toBe(true);
		// One timer, for the earliest held key (real time: the clock above is the pacer's only).
		await sleep(PACE * 5 + 30);
		expect(wakes).toBe(1);
		// A read that throws is timed all the same.
		const failing = () => {
			clock += 10;
			throw new Error('unreadable');
		};
		expect(() => pacer.read('failing', failing)).toThrow('unreadable');
		expect(pacer.due('failing')).toBe(false);
		pacer.stop();
	});

	it('[PC2] forgets a key, and a stopped pacer wakes nothing', async () => {
		let clock = 0;
		let wakes = 0;
		const pacer = new Pacer(() => clock, () => wakes++);
		pacer.read('page', () => (clock += 10));
		pacer.forget('page');
		expect(pacer.due('page')).toBe(true);
		pacer.read('page', () => (clock += 3));
		expect(pacer.due('page')).toBe(false);
		pacer.stop();
		await sleep(PACE * 3 + 30);
		expect(wakes).toBe(0);
	});

	it('[PC3] holds a long page the member types in until they pause', () => {
		let clock = 0;
		const pacer = new Pacer(() => clock, () => undefined);
		pacer.read('long', () => (clock += 5));
		pacer.read('short', () => (clock += PACED_FROM_MS / 4));
		pacer.holdForOwnEdit('short');
		expect(pacer.due('short')).toBe(true);
		// Keystrokes 100 ms apart for a second: the long page stays held throughout.
		for (let key = 0; key < 10; key++) {
			pacer.holdForOwnEdit('long');
			clock += 100;
			expect(pacer.due('long')).toBe(false);
		}
		const lastKey = clock - 100;
		clock = lastKey + OWN_EDIT_QUIET_MS - 1;
		expect(pacer.due('long')).toBe(false);
		clock += 1;
		expect(pacer.due('long')).toBe(true);
		// A hold shorter than the pace does not shorten it.
		pacer.read('long', () => (clock += 100));
		pacer.holdForOwnEdit('long', 10);
		clock += PACE * 100 - 1;
		expect(pacer.due('long')).toBe(false);
		pacer.stop();
	});
});
