/**
 * Versions of a page body: named ones a member records ("Sent to client") and automatic ones the
 * app records before a member's first change of the day, so "yesterday's version" always exists.
 *
 *   versions: Y.Array<{ id, name: string | null, auto: boolean, by, at, snapshot: Uint8Array }>
 *             (in the page body document; `snapshot` is history.ts `takeSnapshot`)
 *
 * A version is a snapshot — a state vector and a delete set, a few bytes to a few kilobytes — not a
 * copy: the body keeps every struct (`gc: false`), so the snapshot rebuilds it (history.ts). Entries
 * are appended and never changed or removed, so two devices recording versions apart both keep
 * theirs, and restoring one writes a new edit (editor/history-render.ts): history is never
 * rewritten. Plain objects in an array of their own are invisible to older clients' editors, so no
 * schema version is needed (version.ts): an older client ignores them and cannot break them.
 *
 * Automatic versions: before the first local change to the body in a member's day (this device's
 * day), the body as it was just before that change is recorded — once per member per day, whichever
 * of their devices does it first (a device that has not synced yet may add a second one; harmless).
 * Also once per editing session: before the first change after the body was opened here, unless
 * this member's latest automatic version is less than SESSION_GAP_MS old — so the state an
 * afternoon's editing started from is kept even when the morning already had its version, while
 * reopening a page a few minutes later adds nothing. Seeds, received updates and bookkeeping never
 * trigger one.
 */
import * as Y from 'yjs';
import { newId } from './ids.ts';
import { Origin } from './origins.ts';
import { bodyFragment } from './page.ts';
import { readSnapshot, takeSnapshot } from './history.ts';
import { cleanText } from './text.ts';
import { isTime } from './time.ts';
import { assertWritable } from './version.ts';
import type { Actor } from './workspace.ts';

export const MAX_VERSION_NAME_LENGTH = 100;

/** A session's first change records an automatic version unless the member has one this recent. */
export const SESSION_GAP_MS = 60 * 60_000;

export interface Version {
	readonly id: string;
	/** The name a member gave it; null for an automatic version with no name. */
	readonly name: string | null;
	readonly auto: boolean;
	readonly by: string;
	readonly at: number;
	readonly snapshot: Y.Snapshot;
}

interface StoredVersion {
	readonly id: string;
	readonly name: string | null;
	readonly auto: boolean;
	readonly by: string;
	readonly at: number;
	readonly snapshot: Uint8Array;
}

/** Bad input to a version: shown to the member as is, and nothing was changed. */
export class VersionError extends Error {
	override name = 'VersionError';
}

export function versionsArray(doc: Y.Doc): Y.Array<unknown> {
	return doc.getArray('versions');
}

/** Records the body as it is now under `name` (1–100 characters) and returns the version's id. */
export function nameVersion(body: Y.Doc, name: string, actor: Actor): string {
	const clean = cleanText(name, MAX_VERSION_NAME_LENGTH + 1, { singleLine: true });
	if (clean === '') throw new VersionError('Give the version a name.');
	if (clean.length > MAX_VERSION_NAME_LENGTH) throw new VersionError(`A version name has at most ${MAX_VERSION_NAME_LENGTH} characters.`);
	return append(body, { name: clean, auto: false }, takeSnapshot(body), actor);
}

/**
 * Records the body as it is now (or at `snapshot`) as an automatic version, optionally with a name
 * that says why ("Before restoring …"). Returns the version's id.
 */
export function autoVersion(body: Y.Doc, actor: Actor, { name = null, snapshot }: { name?: string | null; snapshot?: Uint8Array } = {}): string {
	const clean = name === null ? null : cleanText(name, MAX_VERSION_NAME_LENGTH, { singleLine: true }) || null;
	return append(body, { name: clean, auto: true }, snapshot ?? takeSnapshot(body), actor);
}

function append(body: Y.Doc, what: { name: string | null; auto: boolean }, snapshot: Uint8Array, actor: Actor): string {
	assertWritable(body);
	const entry: StoredVersion = { id: newId(), name: what.name, auto: what.auto, by: actor.memberId, at: actor.now, snapshot };
	body.transact(() => versionsArray(body).push([entry]), Origin.versions);
	return entry.id;
}

/** Every readable version, newest first (ties by id, so every device orders alike). */
export function listVersions(body: Y.Doc): Version[] {
	const out: Version[] = [];
	for (const entry of versionsArray(body).toArray()) {
		const version = readVersion(entry);
		if (version) out.push(version);
	}
	return out.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** One version by id, or null. */
export function getVersion(body: Y.Doc, id: string): Version | null {
	return listVersions(body).find((v) => v.id === id) ?? null;
}

/** A stored entry, or null when it is not one (another client's bug): skipped, never a failure. */
function readVersion(entry: unknown): Version | null {
	if (typeof entry !== 'object' || entry === null) return null;
	const e = entry as Record<string, unknown>;
	if (typeof e['id'] !== 'string' || typeof e['by'] !== 'string' || !isTime(e['at'])) return null;
	const snapshot = readSnapshot(e['snapshot']);
	if (!snapshot) return null;
	// Capped as nameVersion caps it: another client may have stored a megabyte.
	const name = typeof e['name'] === 'string' && e['name'] !== '' ? e['name'].slice(0, MAX_VERSION_NAME_LENGTH) : null;
	const auto = e['auto'] === true;
	if (!auto && name === null) return null;
	return { id: e['id'], name, auto, by: e['by'], at: e['at'], snapshot };
}

/** The start of the local day after the one holding `at` (this device's zone). */
function nextDayStart(at: number): number {
	const d = new Date(at);
	return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
}

function dayStart(at: number): number {
	const d = new Date(at);
	return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** Whether `memberId` has an automatic version in the local day holding `now` (from any device). */
export function hasAutoVersionOn(body: Y.Doc, memberId: string, now: number): boolean {
	return hasAutoVersionBetween(body, memberId, dayStart(now), nextDayStart(now));
}

/** Whether `memberId` has an automatic version made in `from`…`to` (to excluded). */
function hasAutoVersionBetween(body: Y.Doc, memberId: string, from: number, to: number): boolean {
	// The fields only: decoding every stored snapshot (listVersions) is too slow to do this often.
	return versionsArray(body)
		.toArray()
		.some((entry) => {
			if (typeof entry !== 'object' || entry === null) return false;
			const e = entry as Record<string, unknown>;
			return e['auto'] === true && e['by'] === memberId && isTime(e['at']) && e['at'] >= from && e['at'] < to;
		});
}

/** Transactions that are not a member's change to the body. */
const IGNORED: ReadonlySet<unknown> = new Set([Origin.seed, Origin.authorship, Origin.versions, Origin.indexeddb, Origin.tab, Origin.relay, Origin.stored, 'cleanup']);

/**
 * Records an automatic version before `memberId`'s first change to the body each day, and before
 * the first change of this session (from this call on) unless one is recent (see the module
 * comment). Call once per opened document the member may write, like trackAuthorship. Returns a
 * function that stops it.
 *
 * Nothing happens on transactions that do not change the body (y-prosemirror opens one for every
 * selection change), and nothing after the session's first change once today's version is known
 * to exist, so reading and typing cost nothing. When a version is due, the body as it was just
 * before the change is rebuilt from the transaction itself — the state vector before it, and every
 * deletion but its own — and the entry is written in its own transaction right after, in the same
 * synchronous turn.
 */
export function trackAutoVersions(doc: Y.Doc, memberId: string, clock: () => number = Date.now): () => void {
	const fragment = bodyFragment(doc);
	/** Until this time, today's automatic version is known to exist. */
	let doneUntil = -Infinity;
	let sessionStarted = false;
	const onAfter = (transaction: Y.Transaction): void => {
		if (!transaction.local || IGNORED.has(transaction.origin) || !changedBody(transaction, fragment)) return;
		const now = clock();
		const firstOfSession = !sessionStarted;
		sessionStarted = true;
		if (!firstOfSession && now < doneUntil) return;
		// A version from another device a little ahead of this clock counts as recent too.
		const recent = !firstOfSession || hasAutoVersionBetween(doc, memberId, now - SESSION_GAP_MS, now + SESSION_GAP_MS);
		if (recent && hasAutoVersionOn(doc, memberId, now)) {
			doneUntil = nextDayStart(now);
			return;
		}
		try {
			autoVersion(doc, { memberId, now }, { snapshot: snapshotBefore(doc, transaction) });
			doneUntil = nextDayStart(now);
		} catch {
			// A body from a newer schema: the change itself was refused the same way.
		}
	};
	doc.on('afterTransaction', onAfter);
	return () => doc.off('afterTransaction', onAfter);
}

/** The document as it was before `transaction`: its state vector then, and every deletion but its own. */
function snapshotBefore(doc: Y.Doc, transaction: Y.Transaction): Uint8Array {
	const now = Y.createDeleteSetFromStructStore(doc.store);
	const before = Y.createDeleteSet();
	for (const [client, ranges] of now.clients) {
		const own = [...(transaction.deleteSet.clients.get(client) ?? [])].sort((a, b) => a.clock - b.clock);
		const kept = subtractRanges(ranges, own);
		if (kept.length > 0) before.clients.set(client, kept as typeof ranges);
	}
	return Y.encodeSnapshot(new Y.Snapshot(before, transaction.beforeState));
}

/** `ranges` (sorted, disjoint) without what `remove` (sorted) covers. */
function subtractRanges(ranges: readonly { clock: number; len: number }[], remove: readonly { clock: number; len: number }[]): { clock: number; len: number }[] {
	const out: { clock: number; len: number }[] = [];
	for (const range of ranges) {
		let start = range.clock;
		const end = range.clock + range.len;
		for (const cut of remove) {
			const cutEnd = cut.clock + cut.len;
			if (cutEnd <= start || cut.clock >= end) continue;
			if (cut.clock > start) out.push({ clock: start, len: cut.clock - start });
			start = Math.max(start, cutEnd);
		}
		if (start < end) out.push({ clock: start, len: end - start });
	}
	return out;
}

/** Whether the transaction changed anything inside the body fragment (its deep-observe set). */
function changedBody(transaction: Y.Transaction, fragment: Y.XmlFragment): boolean {
	for (const type of transaction.changedParentTypes.keys()) if ((type as unknown) === fragment) return true;
	return false;
}
