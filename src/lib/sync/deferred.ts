/**
 * Applies what the session's room links stored and deferred (room-link.ts, `Deferral`) a slice at
 * a time, in idle moments: a new device's join stores every page as it arrives — 20 MB into 2,000
 * documents for 1,000 pages — and integrates it into Yjs afterwards, without a keystroke or a
 * frame waiting behind more than one slice. A slice applies at least one document.
 */
import { Batch, idleSchedule, type Schedule } from './backlinks.ts';
import type { RoomLink } from './room-link.ts';

/** A slice's budget: a 20 KB page body applies in about a millisecond here. */
export const APPLY_SLICE_MS = 8;

export class DeferredApplier {
	readonly #waiting = new Set<RoomLink>();
	readonly #batch: Batch;
	readonly #now: () => number;

	constructor(schedule: Schedule = idleSchedule, now: () => number = () => performance.now()) {
		this.#batch = new Batch(schedule, () => this.#slice());
		this.#now = now;
	}

	/** How many links have content waiting. */
	get waiting(): number {
		return this.#waiting.size;
	}

	add(link: RoomLink): void {
		this.#waiting.add(link);
		this.#batch.request();
	}

	stop(): void {
		this.#batch.stop();
		this.#waiting.clear();
	}

	#slice(): void {
		const started = this.#now();
		for (const link of this.#waiting) {
			this.#waiting.delete(link);
			link.applyDeferred();
			if (this.#now() - started >= APPLY_SLICE_MS) break;
		}
		if (this.#waiting.size > 0) this.#batch.request();
	}
}
