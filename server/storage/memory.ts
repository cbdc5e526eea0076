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

	async load(room: string): Promise<StoredRow[]> {
		this.#check();
		if (this.failLoad) throw this.failLoad;
		return (this.#rows.get(room) ?? []).map((row) => ({ seq: row.seq, update: row.update.slice() }));
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

	async compact(room: string, merged: Uint8Array, upToSeq: number): Promise<void> {
		this.#check();
		const rows = this.#rows.get(room) ?? [];
		const kept = rows.filter((row) => row.seq > upToSeq);
		for (const row of rows) if (row.seq <= upToSeq) this.#bytes -= row.update.byteLength;
		this.#rows.set(room, [{ seq: upToSeq, update: merged.slice() }, ...kept]);
		this.#bytes += merged.byteLength;
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
