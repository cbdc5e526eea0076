/**
 * The status line's settling (src/lib/sync/settle.ts):
 * [ST1] a keystroke's saving → on the device → stored shows as "saving" until SETTLE_MS after the
 *       last saving, then settles on its own (a timer, no new change needed), one step at a time.
 * [ST2] what is shown is never more settled than what is true (random runs).
 * [ST3] an unranked state (an error, offline) shows at once and drops what was held.
 * [ST4] read without listeners it is the true state; unsubscribed, no timer is left; nothing held,
 *       no timer runs.
 */
import { describe, expect, it } from 'vitest';
import { Settled, SETTLE_MS, type Ranked } from '../../src/lib/sync/settle.ts';
import { fakeClock } from '../support/fake-clock.ts';

function harness() {
	const clock = fakeClock();
	let actual: Ranked<string> = { value: 'stored', rank: 2 };
	const notifiers = new Set<() => void>();
	const settled = new Settled<string>(
		(notify) => (notifiers.add(notify), () => notifiers.delete(notify)),
		() => actual,
		{ now: clock.now, schedule: clock.schedule }
	);
	return {
		settled,
		advance: clock.advance,
		pending: clock.pending,
		set(value: string, rank: number | null) {
			actual = { value, rank };
			for (const notify of [...notifiers]) notify();
		},
		sources: () => notifiers.size
	};
}

describe('the status line settles', () => {
	it('[ST1] holds "saving" through typing, then settles by itself', () => {
		const h = harness();
		let notified = 0;
		const stop = h.settled.subscribe(() => notified++);
		expect(h.settled.current).toBe('stored');
		// Five keystrokes, 100 ms apart: each saving 3 ms, on the device 5 ms, then stored.
		for (let key = 0; key < 5; key++) {
			h.set('saving', 0);
			expect(h.settled.current).toBe('saving');
			h.advance(3);
			h.set('on device', 1);
			expect(h.settled.current).toBe('saving');
			h.advance(5);
			h.set('stored', 2);
			expect(h.settled.current).toBe('saving');
			h.advance(92);
		}
		// The last saving was at 400 ms; the last "on device" at 403.
		h.advance(400 + SETTLE_MS - 1 - 500);
		expect(h.settled.current).toBe('saving');
		const before = notified;
		h.advance(1);
		expect(notified).toBeGreaterThan(before);
		expect(h.settled.current).toBe('on device');
		h.advance(3);
		expect(h.settled.current).toBe('stored');
		expect(h.pending()).toBe(0);
		stop();
	});

	it('[ST2] is never more settled than the truth', () => {
		let seed = 7;
		const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
		for (let run = 0; run < 50; run++) {
			const h = harness();
			const stop = h.settled.subscribe(() => {});
			const rankOf = new Map([['saving', 0], ['on device', 1], ['stored', 2]]);
			let truth = 2;
			for (let step = 0; step < 200; step++) {
				if (random() < 0.5) {
					const states = ['saving', 'on device', 'stored'];
					const value = states[Math.floor(random() * 3)]!;
					truth = rankOf.get(value)!;
					h.set(value, truth);
				}
				h.advance(Math.floor(random() * 300));
				expect(rankOf.get(h.settled.current)!).toBeLessThanOrEqual(truth);
			}
			stop();
		}
	});

	it('[ST3] shows an unranked state at once and forgets what it held', () => {
		const h = harness();
		const stop = h.settled.subscribe(() => {});
		h.set('saving', 0);
		h.advance(1);
		h.set('offline', null);
		expect(h.settled.current).toBe('offline');
		h.advance(1);
		h.set('stored', 2);
		expect(h.settled.current).toBe('stored');
		stop();
	});

	it('[ST4] without listeners it is the truth, and leaves no timer behind', () => {
		const h = harness();
		h.set('saving', 0);
		h.set('stored', 2);
		expect(h.settled.current).toBe('stored');
		const stop = h.settled.subscribe(() => {});
		expect(h.sources()).toBe(1);
		h.advance(10_000);
		// Nothing held: no timer waits.
		expect(h.pending()).toBe(0);
		h.set('saving', 0);
		h.set('stored', 2);
		expect(h.pending()).toBe(1);
		stop();
		expect(h.sources()).toBe(0);
		expect(h.pending()).toBe(0);
		expect(h.settled.current).toBe('stored');
	});
});
