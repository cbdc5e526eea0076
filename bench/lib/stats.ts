/** Summaries of timing samples: the percentiles the benchmark goals are stated in. */

export interface Summary {
	readonly n: number;
	readonly p50: number;
	readonly p95: number;
	readonly p99: number;
	readonly max: number;
	readonly mean: number;
}

/** The nearest-rank percentile (p in 0–100) of samples; NaN for none. */
export function percentile(samples: readonly number[], p: number): number {
	if (samples.length === 0) return NaN;
	const sorted = [...samples].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function summarize(samples: readonly number[]): Summary {
	const mean = samples.length === 0 ? NaN : samples.reduce((a, b) => a + b, 0) / samples.length;
	return { n: samples.length, p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99), max: samples.reduce((a, b) => Math.max(a, b), -Infinity), mean };
}

/** Milliseconds with a sensible number of digits. */
export function ms(value: number): string {
	if (!Number.isFinite(value)) return '–';
	return value >= 100 ? `${value.toFixed(0)} ms` : value >= 10 ? `${value.toFixed(1)} ms` : `${value.toFixed(2)} ms`;
}
