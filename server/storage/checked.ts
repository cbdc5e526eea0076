/**
 * A Store whose `load` checks every row before a room sees it: a row the store reports damaged
 * (checksum mismatch) or whose bytes do not decode as a Yjs update (a room's only row: do not
 * apply, see checkRows) is quarantined (moved aside by the store, never deleted), logged and counted, and
 * the room loads from the rows that remain. Why serve the rest instead of refusing the room:
 * every other row is a valid update, and Meridian's clients each hold a full copy of the
 * document — once the room is served, the next client to sync sends back whatever the relay
 * lacks (state vectors), which heals the room. Refusing it (4500) would lock every member out of
 * the whole document and stop that healing. What users see until then, and what they can lose,
 * is in docs/operations.md ("Faults").
 *
 * If the store itself cannot read the rows (I/O error, a damaged database page) or a quarantine
 * cannot be written (disk full), `load` throws and the room fails as before: refused with 4500,
 * never written, retried after it has been idle. Other rooms are never involved.
 */
import * as Y from 'yjs';
import { errorText, type Logger } from '../log.ts';
import type { AppendEntry, Store, StoredRow } from './types.ts';

/** Why a row cannot be served, or null when it decodes. */
export function rowProblem(update: Uint8Array): string | null {
	if (update.byteLength === 0) return 'empty row';
	try {
		// decodeUpdate parses the whole update (structs and delete set) without a document.
		Y.decodeUpdate(update);
		return null;
	} catch (error) {
		return `does not decode as a Yjs update (${errorText(error)})`;
	}
}

/**
 * Checks a room's rows (all of them, as loaded): why each cannot be served, or null; and for a
 * room stored as one row, that row's state vector. Such a room is served from the row's bytes
 * until something needs its document (room.ts, #unapplied), so its row must apply, not only
 * decode. A row the store `verified` against its checksum is the bytes the relay wrote, which
 * applied when they were written (or were encoded from a document): its state vector is the one
 * compaction stored with it, or else is read off its bytes, which parses every struct (~0.8 ms
 * for a 10 KB page, 1.6 s of the storage thread for a 2,000-room join; applying it took more:
 * docs/performance.md, "Cold sync"). A row without a
 * checksum (an older database) is applied to a scratch document here — on the storage thread, for
 * the worker store. Should a verified row still fail as its room builds the document, the room
 * quarantines it then (room.ts, #applyStored). Rows of a room with several are applied together
 * by the room as it loads.
 */
export function checkRows(rows: readonly StoredRow[]): { problems: (string | null)[]; stateVector: Uint8Array | null } {
	if (rows.length !== 1) return { problems: rows.map((row) => rowProblem(row.update)), stateVector: null };
	const update = rows[0]!.update;
	if (update.byteLength === 0) return { problems: ['empty row'], stateVector: null };
	if (rows[0]!.verified) {
		// Compacted with its state vector, under the same checksum: nothing to read off the bytes.
		const stored = rows[0]!.storedStateVector;
		if (stored) return { problems: [null], stateVector: stored };
		try {
			return { problems: [null], stateVector: Y.encodeStateVectorFromUpdate(update) };
		} catch (error) {
			return { problems: [`does not decode as a Yjs update (${errorText(error)})`], stateVector: null };
		}
	}
	const scratch = new Y.Doc({ gc: false, guid: 'check' });
	try {
		Y.applyUpdate(scratch, update);
		return { problems: [null], stateVector: Y.encodeStateVector(scratch) };
	} catch (error) {
		return { problems: [`does not apply as a Yjs update (${errorText(error)})`], stateVector: null };
	} finally {
		scratch.destroy();
	}
}

/** Rows with what checkRows found set on them (`problem` unless the store set one, a lone row's `stateVector`). */
export function withChecks(rows: readonly StoredRow[]): StoredRow[] {
	const { problems, stateVector } = checkRows(rows);
	return rows.map((row, index) => {
		const problem = row.problem ?? problems[index];
		return { ...row, ...(problem ? { problem } : {}), ...(stateVector ? { stateVector } : {}) };
	});
}

export class CheckedStore implements Store {
	readonly #inner: Store;
	readonly #log: Logger;

	constructor(inner: Store, log: Logger) {
		this.#inner = inner;
		this.#log = log;
	}

	async load(room: string): Promise<StoredRow[]> {
		const loaded = await this.#inner.load(room);
		const rows = this.#inner.decodesRows ? loaded : withChecks(loaded);
		const good: StoredRow[] = [];
		for (const row of rows) {
			const problem = row.problem ?? null;
			if (problem === null) {
				good.push(row);
				continue;
			}
			await this.#inner.quarantine(room, row.seq, problem);
			this.#log('error', 'corrupt stored row quarantined; the room is served without it', {
				room,
				seq: row.seq,
				bytes: row.update.byteLength,
				reason: problem,
				quarantinedRows: this.#inner.quarantinedCount()
			});
		}
		return good;
	}

	append(entries: readonly AppendEntry[]): Promise<number[]> {
		return this.#inner.append(entries);
	}
	compact(room: string, merged: Uint8Array, upToSeq: number, stateVector?: Uint8Array): Promise<void> {
		return this.#inner.compact(room, merged, upToSeq, stateVector);
	}
	quarantine(room: string, seq: number, reason: string): Promise<void> {
		return this.#inner.quarantine(room, seq, reason);
	}
	quarantinedCount(): number {
		return this.#inner.quarantinedCount();
	}
	storedBytes(): number {
		return this.#inner.storedBytes();
	}
	close(): Promise<void> {
		return this.#inner.close();
	}
}
