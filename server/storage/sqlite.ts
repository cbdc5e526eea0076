/**
 * The embedded default store: one SQLite file (better-sqlite3) in DATA_DIR.
 * WAL lets readers (and `npm run backup`) run beside the writer; synchronous=FULL makes a committed
 * transaction survive power loss, which is what the relay's "stored" ack promises.
 * better-sqlite3 is synchronous; the async signatures are the Store contract, not concurrency.
 *
 * Faults: every failure (SQLITE_BUSY from another process's write lock, SQLITE_FULL, I/O errors)
 * is thrown to the caller with nothing committed; the persister keeps the updates and retries.
 * The busy timeout is short on purpose: a synchronous driver blocks the whole event loop while it
 * waits for a lock, so it waits briefly and lets the persister's backoff do the long waiting.
 *
 * Every row carries the CRC-32 of its bytes (`crc`, added to older databases on open; their old
 * rows have none and are not checked). A row whose bytes no longer match is loaded with a
 * `problem`, and the loader quarantines it: damage that still happens to decode as an update is
 * caught too, instead of being served as someone's text. One that matches is loaded `verified`.
 * A compacted row also carries its state vector (`sv`, with its own CRC-32 in `sv_crc`; both added
 * like `crc`): loading a room stored as one row then parses nothing (storage/checked.ts). `crc`
 * stays the checksum of the bytes alone, so an older relay still reads these rows; a vector that
 * fails its checksum is dropped and the row is read as one without.
 */
import { crc32 } from 'node:zlib';
import Database from 'better-sqlite3';
import type { AppendEntry, Store, StoredRow } from './types.ts';

export interface SqliteOptions {
	/** How long one statement waits for another process's lock before SQLITE_BUSY. */
	readonly busyTimeoutMs?: number;
	/**
	 * Caps the database at this many pages (PRAGMA max_page_count): past it, writes fail with
	 * SQLITE_FULL as on a full disk. For fault drills and quotas; unset means no cap.
	 */
	readonly maxPageCount?: number;
}

export const defaultBusyTimeoutMs = 100;

/**
 * The page cache one connection may hold, in KiB (`PRAGMA cache_size = -N`). better-sqlite3 builds
 * SQLite with 16 MB per connection (DEFAULT_CACHE_SIZE=-16000), and opening the store fills it:
 * counting the stored bytes reads every row. On a 90 MB database the store's open cost +19–21 MB
 * of resident memory with 16 MB and +4.5 MB with 2 MB, and loading a room took the same (median
 * 2.8 ms either way: the kernel's page cache keeps the file).
 */
export const pageCacheKib = 2000;

/**
 * The store's knobs from the environment (SQLITE_BUSY_TIMEOUT_MS, SQLITE_MAX_PAGE_COUNT), read
 * here so the storage layer can be drilled without a code change; see docs/operations.md.
 */
export function sqliteOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SqliteOptions {
	const read = (name: string): number | undefined => {
		const raw = env[name];
		if (raw === undefined || raw === '') return undefined;
		const value = Number(raw);
		if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be an integer ≥ 0, got "${raw}"`);
		return value;
	};
	return { busyTimeoutMs: read('SQLITE_BUSY_TIMEOUT_MS'), maxPageCount: read('SQLITE_MAX_PAGE_COUNT') };
}

export class SqliteStore implements Store {
	readonly #db: Database.Database;
	readonly #insert: Database.Statement<[string, Uint8Array, number]>;
	readonly #insertAt: Database.Statement<[number, string, Uint8Array, number, Uint8Array | null, number | null]>;
	readonly #select: Database.Statement<[string], { seq: number; data: Uint8Array; crc: number | null; sv: Uint8Array | null; sv_crc: number | null }>;
	readonly #sizeUpTo: Database.Statement<[string, number], { bytes: number | null }>;
	readonly #deleteUpTo: Database.Statement<[string, number]>;
	readonly #appendTx: (entries: readonly AppendEntry[]) => number[];
	readonly #compactTx: (room: string, merged: Uint8Array, upToSeq: number, stateVector: Uint8Array | null) => number;
	readonly #quarantineTx: (room: string, seq: number, reason: string) => number;
	#bytes: number;
	#quarantined: number;

	constructor(path: string, options: SqliteOptions = sqliteOptionsFromEnv()) {
		this.#db = new Database(path, { timeout: options.busyTimeoutMs ?? defaultBusyTimeoutMs });
		this.#db.pragma('journal_mode = WAL');
		this.#db.pragma('synchronous = FULL');
		this.#db.pragma(`cache_size = -${pageCacheKib}`);
		this.#db.exec(`
			CREATE TABLE IF NOT EXISTS updates (
				seq  INTEGER PRIMARY KEY AUTOINCREMENT,
				room TEXT NOT NULL,
				data BLOB NOT NULL
			);
			CREATE INDEX IF NOT EXISTS updates_room_seq ON updates (room, seq);
			CREATE TABLE IF NOT EXISTS quarantine (
				id     INTEGER PRIMARY KEY AUTOINCREMENT,
				room   TEXT NOT NULL,
				seq    INTEGER NOT NULL,
				data   BLOB,
				reason TEXT NOT NULL,
				at     TEXT NOT NULL
			);
		`);
		const columns = this.#db.prepare('PRAGMA table_info(updates)').all() as { name: string }[];
		if (!columns.some((column) => column.name === 'crc')) this.#db.exec('ALTER TABLE updates ADD COLUMN crc INTEGER');
		if (!columns.some((column) => column.name === 'sv')) this.#db.exec('ALTER TABLE updates ADD COLUMN sv BLOB');
		if (!columns.some((column) => column.name === 'sv_crc')) this.#db.exec('ALTER TABLE updates ADD COLUMN sv_crc INTEGER');
		// After the schema: a capped database must still open (and load) when it is full.
		if (options.maxPageCount !== undefined) this.#db.pragma(`max_page_count = ${options.maxPageCount}`);
		this.#insert = this.#db.prepare('INSERT INTO updates (room, data, crc) VALUES (?, ?, ?)');
		this.#insertAt = this.#db.prepare('INSERT INTO updates (seq, room, data, crc, sv, sv_crc) VALUES (?, ?, ?, ?, ?, ?)');
		this.#select = this.#db.prepare('SELECT seq, data, crc, sv, sv_crc FROM updates WHERE room = ? ORDER BY seq');
		this.#sizeUpTo = this.#db.prepare(
			'SELECT SUM(LENGTH(data)) AS bytes FROM updates WHERE room = ? AND seq <= ?'
		);
		this.#deleteUpTo = this.#db.prepare('DELETE FROM updates WHERE room = ? AND seq <= ?');
		const total = this.#db.prepare('SELECT SUM(LENGTH(data)) AS bytes FROM updates').get() as {
			bytes: number | null;
		};
		this.#bytes = total.bytes ?? 0;
		this.#quarantined = (this.#db.prepare('SELECT COUNT(*) AS n FROM quarantine').get() as { n: number }).n;
		const sizeOf = this.#db.prepare<[string, number], { bytes: number }>(
			'SELECT LENGTH(data) AS bytes FROM updates WHERE room = ? AND seq = ?'
		);
		const moveAside = this.#db.prepare<[string, string, string, number]>(
			'INSERT INTO quarantine (room, seq, data, reason, at) SELECT room, seq, data, ?, ? FROM updates WHERE room = ? AND seq = ?'
		);
		const deleteOne = this.#db.prepare<[string, number]>('DELETE FROM updates WHERE room = ? AND seq = ?');
		// Transactions that read before they write begin IMMEDIATE (server/members.ts says why).
		this.#quarantineTx = this.#db.transaction((room: string, seq: number, reason: string) => {
			const bytes = sizeOf.get(room, seq)?.bytes;
			if (bytes === undefined) return -1;
			moveAside.run(reason, new Date().toISOString(), room, seq);
			deleteOne.run(room, seq);
			return bytes ?? 0;
		}).immediate;

		this.#appendTx = this.#db.transaction((entries: readonly AppendEntry[]) =>
			entries.map(({ room, update }) => Number(this.#insert.run(room, update, crc32(update)).lastInsertRowid))
		);
		this.#compactTx = this.#db.transaction((room: string, merged: Uint8Array, upToSeq: number, stateVector: Uint8Array | null) => {
			const removed = this.#sizeUpTo.get(room, upToSeq)?.bytes ?? 0;
			this.#deleteUpTo.run(room, upToSeq);
			// Reusing upToSeq keeps the merged row before every row appended after it.
			this.#insertAt.run(upToSeq, room, merged, crc32(merged), stateVector, stateVector ? crc32(stateVector) : null);
			return removed;
		}).immediate;
	}

	async load(room: string): Promise<StoredRow[]> {
		return this.#select.all(room).map((row) => {
			const update = new Uint8Array(row.data);
			if (row.crc === null) return { seq: row.seq, update };
			if (crc32(update) !== row.crc) return { seq: row.seq, update, problem: 'checksum mismatch: the bytes are not what was stored' };
			// A vector that fails its own checksum is left out: the row is read as one without.
			const stateVector = row.sv === null ? null : new Uint8Array(row.sv);
			const vectorHolds = stateVector !== null && row.sv_crc !== null && crc32(stateVector) === row.sv_crc;
			return { seq: row.seq, update, verified: true, ...(vectorHolds ? { storedStateVector: stateVector } : {}) };
		});
	}

	async append(entries: readonly AppendEntry[]): Promise<number[]> {
		if (entries.length === 0) return [];
		const seqs = this.#appendTx(entries);
		for (const { update } of entries) this.#bytes += update.byteLength;
		return seqs;
	}

	async compact(room: string, merged: Uint8Array, upToSeq: number, stateVector?: Uint8Array): Promise<void> {
		const removed = this.#compactTx(room, merged, upToSeq, stateVector ?? null);
		this.#bytes += merged.byteLength - removed;
	}

	async quarantine(room: string, seq: number, reason: string): Promise<void> {
		const bytes = this.#quarantineTx(room, seq, reason);
		if (bytes < 0) return;
		this.#bytes -= bytes;
		this.#quarantined++;
	}

	quarantinedCount(): number {
		return this.#quarantined;
	}

	storedBytes(): number {
		return this.#bytes;
	}

	async close(): Promise<void> {
		if (this.#db.open) this.#db.close();
	}
}
