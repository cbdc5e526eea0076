/**
 * What applying an update did to a document, read off Yjs's own records rather than by encoding the
 * change again: the relay (server/room.ts) stores and forwards writes as received, and the app
 * (sync/received.ts) stores what the relay sent as received, both only when it changed something.
 */
import type * as Y from 'yjs';

/** Whether a transaction added structs or deleted any. */
export function changedBy(transaction: Y.Transaction): boolean {
	if (transaction.deleteSet.clients.size > 0) return true;
	for (const [client, clock] of transaction.afterState) if (transaction.beforeState.get(client) !== clock) return true;
	return false;
}

/**
 * What of the doc waits on missing structs. Yjs merges newly waiting structs into the same
 * `pendingStructs` object (replacing its `update`), so the object alone does not show a change.
 */
export function pendingOf(doc: Y.Doc): { structs: Uint8Array | null; ds: Uint8Array | null } {
	return { structs: doc.store.pendingStructs?.update ?? null, ds: doc.store.pendingDs };
}

/** Whether applying an update left (more) structs or deletions waiting on missing ones. */
export function leftPending(doc: Y.Doc, before: { structs: Uint8Array | null; ds: Uint8Array | null }): boolean {
	const after = pendingOf(doc);
	return (after.structs !== null && after.structs !== before.structs) || (after.ds !== null && after.ds !== before.ds);
}

/** An update with no structs and no deletions ([0, 0]): what a peer with nothing new sends. */
export function isEmptyUpdate(update: Uint8Array): boolean {
	return update.byteLength === 2 && update[0] === 0 && update[1] === 0;
}
