/**
 * The relay's storage contract. A room's document is the ordered list of updates stored for it;
 * loading applies them in `seq` order. Every implementation passes tests/unit/storage-contract.test.ts.
 *
 * Invariants every implementation keeps:
 * - `append` is one transaction: after its promise resolves, every entry is durable; after it
 *   rejects, none is (the caller keeps them and retries).
 * - `seq` is strictly increasing in append order across the whole store (so a room's rows are
 *   ordered, and `compact` can name "everything up to here").
 * - `compact` replaces a room's rows with seq ≤ upToSeq by one row (at seq = upToSeq) in one
 *   transaction; rows after upToSeq are kept, so updates committed meanwhile are never lost.
 * - A row that does not decode is returned as stored (a store with `decodesRows` marks it with a
 *   `problem`). Deciding that a row is corrupt is the loader's job (./checked.ts); the store then
 *   moves it aside with `quarantine`, in one transaction, never deleting it.
 */
export interface StoredRow {
	readonly seq: number;
	readonly update: Uint8Array;
	/**
	 * Set when the store knows the bytes are not what was written (a checksum mismatch): the
	 * loader quarantines the row without looking further.
	 */
	readonly problem?: string;
	/**
	 * The store checked the bytes against a checksum written with them (SQLite's CRC-32): they are
	 * the bytes the relay wrote, which applied on the relay when they were written (an accepted
	 * write) or were encoded from its document (a compaction). Rows of older databases, written
	 * before the checksum, are not.
	 */
	readonly verified?: boolean;
	/**
	 * A room's only row: its state vector, read when the loader checked it (checkRows,
	 * ./checked.ts) — what the room greets joins with before it builds its document.
	 */
	readonly stateVector?: Uint8Array;
	/**
	 * The state vector stored with the row by `compact` (with a checksum of its own: one that fails
	 * it is left out), on a `verified` row: the loader takes it as the row's instead of reading it
	 * off the bytes.
	 */
	readonly storedStateVector?: Uint8Array;
}

export interface AppendEntry {
	readonly room: string;
	readonly update: Uint8Array;
}

export interface Store {
	/** All rows of a room, in seq order. Empty for a room never written. */
	load(room: string): Promise<StoredRow[]>;
	/**
	 * True when `load` itself does what `checkRows` (./checked.ts) does — `problem` on every row it
	 * finds one for, a lone row's `stateVector` (the worker store checks on its own thread), so the loader need not parse the rows again.
	 */
	readonly decodesRows?: boolean;
	/** Appends all entries in one committed transaction; resolves to their seqs, in order. */
	append(entries: readonly AppendEntry[]): Promise<number[]>;
	/**
	 * Replaces the room's rows with seq ≤ upToSeq by `merged` (stored at seq = upToSeq), with
	 * `stateVector` — merged's own, encoded from the same document — when given: loaded back as the
	 * row's `storedStateVector`.
	 */
	compact(room: string, merged: Uint8Array, upToSeq: number, stateVector?: Uint8Array): Promise<void>;
	/**
	 * Moves the room's row `seq` out of the document into the quarantine (kept with the room, seq,
	 * reason and time, never deleted) in one transaction. A row that is not there is a no-op.
	 */
	quarantine(room: string, seq: number, reason: string): Promise<void>;
	/** Rows in the quarantine (for /metrics and logs); cheap. */
	quarantinedCount(): number;
	/** Total bytes of stored updates (for /metrics); cheap. */
	storedBytes(): number;
	close(): Promise<void>;
}
