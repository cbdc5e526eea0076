/**
 * Applying what the relay sent without Yjs encoding it again. Yjs encodes every transaction of a
 * document that has an 'update' listener into an update for those listeners — on a join, the
 * 20 MB the relay just sent, re-encoded for storing on the device: 1.3 s of a profiled 1,000-page
 * join's main thread (docs/performance.md, "Cold sync"). What the relay sent is such an update
 * already. So the 'update' listeners are set aside while it applies and then given the received
 * bytes, if applying them changed the document or left structs waiting on missing ones (what
 * Yjs's 'update' events would have carried, then or once the missing ones arrive).
 *
 * Yjs decides whether to encode by `doc._observers.has('update')` (lib0's Observable): that map
 * is what is set aside. A listener removed while the update applies (by an observer, synchronously)
 * stays registered; the app's listeners do not do that.
 */
import * as Y from 'yjs';
import { changedBy, leftPending, pendingOf } from '../protocol/changes.ts';

type UpdateListener = (update: Uint8Array, origin: unknown, doc: Y.Doc, transaction?: Y.Transaction) => void;

export function applyReceived(doc: Y.Doc, update: Uint8Array, origin: unknown): void {
	const observers = (doc as unknown as { _observers?: unknown })._observers;
	const listeners = observers instanceof Map ? (observers.get('update') as Set<UpdateListener> | undefined) : undefined;
	if (!(observers instanceof Map) || !listeners || listeners.size === 0) {
		Y.applyUpdate(doc, update, origin);
		return;
	}
	const before = pendingOf(doc);
	let changed: Y.Transaction | null = null;
	const afterTransaction = (transaction: Y.Transaction) => {
		if (transaction.origin === origin && changedBy(transaction)) changed = transaction;
	};
	observers.delete('update');
	doc.on('afterTransaction', afterTransaction);
	let failed = false;
	try {
		Y.applyUpdate(doc, update, origin);
	} catch (error) {
		failed = true;
		throw error;
	} finally {
		doc.off('afterTransaction', afterTransaction);
		// Listeners added while it applied (by an observer) were in place when Yjs emitted its event,
		// and heard it: they join the others, and are not told again.
		const added = observers.get('update') as Set<UpdateListener> | undefined;
		const setAside = [...listeners];
		if (added) for (const listener of added) listeners.add(listener);
		observers.set('update', listeners);
		const transaction = changed as Y.Transaction | null;
		let delivered: Uint8Array | null = null;
		if (!failed) {
			if (transaction || leftPending(doc, before)) delivered = update;
		} else if (transaction) {
			// An update that threw half way is not passed on as received (it would throw again on
			// every load): what it integrated is, as Yjs encodes it.
			delivered = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(transaction.beforeState));
		}
		if (delivered) for (const listener of setAside) listener(delivered, origin, doc, transaction ?? undefined);
	}
}
