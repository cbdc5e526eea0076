/**
 * The inbox index: everything waiting for this member (model/inbox.ts), kept live across every page
 * of an open workspace, with the member's own read/done state applied.
 *
 * Items are derived per page and per source, and recomputed only when that source changes, off the
 * typing path like the backlinks index (backlinks.ts): an update to a page body only marks its
 * mentions dirty, an update to a discussion document its threads and shares (and, for a decision
 * record, the decisions), an update to the workspace document the decisions; dirty sources are
 * re-read in a later batch (`schedule`, an idle callback by default). Listeners hear once per batch
 * that changed anything, and at once when the member's state changes (they read, they clear).
 *
 * Archived pages keep their items: archiving sets a page aside, it does not answer the teammate who
 * asked something on it, and the page can still be opened from "Archived". (A proposed decision
 * whose record is archived asks nobody for a position any more: model/inbox.ts `decisionItems`.)
 * Pages deleted for good leave the index with their items.
 *
 * An empty list must mean "nothing is waiting", never "not read yet" (`status`): the index is
 * `loading` until its first round has settled — the member's state open, and every page body and
 * discussion asked for (`expect`) opened from this device and read once — and, with a relay,
 * `syncing` until every document it follows has synced once since it was opened, so items found so
 * far are shown as possibly incomplete. A decision whose discussion this device has never had
 * asks for no position until it arrives: the position may well be there (`#positions`).
 *
 * `inboxFor(session)` builds one index per open workspace and feeds it every page body and
 * discussion: with a relay these are loaded anyway (syncAllPages); without one, from IndexedDB, so
 * the inbox works offline and on a workspace that lives on this device only. It is destroyed when
 * its session closes.
 */
import type * as Y from 'yjs';
import {
	decisionItems,
	inboxCounts,
	markDone,
	markNotDone,
	markRead,
	pageMentionItems,
	shareItems,
	threadItems,
	withState,
	type InboxEntry,
	type InboxItem
} from '../model/inbox.ts';
import { listPositions } from '../model/decision-records.ts';
import { getPage, PageKind } from '../model/workspace.ts';
import { followEveryPageDocs } from './each-page.ts';
import { Batch, idleSchedule, type Schedule } from './backlinks.ts';
import { Pacer } from './pace.ts';
import { workspaceRoom } from '../protocol/index.ts';
import { StateLoader, watchDoc, type Source, type SyncSource, type WatchedDoc } from './state-room.ts';
import type { WorkspaceSession } from './workspace-session.ts';

export type { Source, SyncSource };

/**
 * Whether an empty list can be trusted: `loading` until the first round has settled (nothing shown),
 * `failed` when the member's state could not be opened (`retryState`), `syncing` while documents
 * are still on their way from the relay (what is shown may grow), else `ready`.
 */
export type InboxStatus =
	| { readonly kind: 'loading' }
	| { readonly kind: 'failed'; readonly reason: string }
	| { readonly kind: 'syncing' }
	| { readonly kind: 'ready' };

type Followed = WatchedDoc;

export class InboxIndex {
	readonly #me: string;
	readonly #workspace: Followed;
	readonly #batch: Batch;
	/**
	 * A long body's mentions are read again at most once per PACE × its last read's time, and while
	 * the member types in it only once they pause (pace.ts), as the other indexes do.
	 */
	readonly #pacer: Pacer;
	readonly #bodies = new Map<string, Followed>();
	readonly #talks = new Map<string, Followed>();
	/** Each page's items, by source: mentions from its body; threads and shares from its discussion. */
	readonly #bodyItems = new Map<string, readonly InboxItem[]>();
	readonly #talkItems = new Map<string, readonly InboxItem[]>();
	#decisionItems: readonly InboxItem[] = [];
	readonly #dirtyBodies = new Set<string>();
	readonly #dirtyTalks = new Set<string>();
	#decisionsDirty = true;
	#state: Followed | null = null;
	readonly #loader = new StateLoader('inbox state', (opened) => this.setState(opened.doc, opened.link), () => this.#statusChanged());
	/** Page documents asked for (`expect`) that have not arrived: `body:<page>`, `talk:<page>`. */
	readonly #awaited = new Set<string>();
	/** Whether the first round has settled; it never unsettles (later pages only make it `syncing`). */
	#settled = false;
	#lastStatus = 'loading';
	#destroyed = false;
	/** `entries` as last computed; null after anything it reads changed. */
	#entries: InboxEntry[] | null = null;
	readonly #listeners = new Set<() => void>();
	readonly #statusListeners = new Set<() => void>();

	/**
	 * `workspace` is the workspace document (decisions, page kinds), with its relay link if any;
	 * `me` the member whose inbox this is.
	 */
	constructor(workspace: Y.Doc, me: string, schedule: Schedule = idleSchedule, workspaceLink: SyncSource | null = null, now: () => number = () => performance.now()) {
		this.#me = me;
		this.#batch = new Batch(schedule, () => this.#read(false));
		this.#pacer = new Pacer(now, () => this.#batch.request());
		this.#workspace = this.#watch(workspace, workspaceLink, () => {
			this.#decisionsDirty = true;
			this.#later();
		});
		this.#later();
	}

	/** Says a page's body and discussion are being opened: the first round waits for both (or `missed`). */
	expect(pageId: string): void {
		if (this.#destroyed) return;
		if (!this.#bodies.has(pageId)) this.#awaited.add(`body:${pageId}`);
		if (!this.#talks.has(pageId)) this.#awaited.add(`talk:${pageId}`);
		this.#statusChanged();
	}

	/** Opening one of a page's documents failed: the first round stops waiting for it. */
	missed(pageId: string, source: 'body' | 'talk'): void {
		this.#arrived(`${source}:${pageId}`);
	}

	/** Follows a page body: mentions of the member in its text. */
	trackBody(pageId: string, doc: Y.Doc, link: SyncSource | null = null): void {
		this.#follow(this.#bodies, this.#dirtyBodies, pageId, doc, link, () => undefined, (origin) => {
			// The member typing in a long body: read once they pause (their own words mention nobody to them).
			this.#pacer.changed(pageId, origin);
		});
		this.#arrived(`body:${pageId}`);
	}

	/** Follows a page's discussion document: threads, shares and positions. */
	trackTalk(pageId: string, doc: Y.Doc, link: SyncSource | null = null): void {
		// Its first sync may make its positions known (`#positions`): the decisions are read again.
		this.#follow(this.#talks, this.#dirtyTalks, pageId, doc, link, () => {
			this.#decisionsDirty = true;
			this.#later();
		});
		this.#decisionsDirty = true;
		this.#arrived(`talk:${pageId}`);
	}

	/** Stops following a page (deleted for good) and drops its items. */
	untrack(pageId: string): void {
		for (const followed of [this.#bodies, this.#talks]) {
			followed.get(pageId)?.stop();
			followed.delete(pageId);
		}
		this.#dirtyBodies.delete(pageId);
		this.#dirtyTalks.delete(pageId);
		this.#pacer.forget(pageId);
		this.#awaited.delete(`body:${pageId}`);
		this.#awaited.delete(`talk:${pageId}`);
		const hadMentions = this.#bodyItems.delete(pageId);
		const hadThreads = this.#talkItems.delete(pageId);
		this.#decisionsDirty = true;
		if (hadMentions || hadThreads) this.#changed();
		this.#later();
	}

	/** The member's own state (their private inbox room): what they read and cleared. */
	setState(doc: Y.Doc, link: SyncSource | null = null): void {
		if (this.#destroyed || this.#state?.doc === doc) return;
		this.#state?.stop();
		this.#state = this.#watch(doc, link, () => this.#changed());
		this.#changed();
		// The first round may be waiting for nothing else.
		this.#later();
		this.#statusChanged();
	}

	/** Opens the member's state with `open`; if that fails, `status` says why until `retryState`. */
	loadState(open: () => Promise<Source>): void {
		this.#loader.load(open);
	}

	/** Tries opening the member's state again after it failed (the inbox's "Try again"). */
	retryState(): void {
		if (!this.#state && !this.#destroyed) this.#loader.retry();
	}

	/** Every item with the member's state, newest first (cleared ones too, marked `done`). */
	get entries(): readonly InboxEntry[] {
		this.#entries ??= withState([...this.#bodyItems.values(), ...this.#talkItems.values(), this.#decisionItems].flat(), this.#state?.doc ?? null);
		return this.#entries;
	}

	/** Items not cleared, and how many of those are unread (the sidebar's count). */
	get counts(): { open: number; unread: number } {
		return inboxCounts(this.entries);
	}

	/** Whether the member's state has loaded: until then nothing can be marked, and everything reads as unread. */
	get ready(): boolean {
		return this.#state !== null;
	}

	/** Whether an empty list means an empty inbox (InboxStatus). */
	get status(): InboxStatus {
		const error = this.#loader.error;
		if (!this.#state && error !== null) return { kind: 'failed', reason: error };
		if (!this.#settled) return { kind: 'loading' };
		return this.#fromRelay() ? { kind: 'syncing' } : { kind: 'ready' };
	}

	/** Marks items read; false (nothing written) while the member's state is not loaded yet. */
	markRead(items: readonly InboxItem[]): boolean {
		return this.#write(markRead, items);
	}

	/** Clears items (and reads them). */
	markDone(items: readonly InboxItem[]): boolean {
		return this.#write(markDone, items);
	}

	/** Brings cleared items back. */
	markNotDone(items: readonly InboxItem[]): boolean {
		return this.#write(markNotDone, items);
	}

	/** Called after each batch that changed the items, and after every change to the member's state. */
	onChange(listener: () => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** Called when `status` changes. */
	onStatus(listener: () => void): () => void {
		this.#statusListeners.add(listener);
		return () => this.#statusListeners.delete(listener);
	}

	/** Re-reads every pending source now, paced or not (tests; and anything that needs the index settled). */
	flush(): void {
		this.#read(true);
	}

	/** A batch: every pending source, except long bodies not due again yet (`all`: those too). */
	#read(all: boolean): void {
		if (this.#destroyed) return;
		let changed = false;
		for (const pageId of [...this.#dirtyBodies]) {
			if (!all && !this.#pacer.due(pageId)) continue;
			this.#dirtyBodies.delete(pageId);
			const body = this.#bodies.get(pageId);
			if (body) changed = this.#put(this.#bodyItems, pageId, this.#pacer.read(pageId, () => pageMentionItems(pageId, body.doc, this.#me))) || changed;
		}
		for (const pageId of [...this.#dirtyTalks]) {
			this.#dirtyTalks.delete(pageId);
			const talk = this.#talks.get(pageId);
			if (!talk) continue;
			changed = this.#put(this.#talkItems, pageId, [...threadItems(pageId, talk.doc, this.#me), ...shareItems(pageId, talk.doc, this.#me)]) || changed;
			// A position recorded (here or by a teammate) may take a decision's item away.
			if (getPage(this.#workspace.doc, pageId)?.kind === PageKind.decision) this.#decisionsDirty = true;
		}
		if (this.#decisionsDirty) {
			this.#decisionsDirty = false;
			const next = decisionItems(this.#workspace.doc, (pageId) => this.#positions(pageId), this.#me);
			if (!sameItems(this.#decisionItems, next)) {
				this.#decisionItems = next;
				changed = true;
			}
		}
		// Everything asked for has been read once: from now on an empty list is an empty inbox (or, while
		// documents are still syncing, an inbox that may grow).
		if (!this.#settled && this.#state && this.#awaited.size === 0) this.#settled = true;
		if (changed) this.#changed();
		this.#statusChanged();
	}

	/** Stops following everything (its session closed); later calls change nothing. */
	destroy(): void {
		this.#destroyed = true;
		this.#batch.stop();
		this.#pacer.stop();
		this.#loader.stop();
		for (const followed of [this.#bodies, this.#talks]) {
			for (const { stop } of followed.values()) stop();
			followed.clear();
		}
		this.#state?.stop();
		this.#workspace.stop();
		this.#awaited.clear();
		this.#listeners.clear();
		this.#statusListeners.clear();
	}

	/**
	 * A decision record's positions, or null while they are unknown (no item then). A discussion that
	 * has a relay link but has never synced, with nothing stored on this device, is unknown: on a new
	 * device the member's position, recorded elsewhere, is surely on its way, and an item asking for it
	 * would flash and go. What this device stored is trusted, so the item is there offline.
	 */
	#positions(pageId: string) {
		const talk = this.#talks.get(pageId);
		if (!talk) return null;
		if (!talk.synced && talk.link?.storedStateVector == null && talk.doc.store.clients.size === 0) return null;
		return listPositions(talk.doc);
	}

	/** Whether documents are still on their way from the relay (each followed link not synced once yet). */
	#fromRelay(): boolean {
		if (!this.#workspace.synced || (this.#state && !this.#state.synced)) return true;
		for (const followed of [this.#bodies, this.#talks]) {
			for (const { synced } of followed.values()) if (!synced) return true;
		}
		// Pages the relay brought after the first round are opened from the device before their links are known.
		return this.#workspace.link !== null && this.#awaited.size > 0;
	}

	#follow(
		followed: Map<string, Followed>,
		dirty: Set<string>,
		pageId: string,
		doc: Y.Doc,
		link: SyncSource | null,
		onFirstSync: () => void,
		onUpdate: (origin: unknown) => void = () => undefined
	): void {
		if (this.#destroyed || followed.get(pageId)?.doc === doc) return;
		const previous = followed.get(pageId);
		if (previous) {
			previous.stop();
			// Another body now: its first read is not held back by the last one's pace (the pace is
			// the body's: a new discussion document leaves it).
			if (followed === this.#bodies) this.#pacer.forget(pageId);
		}
		followed.set(
			pageId,
			this.#watch(doc, link, (_update, origin) => {
				dirty.add(pageId);
				onUpdate(origin);
				this.#later();
			}, onFirstSync)
		);
		dirty.add(pageId);
		this.#later();
	}

	/** Listens to a document's updates, and to its link until it has synced once. */
	#watch(doc: Y.Doc, link: SyncSource | null, onUpdate: (update: Uint8Array, origin: unknown) => void, onFirstSync: () => void = () => undefined): Followed {
		return watchDoc(doc, link, onUpdate, () => {
			onFirstSync();
			this.#statusChanged();
		});
	}

	#arrived(key: string): void {
		if (!this.#awaited.delete(key)) return;
		this.#later();
		this.#statusChanged();
	}

	/** Stores a page's items from one source; whether they differ from what was there. */
	#put(store: Map<string, readonly InboxItem[]>, pageId: string, items: readonly InboxItem[]): boolean {
		const previous = store.get(pageId) ?? [];
		if (items.length === 0) store.delete(pageId);
		else store.set(pageId, items);
		return !sameItems(previous, items);
	}

	#write(write: (inbox: Y.Doc, items: readonly InboxItem[]) => void, items: readonly InboxItem[]): boolean {
		const state = this.#state;
		if (!state) return false;
		write(state.doc, items);
		return true;
	}

	#later(): void {
		this.#batch.request();
	}

	#changed(): void {
		this.#entries = null;
		for (const listener of [...this.#listeners]) listener();
	}

	/** Tells the status listeners, when the status is not what they last heard. */
	#statusChanged(): void {
		if (this.#destroyed) return;
		const status = this.status;
		const seen = status.kind === 'failed' ? `failed:${status.reason}` : status.kind;
		if (seen === this.#lastStatus) return;
		this.#lastStatus = seen;
		for (const listener of [...this.#statusListeners]) listener();
	}
}

function sameItems(a: readonly InboxItem[], b: readonly InboxItem[]): boolean {
	return a.length === b.length && a.every((item, i) => JSON.stringify(item) === JSON.stringify(b[i]));
}

const indexes = new WeakMap<WorkspaceSession, InboxIndex>();

/** The inbox of an open workspace, fed with every page body and discussion on this device. */
export function inboxFor(session: WorkspaceSession): InboxIndex {
	const known = indexes.get(session);
	if (known) return known;
	const index = new InboxIndex(session.workspaceDoc, session.memberId, idleSchedule, session.link(workspaceRoom(session.id)));
	indexes.set(session, index);
	index.loadState(() => session.openInbox());
	followEveryPageDocs(
		session,
		{
			expect: (pageId) => index.expect(pageId),
			missed: (pageId, source) => index.missed(pageId, source),
			track: (pageId, source, doc, link) => (source === 'body' ? index.trackBody(pageId, doc, link) : index.trackTalk(pageId, doc, link)),
			untrack: (pageId) => index.untrack(pageId)
		},
		() => index.destroy()
	);
	return index;
}
