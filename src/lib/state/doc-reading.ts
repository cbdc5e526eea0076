/**
 * A reading of a Y.Doc kept until the document changes: a component reads the same value many
 * times between two changes (the sidebar's page list in several places; every template effect that
 * re-runs because the sync status changed, once or twice a keystroke), and each read used to walk
 * the document again.
 *
 * "Changed" is any transaction: each document gets a counter, raised when a transaction ends (never
 * removed: it lives as long as the document). A reading is taken again when the counter moved; one
 * made while a transaction is under way is always taken afresh and never kept (the transaction may
 * change the document again before it ends).
 */
import type * as Y from 'yjs';

const counters = new WeakMap<Y.Doc, { n: number }>();

/** A number that differs after any transaction on `doc` ended since the last call. */
export function docVersion(doc: Y.Doc): number {
	let counter = counters.get(doc);
	if (!counter) {
		const created = { n: 0 };
		const raise = () => void created.n++;
		doc.on('afterTransaction', raise);
		counters.set(doc, (counter = created));
	}
	return counter.n;
}

/**
 * `read(doc)`, taken again only after `doc` changed. `read` must depend on the document alone (or
 * on what cannot change while its reader lives).
 */
export function readWhenChanged<T>(doc: Y.Doc, read: (doc: Y.Doc) => T): () => T {
	let at = -1;
	let value: T;
	return () => {
		if (doc._transaction !== null) return read(doc);
		const now = docVersion(doc);
		if (now !== at) {
			value = read(doc);
			at = now;
		}
		return value;
	};
}
