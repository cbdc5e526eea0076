/**
 * The embedded default store: one SQLite file (better-sqlite3) in DATA_DIR.
 * WAL lets readers (and `.backup`) run beside the writer; synchronous=FULL makes a committed
 * transaction survive power loss, which is what the relay's "stored" ack promises.
 * better-sqlite3 is synchronous; the async signatures are the Store contract, not concurrency.
 */
import Database from 'better-sqlite3';
import type { AppendEntry, Store, StoredRow } from './types.ts';

export class SqliteStore implements Store {
	readonly #db: Database.Database;
	readonly #insert: Database.Statement<[string, Uint8Array]>;
	readonly #insertAt: Database.Statement<[number, string, Uint8Array]>;
	readonly #select: Database.Statement<[string], { seq: number; data: Uint8Array }>;
	readonly #sizeUpTo: Database.Statement<[string, number], { bytes: number | null }>;
	readonly #deleteUpTo: Database.Statement<[string, number]>;
	readonly #appendTx: (entries: readonly AppendEntry[]) => number[];
	readonly #compactTx: (room: string, merged: Uint8Array, upToSeq: number) => number;
	#bytes: number;

	constructor(path: string) {
		this.#db = new Database(path);
		this.#db.pragma('journal_mode = WAL');
		this.#db.pragma('synchronous = FULL');
		this.#db.exec(`
			CREATE TABLE IF NOT EXISTS updates (
				seq  INTEGER PRIMARY KEY AUTOINCREMENT,
				room TEXT NOT NULL,
				data BLOB NOT NULL
			);
			CREATE INDEX IF NOT EXISTS updates_room_seq ON updates (room, seq);
		`);
		this.#insert = this.#db.prepare('INSERT INTO updates (room, data) VALUES (?, ?)');
		this.#insertAt = this.#db.prepare('INSERT INTO updates (seq, room, data) VALUES (?, ?, ?)');
		this.#select = this.#db.prepare('SELECT seq, data FROM updates WHERE room = ? ORDER BY seq');
		this.#sizeUpTo = this.#db.prepare(
			'SELECT SUM(LENGTH(data)) AS bytes FROM updates WHERE room = ? AND seq <= ?'
		);
		this.#deleteUpTo = this.#db.prepare('DELETE FROM updates WHERE room = ? AND seq <= ?');
		const total = this.#db.prepare('SELECT SUM(LENGTH(data)) AS bytes FROM updates').get() as {
			bytes: number | null;
		};
		this.#bytes = total.bytes ?? 0;

		this.#appendTx = this.#db.transaction((entries: readonly AppendEntry[]) =>
			entries.map(({ room, update }) => Number(this.#insert.run(room, update).lastInsertRowid))
		);
		this.#compactTx = this.#db.transaction((room: string, merged: Uint8Array, upToSeq: number) => {
			const removed = this.#sizeUpTo.get(room, upToSeq)?.bytes ?? 0;
			this.#deleteUpTo.run(room, upToSeq);
			// Reusing upToSeq keeps the merged row before every row appended after it.
			this.#insertAt.run(upToSeq, room, merged);
			return removed;
		});
	}

	async load(room: string): Promise<StoredRow[]> {
		return this.#select.all(room).map((row) => ({ seq: row.seq, update: new Uint8Array(row.data) }));
	}

	async append(entries: readonly AppendEntry[]): Promise<number[]> {
		if (entries.length === 0) return [];
		const seqs = this.#appendTx(entries);
		for (const { update } of entries) this.#bytes += update.byteLength;
		return seqs;
	}

	async compact(room: string, merged: Uint8Array, upToSeq: number): Promise<void> {
		const removed = this.#compactTx(room, merged, upToSeq);
		this.#bytes += merged.byteLength - removed;
	}

	storedBytes(): number {
		return this.#bytes;
	}

	async close(): Promise<void> {
		if (this.#db.open) this.#db.close();
	}
}
