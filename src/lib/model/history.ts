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
 *   `attributionOf` keeps one per body until its records change, so readers that run on every
 *   keystroke or every sync (author colours, catch-up) share it instead of re-indexing.
 *
 * Pure: no DOM, no ProseMirror, never writes.
 */
import * as Y from 'yjs';
import { authorsMap, deletionsArray, editsArray } from './authorship.ts';
import { isTime } from './time.ts';

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

/** A stretch of one client's clocks, `from`…`to` (exclusive), and who deleted it (null: no record). */
export interface DeletedStretch {
	readonly from: number;
	readonly to: number;
	readonly by: Authored | null;
}

interface DeletedRange {
	readonly clock: number;
	readonly len: number;
	readonly by: Authored;
}

/** Who each client is and, per client, its edit marks by clock (ascending): the insertion records. */
class Insertions {
	readonly members = new Map<number, string | null>();
	readonly marks = new Map<number, { clock: number; at: number }[]>();

	constructor(doc: Y.Doc) {
		authorsMap(doc).forEach((entry, client) => {
			const member = typeof entry?.member === 'string' ? entry.member : null;
			this.members.set(Number(client), member);
		});
		for (const mark of editsArray(doc).toArray()) {
			if (typeof mark?.client !== 'number' || typeof mark.clock !== 'number' || !isTime(mark.at)) continue;
			let list = this.marks.get(mark.client);
			if (!list) this.marks.set(mark.client, (list = []));
			list.push({ clock: mark.clock, at: mark.at });
		}
		for (const list of this.marks.values()) list.sort((a, b) => a.clock - b.clock);
	}

	inserted(id: Y.ID): Authored {
		const member = this.members.get(id.client) ?? null;
		const marks = this.marks.get(id.client);
		// The last mark at or before the clock (a client's marks are many on a long-edited page).
		let at: number | null = null;
		if (marks) {
			let lo = 0;
			let hi = marks.length;
			while (lo < hi) {
				const mid = (lo + hi) >>> 1;
				if (marks[mid]!.clock <= id.clock) lo = mid + 1;
				else hi = mid;
			}
			at = lo > 0 ? marks[lo - 1]!.at : null;
		}
		return member === null && at === null ? UNKNOWN : { member, at };
	}
}

/**
 * Per client, the deleted ranges with who deleted them, sorted and disjoint. Two records may name
 * the same struct (two devices deleting it before they synced): the later entry in the array wins,
 * so overlaps are cut up here once and every question is a binary search.
 */
class Deletions {
	readonly #ranges = new Map<number, DeletedRange[]>();

	constructor(doc: Y.Doc) {
		const raw = new Map<number, { clock: number; len: number; by: Authored; order: number }[]>();
		let order = 0;
		for (const entry of deletionsArray(doc).toArray()) {
			const snapshot = readSnapshot(entry?.ds);
			if (!snapshot) continue;
			const by: Authored = { member: typeof entry.member === 'string' ? entry.member : null, at: isTime(entry.at) ? entry.at : null };
			order++;
			for (const [client, ranges] of snapshot.ds.clients) {
				let list = raw.get(client);
				if (!list) raw.set(client, (list = []));
				for (const range of ranges) if (range.len > 0) list.push({ clock: range.clock, len: range.len, by, order });
			}
		}
		for (const [client, list] of raw) this.#ranges.set(client, disjoint(list));
	}

	/** The stretches of `from`…`to` of one client, in clock order, with who deleted each (null: nobody recorded). */
	stretches(client: number, from: number, to: number): DeletedStretch[] {
		const ranges = this.#ranges.get(client) ?? [];
		const out: DeletedStretch[] = [];
		let at = from;
		for (let i = firstEndingAfter(ranges, from); i < ranges.length && at < to; i++) {
			const range = ranges[i]!;
			if (range.clock >= to) break;
			if (range.clock > at) out.push({ from: at, to: range.clock, by: null });
			const end = Math.min(to, range.clock + range.len);
			out.push({ from: Math.max(at, range.clock), to: end, by: range.by });
			at = end;
		}
		if (at < to) out.push({ from: at, to, by: null });
		return out;
	}

	deleted(id: Y.ID): Authored | null {
		const ranges = this.#ranges.get(id.client);
		if (!ranges) return null;
		const range = ranges[firstEndingAfter(ranges, id.clock)];
		return range && range.clock <= id.clock ? range.by : null;
	}
}

/** The index of the first range that ends after `clock` (ranges sorted and disjoint). */
function firstEndingAfter(ranges: readonly DeletedRange[], clock: number): number {
	let lo = 0;
	let hi = ranges.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (ranges[mid]!.clock + ranges[mid]!.len <= clock) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** Overlapping ranges cut into disjoint ones, each stretch kept by the latest record naming it. */
function disjoint(list: { clock: number; len: number; by: Authored; order: number }[]): DeletedRange[] {
	list.sort((a, b) => a.clock - b.clock || a.order - b.order);
	let overlaps = false;
	for (let i = 1; i < list.length && !overlaps; i++) overlaps = list[i]!.clock < list[i - 1]!.clock + list[i - 1]!.len;
	if (!overlaps) return list.map(({ clock, len, by }) => ({ clock, len, by }));
	// Rare (concurrent deletes of one struct): sweep the edges, keeping the latest covering record.
	const edges = [...new Set(list.flatMap((r) => [r.clock, r.clock + r.len]))].sort((a, b) => a - b);
	const out: DeletedRange[] = [];
	let active: typeof list = [];
	let next = 0;
	for (let e = 0; e + 1 < edges.length; e++) {
		const from = edges[e]!;
		const to = edges[e + 1]!;
		while (next < list.length && list[next]!.clock <= from) active.push(list[next++]!);
		active = active.filter((r) => r.clock + r.len > from);
		if (active.length === 0) continue;
		const winner = active.reduce((a, b) => (b.order > a.order ? b : a));
		const last = out.at(-1);
		if (last && last.by === winner.by && last.clock + last.len === from) out[out.length - 1] = { ...last, len: to - last.clock };
		else out.push({ clock: from, len: to - from, by: winner.by });
	}
	return out;
}

let keepDeletions: (from: Attribution, to: Attribution) => void;

/**
 * Who inserted and who deleted what in one body, as its records say. A new one reads the insertion
 * records now and decodes the deletion records (the costly part: one snapshot per local delete) at
 * the first question about a deletion; it does not follow later changes — `attributionOf` gives
 * one that does.
 */
export class Attribution {
	readonly #doc: Y.Doc;
	readonly #insertions: Insertions;
	#deletions: Deletions | null = null;

	static {
		keepDeletions = (from, to) => (to.#deletions = from.#deletions);
	}

	constructor(doc: Y.Doc) {
		this.#doc = doc;
		this.#insertions = new Insertions(doc);
	}

	/** Who inserted the struct with this id, and when (to the minute: marks are a minute apart). */
	inserted(id: Y.ID): Authored {
		return this.#insertions.inserted(id);
	}

	/** Who deleted the struct with this id, and when; null when no record says so. */
	deleted(id: Y.ID): Authored | null {
		return this.#deletionIndex().deleted(id);
	}

	/** Clocks `from`…`to` of one client cut where who deleted them changes, in clock order. */
	deletedStretches(client: number, from: number, to: number): DeletedStretch[] {
		return this.#deletionIndex().stretches(client, from, to);
	}

	#deletionIndex(): Deletions {
		return (this.#deletions ??= new Deletions(this.#doc));
	}
}

interface Kept {
	attribution: Attribution | null;
	/** Some record changed since `attribution` was made. */
	stale: boolean;
	/** A deletion record did (its deletion index is stale too). */
	deletionsChanged: boolean;
	/** The record counts it was made at: a reading inside a transaction, before observers run, still sees a change. */
	counts: readonly number[];
}

const kept = new WeakMap<Y.Doc, Kept>();

function counts(doc: Y.Doc): number[] {
	return [authorsMap(doc).size, editsArray(doc).length, deletionsArray(doc).length];
}

function watch(doc: Y.Doc): Kept {
	const entry: Kept = { attribution: null, stale: true, deletionsChanged: true, counts: [] };
	const changed = () => (entry.stale = true);
	authorsMap(doc).observe(changed);
	editsArray(doc).observe(changed);
	deletionsArray(doc).observe(() => (entry.stale = entry.deletionsChanged = true));
	kept.set(doc, entry);
	return entry;
}

/**
 * The body's attribution, shared by everything that reads it (author colours, "changed since"
 * highlights, the catch-up index) and rebuilt only when the authorship records change: typing in
 * the same minute writes none, so a keystroke re-reads nothing. A change to the authors or edit
 * marks keeps the decoded deletion index; only a new deletion record drops it.
 */
export function attributionOf(doc: Y.Doc): Attribution {
	const entry = kept.get(doc) ?? watch(doc);
	const now = counts(doc);
	const same = now.every((count, i) => count === entry.counts[i]);
	if (entry.attribution && !entry.stale && same) return entry.attribution;
	const attribution = new Attribution(doc);
	if (entry.attribution && !entry.deletionsChanged && now[2] === entry.counts[2]) keepDeletions(entry.attribution, attribution);
	entry.attribution = attribution;
	entry.stale = entry.deletionsChanged = false;
	entry.counts = now;
	return attribution;
}
