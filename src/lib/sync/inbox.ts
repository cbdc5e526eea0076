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
 * `inboxFor(session)` builds one index per open workspace and feeds it every page body and
 * discussion: with a relay these are loaded anyway (syncAllPages); without one, from IndexedDB, so
 * the inbox works offline and on a workspace that lives on this device only.
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
import { listPositions } from '../model/decisions.ts';
import { getPage, listPages, pagesMap, PageKind } from '../model/workspace.ts';
import { idleSchedule, type Schedule } from './backlinks.ts';
import type { WorkspaceSession } from './workspace-session.ts';

interface Followed {
	readonly doc: Y.Doc;
	readonly stop: () => void;
}

export class InboxIndex {
	readonly #me: string;
	readonly #workspace: Y.Doc;
	readonly #schedule: Schedule;
	readonly #bodies = new Map<string, Followed>();
	readonly #talks = new Map<string, Followed>();
	/** Each page's items, by source: mentions from its body; threads and shares from its discussion. */
	readonly #bodyItems = new Map<string, readonly InboxItem[]>();
	readonly #talkItems = new Map<string, readonly InboxItem[]>();
	#decisionItems: readonly InboxItem[] = [];
	readonly #dirtyBodies = new Set<string>();
	readonly #dirtyTalks = new Set<string>();
	#decisionsDirty = true;
	#scheduled = false;
	#state: Followed | null = null;
	/** `entries` as last computed; null after anything it reads changed. */
	#entries: InboxEntry[] | null = null;
	readonly #listeners = new Set<() => void>();
	readonly #stopWorkspace: () => void;

	/** `workspace` is the workspace document (decisions, page kinds); `me` the member whose inbox this is. */
	constructor(workspace: Y.Doc, me: string, schedule: Schedule = idleSchedule) {
		this.#workspace = workspace;
		this.#me = me;
		this.#schedule = schedule;
		const onWorkspace = () => {
			this.#decisionsDirty = true;
			this.#later();
		};
		workspace.on('update', onWorkspace);
		this.#stopWorkspace = () => workspace.off('update', onWorkspace);
		this.#later();
	}

	/** Follows a page body: mentions of the member in its text. */
	trackBody(pageId: string, doc: Y.Doc): void {
		this.#follow(this.#bodies, this.#dirtyBodies, pageId, doc);
	}

	/** Follows a page's discussion document: threads, shares and positions. */
	trackTalk(pageId: string, doc: Y.Doc): void {
		this.#follow(this.#talks, this.#dirtyTalks, pageId, doc);
		this.#decisionsDirty = true;
	}

	/** Stops following a page (deleted for good) and drops its items. */
	untrack(pageId: string): void {
		for (const followed of [this.#bodies, this.#talks]) {
			followed.get(pageId)?.stop();
			followed.delete(pageId);
		}
		this.#dirtyBodies.delete(pageId);
		this.#dirtyTalks.delete(pageId);
		const hadMentions = this.#bodyItems.delete(pageId);
		const hadThreads = this.#talkItems.delete(pageId);
		this.#decisionsDirty = true;
		if (hadMentions || hadThreads) this.#changed();
		this.#later();
	}

	/** The member's own state (their private inbox room): what they read and cleared. */
	setState(doc: Y.Doc): void {
		if (this.#state?.doc === doc) return;
		this.#state?.stop();
		const onUpdate = () => this.#changed();
		doc.on('update', onUpdate);
		this.#state = { doc, stop: () => doc.off('update', onUpdate) };
		this.#changed();
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

	/** Re-reads every pending source now (tests; and anything that needs the index settled). */
	flush(): void {
		let changed = false;
		for (const pageId of [...this.#dirtyBodies]) {
			this.#dirtyBodies.delete(pageId);
			const body = this.#bodies.get(pageId);
			if (body) changed = this.#put(this.#bodyItems, pageId, pageMentionItems(pageId, body.doc, this.#me)) || changed;
		}
		for (const pageId of [...this.#dirtyTalks]) {
			this.#dirtyTalks.delete(pageId);
			const talk = this.#talks.get(pageId);
			if (!talk) continue;
			changed = this.#put(this.#talkItems, pageId, [...threadItems(pageId, talk.doc, this.#me), ...shareItems(pageId, talk.doc, this.#me)]) || changed;
			// A position recorded (here or by a teammate) may take a decision's item away.
			if (getPage(this.#workspace, pageId)?.kind === PageKind.decision) this.#decisionsDirty = true;
		}
		if (this.#decisionsDirty) {
			this.#decisionsDirty = false;
			const next = decisionItems(this.#workspace, (pageId) => this.#positions(pageId), this.#me);
			if (!sameItems(this.#decisionItems, next)) {
				this.#decisionItems = next;
				changed = true;
			}
		}
		if (changed) this.#changed();
	}

	destroy(): void {
		for (const followed of [this.#bodies, this.#talks]) {
			for (const { stop } of followed.values()) stop();
			followed.clear();
		}
		this.#state?.stop();
		this.#stopWorkspace();
		this.#listeners.clear();
	}

	#positions(pageId: string) {
		const talk = this.#talks.get(pageId);
		return talk ? listPositions(talk.doc) : null;
	}

	#follow(followed: Map<string, Followed>, dirty: Set<string>, pageId: string, doc: Y.Doc): void {
		if (followed.get(pageId)?.doc === doc) return;
		followed.get(pageId)?.stop();
		const onUpdate = () => {
			dirty.add(pageId);
			this.#later();
		};
		doc.on('update', onUpdate);
		followed.set(pageId, { doc, stop: () => doc.off('update', onUpdate) });
		dirty.add(pageId);
		this.#later();
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
		if (this.#scheduled) return;
		this.#scheduled = true;
		this.#schedule(() => {
			this.#scheduled = false;
			this.flush();
		});
	}

	#changed(): void {
		this.#entries = null;
		for (const listener of [...this.#listeners]) listener();
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
	const index = new InboxIndex(session.workspaceDoc, session.memberId);
	indexes.set(session, index);
	session.openInbox().then(
		(opened) => index.setState(opened.doc),
		(error: unknown) => console.error('[meridian] opening the inbox state failed', error)
	);
	const requested = new Set<string>();
	const ensure = () => {
		const present = new Set<string>();
		for (const page of listPages(session.workspaceDoc)) {
			present.add(page.id);
			if (requested.has(page.id)) continue;
			requested.add(page.id);
			// Shared documents: the same ones the editor, the comments and the relay link use. A
			// failure is tried again on the next change to the page list.
			const retry = () => requested.delete(page.id);
			session.openPage(page.id).then((opened) => {
				if (requested.has(page.id)) index.trackBody(page.id, opened.doc);
			}, retry);
			session.openTalk(page.id).then((opened) => {
				if (requested.has(page.id)) index.trackTalk(page.id, opened.doc);
			}, retry);
		}
		for (const id of requested) {
			if (present.has(id)) continue;
			requested.delete(id);
			index.untrack(id);
		}
	};
	pagesMap(session.workspaceDoc).observe(ensure);
	ensure();
	return index;
}
