/**
 * A page body's history, read from its Y document: bodies keep every struct (`gc: false`) and
 * record who made each change (authorship.ts), so any past state can be rebuilt and every piece of
 * text — there now or deleted since — can say who wrote it, who deleted it, and when.
 *
 * - A **snapshot** (`takeSnapshot`) is Yjs's state vector plus delete set, encoded: a few bytes to a
 *   few kilobytes, enough to rebuild the body as it was (`bodyAt`) from the full history.
 * - **Attribution** answers "who inserted this item, when" (the `authors` map by client id, and the
 *   `edits` marks: the last mark of that client at or before the item's clock) and "who deleted it,
 *   when" (the `deletions` entries, each a local transaction's delete set). Content nobody recorded
 *   (a page seed, or an edit made before authorship existed) reads as unknown, never as a guess.
 *
 * Pure: no DOM, no ProseMirror, never writes.
 */
import * as Y from 'yjs';
import { authorsMap, deletionsArray, editsArray } from './authorship.ts';

/** The body as it is now, as bytes to keep (versions, "last seen"). */
export function takeSnapshot(doc: Y.Doc): Uint8Array {
	return Y.encodeSnapshot(Y.snapshot(doc));
}

/** A stored snapshot, or null when the bytes are not one (written by another client's bug). */
export function readSnapshot(bytes: unknown): Y.Snapshot | null {
	if (!(bytes instanceof Uint8Array) || bytes.length === 0) return null;
	try {
		return Y.decodeSnapshot(bytes);
	} catch {
		return null;
	}
}

/**
 * The body as it was at `snapshot`: a new document holding only that state (read it, never sync
 * it). Null when this copy of the body lacks what the snapshot names (it was taken on a device
 * whose changes have not arrived here yet).
 */
export function bodyAt(doc: Y.Doc, snapshot: Y.Snapshot): Y.Doc | null {
	if (!containsSnapshot(doc, snapshot)) return null;
	return Y.createDocFromSnapshot(readingCopy(doc), snapshot, new Y.Doc({ gc: false }));
}

/**
 * A copy of `doc` with the same structs and ids, for snapshot reads. Reading at a snapshot splits
 * structs at its edges in a transaction ('cleanup'): harmless to the content, but still a
 * transaction, which the editor, the stores and the trackers listening to the live document would
 * see. Every snapshot read goes through a copy, so this module never writes.
 */
export function readingCopy(doc: Y.Doc): Y.Doc {
	const copy = new Y.Doc({ gc: false });
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
	return copy;
}

/** Whether `doc` holds everything `snapshot` names (every client up to its clock). */
export function containsSnapshot(doc: Y.Doc, snapshot: Y.Snapshot): boolean {
	const have = Y.decodeStateVector(Y.encodeStateVector(doc));
	for (const [client, clock] of snapshot.sv) if ((have.get(client) ?? 0) < clock) return false;
	return true;
}

/** Who made a change and when; either may be unknown (null). */
export interface Authored {
	readonly member: string | null;
	readonly at: number | null;
}

const UNKNOWN: Authored = { member: null, at: null };

interface DeletedRange {
	readonly clock: number;
	readonly len: number;
	readonly member: string | null;
	readonly at: number | null;
}

/**
 * Who inserted and who deleted what in one body, as its records say now. Build one per reading
 * (it indexes the records once); it does not follow later changes.
 */
export class Attribution {
	readonly #members = new Map<number, string | null>();
	/** Per client, its edit marks by clock, ascending. */
	readonly #marks = new Map<number, { clock: number; at: number }[]>();
	/** Per client, deleted ranges with who deleted them, ascending by clock (later entries win). */
	readonly #deleted = new Map<number, DeletedRange[]>();

	constructor(doc: Y.Doc) {
		authorsMap(doc).forEach((entry, client) => {
			const member = typeof entry?.member === 'string' ? entry.member : null;
			this.#members.set(Number(client), member);
		});
		for (const mark of editsArray(doc).toArray()) {
			if (typeof mark?.client !== 'number' || typeof mark.clock !== 'number' || !isTime(mark.at)) continue;
			let list = this.#marks.get(mark.client);
			if (!list) this.#marks.set(mark.client, (list = []));
			list.push({ clock: mark.clock, at: mark.at });
		}
		for (const list of this.#marks.values()) list.sort((a, b) => a.clock - b.clock);
		for (const entry of deletionsArray(doc).toArray()) {
			const snapshot = readSnapshot(entry?.ds);
			if (!snapshot) continue;
			const member = typeof entry.member === 'string' ? entry.member : null;
			const at = isTime(entry.at) ? entry.at : null;
			for (const [client, ranges] of snapshot.ds.clients) {
				let list = this.#deleted.get(client);
				if (!list) this.#deleted.set(client, (list = []));
				for (const range of ranges) list.push({ clock: range.clock, len: range.len, member, at });
			}
		}
	}

	/** Who inserted the struct with this id, and when (to the minute: marks are a minute apart). */
	inserted(id: Y.ID): Authored {
		const member = this.#members.get(id.client) ?? null;
		const marks = this.#marks.get(id.client);
		let at: number | null = null;
		if (marks) {
			for (const mark of marks) {
				if (mark.clock > id.clock) break;
				at = mark.at;
			}
		}
		return member === null && at === null ? UNKNOWN : { member, at };
	}

	/** Who deleted the struct with this id, and when; null when no record says so. */
	deleted(id: Y.ID): Authored | null {
		const ranges = this.#deleted.get(id.client);
		if (!ranges) return null;
		let found: DeletedRange | null = null;
		for (const range of ranges) if (id.clock >= range.clock && id.clock < range.clock + range.len) found = range;
		return found ? { member: found.member, at: found.at } : null;
	}
}

/** A number a Date can hold. */
function isTime(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 8.64e15;
}
