/**
 * A Store whose `load` checks every row before a room sees it: a row the store reports damaged
 * (checksum mismatch) or whose bytes do not decode as a Yjs update (a room's only row: do not
 * apply, see rowProblems) is quarantined (moved aside by the store, never deleted), logged and counted, and
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
 * Why each of a room's rows (all of them, as loaded) cannot be served, or null. A room stored as
 * one row is served from that row's bytes until something needs its document (room.ts,
 * #unapplied), so its one row must apply, not only decode: it is applied to a scratch document
 * here — on the storage thread, for the worker store. (Every row applied on the relay when it was
 * written, and compactions encode a document; a row that still fails would be damage the checksum
 * missed.) Rows of a room with several are applied together by the room as it loads, as before.
 */
export function rowProblems(rows: readonly StoredRow[]): (string | null)[] {
	if (rows.length !== 1) return rows.map((row) => rowProblem(row.update));
	const update = rows[0]!.update;
	if (update.byteLength === 0) return ['empty row'];
	const scratch = new Y.Doc({ gc: false, guid: 'check' });
	try {
		Y.applyUpdate(scratch, update);
		return [null];
	} catch (error) {
		return [`does not apply as a Yjs update (${errorText(error)})`];
	} finally {
		scratch.destroy();
	}
}

export class CheckedStore implements Store {
	readonly #inner: Store;
	readonly #log: Logger;

	constructor(inner: Store, log: Logger) {
		this.#inner = inner;
		this.#log = log;
	}

	async load(room: string): Promise<StoredRow[]> {
		const rows = await this.#inner.load(room);
		const problems = this.#inner.decodesRows ? null : rowProblems(rows);
		const good: StoredRow[] = [];
		for (const [index, row] of rows.entries()) {
			const problem = row.problem ?? problems?.[index] ?? null;
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
	compact(room: string, merged: Uint8Array, upToSeq: number): Promise<void> {
		return this.#inner.compact(room, merged, upToSeq);
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
