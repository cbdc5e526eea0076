/**
 * What a benchmark scenario is, for bench/run.ts: a named measurement in a group ('search' now; the
 * relay's scenarios later) that returns table rows — each figure beside its goal, if it has one —
 * and the raw figures for the results file.
 */

export interface Row {
	/** What was measured, e.g. 'query p95 (worker round trip)'. */
	readonly metric: string;
	readonly value: string;
	/** The goal as written in the issue, or '' for a figure without one. */
	readonly goal: string;
	/** Whether the goal is met; null for a figure without one. */
	readonly met: boolean | null;
}

export interface ScenarioResult {
	readonly rows: readonly Row[];
	/** Everything measured, for bench/results/ (numbers in milliseconds unless the name says). */
	readonly data: Record<string, unknown>;
}

export interface Scenario {
	/** The group `npm run bench -- <group>` selects. */
	readonly group: string;
	readonly name: string;
	run(): Promise<ScenarioResult>;
}

/** A figure with no goal. */
export function info(metric: string, value: string): Row {
	return { metric, value, goal: '', met: null };
}

/** A figure against its goal. */
export function goal(metric: string, value: string, goalText: string, met: boolean): Row {
	return { metric, value, goal: goalText, met };
}
