/**
 * `npm run bench [-- <group>...]`: runs the benchmark scenarios (all, or those of the groups named),
 * prints each one's figures beside its goals, and writes them to bench/results/.
 *
 * Speed is measured here, not in timed tests: a test checks behaviour and must not fail on a busy
 * machine, while a benchmark reports figures (with the machine) that docs/performance.md records.
 * A missed goal is printed and sets the exit code, so a regression is seen, not silently recorded.
 *
 * New scenarios (the relay's, issue 9) add themselves to `scenarios` with their group name.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { busy, machine } from './lib/machine.ts';
import { loadavg } from 'node:os';
import type { Row, Scenario } from './lib/scenario.ts';
import { nodeSearch } from './search/node.ts';
import { browserSearch } from './search/browser.ts';
import { coldSync } from './coldsync/coldsync.ts';
import { appBrowser } from './app/browser.ts';
import { relayFanout } from './relay/fanout.ts';
import { traceScenario } from './relay/trace.ts';

const scenarios: readonly Scenario[] = [nodeSearch, browserSearch, relayFanout, traceScenario, appBrowser, coldSync];

const RESULTS = new URL('./results/', import.meta.url);

function printTable(title: string, rows: readonly Row[]): void {
	const widths = [Math.max(6, ...rows.map((row) => row.metric.length)), Math.max(5, ...rows.map((row) => row.value.length)), Math.max(4, ...rows.map((row) => row.goal.length))];
	const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
	console.log(`\n${title}`);
	console.log(line(['metric', 'value', 'goal', '']));
	console.log(line(widths.map((width) => '-'.repeat(width)).concat('----')));
	for (const row of rows) console.log(line([row.metric, row.value, row.goal, row.met === null ? '' : row.met ? 'met' : 'MISSED']));
}

async function main(): Promise<void> {
	const wanted = process.argv.slice(2);
	const groups = [...new Set(scenarios.map((scenario) => scenario.group))];
	const unknown = wanted.filter((group) => !groups.includes(group));
	if (unknown.length > 0) {
		console.error(`Unknown benchmark group ${unknown.join(', ')}; there are: ${groups.join(', ')}.`);
		process.exitCode = 2;
		return;
	}
	const chosen = scenarios.filter((scenario) => wanted.length === 0 || wanted.includes(scenario.group));
	const about = machine();
	console.log(`${about.cpus} × ${about.cpuModel}, ${about.memoryGiB} GiB, Node ${about.node}, ${about.platform}, load ${about.load.toFixed(1)}`);
	if (busy(about)) console.log(`WARNING: the machine is busy (load ${about.load.toFixed(1)} on ${about.cpus} cores): these figures measure that too.`);

	const byGroup = new Map<string, Record<string, unknown>>();
	let missed = 0;
	for (const scenario of chosen) {
		const started = performance.now();
		const result = await scenario.run();
		printTable(`${scenario.name} (${((performance.now() - started) / 1000).toFixed(1)} s, load ${loadavg()[0]!.toFixed(1)} at the end)`, result.rows);
		missed += result.rows.filter((row) => row.met === false).length;
		const group = byGroup.get(scenario.group) ?? {};
		group[scenario.name] = { rows: result.rows, ...result.data };
		byGroup.set(scenario.group, group);
	}

	mkdirSync(RESULTS, { recursive: true });
	const date = new Date().toISOString();
	for (const [group, results] of byGroup) {
		const json = `${JSON.stringify({ group, date, machine: about, loadAfter: loadavg()[0], results }, null, '\t')}\n`;
		const dated = new URL(`${group}-${date.replace(/[:.]/g, '-')}.json`, RESULTS);
		writeFileSync(dated, json);
		writeFileSync(new URL(`${group}-latest.json`, RESULTS), json);
		console.log(`\nWrote ${dated.pathname}`);
	}
	if (missed > 0) {
		console.log(`${missed} goal(s) missed.`);
		process.exitCode = 1;
	}
}

await main();
