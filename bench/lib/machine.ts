/** The machine a run was measured on, recorded with its figures (docs/performance.md asks for it). */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';

export interface Machine {
	readonly cpus: number;
	readonly cpuModel: string;
	readonly memoryGiB: number;
	readonly node: string;
	readonly platform: string;
	/** The 1-minute load average when the run started: other work on the machine skews every figure. */
	readonly load: number;
}

/** Whether other work is using the machine: more runnable processes than half its cores. */
export function busy(about: Machine): boolean {
	return about.load > about.cpus / 2;
}

export function machine(): Machine {
	let cpuModel = 'unknown';
	try {
		cpuModel = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
	} catch {
		// Not Linux: the model stays unknown rather than guessed.
	}
	return {
		cpus: availableParallelism(),
		cpuModel,
		memoryGiB: Math.round(totalmem() / 2 ** 30),
		node: process.version,
		platform: `${process.platform} ${process.arch}`,
		load: loadavg()[0]!
	};
}
