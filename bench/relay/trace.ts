/**
 * The real-trace scenarios (issue 9, part 2), against our relay and both peers in the same run:
 *
 * - **automerge-paper** (259,778 edits, one writer): one client types the trace into a page — one
 *   Yjs transaction per trace transaction, sent as it happens, as fast as the client can — and a
 *   second client receives it through the server. The clock runs from the first edit until the
 *   second client's text equals the trace's `endContent`. Against it: the same trace applied to a
 *   bare Y.Doc in this process (the floor). "Relay overhead" is the difference, per edit; the
 *   goal is that it stays within 2× the bare replay.
 * - **friendsforever** (two agents typing at once): two clients, one per agent, replay their own
 *   transactions through the server; a transaction waits until its parents from the other agent
 *   have arrived (so each applies on the state its author saw). Both must end identical and equal
 *   to the trace's `endContent`.
 *
 * Both clients live in this process and share one core (the server has the other). They are the
 * same `BenchClient` for every server (one message per Yjs update, as the stock providers send),
 * so a difference between servers is the server's. The typist waits when its socket has more than
 * TYPIST_BUFFER bytes queued, so the run measures throughput, not how much a socket can buffer.
 */
import * as Y from 'yjs';
import { BenchClient } from './client.ts';
import { serverKinds, startServer, type BenchServer, type ServerKind, type Usage } from './servers.ts';
import { applyPatches, automergePaper, editCount, friendsForever, prepareConcurrent, replayBare, type ConcurrentReplay, type ConcurrentTrace, type SequentialTrace } from './traces.ts';
import { goal, info, type Row, type Scenario, type ScenarioResult } from '../lib/scenario.ts';
import { ms } from '../lib/stats.ts';

const quick = process.env['BENCH_QUICK'] === '1';
/** Trace transactions typed between two turns of the event loop (so the reader's messages are read). */
const TYPIST_SLICE = 500;
const TYPIST_BUFFER = 1 << 20;
const BARE_RUNS = 3;
const WORKSPACE = 'bench';
/**
 * Our relay's per-connection rate limit (200 updates/s, bursts of 2,000) is for people, and would
 * close a socket typing 259,778 edits in seconds with 4429; the benchmark raises it. Everything else
 * is as deployed: SQLite with synchronous=FULL, the default group commit and compaction.
 */
const RELAY_ENV = { UPDATES_PER_SECOND: '100000000', UPDATE_BURST: '100000000' };

interface SequentialRun {
	readonly server: ServerKind;
	readonly totalMs: number;
	readonly typedMs: number;
	readonly usage: Usage;
	readonly identical: boolean;
	readonly messagesIn: number;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function drain(client: BenchClient): Promise<void> {
	while (client.buffered > TYPIST_BUFFER) await new Promise((resolve) => setTimeout(resolve, 1));
}

async function pair(server: BenchServer, room: string): Promise<[BenchClient, BenchClient]> {
	const token = await server.token(WORKSPACE);
	const a = new BenchClient({ server, room, token });
	const b = new BenchClient({ server, room, token });
	await Promise.all([a.ready(), b.ready()]);
	return [a, b];
}

/** Resolves once `predicate` holds after an update to `doc` (or already holds); rejects after `timeoutMs`. */
function whenDoc(doc: Y.Doc, predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
	return new Promise((resolve, reject) => {
		if (predicate()) return resolve();
		const timer = setTimeout(() => {
			doc.off('afterTransaction', check);
			reject(new Error(`${what}: not done after ${timeoutMs} ms`));
		}, timeoutMs);
		const check = (): void => {
			if (!predicate()) return;
			clearTimeout(timer);
			doc.off('afterTransaction', check);
			resolve();
		};
		doc.on('afterTransaction', check);
	});
}

async function typeSequential(kind: ServerKind, trace: SequentialTrace): Promise<SequentialRun> {
	// BENCH_TRACE_PROFILE=<dir>: each server writes a V8 CPU profile of the automerge-paper run there when it stops.
	const profileDir = process.env['BENCH_TRACE_PROFILE'];
	const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=100'] : [];
	const server = await startServer(kind, { env: RELAY_ENV, nodeArgs });
	try {
		const [typist, reader] = await pair(server, `${WORKSPACE}/paper`);
		const text = typist.doc.getText('body');
		const received = reader.doc.getText('body');
		const length = trace.endContent.length;
		let messagesIn = 0;
		reader.doc.on('update', () => messagesIn++);
		const before = server.usage();
		const started = performance.now();
		const arrived = whenDoc(reader.doc, () => received.length === length && received.toString() === trace.endContent, 600_000, `${kind}: automerge-paper`);
		for (let i = 0; i < trace.txns.length; i++) {
			applyPatches(text, trace.txns[i]!.patches);
			if (i % TYPIST_SLICE === TYPIST_SLICE - 1) {
				await yieldToLoop();
				await drain(typist);
			}
		}
		const typedMs = performance.now() - started;
		await arrived;
		const totalMs = performance.now() - started;
		const after = server.usage();
		const errors = [typist.error, reader.error].filter((error) => error !== null);
		if (errors.length > 0) throw errors[0]!;
		await Promise.all([typist.close(), reader.close()]);
		return {
			server: kind,
			totalMs,
			typedMs,
			usage: { cpuSeconds: after.cpuSeconds - before.cpuSeconds, peakRssBytes: after.peakRssBytes, rssBytes: after.rssBytes },
			identical: text.toString() === received.toString(),
			messagesIn
		};
	} finally {
		await server.stop();
	}
}

interface ConcurrentRun {
	readonly server: ServerKind;
	readonly totalMs: number;
	readonly identical: boolean;
	readonly matchesTrace: boolean;
}

/**
 * Two clients, one per agent, each applying its agent's transactions (the updates prepared by
 * `prepareConcurrent`) in trace order as local changes, which it sends. Before one, it waits until
 * the parents from the other agent have arrived through the server, so no transaction is sent
 * before the state its author saw.
 */
async function replayConcurrent(kind: ServerKind, trace: ConcurrentTrace, replay: ConcurrentReplay): Promise<ConcurrentRun> {
	const server = await startServer(kind, { env: RELAY_ENV });
	try {
		const clients = await pair(server, `${WORKSPACE}/friends`);
		const has = (doc: Y.Doc, txn: number): boolean =>
			Y.getState(doc.store, replay.clientIds[trace.txns[txn]!.agent]!) >= replay.reaches[txn]!;
		const started = performance.now();
		const agentRun = async (agent: number): Promise<void> => {
			const doc = clients[agent]!.doc;
			for (let index = 0; index < trace.txns.length; index++) {
				const txn = trace.txns[index]!;
				if (txn.agent !== agent) continue;
				const ready = (): boolean => txn.parents.every((parent) => has(doc, parent));
				if (!ready()) await whenDoc(doc, ready, 60_000, `${kind}: friendsforever transaction ${index}`);
				Y.applyUpdate(doc, replay.deltas[index]!, 'local');
				if (index % 64 === 0) await yieldToLoop();
			}
		};
		await Promise.all([agentRun(0), agentRun(1)]);
		// Done when both documents hold every agent's last transaction (and so all before it).
		const complete = (doc: Y.Doc): boolean => replay.clientIds.every((id, agent) => Y.getState(doc.store, id) >= finalClock(replay, trace, agent));
		await Promise.all(clients.map((client) => whenDoc(client.doc, () => complete(client.doc), 60_000, `${kind}: friendsforever end`)));
		const totalMs = performance.now() - started;
		const [a, b] = clients;
		const textA = a.doc.getText('body').toString();
		const textB = b.doc.getText('body').toString();
		const errors = clients.map((client) => client.error).filter((error) => error !== null);
		if (errors.length > 0) throw errors[0]!;
		await Promise.all(clients.map((client) => client.close()));
		return { server: kind, totalMs, identical: textA === textB, matchesTrace: textA === trace.endContent };
	} finally {
		await server.stop();
	}
}

/** The clock an agent's client id reaches with its last transaction. */
function finalClock(replay: ConcurrentReplay, trace: ConcurrentTrace, agent: number): number {
	for (let index = trace.txns.length - 1; index >= 0; index--) if (trace.txns[index]!.agent === agent) return replay.reaches[index]!;
	return 0;
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

export const traceScenario: Scenario = {
	group: 'trace',
	name: `Real traces through the relay${quick ? ' (quick)' : ''}`,
	async run(): Promise<ScenarioResult> {
		const full = automergePaper();
		const paper: SequentialTrace = quick ? truncate(full, 40_000) : full;
		const edits = editCount(paper);
		const bare = Array.from({ length: BARE_RUNS }, () => replayBare(paper));
		if (bare[0]!.text !== paper.endContent) throw new Error('automerge-paper: the bare replay does not end at endContent');
		const bareMs = Math.min(...bare.map((run) => run.ms));
		const rows: Row[] = [info(`bare Y.Doc replay, ${edits.toLocaleString('en')} edits (best of ${BARE_RUNS})`, ms(bareMs))];
		const runs: SequentialRun[] = [];
		for (const kind of serverKinds) runs.push(await typeSequential(kind, paper));
		const ours = runs.find((run) => run.server === 'meridian')!;
		for (const run of runs) {
			const overhead = run.totalMs - bareMs;
			const label = run.server === 'meridian' ? 'Meridian (SQLite, durable)' : `${run.server} (in memory)`;
			rows.push(info(`${label}: typed → all in the second client`, ms(run.totalMs)));
			rows.push(info(`${label}: overhead per edit; server CPU; peak RSS`, `${((overhead * 1000) / edits).toFixed(1)} µs; ${run.usage.cpuSeconds.toFixed(1)} s; ${mib(run.usage.peakRssBytes)}`));
			if (!run.identical) rows.push(goal(`${label}: second client equals the first`, 'no', 'identical', false));
		}
		const oursOverhead = ours.totalMs - bareMs;
		rows.push(goal('Meridian: relay overhead ÷ bare replay', `${(oursOverhead / bareMs).toFixed(2)}×`, '≤ 2×', oursOverhead <= 2 * bareMs));
		rows.push(goal('Meridian: final text equals endContent', ours.identical ? 'yes' : 'no', 'yes', ours.identical));

		const friends = friendsForever();
		const prepared = prepareConcurrent(friends);
		const concurrent: ConcurrentRun[] = [];
		for (const kind of serverKinds) concurrent.push(await replayConcurrent(kind, friends, prepared));
		for (const run of concurrent) {
			rows.push(goal(`friendsforever, ${run.server}: both clients identical and = endContent (${ms(run.totalMs)})`, run.identical && run.matchesTrace ? 'yes' : 'no', 'yes', run.identical && run.matchesTrace));
		}
		return { rows, data: { edits, bareMs: bare.map((run) => run.ms), sequential: runs, concurrent } };
	}
};

/** The first `count` transactions of a trace, with the text they produce as its end. */
function truncate(trace: SequentialTrace, count: number): SequentialTrace {
	const txns = trace.txns.slice(0, count);
	return { txns, endContent: replayBare({ txns, endContent: '' }).text };
}
