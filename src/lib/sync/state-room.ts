/**
 * Opening the member's private state room (`<ws>/@inbox/<member>`) for an index that reads it: the
 * inbox (inbox.ts: what they read and cleared) and catch-up (catch-up.ts: what they last saw).
 *
 * Opening can fail (IndexedDB refused, the room's stored update unreadable). The index must then
 * say so — a `failed` status with the reason, and "Try again" — never a `loading` that lasts
 * forever; `retry` opens it again. Whether the room has synced with the relay is the index's
 * business: what it may trust before then differs (the inbox shows its items as possibly
 * incomplete; catch-up waits, since a baseline taken from an empty room would be wrong).
 */
import type * as Y from 'yjs';

/** What an index reads of a document's relay link (RoomLink, sync/room-link.ts). */
export interface SyncSource {
	readonly synced: boolean;
	/** What the relay confirmed storing, as remembered on this device; null when unknown. */
	readonly storedStateVector: Uint8Array | null;
	onChange(listener: () => void): () => void;
}

/** A document an index follows, with its relay link if any. */
export interface Source {
	readonly doc: Y.Doc;
	readonly link: SyncSource | null;
}

/** A document an index follows: its updates, and its link until that has synced once. */
export interface WatchedDoc {
	readonly doc: Y.Doc;
	readonly link: SyncSource | null;
	/** Whether the link has synced since the index began following it (true without a link). */
	synced: boolean;
	readonly stop: () => void;
}

/**
 * Calls `onUpdate` on every update of `doc`, and `onFirstSync` once when `link` first reports
 * synced after this call (not at all when it already had, or there is none). `stop` ends both.
 */
export function watchDoc(doc: Y.Doc, link: SyncSource | null, onUpdate: (update: Uint8Array, origin: unknown) => void, onFirstSync: () => void): WatchedDoc {
	doc.on('update', onUpdate);
	let stopLink = (): void => undefined;
	const watched: WatchedDoc = {
		doc,
		link,
		synced: link === null || link.synced,
		stop: () => {
			doc.off('update', onUpdate);
			stopLink();
		}
	};
	if (link && !watched.synced) {
		stopLink = link.onChange(() => {
			if (!link.synced || watched.synced) return;
			watched.synced = true;
			stopLink();
			onFirstSync();
		});
	}
	return watched;
}

export class StateLoader {
	readonly #label: string;
	readonly #opened: (source: Source) => void;
	readonly #changed: () => void;
	#open: (() => Promise<Source>) | null = null;
	#opening = false;
	#error: string | null = null;
	#stopped = false;

	/**
	 * `label` names the state in the console; `opened` receives the room once open; `changed` is
	 * told whenever `error` or `opening` changes.
	 */
	constructor(label: string, opened: (source: Source) => void, changed: () => void) {
		this.#label = label;
		this.#opened = opened;
		this.#changed = changed;
	}

	/** Why opening last failed; null while it has not (or is being tried again). */
	get error(): string | null {
		return this.#error;
	}

	/** Opens the room with `open`. */
	load(open: () => Promise<Source>): void {
		this.#open = open;
		this.retry();
	}

	/** Opens it again after a failure (the caller checks it is not open already). */
	retry(): void {
		const open = this.#open;
		if (!open || this.#opening || this.#stopped) return;
		this.#opening = true;
		this.#error = null;
		this.#changed();
		open().then(
			(opened) => {
				this.#opening = false;
				if (!this.#stopped) this.#opened(opened);
			},
			(error: unknown) => {
				this.#opening = false;
				if (this.#stopped) return;
				console.error(`[meridian] opening the ${this.#label} failed`, error);
				this.#error = error instanceof Error ? error.message : String(error);
				this.#changed();
			}
		);
	}

	/** Its index is gone: a pending open is dropped. */
	stop(): void {
		this.#stopped = true;
	}
}
