/**
 * A deterministic in-memory network of Y.Doc replicas, after Yjs's tests/testHelper.js TestConnector.
 *
 * Every replica has an outbound queue per peer. Nothing moves until the test says so: a seeded
 * PRNG picks which queued message is delivered next (any link, any position in the queue, so
 * updates arrive out of order), sometimes delivers a message and keeps a copy queued (so it
 * arrives twice), and disconnects or reconnects replicas. A disconnect loses every message in
 * flight to or from the replica; a reconnect heals by the y-protocols handshake (sync step 1 with
 * the state vector, step 2 with the diff) with every replica online, as the relay does.
 *
 * The same seed always gives the same run, provided the test also makes its own choices with
 * `network.gen` and gives replicas fixed client ids (the network does: Yjs orders concurrent
 * inserts by client id, so random ids would make every run different).
 */
import * as Y from 'yjs';
import * as prng from 'lib0/prng';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import { expect } from 'vitest';
import { Origin } from '../../src/lib/model/index.ts';

export interface TestNetworkOptions {
	readonly replicas: number;
	readonly seed: number;
	/** Makes each replica's document (default `new Y.Doc()`); its client id is then fixed by the network. */
	readonly createDoc?: (index: number) => Y.Doc;
	/** Chance that a delivered message stays queued and is delivered again later. */
	readonly duplicateProbability?: number;
	/** Transaction origin of everything applied from the network (default: the relay's). */
	readonly origin?: unknown;
}

/** What `step()` may do, with weights; delivery dominates so that queues drain as the test runs. */
export interface StepWeights {
	readonly deliver: number;
	readonly disconnect: number;
	readonly reconnect: number;
}

const defaultWeights: StepWeights = { deliver: 90, disconnect: 4, reconnect: 6 };

export class TestNetwork {
	readonly gen: prng.PRNG;
	readonly docs: readonly Y.Doc[];
	readonly origin: unknown;
	readonly #duplicateProbability: number;
	/** #queues[from][to]: encoded y-protocols sync messages from `from` waiting for `to`. */
	readonly #queues: Uint8Array[][][];
	readonly #online: boolean[];
	#delivered = 0;

	constructor(options: TestNetworkOptions) {
		const { replicas, seed, createDoc = () => new Y.Doc() } = options;
		this.gen = prng.create(seed);
		this.origin = options.origin ?? Origin.relay;
		this.#duplicateProbability = options.duplicateProbability ?? 0.05;
		const clientIds = new Set<number>();
		const docs: Y.Doc[] = [];
		for (let i = 0; i < replicas; i++) {
			const doc = createDoc(i);
			let client = prng.uint32(this.gen, 1, 0xffffffff);
			while (clientIds.has(client)) client = prng.uint32(this.gen, 1, 0xffffffff);
			clientIds.add(client);
			doc.clientID = client;
			docs.push(doc);
		}
		this.docs = docs;
		this.#queues = docs.map(() => docs.map(() => []));
		this.#online = docs.map(() => true);
		docs.forEach((doc, from) => {
			doc.on('update', (update: Uint8Array, origin: unknown) => {
				// What arrived from the network is not forwarded: every replica talks to every other.
				if (origin === this.origin || !this.#online[from]) return;
				const encoder = encoding.createEncoder();
				syncProtocol.writeUpdate(encoder, update);
				this.#broadcast(from, encoding.toUint8Array(encoder));
			});
		});
	}

	get replicas(): number {
		return this.docs.length;
	}

	/** How many messages have been delivered so far (duplicates included). */
	get delivered(): number {
		return this.#delivered;
	}

	doc(index: number): Y.Doc {
		const doc = this.docs[index];
		if (!doc) throw new Error(`There is no replica ${index}.`);
		return doc;
	}

	isOnline(index: number): boolean {
		return this.#online[index] === true;
	}

	pendingMessages(): number {
		let count = 0;
		for (const row of this.#queues) for (const queue of row) count += queue.length;
		return count;
	}

	/** Takes a replica off the network; whatever was in flight to or from it is lost. */
	disconnect(index: number): void {
		if (!this.isOnline(index)) return;
		this.#online[index] = false;
		for (let peer = 0; peer < this.replicas; peer++) {
			this.#queue(index, peer).length = 0;
			this.#queue(peer, index).length = 0;
		}
	}

	/** Puts a replica back and starts the handshake with every online peer, in both directions. */
	connect(index: number): void {
		if (this.isOnline(index)) return;
		this.#online[index] = true;
		for (let peer = 0; peer < this.replicas; peer++) {
			if (peer === index || !this.isOnline(peer)) continue;
			this.#queue(index, peer).push(syncStep1(this.doc(index)));
			this.#queue(peer, index).push(syncStep1(this.doc(peer)));
		}
	}

	disconnectRandom(): boolean {
		const online = this.docs.map((_, i) => i).filter((i) => this.isOnline(i));
		if (online.length === 0) return false;
		this.disconnect(prng.oneOf(this.gen, online));
		return true;
	}

	reconnectRandom(): boolean {
		const offline = this.docs.map((_, i) => i).filter((i) => !this.isOnline(i));
		if (offline.length === 0) return false;
		this.connect(prng.oneOf(this.gen, offline));
		return true;
	}

	/**
	 * Delivers one queued message, chosen at random among all links and all positions in the
	 * link's queue. Returns false when nothing is queued.
	 */
	deliverRandom(): boolean {
		const links: Array<[number, number]> = [];
		this.#queues.forEach((row, from) =>
			row.forEach((queue, to) => {
				if (queue.length > 0) links.push([from, to]);
			})
		);
		if (links.length === 0) return false;
		const [from, to] = prng.oneOf(this.gen, links);
		const queue = this.#queue(from, to);
		const at = prng.uint32(this.gen, 0, queue.length - 1);
		const message = queue[at];
		if (message === undefined) throw new Error('unreachable: picked an empty queue slot');
		if (prng.real53(this.gen) >= this.#duplicateProbability) queue.splice(at, 1);
		this.#receive(from, to, message);
		return true;
	}

	/** One random network event: usually a delivery, sometimes a disconnect or a reconnect. */
	step(weights: StepWeights = defaultWeights): void {
		const roll = prng.uint32(this.gen, 0, weights.deliver + weights.disconnect + weights.reconnect - 1);
		if (roll < weights.deliver) this.deliverRandom();
		else if (roll < weights.deliver + weights.disconnect) this.disconnectRandom();
		else this.reconnectRandom();
	}

	/** Reconnects everyone and delivers messages (in random order) until no queue holds any. */
	flushAll(): void {
		for (let i = 0; i < this.replicas; i++) this.connect(i);
		// Each delivery keeps its message with the duplicate probability, so this ends with
		// probability one; the bound turns a protocol loop into a failure instead of a hang.
		for (let guard = 0; this.deliverRandom(); guard++) {
			if (guard > 1_000_000) throw new Error('The network did not go quiet after a million deliveries.');
		}
	}

	/**
	 * Asserts that every replica holds the same document: same state vector, same delete set
	 * (`Y.equalSnapshots`), same content as read by `content`, and nothing waiting in the store for
	 * missing structs or deletions. Call after `flushAll()`.
	 */
	assertConverged(content: (doc: Y.Doc) => unknown): void {
		const first = this.doc(0);
		const expectedVector = Y.encodeStateVector(first);
		const expectedSnapshot = Y.snapshot(first);
		const expectedContent = content(first);
		this.docs.forEach((doc, i) => {
			expect(doc.store.pendingStructs, `replica ${i} has pending structs`).toBeNull();
			expect(doc.store.pendingDs, `replica ${i} has a pending delete set`).toBeNull();
			if (i === 0) return;
			expect(Y.encodeStateVector(doc), `state vector of replica ${i}`).toEqual(expectedVector);
			expect(Y.equalSnapshots(Y.snapshot(doc), expectedSnapshot), `delete set of replica ${i}`).toBe(true);
			expect(content(doc), `content of replica ${i}`).toEqual(expectedContent);
		});
	}

	destroy(): void {
		for (const doc of this.docs) doc.destroy();
	}

	#queue(from: number, to: number): Uint8Array[] {
		const queue = this.#queues[from]?.[to];
		if (!queue) throw new Error(`There is no link ${from} → ${to}.`);
		return queue;
	}

	#broadcast(from: number, message: Uint8Array): void {
		for (let to = 0; to < this.replicas; to++) {
			if (to !== from && this.isOnline(to)) this.#queue(from, to).push(message);
		}
	}

	#receive(from: number, to: number, message: Uint8Array): void {
		this.#delivered++;
		const reply = encoding.createEncoder();
		syncProtocol.readSyncMessage(decoding.createDecoder(message), reply, this.doc(to), this.origin);
		// Step 1 is answered with step 2 (the diff the sender lacks), sent back on the reverse link.
		if (encoding.length(reply) > 0) this.#queue(to, from).push(encoding.toUint8Array(reply));
	}
}

function syncStep1(doc: Y.Doc): Uint8Array {
	const encoder = encoding.createEncoder();
	syncProtocol.writeSyncStep1(encoder, doc);
	return encoding.toUint8Array(encoder);
}
