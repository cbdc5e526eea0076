/**
 * The client's reconnect backoff (retryDelay in src/lib/sync/relay-connection.ts) spreads a crowd:
 * a relay restart drops every client at once, and their first attempts must be spread evenly over
 * the window rather than arrive together — and those that fail again, over a window twice as wide.
 * 1,000 simulated clients on a seeded generator, so the counts are the same on every run.
 */
import { describe, expect, it } from 'vitest';
import { retryDelay } from '../../src/lib/sync/relay-connection.ts';
import { seeded } from '../support/seeded.ts';


const CLIENTS = 1000;

/** How many of `delays` fall in each `width`-ms bucket of [0, span). */
function histogram(delays: number[], span: number, width: number): number[] {
	const buckets = new Array<number>(Math.ceil(span / width)).fill(0);
	for (const delay of delays) buckets[Math.floor(delay / width)]!++;
	return buckets;
}

describe('reconnect backoff', () => {
	it('1,000 clients dropped at once spread their first attempts evenly over the first second', () => {
		const rand = seeded(20261121);
		const delays = Array.from({ length: CLIENTS }, () => retryDelay(1, rand));
		for (const delay of delays) {
			expect(delay).toBeGreaterThanOrEqual(0);
			expect(delay).toBeLessThan(1000);
		}
		// Ten 100 ms buckets of ~100 each (binomial sd ≈ 9.5): none empty, none crowded.
		for (const count of histogram(delays, 1000, 100)) {
			expect(count).toBeGreaterThan(60);
			expect(count).toBeLessThan(140);
		}
		// At the scale a relay feels, 10 ms: ~10 arrivals, never a storm.
		expect(Math.max(...histogram(delays, 1000, 10))).toBeLessThanOrEqual(25);
		// The first tenth of a second carries about a tenth of the crowd, not all of it.
		expect(delays.filter((delay) => delay < 100).length).toBeLessThan(140);
	});

	it('the window doubles with each failed attempt up to 30 s, and stays spread', () => {
		const rand = seeded(7);
		for (const [attempt, ceiling] of [
			[1, 1000],
			[2, 2000],
			[3, 4000],
			[5, 16_000],
			[6, 30_000],
			[40, 30_000]
		] as const) {
			const delays = Array.from({ length: CLIENTS }, () => retryDelay(attempt, rand));
			expect(Math.max(...delays)).toBeLessThan(ceiling);
			// Uniform over the window: the mean near half of it, the top decile reached.
			const mean = delays.reduce((sum, delay) => sum + delay, 0) / CLIENTS;
			expect(mean / ceiling).toBeGreaterThan(0.45);
			expect(mean / ceiling).toBeLessThan(0.55);
			expect(Math.max(...delays)).toBeGreaterThan(ceiling * 0.9);
		}
	});

	it('a restart under 1,000 clients: those that try before the relay is back retry spread over the next window', () => {
		// The relay is down for 600 ms. Attempts before that fail and back off (attempt 2).
		const rand = seeded(99);
		const up = 600;
		const arrivals: number[] = [];
		let retried = 0;
		for (let client = 0; client < CLIENTS; client++) {
			let at = 0;
			for (let attempt = 1; ; attempt++) {
				at += retryDelay(attempt, rand);
				if (at >= up) break;
				if (attempt === 1) retried++;
			}
			arrivals.push(at);
		}
		// About 60 % tried within the first 600 ms of their 1 s window and came back later: spread
		// over more than a second after the relay is up, yet within the window of a later attempt
		// (8 s at attempt 4), not a minute later; no 10 ms holds more than ~3 % of them.
		expect(retried / CLIENTS).toBeGreaterThan(0.5);
		expect(retried / CLIENTS).toBeLessThan(0.7);
		const span = Math.max(...arrivals);
		expect(span - up).toBeGreaterThan(1000);
		expect(span).toBeLessThan(up + 8000);
		expect(Math.max(...histogram(arrivals, span + 1, 10))).toBeLessThan(CLIENTS * 0.03);
	});
});
