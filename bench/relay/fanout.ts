/**
 * Fan-out (issue 9): 1,000 WebSocket clients over 100 documents, 10 per document, each document
 * edited 10 times a second for 30 s, against our relay, Hocuspocus 3 and the y-websocket 1.x
 * server in turn (bench/relay/servers.ts). What a relay does all day in a busy team: take a small
 * update from one member and hand it to everyone else in the page — and, for ours, store it.
 *
 * Each update looks like typing: a word of 3–8 characters appended to the document's Y.Text, and in
 * the same transaction a marker in a Y.Map, keyed by the writer (so the map does not grow), holding
 * the writer's sequence number and send time. Every client writes once a second; the writers of a
 * document are 100 ms apart and the documents' schedules are offset from each other, so the relay
 * sees one update per millisecond and each document one per 100 ms, never a burst.
 *
 * What the figures include:
 * - Propagation: from just before the writer's transaction to the reader's map observer firing,
 *   on one clock (all clients in this process, performance.now()). It includes the client's own
 *   encoding and socket writes, the loopback, the relay, and the reader's queueing, decoding and
 *   Y.applyUpdate — so it is an upper bound on the relay's share. The client runs 1,000 sockets
 *   on the same two cores as the relay; its write lag (how late each write left against its
 *   schedule; a goal, ≤ CLIENT_LAG_MS at p99), event-loop delay and CPU are reported beside the
 *   latencies, so a run in which the client, not the server, was the bottleneck is marked as such.
 *   One process, not worker threads: on two cores a second client thread would only take CPU from
 *   the relay it measures. The clients' docs have no 'update' listener except during their own
 *   writes (ClientOptions.sendLocalUpdates), so Yjs does not encode the ~9,000 remote updates a
 *   second they apply only to throw the bytes away.
 * - Acknowledgement: ours, from sending an update to the stored(count) that covers it: the update
 *   is in a committed SQLite transaction (synchronous=FULL). Hocuspocus's SyncStatus is sent after
 *   it applied the update in memory, not stored it: reported separately, never against the goal.
 *   y-websocket acknowledges nothing.
 * - The first `warmupSeconds` of writes are sent but not measured (the server's JIT, first
 *   commits; the client's Yjs paths are warmed once, with no server, before the first server, so
 *   the server measured first does not pay for them); lost updates and replicas count every write.
 * - Ours's storage commits (how many, how many updates each, how long) come from its /metrics.
 * - Relay CPU seconds: from the end of the warm-up until every reader has every update (drain);
 *   peak RSS (VmHWM, reset once all clients are connected): from then to the end of the drain, so it
 *   includes the 1,000 connections, the documents and the work, not the process's start-up.
 * - Lost updates: after the last write, readers get DRAIN_TIMEOUT_MS to catch up; then every
 *   (update, reader) pair whose update is missing from the reader's state vector is lost (a writer's
 *   updates are causally ordered, so a gap would leave later ones pending, not integrated). Every
 *   document's replicas must also end with equal state vectors and text.
 *
 * The peers keep documents in memory; ours writes each update to disk before acknowledging it.
 * BENCH_QUICK=1 runs 200 clients over 20 documents for 5 s, for development;
 * BENCH_FANOUT_SERVERS=hocuspocus,meridian picks and orders the servers; BENCH_FANOUT_PROFILE=<dir>
 * writes each server's V8 CPU profile there.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Y from 'yjs';
import { BenchClient } from './client.ts';
import { serverKinds, startServer, type ServerKind, type Usage } from './servers.ts';
import { goal, info, type Row, type Scenario, type ScenarioResult } from '../lib/scenario.ts';
import { ms, summarize, type Summary } from '../lib/stats.ts';

interface Shape {
	readonly documents: number;
	readonly clientsPerDocument: number;
	readonly updatesPerSecondPerDocument: number;
	/** Measured seconds of writing, after the warm-up. */
	readonly seconds: number;
	readonly warmupSeconds: number;
}

const quick = process.env.BENCH_QUICK === '1';
const shape: Shape = quick
	? { documents: 20, clientsPerDocument: 10, updatesPerSecondPerDocument: 10, seconds: 5, warmupSeconds: 1 }
	: { documents: 100, clientsPerDocument: 10, updatesPerSecondPerDocument: 10, seconds: 30, warmupSeconds: 2 };
/** BENCH_FANOUT_SERVERS=y-websocket,meridian runs only those, in that order (while working on one); all three by default. */
const chosenKinds = process.env.BENCH_FANOUT_SERVERS ? process.env.BENCH_FANOUT_SERVERS.split(',').filter((name): name is ServerKind => serverKinds.includes(name as ServerKind)) : serverKinds;
const DRAIN_TIMEOUT_MS = 10_000;
/** How late the client may send a write (p99) for the run to measure the server rather than the client. */
const CLIENT_LAG_MS = 5;
/** Sockets opened at once: the listen backlog and the relay's handshake work stay small. */
const CONNECT_BATCH = 50;
const WORKSPACE = 'bench';
const MB = 1024 * 1024;
const words = ['the', 'relay', 'keeps', 'every', 'update', 'page', 'sync', 'draft', 'notes', 'meeting', 'decision', 'review'];

const labels: Record<ServerKind, string> = {
	meridian: 'ours (SQLite, FULL)',
	hocuspocus: 'Hocuspocus 3 (memory)',
	'y-websocket': 'y-websocket 1.x (memory)'
};

interface Mark {
	readonly seq: number;
	/** performance.now() when the writer started the transaction. */
	readonly at: number;
}

/** Samples of one server's run; writes sent before `from` (the warm-up) are not measured. */
class Recorder {
	from = Infinity;
	readonly propagation: number[] = [];
	readonly acknowledgement: number[] = [];
	readonly writeLag: number[] = [];
}

/** One client: writes on its schedule, and records what it receives from the others in its document. */
class Participant {
	readonly id: number;
	readonly document: number;
	/** Its offset within each second of writing, ms. */
	readonly phase: number;
	readonly client: BenchClient;
	readonly text: Y.Text;
	readonly marks: Y.Map<Mark>;
	/** Per write (index seq - 1): when it was sent, the writer's clock after it, and the message count a stored(count) must reach to cover it. */
	readonly sentAt: number[] = [];
	readonly endClock: number[] = [];
	readonly messageCount: number[] = [];
	/** Own writes acknowledged so far. */
	acked = 0;
	/** Highest sequence number of each writer integrated here. */
	readonly seen = new Map<number, number>();

	constructor(id: number, document: number, phase: number, client: BenchClient, everyone: readonly Participant[], recorder: Recorder) {
		this.id = id;
		this.document = document;
		this.phase = phase;
		this.client = client;
		this.text = client.doc.getText('body');
		this.marks = client.doc.getMap<Mark>('marks');
		this.marks.observe((event) => {
			if (event.transaction.origin !== client) return;
			const now = performance.now();
			for (const key of event.keysChanged) {
				const mark = this.marks.get(key);
				const writer = everyone[Number(key)];
				if (!mark || !writer) continue;
				const before = this.seen.get(writer.id) ?? 0;
				if (mark.seq <= before) continue;
				// A relay may merge a writer's consecutive updates into one message: the ones in between arrived now too.
				for (let seq = before + 1; seq < mark.seq; seq++) {
					const at = writer.sentAt[seq - 1]!;
					if (at >= recorder.from) recorder.propagation.push(now - at);
				}
				if (mark.at >= recorder.from) recorder.propagation.push(now - mark.at);
				this.seen.set(writer.id, mark.seq);
			}
		});
		client.onAcknowledged = (count) => {
			const now = performance.now();
			while (this.acked < this.sentAt.length && this.messageCount[this.acked]! <= count) {
				const at = this.sentAt[this.acked]!;
				if (at >= recorder.from) recorder.acknowledgement.push(now - at);
				this.acked++;
			}
		};
	}

	get written(): number {
		return this.sentAt.length;
	}

	write(): void {
		const seq = this.sentAt.length + 1;
		const at = performance.now();
		// The doc has an 'update' listener only during its own writes (see ClientOptions.sendLocalUpdates).
		let update: Uint8Array | null = null;
		const capture = (bytes: Uint8Array) => (update = bytes);
		const doc = this.client.doc;
		doc.on('update', capture);
		doc.transact(() => {
			this.text.insert(this.text.length, `${words[(this.id + seq) % words.length]} `);
			this.marks.set(String(this.id), { seq, at });
		});
		doc.off('update', capture);
		if (update) this.client.sendUpdate(update);
		this.sentAt.push(at);
		this.endClock.push(Y.getState(this.client.doc.store, this.client.doc.clientID));
		this.messageCount.push(this.client.sent);
	}
}

interface Outcome {
	readonly kind: ServerKind;
	readonly clients: number;
	readonly writes: number;
	readonly connectMs: number;
	readonly propagation: Summary;
	/** Ours: stored; Hocuspocus: SyncStatus (applied in memory); y-websocket: none. */
	readonly acknowledgement: Summary;
	readonly cpuSeconds: number;
	readonly windowSeconds: number;
	readonly peakRssBytes: number;
	readonly rssConnectedBytes: number;
	readonly lost: number;
	readonly deliveries: number;
	readonly divergent: number;
	readonly drainMs: number;
	readonly drained: boolean;
	readonly errors: readonly string[];
	readonly clientLoop: { readonly samples: number; readonly p50: number; readonly p99: number; readonly max: number };
	readonly writeLag: Summary;
	readonly clientCpuSeconds: number;
	/** Ours: its storage transactions from the first write to the end of the drain. */
	readonly commits: Commits | null;
}

/** Our relay's storage commits over a span, from its /metrics histogram (meridian_storage_commit_seconds). */
interface Commits {
	readonly transactions: number;
	readonly updates: number;
	readonly meanMs: number;
	/** The histogram bucket bound at or below which 99% of commits took, ms (an upper bound, not a sample). */
	readonly p99AtMostMs: number;
}

interface CommitCounters {
	readonly count: number;
	readonly sum: number;
	readonly stored: number;
	readonly buckets: readonly (readonly [number, number])[];
}

async function commitCounters(origin: string): Promise<CommitCounters> {
	const text = await (await fetch(`${origin.replace(/^ws/, 'http')}/metrics`)).text();
	const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
	const buckets = [...text.matchAll(/^meridian_storage_commit_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)].map((m) => [m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])] as const);
	return { count: value('meridian_storage_commit_seconds_count'), sum: value('meridian_storage_commit_seconds_sum'), stored: value('meridian_updates_stored_total'), buckets };
}

function commitsBetween(before: CommitCounters, after: CommitCounters): Commits {
	const transactions = after.count - before.count;
	const p99 = after.buckets.find(([, n], i) => n - (before.buckets[i]?.[1] ?? 0) >= 0.99 * transactions)?.[0] ?? NaN;
	return { transactions, updates: after.stored - before.stored, meanMs: ((after.sum - before.sum) * 1000) / transactions, p99AtMostMs: p99 * 1000 };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `write` on each participant at start + round × period + phase, for `rounds` rounds, and
 * `onMeasuring` just before the first write due after the warm-up; resolves after the last write.
 */
function writeOnSchedule(participants: readonly Participant[], start: number, period: number, rounds: number, recorder: Recorder, onMeasuring: () => void): Promise<void> {
	const order = [...participants].sort((a, b) => a.phase - b.phase);
	const total = rounds * order.length;
	let next = 0;
	let measuring = false;
	return new Promise((resolve) => {
		const tick = () => {
			let now = performance.now();
			let due = 0;
			while (next < total) {
				const participant = order[next % order.length]!;
				due = start + Math.floor(next / order.length) * period + participant.phase;
				if (due > now) break;
				if (due >= recorder.from) {
					if (!measuring) onMeasuring();
					measuring = true;
					recorder.writeLag.push(now - due);
				}
				participant.write();
				next++;
				now = performance.now();
			}
			if (next >= total) resolve();
			else setTimeout(tick, Math.max(0, due - now));
		};
		tick();
	});
}

/** Whether every reader holds every write of its document's other clients. */
function allDelivered(documents: readonly (readonly Participant[])[]): boolean {
	return documents.every((group) => group.every((reader) => group.every((writer) => writer === reader || (reader.seen.get(writer.id) ?? 0) >= writer.written)));
}

async function measure(kind: ServerKind): Promise<Outcome> {
	const clientsTotal = shape.documents * shape.clientsPerDocument;
	// BENCH_FANOUT_PROFILE=<dir>: each server writes a V8 CPU profile there when it stops (to find where its time goes).
	const profileDir = process.env.BENCH_FANOUT_PROFILE;
	const server = await startServer(kind, profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=100'] } : {});
	const recorder = new Recorder();
	const everyone: Participant[] = [];
	const documents: Participant[][] = [];
	const loop = monitorEventLoopDelay({ resolution: 10 });
	try {
		const token = await server.token(WORKSPACE);
		// 1000 ms between a client's writes; the writers of a document spread over it, the documents offset within each slot.
		const period = (1000 * shape.clientsPerDocument) / shape.updatesPerSecondPerDocument;
		const slot = period / shape.clientsPerDocument;
		const connectStarted = performance.now();
		for (let d = 0; d < shape.documents; d++) {
			const group: Participant[] = [];
			for (let j = 0; j < shape.clientsPerDocument; j++) {
				const client = new BenchClient({ server, room: `${WORKSPACE}/fanout-${d}`, token, sendLocalUpdates: false });
				const participant = new Participant(everyone.length, d, j * slot + (d / shape.documents) * slot, client, everyone, recorder);
				everyone.push(participant);
				group.push(participant);
			}
			documents.push(group);
			if (everyone.length % CONNECT_BATCH === 0 || d === shape.documents - 1) {
				await Promise.all(everyone.slice(-CONNECT_BATCH).map((participant) => participant.client.ready()));
			}
		}
		const connectMs = performance.now() - connectStarted;
		// Let the sync answers settle before the first write, so the peak and CPU below are the fan-out's.
		await sleep(500);
		const rssConnectedBytes = server.usage().rssBytes;
		const commitsBefore = kind === 'meridian' ? await commitCounters(server.origin) : null;
		server.resetPeak();

		const start = performance.now() + 100;
		recorder.from = start + shape.warmupSeconds * 1000;
		let before: Usage | null = null;
		let clientBefore: NodeJS.CpuUsage | undefined;
		await writeOnSchedule(everyone, start, period, shape.warmupSeconds + shape.seconds, recorder, () => {
			before = server.usage();
			clientBefore = process.cpuUsage();
			loop.enable();
		});
		loop.disable();

		const lastWrite = performance.now();
		while (!allDelivered(documents) && performance.now() - lastWrite < DRAIN_TIMEOUT_MS) await sleep(20);
		const drainMs = performance.now() - lastWrite;
		// Ours acknowledges after a group commit (a few ms): wait for those too, within the same bound.
		while (kind === 'meridian' && everyone.some((p) => p.acked < p.written) && performance.now() - lastWrite < DRAIN_TIMEOUT_MS) await sleep(20);
		// Judged when the losses are counted (below), so the two agree.
		const drained = allDelivered(documents);
		const after = server.usage();
		const commitsAfter = kind === 'meridian' ? await commitCounters(server.origin) : null;
		const clientAfter = process.cpuUsage(clientBefore);
		const windowSeconds = (performance.now() - recorder.from) / 1000;

		let lost = 0;
		let deliveries = 0;
		let divergent = 0;
		for (const group of documents) {
			for (const reader of group) {
				for (const writer of group) {
					if (writer === reader) continue;
					const state = Y.getState(reader.client.doc.store, writer.client.doc.clientID);
					deliveries += writer.written;
					lost += writer.endClock.filter((clock) => clock > state).length;
				}
			}
			const first = group[0]!;
			const vector = Buffer.from(Y.encodeStateVector(first.client.doc));
			const text = first.text.toString();
			if (group.some((p) => !vector.equals(Y.encodeStateVector(p.client.doc)) || p.text.toString() !== text)) divergent++;
		}
		const errors = everyone.flatMap((p) => (p.client.error ? [p.client.error.message] : []));
		const startUsage = before ?? after;
		return {
			kind,
			clients: clientsTotal,
			writes: everyone.reduce((sum, p) => sum + p.written, 0),
			connectMs,
			propagation: summarize(recorder.propagation),
			acknowledgement: summarize(recorder.acknowledgement),
			cpuSeconds: after.cpuSeconds - startUsage.cpuSeconds,
			windowSeconds,
			peakRssBytes: after.peakRssBytes,
			rssConnectedBytes,
			lost,
			deliveries,
			divergent,
			drainMs,
			drained,
			errors,
			// The histogram samples once per `resolution` timer turn: a starved loop yields few or none (then '–').
			clientLoop: loop.count === 0 ? { samples: 0, p50: NaN, p99: NaN, max: NaN } : { samples: loop.count, p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
			writeLag: summarize(recorder.writeLag),
			clientCpuSeconds: (clientAfter.user + clientAfter.system) / 1e6,
			commits: commitsBefore && commitsAfter ? commitsBetween(commitsBefore, commitsAfter) : null
		};
	} finally {
		loop.disable();
		await Promise.race([Promise.all(everyone.map((p) => p.client.close())), sleep(10_000)]);
		await server.stop();
	}
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;

function rowsOf(outcome: Outcome): Row[] {
	const label = labels[outcome.kind];
	const ours = outcome.kind === 'meridian';
	const { propagation: p, acknowledgement: a } = outcome;
	const rows: Row[] = [
		ours
			? goal(`${label}: propagation p50 / p99`, `${ms(p.p50)} / ${ms(p.p99)}`, 'p99 ≤ 20 ms', p.p99 <= 20)
			: info(`${label}: propagation p50 / p99`, `${ms(p.p50)} / ${ms(p.p99)}`)
	];
	if (ours) rows.push(goal(`${label}: stored acknowledgement p50 / p99`, `${ms(a.p50)} / ${ms(a.p99)}`, 'p99 ≤ 50 ms', a.p99 <= 50));
	const c = outcome.commits;
	if (c) {
		const perCommit = (c.updates / c.transactions).toFixed(1);
		const p99 = Number.isFinite(c.p99AtMostMs) ? `p99 ≤ ${ms(c.p99AtMostMs)}` : 'p99 beyond the histogram';
		rows.push(info(`${label}: storage commits (its /metrics)`, `${c.transactions} of ${perCommit} updates, mean ${ms(c.meanMs)}, ${p99}`));
	}
	if (outcome.kind === 'hocuspocus') rows.push(info(`${label}: SyncStatus p50 / p99 (applied in memory, not stored)`, `${ms(a.p50)} / ${ms(a.p99)}`));
	rows.push(info(`${label}: ${outcome.clients.toLocaleString('en')} sockets connected and synced`, `in ${ms(outcome.connectMs)} (${CONNECT_BATCH} at a time)`));
	const cpu = `${outcome.cpuSeconds.toFixed(1)} s (${((100 * outcome.cpuSeconds) / outcome.windowSeconds).toFixed(0)}% of a core)`;
	rows.push(info(`${label}: CPU over ${outcome.windowSeconds.toFixed(1)} s`, cpu));
	rows.push(
		ours
			? goal(`${label}: peak RSS`, `${mb(outcome.peakRssBytes)} (${mb(outcome.rssConnectedBytes)} connected, idle)`, '≤ 300 MB', outcome.peakRssBytes <= 300 * MB)
			: info(`${label}: peak RSS`, `${mb(outcome.peakRssBytes)} (${mb(outcome.rssConnectedBytes)} connected, idle)`)
	);
	const undelivered = outcome.drained ? '' : ` (not all delivered ${DRAIN_TIMEOUT_MS / 1000} s after the last write)`;
	rows.push(goal(`${label}: lost updates (of ${outcome.deliveries.toLocaleString('en')} deliveries)`, `${outcome.lost}${undelivered}`, '0', outcome.lost === 0));
	rows.push(goal(`${label}: documents whose replicas differ`, String(outcome.divergent), '0', outcome.divergent === 0));
	const firstError = outcome.errors[0] ? `: ${outcome.errors[0]}` : '';
	rows.push(goal(`${label}: socket errors and unexpected closes`, `${outcome.errors.length}${firstError}`, '0', outcome.errors.length === 0));
	// Not a goal of the relay's: whether the bench client kept its schedule, without which the latencies above measure the client.
	rows.push(
		goal(
			`${label}: bench client write lag p99 (loop delay p99 / max, CPU)`,
			`${ms(outcome.writeLag.p99)} (${ms(outcome.clientLoop.p99)} / ${ms(outcome.clientLoop.max)}, ${outcome.clientCpuSeconds.toFixed(1)} s)`,
			`≤ ${CLIENT_LAG_MS} ms`,
			outcome.writeLag.p99 <= CLIENT_LAG_MS
		)
	);
	return rows;
}

/** The comparison rows: ours against the best peer that completed. */
function comparisonRows(outcomes: readonly Outcome[]): Row[] {
	const ours = outcomes.find((o) => o.kind === 'meridian');
	const peers = outcomes.filter((o) => o.kind !== 'meridian');
	if (!ours || peers.length === 0) return [];
	const bestLatency = peers.reduce((best, o) => (o.propagation.p99 < best.propagation.p99 ? o : best));
	const bestMemory = peers.reduce((best, o) => (o.peakRssBytes < best.peakRssBytes ? o : best));
	return [
		goal(
			'p99 propagation: ours vs best peer',
			`${ms(ours.propagation.p99)} vs ${ms(bestLatency.propagation.p99)} (${bestLatency.kind})`,
			'ours ≤ best peer',
			ours.propagation.p99 <= bestLatency.propagation.p99
		),
		goal('peak RSS: ours vs best peer', `${mb(ours.peakRssBytes)} vs ${mb(bestMemory.peakRssBytes)} (${bestMemory.kind})`, 'ours ≤ best peer', ours.peakRssBytes <= bestMemory.peakRssBytes)
	];
}

/**
 * Runs the clients' Yjs paths (a typed word and a marker, encoded, applied to another replica,
 * observed) a few thousand times with no server, so the first server measured does not pay for
 * the client's JIT warming up while the others don't.
 */
function warmClient(): void {
	const writer = new Y.Doc();
	const reader = new Y.Doc();
	const marks = reader.getMap<Mark>('marks');
	let seen = 0;
	marks.observe((event) => (seen += event.keysChanged.size));
	writer.on('update', (update: Uint8Array) => Y.applyUpdate(reader, update, 'remote'));
	for (let seq = 1; seq <= 5000; seq++) {
		writer.transact(() => {
			writer.getText('body').insert(writer.getText('body').length, `${words[seq % words.length]} `);
			writer.getMap<Mark>('marks').set('0', { seq, at: performance.now() });
		});
	}
	if (seen !== 5000) throw new Error(`client warm-up: ${seen} of 5000 markers observed`);
}

export const relayFanout: Scenario = {
	group: 'fanout',
	name: `relay fan-out: ${(shape.documents * shape.clientsPerDocument).toLocaleString('en')} clients × ${shape.documents} documents, ${shape.updatesPerSecondPerDocument} updates/s each, ${shape.seconds} s${quick ? ' (quick)' : ''}`,
	async run(): Promise<ScenarioResult> {
		const outcomes: Outcome[] = [];
		const failures: Row[] = [];
		warmClient();
		for (const kind of chosenKinds) {
			try {
				outcomes.push(await measure(kind));
			} catch (error) {
				failures.push(goal(`${labels[kind]}: run`, `failed: ${error instanceof Error ? error.message : String(error)}`, 'completes', false));
			}
			// The sockets' close handshakes and the kernel's TIME_WAIT sockets settle before the next server starts.
			await sleep(1000);
		}
		return {
			rows: [
				info('shape', `${shape.documents} documents × ${shape.clientsPerDocument} clients, 1 write/s each, ${shape.warmupSeconds} s warm-up + ${shape.seconds} s measured`),
				...outcomes.flatMap(rowsOf),
				...comparisonRows(outcomes),
				...failures
			],
			data: { shape, quick, outcomes }
		};
	}
};
