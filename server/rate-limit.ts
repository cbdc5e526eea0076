/**
 * A token bucket: up to `burst` messages at once, refilled at `perSecond`. One per connection and
 * kind of message (updates, awareness), so a peer that floods is cut off (4429) while fast typing,
 * a paste or the first sync of a thousand rooms goes through. The clock is a parameter so unit
 * tests step time by hand.
 */
export class TokenBucket {
	readonly #perSecond: number;
	readonly #burst: number;
	readonly #now: () => number;
	#tokens: number;
	#at: number;

	constructor(perSecond: number, burst: number, now: () => number = () => performance.now()) {
		this.#perSecond = perSecond;
		this.#burst = burst;
		this.#now = now;
		this.#tokens = burst;
		this.#at = now();
	}

	/** Takes one token; false (and nothing taken) when the bucket is empty. */
	take(): boolean {
		const now = this.#now();
		this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#perSecond);
		this.#at = now;
		if (this.#tokens < 1) return false;
		this.#tokens -= 1;
		return true;
	}
}
