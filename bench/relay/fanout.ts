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
 * sees one update per millisecond and each document one per 100 ms, never a burst. A document's
 * writes are made in one Y.Doc (`Authoring`), each under its writer's client id: the update that
 * writer's client would send holding the document as it is (see Authoring for when that differs).
 * Readers no longer time by the marker (the writers' table gives each write's send time); it stays
 * so that the updates keep the shape the servers were measured with (an overwrite, so a deletion,
 * in every write).
 *
 * The client is kept light, because it shares two cores with the server it measures (one process,
 * not worker threads: a second client thread would only take CPU from the relay). Readers apply
 * nothing while the clock runs: each received update's structs say which writes it carries (client
 * id and clock, looked up in the writers' table of this process), and the update is kept; each
 * client's replica is built from what it sent and received after the run, off the clock. Applying
 * ~9,000 updates a second to 1,000 docs took most of the client's core (bench/README.md).
 *
 * What the figures include:
 * - Propagation: from just before the writer's transaction to the moment the reader's socket
 *   delivered the message that completed the write (BenchClient's receive time, taken before any
 *   decoding, the same for every server and dialect), on one clock (all clients in this process,
 *   performance.now()). A message carrying several writes (a merged burst) times each of them. It
 *   includes the writer's transaction and socket write, the loopback, the relay, and the reader's
 *   queueing until its socket is read — so it is an upper bound on the relay's share. The
 *   client's write lag (how late each write left against its schedule; a goal, ≤ CLIENT_LAG_MS at
 *   p99), event-loop delay (beyond its sampling interval) and CPU are reported beside the
 *   latencies, so a run in which the client, not the server, was the bottleneck is marked as such.
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
 * - Lost updates: after the last write, readers get DRAIN_TIMEOUT_MS to catch up; then each
 *   client's replica is built and every (update, reader) pair whose update is missing from the
 *   replica's state vector is lost (a writer's updates are causally ordered, so a gap would leave
 *   later ones pending, not integrated). Every document's replicas must also end with the state
 *   vector and text of its Authoring doc, which holds every write made.
 *
 * The peers keep documents in memory; ours writes each update to disk before acknowledging it.
 * BENCH_QUICK=1 runs 200 clients over 20 documents for 5 s, for development;
 * BENCH_FANOUT_SERVERS=hocuspocus,meridian picks and orders the servers; BENCH_FANOUT_PROFILE=<dir>
 * writes each server's V8 CPU profile there; BENCH_FANOUT_NODE_ARGS and BENCH_FANOUT_PIN below.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as random from 'lib0/random';
import { Arrivals } from './arrivals.ts';
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
/** BENCH_FANOUT_NODE_ARGS='--max-semi-space-size=4': V8/node options for every server's node (to try one on all three alike). */
const serverNodeArgs = process.env.BENCH_FANOUT_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
/**
 * BENCH_FANOUT_PIN=1: the client on one core, each server on the other (every thread of each, with
 * `taskset -a`). Off by default: see bench/README.md, "Pinning", for the figures.
 */
const pinned = process.env.BENCH_FANOUT_PIN === '1';
const CLIENT_CPU = '0';
const SERVER_CPU = '1';
const DRAIN_TIMEOUT_MS = 10_000;
/** How late the client may send a write (p99) for the run to measure the server rather than the client. */
const CLIENT_LAG_MS = 5;
/** Event-loop delay sampling interval, ms. */
const LOOP_RESOLUTION_MS = 10;
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

/**
 * Where a document's writes are made: one Y.Doc holding every write of the document, each made
 * under its writer's client id. A writer's update is then the one its own client would send with
 * every earlier write of the document integrated — which a client has when propagation is below the
 * 100 ms between a document's writes — without 1,000 client docs applying 9,000 updates a second
 * to keep them current (the client's whole core, the cause of its write lag). Yjs itself reassigns
 * `clientID` between transactions; only local transactions happen here, so it never does.
 * Where it differs from a client: when a write is more than 100 ms behind (a starved run, marked by
 * the write-lag row), the next writer's update already refers to it; a server that has not read it
 * yet holds the newer one as pending until it does, and a reader's replica does the same.
 */
class Authoring {
	readonly doc = new Y.Doc();
	readonly text = this.doc.getText('body');
	readonly marks = this.doc.getMap<Mark>('marks');
	#update: Uint8Array | null = null;

	constructor() {
		// The update Yjs encodes for the transaction is the message's payload: nothing is encoded twice.
		this.doc.on('update', (update: Uint8Array) => (this.#update = update));
	}

	/** Appends `word` and sets the writer's marker, as client `clientId`; returns the transaction's update. */
	write(clientId: number, word: string, mark: Mark): Uint8Array {
		this.doc.clientID = clientId;
		this.#update = null;
		this.doc.transact(() => {
			this.text.insert(this.text.length, word);
			this.marks.set(String(clientId), mark);
		});
		if (!this.#update) throw new Error('a write made no update');
		return this.#update;
	}

	/** The client's clock after its writes so far (a write is integrated in a replica whose state for `clientId` reaches it). */
	clock(clientId: number): number {
		return Y.getState(this.doc.store, clientId);
	}
}

/**
 * One client: writes on its schedule (in its document's `Authoring` doc, sent on its own socket),
 * and records what it receives from the others in its document. While recording, its client
 * applies nothing: each received update is kept, in order, and identified from its structs —
 * which writer, which clocks — against the writers' table of sent writes in this process; the
 * replica is built from them after the run (`buildReplica`), off the clock.
 */
class Participant {
	readonly id: number;
	readonly document: number;
	/** Its offset within each second of writing, ms. */
	readonly phase: number;
	readonly client: BenchClient;
	/** Its Yjs client id, under which its writes are made. */
	readonly clientId: number;
	readonly #authoring: Authoring;
	/** Per write (index seq - 1): when it was sent, the writer's clock after it, and the message count a stored(count) must reach to cover it. */
	readonly sentAt: number[] = [];
	readonly endClock: number[] = [];
	readonly messageCount: number[] = [];
	/** Own writes acknowledged so far. */
	acked = 0;
	/** The other writers' writes that have arrived here (a struct of another document's client would be a server's error, and is counted nowhere). */
	readonly arrivals: Arrivals<Participant>;
	/**
	 * What its replica integrates, in the order its client would have: its own writes as it makes
	 * them and every update received while recording, as it arrives (a varUint8Array each). In
	 * another order, a write whose dependencies come later waits in Yjs's pending structs, which
	 * are retried on every update (quadratic: 1 s instead of 0.2 s for the quick run's replicas).
	 */
	readonly #log = encoding.createEncoder();

	constructor(id: number, document: number, phase: number, client: BenchClient, authoring: Authoring, writers: Map<number, Participant>, recorder: Recorder) {
		this.id = id;
		this.document = document;
		this.phase = phase;
		this.client = client;
		this.#authoring = authoring;
		this.arrivals = new Arrivals(writers, this, (writer, write, receivedAt) => {
			const sentAt = writer.sentAt[write]!;
			if (sentAt >= recorder.from) recorder.propagation.push(receivedAt - sentAt);
		});
		do this.clientId = random.uint32();
		while (writers.has(this.clientId));
		writers.set(this.clientId, this);
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

	/** From now on, received updates are recorded, not applied (call once the client has synced). */
	record(): void {
		this.client.onRemoteUpdate = (update, receivedAt) => {
			encoding.writeVarUint8Array(this.#log, update);
			this.arrivals.receive(update, receivedAt);
		};
	}

	/**
	 * Applies its log to its client's doc (which holds what the server sent at connect), in one
	 * transaction: the replica the lost-update and equality checks read, the one its client would
	 * hold had it applied each update as it came.
	 */
	buildReplica(): void {
		this.client.onRemoteUpdate = null;
		const doc = this.client.doc;
		const log = decoding.createDecoder(encoding.toUint8Array(this.#log));
		doc.transact(() => {
			while (decoding.hasContent(log)) Y.applyUpdate(doc, decoding.readVarUint8Array(log), this.client);
		}, this.client);
	}

	write(): void {
		const seq = this.sentAt.length + 1;
		const at = performance.now();
		const update = this.#authoring.write(this.clientId, `${words[(this.id + seq) % words.length]} `, { seq, at });
		this.client.sendUpdate(update);
		encoding.writeVarUint8Array(this.#log, update);
		this.sentAt.push(at);
		this.endClock.push(this.#authoring.clock(this.clientId));
		this.messageCount.push(this.client.sent);
	}
}

interface Outcome {
	readonly kind: ServerKind;
	readonly clients: number;
	readonly writes: number;
	readonly connectMs: number;
	readonly propagation: Summary;
	/** (write, reader) pairs of the measured writes: all of them should be in `propagation`. */
	readonly measuredDeliveries: number;
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
	/** Of which in the kernel (the sockets' system calls), s. */
	readonly clientSystemSeconds: number;
	/** Building the clients' replicas after the run (off the clock). */
	readonly replicaMs: number;
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

/** An event-loop delay histogram's value (ns) less the sampling interval, ms. */
const beyondInterval = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);

/** Sets the CPU affinity of every thread of process `pid` (threads it starts later inherit it). */
function pin(pid: number, cpus: string): void {
	execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
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
	return documents.every((group) => group.every((reader) => group.every((writer) => writer === reader || reader.arrivals.count(writer) >= writer.written)));
}

async function measure(kind: ServerKind): Promise<Outcome> {
	const clientsTotal = shape.documents * shape.clientsPerDocument;
	// BENCH_FANOUT_PROFILE=<dir>: each server writes a V8 CPU profile there when it stops (to find where its time goes).
	const profileDir = process.env.BENCH_FANOUT_PROFILE;
	const nodeArgs = [...serverNodeArgs, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=100'] : [])];
	const server = await startServer(kind, { nodeArgs });
	if (pinned) pin(server.pid, SERVER_CPU);
	const recorder = new Recorder();
	const everyone: Participant[] = [];
	const documents: Participant[][] = [];
	const authoring: Authoring[] = [];
	const writers = new Map<number, Participant>();
	const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
	try {
		const token = await server.token(WORKSPACE);
		// 1000 ms between a client's writes; the writers of a document spread over it, the documents offset within each slot.
		const period = (1000 * shape.clientsPerDocument) / shape.updatesPerSecondPerDocument;
		const slot = period / shape.clientsPerDocument;
		const connectStarted = performance.now();
		for (let d = 0; d < shape.documents; d++) {
			const group: Participant[] = [];
			authoring.push(new Authoring());
			for (let j = 0; j < shape.clientsPerDocument; j++) {
				const client = new BenchClient({ server, room: `${WORKSPACE}/fanout-${d}`, token, sendLocalUpdates: false });
				const participant = new Participant(everyone.length, d, j * slot + (d / shape.documents) * slot, client, authoring[d]!, writers, recorder);
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
		for (const participant of everyone) participant.record();
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

		// Off the clock: every client's replica, from what it sent and received.
		const replicaStarted = performance.now();
		for (const participant of everyone) participant.buildReplica();
		const replicaMs = performance.now() - replicaStarted;
		let lost = 0;
		let deliveries = 0;
		let divergent = 0;
		for (const group of documents) {
			for (const reader of group) {
				for (const writer of group) {
					if (writer === reader) continue;
					const state = Y.getState(reader.client.doc.store, writer.clientId);
					deliveries += writer.written;
					lost += writer.endClock.filter((clock) => clock > state).length;
				}
			}
			// Every replica equals the document's authoring doc, which holds every write made.
			const { doc } = authoring[group[0]!.document]!;
			const vector = Buffer.from(Y.encodeStateVector(doc));
			const text = doc.getText('body').toString();
			if (group.some((p) => !vector.equals(Y.encodeStateVector(p.client.doc)) || p.client.doc.getText('body').toString() !== text)) divergent++;
		}
		const errors = everyone.flatMap((p) => (p.client.error ? [p.client.error.message] : []));
		const startUsage = before ?? after;
		return {
			kind,
			clients: clientsTotal,
			writes: everyone.reduce((sum, p) => sum + p.written, 0),
			connectMs,
			propagation: summarize(recorder.propagation),
			measuredDeliveries: everyone.reduce((sum, p) => sum + p.sentAt.filter((at) => at >= recorder.from).length, 0) * (shape.clientsPerDocument - 1),
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
			// Its samples are the whole time between two turns (an idle loop's p50 is ~10.2 ms): the delay is what exceeds the interval.
			clientLoop:
				loop.count === 0
					? { samples: 0, p50: NaN, p99: NaN, max: NaN }
					: { samples: loop.count, p50: beyondInterval(loop.percentile(50)), p99: beyondInterval(loop.percentile(99)), max: beyondInterval(loop.max) },
			writeLag: summarize(recorder.writeLag),
			clientCpuSeconds: (clientAfter.user + clientAfter.system) / 1e6,
			clientSystemSeconds: clientAfter.system / 1e6,
			replicaMs,
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
	const timed = p.n === outcome.measuredDeliveries ? '' : ` (only ${p.n.toLocaleString('en')} of ${outcome.measuredDeliveries.toLocaleString('en')} deliveries timed)`;
	const rows: Row[] = [
		ours
			? goal(`${label}: propagation p50 / p99`, `${ms(p.p50)} / ${ms(p.p99)}${timed}`, 'p99 ≤ 20 ms', p.p99 <= 20)
			: info(`${label}: propagation p50 / p99`, `${ms(p.p50)} / ${ms(p.p99)}${timed}`)
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
 * Runs the clients' paths on the clock (a write made in an Authoring doc, a received update's
 * structs decoded and kept) a few thousand times with no server, so the first server measured does
 * not pay for the client's JIT warming up while the others don't.
 */
function warmClient(): void {
	const authoring = new Authoring();
	const writers = new Map(Array.from({ length: 10 }, (_, i) => [i + 1, { endClock: [] as number[] }] as const));
	let arrived = 0;
	const arrivals = new Arrivals(writers, null, () => arrived++);
	const kept = encoding.createEncoder();
	for (let seq = 1; seq <= 5000; seq++) {
		const client = 1 + (seq % 10);
		const update = authoring.write(client, `${words[seq % words.length]} `, { seq, at: performance.now() });
		writers.get(client)!.endClock.push(authoring.clock(client));
		encoding.writeVarUint8Array(kept, update);
		arrivals.receive(update, performance.now());
	}
	if (arrived !== 5000) throw new Error(`client warm-up: ${arrived} of 5000 writes arrived`);
}

export const relayFanout: Scenario = {
	group: 'fanout',
	name: `relay fan-out: ${(shape.documents * shape.clientsPerDocument).toLocaleString('en')} clients × ${shape.documents} documents, ${shape.updatesPerSecondPerDocument} updates/s each, ${shape.seconds} s${quick ? ' (quick)' : ''}`,
	async run(): Promise<ScenarioResult> {
		const outcomes: Outcome[] = [];
		const failures: Row[] = [];
		if (pinned) pin(process.pid, CLIENT_CPU);
		try {
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
		} finally {
			if (pinned) pin(process.pid, `0-${availableParallelism() - 1}`);
		}
		const setup = [pinned ? `client on CPU ${CLIENT_CPU}, servers on CPU ${SERVER_CPU}` : '', serverNodeArgs.length > 0 ? `servers' node ${serverNodeArgs.join(' ')}` : ''].filter(Boolean).join('; ');
		return {
			rows: [
				info('shape', `${shape.documents} documents × ${shape.clientsPerDocument} clients, 1 write/s each, ${shape.warmupSeconds} s warm-up + ${shape.seconds} s measured${setup ? ` (${setup})` : ''}`),
				...outcomes.flatMap(rowsOf),
				...comparisonRows(outcomes),
				...failures
			],
			data: { shape, quick, pinned, serverNodeArgs, outcomes }
		};
	}
};
