/**
 * A status line that does not flicker as the member types. Each keystroke takes the work through
 * three states in a few milliseconds — saving on this device, then on the device but not yet on
 * the relay, then stored on the relay — and a status line that followed them would change its
 * words three times a keystroke: three announcements of a `role="status"` region to a screen
 * reader, and on a long page three extra frames of layout and paint, which the benchmark showed
 * doubling the main thread's work per key.
 *
 * So what is shown is the least settled state seen within the last SETTLE_MS (the current state
 * included): while the member types it reads "saving" steadily, and once the work has been stored
 * for SETTLE_MS it says so. What is shown is never more settled than what is true — it only
 * lags in the safe direction. States outside that ladder (errors, offline, a first sync) have no
 * rank and show at once.
 */

/** How long the least settled state seen stays shown. */
export const SETTLE_MS = 500;

export interface Ranked<T> {
	readonly value: T;
	/** Lower is less settled (0: not yet on this device). Null: shown at once, and what was held is dropped. */
	readonly rank: number | null;
}

/** Runs `run` after `ms`; returns what cancels it (setTimeout, or a test's clock). */
export type Schedule = (run: () => void, ms: number) => () => void;

export const timeout: Schedule = (run, ms) => {
	const timer = setTimeout(run, ms);
	return () => clearTimeout(timer);
};

/**
 * Follows `read` (re-read whenever `source` notifies) and shows its least settled ranked value of
 * the last `settleMs`. Samples only while someone listens; read without listeners, it is `read`.
 */
export class Settled<T> {
	readonly #source: (notify: () => void) => () => void;
	readonly #read: () => Ranked<T>;
	readonly #settleMs: number;
	readonly #now: () => number;
	readonly #schedule: Schedule;
	readonly #listeners = new Set<() => void>();
	/** By rank: the last value seen of that rank, and when. */
	#seen = new Map<number, { value: T; at: number }>();
	#stopSource: (() => void) | null = null;
	#cancelWake: (() => void) | null = null;

	constructor(source: (notify: () => void) => () => void, read: () => Ranked<T>, options: { settleMs?: number; now?: () => number; schedule?: Schedule } = {}) {
		this.#source = source;
		this.#read = read;
		this.#settleMs = options.settleMs ?? SETTLE_MS;
		this.#now = options.now ?? (() => performance.now());
		this.#schedule = options.schedule ?? timeout;
	}

	/** Calls `listener` when what is shown may have changed; returns the unsubscriber. */
	subscribe(listener: () => void): () => void {
		this.#listeners.add(listener);
		if (!this.#stopSource) {
			this.#stopSource = this.#source(() => {
				this.#sample();
				this.#notify();
			});
			this.#sample();
		}
		return () => {
			this.#listeners.delete(listener);
			if (this.#listeners.size > 0 || !this.#stopSource) return;
			this.#stopSource();
			this.#stopSource = null;
			this.#cancelWake?.();
			this.#cancelWake = null;
			this.#seen.clear();
		};
	}

	/** What to show now. */
	get current(): T {
		const actual = this.#read();
		if (!this.#stopSource || actual.rank === null) return actual.value;
		const now = this.#now();
		let shown = actual;
		for (const [rank, seen] of this.#seen) {
			if (now - seen.at < this.#settleMs && rank < (shown.rank ?? Infinity)) shown = { value: seen.value, rank };
		}
		return shown.value;
	}

	#sample(): void {
		const actual = this.#read();
		const now = this.#now();
		if (actual.rank === null) this.#seen.clear();
		else this.#seen.set(actual.rank, { value: actual.value, at: now });
		for (const [rank, seen] of this.#seen) if (now - seen.at >= this.#settleMs) this.#seen.delete(rank);
		this.#wakeAfterHolds(now, actual.rank);
	}

	/**
	 * Notifies again when the earliest state held over `rank` (the true one's) expires, so the line
	 * settles without a new change. Nothing held: no timer.
	 */
	#wakeAfterHolds(now: number, rank: number | null): void {
		this.#cancelWake?.();
		this.#cancelWake = null;
		let earliest = Infinity;
		for (const [held, seen] of this.#seen) if (rank !== null && held < rank) earliest = Math.min(earliest, seen.at + this.#settleMs);
		if (earliest === Infinity) return;
		this.#cancelWake = this.#schedule(() => {
			this.#cancelWake = null;
			this.#sample();
			this.#notify();
		}, Math.max(0, earliest - now));
	}

	#notify(): void {
		for (const listener of [...this.#listeners]) listener();
	}
}
