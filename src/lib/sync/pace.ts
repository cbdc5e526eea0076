/**
 * How often an index may read a page again (backlinks, catch-up, search, the inbox's mentions).
 * Each re-reads a page from scratch after it changes, in idle time; on a long page that is tens of
 * milliseconds (the 1,173-paragraph benchmark page: 10–20 ms for its catch-up walk, several for
 * its search text), and
 * a teammate typing ten characters a second had every index re-read it ten times a second, in idle
 * slices that the member's next keystroke then waited behind.
 *
 * So a page whose last read took `t` ms (at least `PACED_FROM_MS`) is read again no sooner than
 * `PACE × t` after it: an index keeps to about 1/PACE of the main thread per page, whatever the
 * typing rate. A cheap read is never held back: a short page is read again at once, as before.
 * What is held back is not lost: the page stays dirty, and a timer asks for a batch once it is due.
 */

import { isRemoteOrigin } from '../model/origins.ts';

export const PACE = 20;
/** Reads faster than this are not paced (a short page: a fraction of a millisecond). */
export const PACED_FROM_MS = 2;
/**
 * A long page the member is typing in is read again once they pause this long: their own edits
 * bring them no news (catch-up) and mention nobody to them (the inbox), search can have the word
 * once it is typed, and a link they typed can reach its target's backlinks a second later. Without
 * it the indexes re-read the benchmark page every 20 × its read while the member types — ~6 ms of
 * idle work per keystroke that the next key waits behind.
 */
export const OWN_EDIT_QUIET_MS = 1000;

export class Pacer {
	readonly #now: () => number;
	readonly #wake: () => void;
	readonly #readableAt = new Map<string, number>();
	#timer: ReturnType<typeof setTimeout> | null = null;
	#timerAt = Infinity;
	#stopped = false;

	/** `now`: a monotonic clock in ms; `wake`: asks the index for a batch (a held-back page is due). */
	constructor(now: () => number, wake: () => void) {
		this.#now = now;
		this.#wake = wake;
	}

	/** Runs `read` for `key`, timing it: a slow read holds the next one back. */
	read<T>(key: string, read: () => T): T {
		const started = this.#now();
		try {
			return read();
		} finally {
			const ended = this.#now();
			const took = ended - started;
			if (took >= PACED_FROM_MS) this.#readableAt.set(key, ended + PACE * took);
			else this.#readableAt.delete(key);
		}
	}

	/** Whether `key` may be read now. If not, `wake` is called once it may. */
	due(key: string): boolean {
		const at = this.#readableAt.get(key);
		if (at === undefined) return true;
		const now = this.#now();
		if (at <= now) return true;
		this.#wakeAt(at, now);
		return false;
	}

	/**
	 * `key` changed, with the update's `origin`: held for the member's pause if the change is their
	 * own (not from the relay, another tab or the device's storage). What every index calls.
	 */
	changed(key: string, origin: unknown): void {
		if (!isRemoteOrigin(origin)) this.holdForOwnEdit(key);
	}

	/**
	 * The member changed `key` themselves: a long page (one whose reads are paced) waits until `ms`
	 * from now, and each further edit pushes that on, so it is read once they pause. A short page is
	 * never held.
	 */
	holdForOwnEdit(key: string, ms: number = OWN_EDIT_QUIET_MS): void {
		const at = this.#readableAt.get(key);
		if (at === undefined) return;
		this.#readableAt.set(key, Math.max(at, this.#now() + ms));
	}

	forget(key: string): void {
		this.#readableAt.delete(key);
	}

	stop(): void {
		this.#stopped = true;
		if (this.#timer !== null) clearTimeout(this.#timer);
		this.#timer = null;
	}

	#wakeAt(at: number, now: number): void {
		if (this.#stopped || at >= this.#timerAt) return;
		if (this.#timer !== null) clearTimeout(this.#timer);
		this.#timerAt = at;
		this.#timer = setTimeout(() => {
			this.#timer = null;
			this.#timerAt = Infinity;
			if (!this.#stopped) this.#wake();
		}, at - now);
	}
}
