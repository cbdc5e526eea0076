/**
 * A clock and timers a test moves by hand, for code that takes `now` and a `schedule(run, ms)`
 * returning its cancel (sync/settle.ts `Schedule`).
 */
export interface FakeClock {
	readonly now: () => number;
	readonly schedule: (run: () => void, ms: number) => () => void;
	/** Moves the clock by `ms`, running the timers that come due, in order. */
	advance(ms: number): void;
	/** Timers not yet run or cancelled. */
	pending(): number;
}

export function fakeClock(): FakeClock {
	let now = 0;
	const timers: { at: number; run: () => void; done: boolean }[] = [];
	return {
		now: () => now,
		schedule(run, ms) {
			const timer = { at: now + ms, run, done: false };
			timers.push(timer);
			return () => void (timer.done = true);
		},
		advance(ms) {
			const end = now + ms;
			for (;;) {
				const due = timers.filter((t) => !t.done && t.at <= end).sort((a, b) => a.at - b.at)[0];
				if (!due) break;
				due.done = true;
				now = Math.max(now, due.at);
				due.run();
			}
			now = end;
		},
		pending: () => timers.filter((t) => !t.done).length
	};
}
