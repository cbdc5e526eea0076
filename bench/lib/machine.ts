/** The machine a run was measured on, recorded with its figures (docs/performance.md asks for it). */
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

export interface Machine {
	readonly cpus: number;
	readonly cpuModel: string;
	readonly memoryGiB: number;
	readonly node: string;
	readonly platform: string;
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
		platform: `${process.platform} ${process.arch}`
	};
}
