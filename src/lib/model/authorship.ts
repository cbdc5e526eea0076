/**
 * Who made each change to a page body, recorded from the very first edit so that history,
 * diffs and "who wrote what" can be built later on data written today.
 *
 *   authors:   Y.Map  String(clientID) → { member, at }      which member each client id belongs to
 *   edits:     Y.Array of { client, clock, at }               when a client's insertions from `clock` on were made,
 *                                                             one entry per client per minute of editing
 *   deletions: Y.Array of { member, at, ds }                  each local transaction's delete set
 *                                                             (Y.encodeSnapshot of a snapshot with an empty state vector)
 *
 * Why not Y.PermanentUserData: it keys users by description in a last-writer-wins map, so the
 * same member joining from two devices before they sync loses one device's client ids. Keying by
 * client id never conflicts: a client id belongs to one session of one member.
 */
import * as Y from 'yjs';
import { Origin } from './origins.ts';

export interface AuthorEntry {
	readonly member: string;
	readonly at: number;
}
export interface EditMark {
	readonly client: number;
	readonly clock: number;
	readonly at: number;
}
export interface DeletionEntry {
	readonly member: string;
	readonly at: number;
	readonly ds: Uint8Array;
}

export function authorsMap(doc: Y.Doc): Y.Map<AuthorEntry> {
	return doc.getMap('authors');
}
export function editsArray(doc: Y.Doc): Y.Array<EditMark> {
	return doc.getArray('edits');
}
export function deletionsArray(doc: Y.Doc): Y.Array<DeletionEntry> {
	return doc.getArray('deletions');
}

const MARK_INTERVAL_MS = 60_000;

/**
 * Records every local change to `doc` as made by `memberId`. Call before the first edit, once per
 * opened document. Returns a function that stops tracking.
 *
 * Bookkeeping is written in its own transaction right after the member's transaction, in the same
 * synchronous turn, so it reaches IndexedDB and the relay with the edit it describes.
 */
export function trackAuthorship(doc: Y.Doc, memberId: string, clock: () => number = Date.now): () => void {
	let lastMarkAt = -Infinity;
	const onAfterTransaction = (transaction: Y.Transaction): void => {
		if (!transaction.local || transaction.origin === Origin.authorship || transaction.origin === Origin.seed) return;
		const inserted = (transaction.afterState.get(doc.clientID) ?? 0) > (transaction.beforeState.get(doc.clientID) ?? 0);
		const deleted = transaction.deleteSet.clients.size > 0;
		if (!inserted && !deleted) return;
		const now = clock();
		const key = String(doc.clientID);
		const beforeClock = transaction.beforeState.get(doc.clientID) ?? 0;
		doc.transact(() => {
			if (!authorsMap(doc).has(key)) authorsMap(doc).set(key, { member: memberId, at: now });
			if (inserted && now - lastMarkAt >= MARK_INTERVAL_MS) {
				editsArray(doc).push([{ client: doc.clientID, clock: beforeClock, at: now }]);
				lastMarkAt = now;
			}
			if (deleted) {
				// Yjs exports no delete-set encoder; a snapshot with an empty state vector is one.
				const ds = Y.encodeSnapshot(Y.createSnapshot(transaction.deleteSet, new Map()));
				deletionsArray(doc).push([{ member: memberId, at: now, ds }]);
			}
		}, Origin.authorship);
	};
	doc.on('afterTransaction', onAfterTransaction);
	return () => doc.off('afterTransaction', onAfterTransaction);
}

/** The member a client id belongs to, or null for clients not recorded (such as page seeds). */
export function memberOfClient(doc: Y.Doc, client: number): string | null {
	return authorsMap(doc).get(String(client))?.member ?? null;
}
