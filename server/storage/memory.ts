/**
 * An in-memory Store for unit tests. It keeps the contract (ordering, atomic append, compaction)
 * and can be told to fail, so tests can exercise the relay's retry and failed-load paths.
 */
import type { AppendEntry, Store, StoredRow } from './types.ts';

export class MemoryStore implements Store {
	#rows = new Map<string, StoredRow[]>();
	#seq = 0;
	#bytes = 0;
	#closed = false;
	/** When set, the next append/load/compact calls throw this error (until cleared). */
	failAppend: Error | null = null;
	failLoad: Error | null = null;
	/** Loads of these rooms throw their error (a room whose rows cannot be read). */
	readonly failLoadOf = new Map<string, Error>();
	/** Rows moved aside by `quarantine`, in the order they were. */
	readonly quarantined: { room: string; seq: number; update: Uint8Array; reason: string }[] = [];

	async load(room: string): Promise<StoredRow[]> {
		this.#check();
		if (this.failLoad) throw this.failLoad;
		const failure = this.failLoadOf.get(room);
		if (failure) throw failure;
		return (this.#rows.get(room) ?? []).map((row) => ({
			seq: row.seq,
			update: row.update.slice(),
			...(row.storedStateVector ? { verified: true, storedStateVector: row.storedStateVector.slice() } : {})
		}));
	}

	async append(entries: readonly AppendEntry[]): Promise<number[]> {
		this.#check();
		if (this.failAppend) throw this.failAppend;
		const seqs: number[] = [];
		for (const { room, update } of entries) {
			const seq = ++this.#seq;
			let rows = this.#rows.get(room);
			if (!rows) this.#rows.set(room, (rows = []));
			rows.push({ seq, update: update.slice() });
			this.#bytes += update.byteLength;
			seqs.push(seq);
		}
		return seqs;
	}

	async compact(room: string, merged: Uint8Array, upToSeq: number, stateVector?: Uint8Array): Promise<void> {
		this.#check();
		const rows = this.#rows.get(room) ?? [];
		const kept = rows.filter((row) => row.seq > upToSeq);
		for (const row of rows) if (row.seq <= upToSeq) this.#bytes -= row.update.byteLength;
		this.#rows.set(room, [{ seq: upToSeq, update: merged.slice(), ...(stateVector ? { storedStateVector: stateVector.slice() } : {}) }, ...kept]);
		this.#bytes += merged.byteLength;
	}

	async quarantine(room: string, seq: number, reason: string): Promise<void> {
		this.#check();
		const rows = this.#rows.get(room) ?? [];
		const index = rows.findIndex((row) => row.seq === seq);
		if (index < 0) return;
		const [row] = rows.splice(index, 1);
		this.#bytes -= row!.update.byteLength;
		this.quarantined.push({ room, seq, update: row!.update, reason });
	}

	quarantinedCount(): number {
		return this.quarantined.length;
	}

	storedBytes(): number {
		return this.#bytes;
	}

	/** Test hook: overwrite a stored row's bytes (to simulate on-disk corruption). */
	corrupt(room: string, index: number, bytes: Uint8Array): void {
		const rows = this.#rows.get(room);
		const row = rows?.[index];
		if (!rows || !row) throw new Error(`no row ${index} in ${room}`);
		rows[index] = { seq: row.seq, update: bytes.slice() };
	}

	async close(): Promise<void> {
		this.#closed = true;
	}

	#check(): void {
		if (this.#closed) throw new Error('store is closed');
	}
}
