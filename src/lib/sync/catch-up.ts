/**
 * The catch-up index: what changed on every page of an open workspace since the member last looked
 * (model/catch-up.ts), kept live for the "What's new" view, its sidebar count and the page banner.
 *
 * Like the inbox index (inbox.ts) it follows every page body and discussion through the session's
 * shared documents (`followEveryPageDocs`; opened from IndexedDB, synced when there is a relay, so it
 * works offline with whatever has synced), the workspace document and the member's private state,
 * and recomputes in a batch on an idle callback, never on the typing path — only the pages whose
 * documents or "seen" entry changed (a change to the workspace document re-reads decision records
 * and titles; catch-up starting, every page). Walking a body is the expensive part, so each page's
 * "edited" entries are also remembered until its body or its stored "seen" entry changes.
 * A long page is read again by a batch at most once per PACE × its last read's time (pace.ts): the
 * benchmark page's walk takes 10–20 ms, and a teammate typing had it walked ten times a second.
 *
 * The member's state (their private room, state-room.ts) is read only once it can be trusted: its
 * relay link has synced once, or this device has synced it before (`storedStateVector`), or there
 * is no relay. On a new device the room starts empty: a baseline taken from it would highlight
 * nothing, and a look written from it could win the concurrent map write against the real last
 * look, losing the news. Until then nothing is news and nothing is recorded (`see` is false).
 *
 * `status`: `loading` until the state is open and every page asked for has been read once (an
 * empty list before that means nothing); `failed` when opening the state failed (`retryState`);
 * `syncing` while the state's link has not synced once (nothing is listed while the state cannot
 * be trusted yet; after that, what is listed may still grow); else `ready`.
 */
import * as Y from 'yjs';
import { editEntries, bodyChangesSince, lastSeen, lookAt, markSeen, pageNews, recordLook, seenMap, seenSinceArray, sortNews, startCatchUp, type Look, type NewsEntry, type PageDocs, type PageNews } from '../model/catch-up.ts';
import { getPage, PageKind } from '../model/workspace.ts';
import { Origin } from '../model/origins.ts';
import { canWriteSchema } from '../model/version.ts';
import { followEveryPageDocs } from './each-page.ts';
import { Batch, idleSchedule, type Schedule } from './backlinks.ts';
import { Pacer } from './pace.ts';
import { StateLoader, type Source, type SyncSource } from './state-room.ts';
import type { WorkspaceSession } from './workspace-session.ts';

export type CatchUpStatus = 'loading' | 'failed' | 'syncing' | 'ready';

interface Followed {
	body: Y.Doc | null;
	talk: Y.Doc | null;
	stop: (() => void)[];
}

export class CatchUpIndex {
	readonly #workspace: Y.Doc;
	readonly #me: string;
	readonly #batch: Batch;
	readonly #now: () => number;
	/** A long page is read again at most once per PACE × its last read's time (pace.ts). */
	readonly #pacer: Pacer;
	readonly #pages = new Map<string, Followed>();
	/** Pages asked for whose documents have not both arrived. */
	readonly #awaited = new Set<string>();
	/** Each page's "edited" entries, with the body version and stored entry they were read for. */
	readonly #edits = new Map<string, { seen: unknown; version: number; entries: readonly NewsEntry[] }>();
	readonly #bodyVersions = new Map<string, number>();
	/** The member's state as opened, and once it can be trusted (see above). */
	#opened: Y.Doc | null = null;
	#state: Y.Doc | null = null;
	/** Whether the state's link has synced once (true without a link). */
	#stateSynced = false;
	readonly #loader = new StateLoader('catch-up state', (opened) => this.setState(opened.doc, opened.link), () => this.#notify());
	/** What each listed page's news was read from: "Mark all read" records that, not the documents now. */
	readonly #looks = new WeakMap<PageNews, Look>();
	/** Each page's news as last read (null: none). */
	readonly #pageNews = new Map<string, PageNews | null>();
	readonly #dirty = new Set<string>();
	#allDirty = true;
	#workspaceChanged = false;
	#news: PageNews[] = [];
	#settled = false;
	#destroyed = false;
	readonly #listeners = new Set<() => void>();
	readonly #stopWorkspace: () => void;
	#stopState = (): void => undefined;

	/** `now`: the time looks are recorded at; `clock`: a monotonic one, for pacing. */
	constructor(workspace: Y.Doc, me: string, schedule: Schedule = idleSchedule, now: () => number = Date.now, clock: () => number = () => performance.now()) {
		this.#workspace = workspace;
		this.#me = me;
		this.#batch = new Batch(schedule, () => this.#recompute(true));
		this.#pacer = new Pacer(clock, () => this.#batch.request());
		this.#now = now;
		const onUpdate = () => {
			this.#workspaceChanged = true;
			this.#later();
		};
		workspace.on('update', onUpdate);
		this.#stopWorkspace = () => workspace.off('update', onUpdate);
	}

	/** Says a page's documents are being opened: `loading` waits for them. */
	expect(pageId: string): void {
		if (!this.#pages.has(pageId)) this.#awaited.add(pageId);
	}

	/** Follows a page's body or discussion. */
	track(pageId: string, kind: 'body' | 'talk', doc: Y.Doc): void {
		if (this.#destroyed) return;
		let followed = this.#pages.get(pageId);
		if (!followed) this.#pages.set(pageId, (followed = { body: null, talk: null, stop: [] }));
		if (followed[kind] === doc) return;
		followed[kind] = doc;
		const changed = () => {
			if (kind === 'body') this.#bodyVersions.set(pageId, (this.#bodyVersions.get(pageId) ?? 0) + 1);
			this.#dirty.add(pageId);
			this.#later();
		};
		const onUpdate = (_update: Uint8Array, origin: unknown) => {
			// The member's own typing is no news to them: a long page is read again once they pause.
			if (kind === 'body') this.#pacer.changed(pageId, origin);
			changed();
		};
		doc.on('update', onUpdate);
		followed.stop.push(() => doc.off('update', onUpdate));
		if (followed.body && followed.talk) this.#awaited.delete(pageId);
		changed();
	}

	/** Opening a page's documents failed: `loading` stops waiting for it. */
	missed(pageId: string): void {
		this.#awaited.delete(pageId);
		this.#later();
	}

	/** Stops following a page (deleted for good). */
	untrack(pageId: string): void {
		for (const stop of this.#pages.get(pageId)?.stop ?? []) stop();
		this.#pages.delete(pageId);
		this.#awaited.delete(pageId);
		this.#edits.delete(pageId);
		this.#pageNews.delete(pageId);
		this.#dirty.delete(pageId);
		this.#pacer.forget(pageId);
		this.#later();
	}

	/** Opens the member's state with `open`; if that fails, `status` says so until `retryState`. */
	loadState(open: () => Promise<Source>): void {
		this.#loader.load(open);
	}

	/** Tries opening the member's state again after it failed (What's new's "Try again"). */
	retryState(): void {
		if (!this.#opened && !this.#destroyed) this.#loader.retry();
	}

	/** Why opening the member's state failed, while `status` is `failed`. */
	get failure(): string | null {
		return this.#opened ? null : this.#loader.error;
	}

	/** The member's private state, with its relay link if any; read once it can be trusted. */
	setState(inbox: Y.Doc, link: SyncSource | null = null): void {
		if (this.#destroyed || this.#opened) return;
		this.#opened = inbox;
		this.#stateSynced = link === null || link.synced;
		if (link && !this.#stateSynced) {
			const stop = link.onChange(() => {
				if (!link.synced || this.#destroyed) return;
				stop();
				this.#stateSynced = true;
				this.#useState(inbox);
				this.#notify();
			});
			const stopBefore = this.#stopState;
			this.#stopState = () => {
				stopBefore();
				stop();
			};
		}
		if (this.#stateSynced || link?.storedStateVector != null) this.#useState(inbox);
		this.#notify();
	}

	/** Starts reading the member's state: catch-up starts for them now if it had not. */
	#useState(inbox: Y.Doc): void {
		if (this.#state === inbox) return;
		this.#state = inbox;
		// A look recorded (here or on another device) changes that page's news; catch-up starting, every page's.
		const onSeen = (event: Y.YMapEvent<unknown>) => {
			for (const pageId of event.keysChanged) this.#dirty.add(pageId);
			this.#later();
		};
		const onSince = () => {
			this.#allDirty = true;
			this.#later();
		};
		seenMap(inbox).observe(onSeen);
		seenSinceArray(inbox).observe(onSince);
		const stopBefore = this.#stopState;
		this.#stopState = () => {
			stopBefore();
			seenMap(inbox).unobserve(onSeen);
			seenSinceArray(inbox).unobserve(onSince);
		};
		if (canWriteSchema(inbox)) startCatchUp(inbox, this.#now());
		onSince();
	}

	/** The member's state, once loaded and trusted (see above). */
	get state(): Y.Doc | null {
		return this.#state;
	}

	get status(): CatchUpStatus {
		if (!this.#opened) return this.#loader.error !== null ? 'failed' : 'loading';
		if (!this.#state) return 'syncing';
		if (!this.#settled) return 'loading';
		return this.#stateSynced ? 'ready' : 'syncing';
	}

	/** Every page with news, latest first. */
	get news(): readonly PageNews[] {
		return this.#news;
	}

	/** A page's documents as followed here. */
	docs(pageId: string): PageDocs {
		const followed = this.#pages.get(pageId);
		return { body: followed?.body ?? null, talk: followed?.talk ?? null };
	}

	/** A page's news as its documents are now (not waiting for the batch); null when none. */
	newsOf(pageId: string): PageNews | null {
		if (!this.#state) return null;
		return pageNews(this.#workspace, pageId, this.docs(pageId), this.#state, this.#me);
	}

	/**
	 * Records a page as seen now, when that changes anything: it was never seen, or something by
	 * someone else is new on it (`force`: whatever is new). False while the member's state is not loaded.
	 */
	see(pageId: string, force = false): boolean {
		const state = this.#state;
		if (!state || !canWriteSchema(state)) return false;
		// Not before both documents are followed here: a look without the body would record nothing to compare with.
		const docs = this.docs(pageId);
		if (!docs.body || !docs.talk) return false;
		if (!force && lastSeen(state, pageId) !== null && this.newsOf(pageId) === null) return true;
		markSeen(state, pageId, docs, this.#workspace, this.#now());
		return true;
	}

	/**
	 * "Mark all read" of `shown`, the news as displayed (by default the last batch's): each page is
	 * recorded as seen as of what its listing was read from, so a comment that arrived after that
	 * batch stays news. Pages whose news has gone since (seen elsewhere meanwhile) are left alone.
	 */
	seeAll(shown: readonly PageNews[] = this.#news): boolean {
		const state = this.#state;
		if (!state || !canWriteSchema(state)) return false;
		this.flush();
		const at = this.#now();
		state.transact(() => {
			for (const news of shown) {
				const look = this.#looks.get(news);
				if (look && this.#pageNews.get(news.page.id)) recordLook(state, news.page.id, look, at);
			}
		}, Origin.local);
		this.flush();
		return true;
	}

	onChange(listener: () => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** Recomputes now, every page that changed whatever its pace (tests; and after marking). */
	flush(): void {
		this.#recompute(false);
	}

	/** `paced` (a scheduled batch): a long page read too recently stays dirty until it is due. */
	#recompute(paced: boolean): void {
		if (this.#destroyed) return;
		const state = this.#state;
		if (state) {
			const dirty = this.#allDirty ? new Set(this.#pages.keys()) : this.#dirty;
			if (this.#workspaceChanged) {
				// Decision records (status changes) and titles live in the workspace document.
				for (const pageId of this.#pages.keys()) if (getPage(this.#workspace, pageId)?.kind === PageKind.decision) dirty.add(pageId);
				for (const [pageId, news] of this.#pageNews) {
					const page = news && getPage(this.#workspace, pageId);
					if (!news || page === news.page) continue;
					const renamed = page ? { ...news, page } : null;
					const look = this.#looks.get(news);
					if (renamed && look) this.#looks.set(renamed, look);
					this.#pageNews.set(pageId, renamed);
				}
			}
			const held: string[] = [];
			for (const pageId of dirty) {
				const followed = this.#pages.get(pageId);
				if (!followed) continue;
				if (paced && !this.#pacer.due(pageId)) {
					held.push(pageId);
					continue;
				}
				const docs = { body: followed.body, talk: followed.talk };
				const news = this.#pacer.read(pageId, () => pageNews(this.#workspace, pageId, docs, state, this.#me, (id, body, seen, me) => this.#editsOf(state, id, body, seen, me)));
				if (news) this.#looks.set(news, lookAt(pageId, docs, this.#workspace));
				this.#pageNews.set(pageId, news);
			}
			this.#dirty.clear();
			for (const pageId of held) this.#dirty.add(pageId);
			this.#allDirty = false;
			this.#workspaceChanged = false;
			this.#news = sortNews([...this.#pageNews.values()].filter((news) => news !== null));
			if (this.#awaited.size === 0) this.#settled = true;
		}
		this.#notify();
	}

	destroy(): void {
		this.#destroyed = true;
		this.#batch.stop();
		this.#pacer.stop();
		this.#loader.stop();
		for (const followed of this.#pages.values()) for (const stop of followed.stop) stop();
		this.#pages.clear();
		this.#stopWorkspace();
		this.#stopState();
		this.#listeners.clear();
	}

	#editsOf(state: Y.Doc, pageId: string, body: Y.Doc, seen: Y.Snapshot, me: string): readonly NewsEntry[] {
		const stored = seenMap(state).get(pageId);
		const version = this.#bodyVersions.get(pageId) ?? 0;
		const known = this.#edits.get(pageId);
		if (known && known.seen === stored && known.version === version) return known.entries;
		const entries = editEntries(bodyChangesSince(body, seen, me));
		this.#edits.set(pageId, { seen: stored, version, entries });
		return entries;
	}

	#notify(): void {
		for (const listener of [...this.#listeners]) listener();
	}

	#later(): void {
		this.#batch.request();
	}
}

const indexes = new WeakMap<WorkspaceSession, CatchUpIndex>();

/** The catch-up index of an open workspace, fed with every page body and discussion on this device. */
export function catchUpFor(session: WorkspaceSession): CatchUpIndex {
	const known = indexes.get(session);
	if (known) return known;
	const index = new CatchUpIndex(session.workspaceDoc, session.memberId);
	indexes.set(session, index);
	index.loadState(() => session.openInbox());
	followEveryPageDocs(
		session,
		{
			expect: (pageId) => index.expect(pageId),
			missed: (pageId) => index.missed(pageId),
			track: (pageId, source, doc) => index.track(pageId, source, doc),
			untrack: (pageId) => index.untrack(pageId)
		},
		() => index.destroy()
	);
	return index;
}
