/**
 * Which writes a bench reader has received, told from the bytes of the updates it was sent, without
 * applying them: each struct of an update names its writer (Yjs client id) and clock range, which
 * the writers' table of the same process maps to writes (each write's clock after it). A write has
 * arrived once every struct up to its end clock has, with no gap — as Yjs would integrate it — so
 * a message carrying several writes (a relay's merged burst) delivers each of them, and one that
 * comes before an earlier one it follows counts only when the gap fills.
 *
 * Not modelled: a struct whose origin is another writer's struct that has not arrived (Yjs would
 * hold it as pending). The writers here write one after another, so that happens only if a server
 * forwards a document's writes out of order; the lost-update check on the replicas still sees it.
 */
import * as Y from 'yjs';

/** A writer's writes, in order, as its table holds them. */
export interface Writer {
	/** The writer's Yjs clock after each write. */
	readonly endClock: readonly number[];
}

export class Arrivals<W extends Writer> {
	/** Writers by Yjs client id; structs of other clients (and of `self`) are not counted. */
	readonly #writers: ReadonlyMap<number, W>;
	readonly #self: W | null;
	/** Called once per write as it arrives (`write`: its index), with the receive time of the message that completed it. */
	readonly #onArrived: (writer: W, write: number, receivedAt: number) => void;
	readonly #count = new Map<W, number>();
	/** Per writer: the clock below which all its structs have arrived. */
	readonly #arrivedTo = new Map<W, number>();
	/** Struct ranges that arrived beyond a gap in their writer's clock. */
	#ahead: { writer: W; from: number; to: number }[] = [];

	constructor(writers: ReadonlyMap<number, W>, self: W | null, onArrived: (writer: W, write: number, receivedAt: number) => void) {
		this.#writers = writers;
		this.#self = self;
		this.#onArrived = onArrived;
	}

	/** How many of `writer`'s writes have arrived. */
	count(writer: W): number {
		return this.#count.get(writer) ?? 0;
	}

	/** Counts what a received update (y-protocols' update or sync step 2 payload) carries. */
	receive(update: Uint8Array, receivedAt: number): void {
		for (const struct of Y.decodeUpdate(update).structs) {
			// A Skip is a gap a merge of updates left, not content.
			if (struct instanceof Y.Skip) continue;
			const writer = this.#writers.get(struct.id.client);
			if (writer && writer !== this.#self) this.#arrived(writer, struct.id.clock, struct.id.clock + struct.length, receivedAt);
		}
	}

	#arrived(writer: W, from: number, to: number, receivedAt: number): void {
		const arrivedTo = this.#arrivedTo.get(writer) ?? 0;
		if (from > arrivedTo) {
			this.#ahead.push({ writer, from, to });
			return;
		}
		if (to <= arrivedTo) return;
		this.#arrivedTo.set(writer, to);
		let count = this.count(writer);
		while (count < writer.endClock.length && writer.endClock[count]! <= to) this.#onArrived(writer, count++, receivedAt);
		this.#count.set(writer, count);
		if (this.#ahead.length === 0) return;
		// The gap may have closed: every range held back is looked at again (those still beyond one go back).
		const ahead = this.#ahead;
		this.#ahead = [];
		for (const range of ahead) this.#arrived(range.writer, range.from, range.to, receivedAt);
	}
}
