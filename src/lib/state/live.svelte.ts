/**
 * Reads an imperative source (a Y.Doc, a session, a connection) reactively without copying it
 * into $state: `current` re-reads on every change the source reports, and only while some
 * effect or template is reading it.
 */
import { createSubscriber } from 'svelte/reactivity';

export class Live<T> {
	readonly #read: () => T;
	readonly #subscribe: () => void;

	constructor(subscribe: (notify: () => void) => () => void, read: () => T) {
		this.#read = read;
		this.#subscribe = createSubscriber((update) => subscribe(update));
	}

	get current(): T {
		this.#subscribe();
		return this.#read();
	}
}

import type * as Y from 'yjs';
import { readWhenChanged } from './doc-reading.ts';
import { Settled, type Ranked } from '../sync/settle.ts';

/**
 * A value derived from a Y.Doc, re-read after every transaction that changed it — and only then:
 * reading `current` again meanwhile returns the same value (doc-reading.ts). So `read` must depend
 * on the document alone, or on what cannot change while the component lives (the member's role:
 * a change of role mounts the page afresh).
 */
export function liveDoc<T>(doc: Y.Doc, read: (doc: Y.Doc) => T): Live<T> {
	return new Live(
		(notify) => {
			doc.on('update', notify);
			return () => doc.off('update', notify);
		},
		readWhenChanged(doc, read)
	);
}

/**
 * A status line read from `read` whenever `subscribe` notifies, shown steady while the member types
 * (sync/settle.ts): the least settled of its ranked values in the last SETTLE_MS.
 */
export function liveSettled<T>(subscribe: (notify: () => void) => () => void, read: () => Ranked<T>): Live<T> {
	const settled = new Settled(subscribe, read);
	return new Live((notify) => settled.subscribe(notify), () => settled.current);
}
