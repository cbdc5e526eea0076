/**
 * The search index of an open workspace, kept up to date with every change on this device and every
 * change arriving from teammates, without work on the typing path.
 *
 * An update to a page body or discussion (a keystroke, a sync message, another tab) only marks that
 * page dirty. In a later idle moment (`schedule`) dirty pages are read again (search/units.ts) and
 * what changed is sent to the backend — in the app a Web Worker that tokenizes, indexes and answers
 * queries (search/backend.ts). Reading is sliced (`SLICE_MS`): a thousand pages arriving at once
 * are read a few milliseconds at a time, so a keystroke never waits behind the index. A slice reads
 * at least one page, however long its bookkeeping took, so the index catches up even while the
 * workspace changes before every slice. A long page is read again by a slice at most once per PACE × its last
 * read's time (pace.ts).
 *
 * The workspace document says each page's title, kind, archive state and decision record; a change
 * there marks only the pages whose entry or record changed (observed key by key: the activity log
 * and a teammate's unrelated edits cost nothing), those whose archive state it changed (an archived
 * or moved parent takes its subtree along), and the pages whose body links to
 * a page whose title differs from the one read into them (a link reads as the linked page's title
 * now: renamed, deleted, or arriving after the link). Pages deleted for good leave the index with
 * their threads.
 *
 * `status` says whether an empty result can be trusted, like the inbox's (inbox.ts): `loading` until
 * every page's body and discussion has been opened and indexed once, `syncing` while some of them
 * have not synced with the relay since, else `ready`.
 *
 * `searchFor(session)` builds one index per open workspace, fed with every page's body and
 * discussion — offline too, from IndexedDB — and destroyed with the session. The backend's code (the
 * worker and the engine) is not needed to open a page, so it is not loaded with one: the index reads
 * pages as before, and `LoadingBackend` keeps what it sends until that code has come, with the first
 * query or once the page has settled (`STARTUP_MS`), whichever is first.
 */
import type * as Y from 'yjs';
import { getPage, listPages, pagesMap, type PageEntry } from '../model/workspace.ts';
import { decisionsMap } from '../model/decision-records.ts';
import { archivedPages, pageUnit, pageUnitId, threadUnits } from '../search/units.ts';
import type { SearchQuery, SearchResults, SearchUnit } from '../search/engine.ts';
import type { SearchBackend } from '../search/backend.ts';
import { Batch, idleSchedule, type Schedule } from './backlinks.ts';
import { Pacer } from './pace.ts';
import { followEveryPageDocs, type PageDocsFollower } from './each-page.ts';
import { workspaceRoom } from '../protocol/index.ts';
import { watchDoc, type SyncSource, type WatchedDoc } from './state-room.ts';
import type { WorkspaceSession } from './workspace-session.ts';

export type SearchStatus =
	| { readonly kind: 'loading'; readonly indexed: number; readonly total: number }
	| { readonly kind: 'syncing' }
	| { readonly kind: 'ready' };

/** How long one idle slice reads pages before yielding to the page. */
export const SLICE_MS = 8;
/**
 * How long after the index starts its backend's code is loaded, if no query asked for it before (then
 * in the next idle moment): long enough for the page being opened to have loaded its own scripts.
 */
export const STARTUP_MS = 3000;

/**
 * A backend whose code is loaded on demand (`start`, or the first `search`). Until then what the
 * index sends is kept — the latest unit per id, and the ids removed — and handed over in one go, so
 * the index reads pages as it always does. A load that fails (offline before this version was saved
 * on the device) fails the queries waiting for it and is tried again by the next one.
 */
export class LoadingBackend implements SearchBackend {
	readonly #load: () => Promise<SearchBackend>;
	#backend: SearchBackend | null = null;
	#loading: Promise<SearchBackend> | null = null;
	/** Unit id → the unit to put, or null to remove it. */
	readonly #held = new Map<string, SearchUnit | null>();
	#destroyed = false;
	readonly #failureListeners: ((reason: string) => void)[] = [];

	constructor(load: () => Promise<SearchBackend>) {
		this.#load = load;
	}

	/** Loads the backend (once) and hands it what was kept. */
	start(): Promise<SearchBackend> {
		if (this.#destroyed) return Promise.reject(new Error('search closed'));
		if (this.#backend) return Promise.resolve(this.#backend);
		this.#loading ??= this.#load().then(
			(backend) => {
				if (this.#destroyed) {
					backend.destroy();
					throw new Error('search closed');
				}
				this.#backend = backend;
				backend.onFailure?.((reason) => {
					for (const listener of this.#failureListeners) listener(reason);
				});
				const puts: SearchUnit[] = [];
				const removes: string[] = [];
				for (const [id, unit] of this.#held) {
					if (unit) puts.push(unit);
					else removes.push(id);
				}
				this.#held.clear();
				if (puts.length > 0 || removes.length > 0) backend.apply(puts, removes);
				return backend;
			},
			(error: unknown) => {
				this.#loading = null;
				throw error;
			}
		);
		return this.#loading;
	}

	onFailure(listener: (reason: string) => void): void {
		this.#failureListeners.push(listener);
	}

	apply(puts: readonly SearchUnit[], removes: readonly string[]): void {
		if (this.#destroyed) return;
		if (this.#backend) return this.#backend.apply(puts, removes);
		// Deleted first, so a kept entry moves to the end: the hand-over keeps the order of the last sends.
		for (const id of removes) {
			this.#held.delete(id);
			this.#held.set(id, null);
		}
		for (const unit of puts) {
			this.#held.delete(unit.id);
			this.#held.set(unit.id, unit);
		}
	}

	async search(query: SearchQuery): Promise<SearchResults> {
		if (this.#destroyed) throw new Error('search closed');
		return (this.#backend ?? (await this.start())).search(query);
	}

	destroy(): void {
		this.#destroyed = true;
		this.#held.clear();
		this.#backend?.destroy();
	}
}

/** The engine on the page, loaded at once: what takes over from a worker that stopped. */
function localBackend(): SearchBackend {
	const backend = new LoadingBackend(async () => new (await import('../search/backend.ts')).LocalSearchBackend());
	backend.start().catch((error: unknown) => console.warn('Search could not load its engine; the next query tries again.', error));
	return backend;
}

type Followed = WatchedDoc;

export class SearchIndex implements PageDocsFollower {
	readonly #workspace: Y.Doc;
	readonly #workspaceLink: SyncSource | null;
	#workspaceSynced: boolean;
	#backend: SearchBackend;
	readonly #fallback: () => SearchBackend;
	readonly #batch: Batch;
	readonly #now: () => number;
	/** A long page is read again at most once per PACE × its last read's time (pace.ts). */
	readonly #pacer: Pacer;
	readonly #bodies = new Map<string, Followed>();
	readonly #talks = new Map<string, Followed>();
	/** Pages to read again, and whether their threads must be read too. */
	readonly #dirty = new Map<string, { threads: boolean }>();
	/** Per page, the pages its body links to and the title each link was read as (null: no such page). */
	readonly #links = new Map<string, Map<string, string | null>>();
	/** Thread unit ids sent per page, to remove those gone. */
	readonly #threads = new Map<string, Set<string>>();
	/** Pages the index holds a unit for. */
	readonly #indexed = new Set<string>();
	/** Pages read with everything that is coming for them (no body or discussion still opening): `status`'s count. */
	readonly #complete = new Set<string>();
	readonly #awaited = new Set<string>();
	/** Every page's entry as the workspace document says now, kept key by key. */
	readonly #pages = new Map<string, PageEntry>();
	/** Pages archived or under an archived page, as of the last batch. */
	#archived = new Set<string>();
	/** An entry's parent or archive state changed (or a page came or went): archive states are recomputed. */
	#treeChanged = true;
	#settled = false;
	#lastStatus = '';
	#destroyed = false;
	readonly #listeners = new Set<() => void>();
	readonly #statusListeners = new Set<() => void>();
	readonly #stopWorkspace: () => void;

	/**
	 * `fallback` makes the backend that takes over if `backend` stops for good (the worker crashed
	 * or could not load): by default the engine on the page. `now` times the slices, `paceClock` the
	 * pace of each page's reads (both performance.now() by default).
	 */
	constructor(
		workspace: Y.Doc,
		backend: SearchBackend,
		options: { schedule?: Schedule; workspaceLink?: SyncSource | null; now?: () => number; paceClock?: () => number; fallback?: () => SearchBackend } = {}
	) {
		this.#workspace = workspace;
		this.#backend = backend;
		this.#fallback = options.fallback ?? localBackend;
		this.#watchBackend();
		this.#workspaceLink = options.workspaceLink ?? null;
		this.#workspaceSynced = this.#workspaceLink === null || this.#workspaceLink.synced;
		this.#now = options.now ?? (() => performance.now());
		this.#batch = new Batch(options.schedule ?? idleSchedule, () => this.flush(SLICE_MS));
		this.#pacer = new Pacer(options.paceClock ?? (() => performance.now()), () => this.#batch.request());
		const pages = pagesMap(workspace);
		const records = decisionsMap(workspace);
		const onPages = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
			for (const event of events) {
				if (event.target === pages) for (const id of event.changes.keys.keys()) this.#entryChanged(id, true);
				else if (typeof event.path[0] === 'string') this.#entryChanged(event.path[0], event.changes.keys.has('parentId') || event.changes.keys.has('archivedAt'));
			}
		};
		const onRecords = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
			for (const event of events) {
				const ids = event.target === records ? [...event.changes.keys.keys()] : [event.path[0]];
				for (const id of ids) if (typeof id === 'string') this.#markDirty(id, false);
			}
		};
		pages.observeDeep(onPages);
		records.observeDeep(onRecords);
		for (const page of listPages(workspace)) this.#entryChanged(page.id, true);
		let stopLink = () => undefined as void;
		if (this.#workspaceLink && !this.#workspaceSynced) {
			const link = this.#workspaceLink;
			stopLink = link.onChange(() => {
				if (!link.synced) return;
				this.#workspaceSynced = true;
				stopLink();
				this.#statusChanged();
			});
		}
		this.#stopWorkspace = () => {
			pages.unobserveDeep(onPages);
			records.unobserveDeep(onRecords);
			stopLink();
		};
		this.#batch.request();
	}

	/** Says a page's body and discussion are being opened: `loading` waits for both (or `missed`). */
	expect(pageId: string): void {
		if (this.#destroyed) return;
		if (!this.#bodies.has(pageId)) this.#awaited.add(`body:${pageId}`);
		if (!this.#talks.has(pageId)) this.#awaited.add(`talk:${pageId}`);
		this.#statusChanged();
	}

	/** Opening one of a page's documents failed: `loading` stops waiting for it. */
	missed(pageId: string, source: 'body' | 'talk'): void {
		// Read again: with nothing more coming, it counts as indexed.
		if (this.#awaited.delete(`${source}:${pageId}`)) this.#markDirty(pageId, false);
	}

	/** Follows a page's body (`source` 'body') or discussion ('talk'), with its relay link if any. */
	track(pageId: string, source: 'body' | 'talk', doc: Y.Doc, link: SyncSource | null = null): void {
		this.#follow(source === 'body' ? this.#bodies : this.#talks, pageId, doc, link, source === 'talk');
		this.#awaited.delete(`${source}:${pageId}`);
	}

	/** Stops following a page (deleted for good): its units leave the index. */
	untrack(pageId: string): void {
		for (const followed of [this.#bodies, this.#talks]) {
			followed.get(pageId)?.stop();
			followed.delete(pageId);
		}
		this.#awaited.delete(`body:${pageId}`);
		this.#awaited.delete(`talk:${pageId}`);
		// Its units leave at the next slice, not once its pace allows.
		this.#pacer.forget(pageId);
		this.#markDirty(pageId, true);
	}

	/** Searches what is indexed now (changes not yet read in an idle moment are not in it yet). */
	search(query: SearchQuery): Promise<SearchResults> {
		return this.#backend.search(query);
	}

	get status(): SearchStatus {
		if (!this.#settled) return { kind: 'loading', indexed: this.#complete.size, total: pagesMap(this.#workspace).size };
		return this.#fromRelay() ? { kind: 'syncing' } : { kind: 'ready' };
	}

	/** Called after each batch that changed what the index holds. */
	onChange(listener: () => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	onStatus(listener: () => void): () => void {
		this.#statusListeners.add(listener);
		return () => this.#statusListeners.delete(listener);
	}

	/**
	 * Reads dirty pages and sends what changed; with a `budget` (ms), a slice: it stops once the
	 * budget is spent and asks for another, and leaves a long page read too recently dirty until it
	 * is due (pace.ts). Without one, reads everything pending (tests; benchmarks).
	 */
	flush(budget = Infinity): void {
		if (this.#destroyed) return;
		const started = this.#now();
		const paced = budget !== Infinity;
		const puts: SearchUnit[] = [];
		const removes: string[] = [];
		this.#markArchiveChanges();
		let more = false;
		for (const [pageId, { threads }] of this.#dirty) {
			if (paced && !this.#pacer.due(pageId)) continue;
			this.#dirty.delete(pageId);
			this.#pacer.read(pageId, () => this.#read(pageId, threads, puts, removes));
			// Checked after a page, not before: when the bookkeeping above spent the budget (a big
			// workspace whose entries changed), a slice that read nothing would only ask for another.
			if (this.#now() - started >= budget) {
				more = true;
				break;
			}
		}
		if (puts.length > 0 || removes.length > 0) this.#backend.apply(puts, removes);
		// Pages held back by their pace are asked for by the pacer once due.
		if (more && this.#dirty.size > 0) this.#batch.request();
		else if (this.#dirty.size === 0 && !this.#settled && this.#awaited.size === 0) this.#settled = true;
		if (puts.length > 0 || removes.length > 0) for (const listener of [...this.#listeners]) listener();
		this.#statusChanged();
	}

	destroy(): void {
		this.#destroyed = true;
		this.#batch.stop();
		this.#pacer.stop();
		this.#stopWorkspace();
		for (const followed of [this.#bodies, this.#talks]) {
			for (const { stop } of followed.values()) stop();
			followed.clear();
		}
		this.#backend.destroy();
		this.#listeners.clear();
		this.#statusListeners.clear();
	}

	#watchBackend(): void {
		const backend = this.#backend;
		backend.onFailure?.((reason) => {
			if (this.#destroyed || this.#backend !== backend) return;
			console.warn(`Search runs on the page from now on: ${reason}`);
			this.#backend = this.#fallback();
			backend.destroy();
			this.#watchBackend();
			// The new backend holds nothing: every page is read again, and until then the results are
			// not all there (\`loading\`).
			this.#indexed.clear();
			this.#complete.clear();
			this.#threads.clear();
			this.#links.clear();
			for (const pageId of this.#pages.keys()) this.#markDirty(pageId, true);
			this.#settled = false;
			this.#batch.request();
			this.#statusChanged();
		});
	}

	#follow(followed: Map<string, Followed>, pageId: string, doc: Y.Doc, link: SyncSource | null, threads: boolean): void {
		if (this.#destroyed || followed.get(pageId)?.doc === doc) return;
		followed.get(pageId)?.stop();
		const entry = watchDoc(
			doc,
			link,
			(_update, origin) => {
				this.#markDirty(pageId, threads);
				// The member typing in a long body: indexed once they pause (pace.ts).
				if (!threads) this.#pacer.changed(pageId, origin);
			},
			() => this.#statusChanged()
		);
		followed.set(pageId, entry);
		this.#markDirty(pageId, threads);
	}

	#markDirty(pageId: string, threads: boolean): void {
		if (this.#destroyed) return;
		const known = this.#dirty.get(pageId);
		if (known) known.threads ||= threads;
		else this.#dirty.set(pageId, { threads });
		this.#batch.request();
	}

	/** A page's entry came, went or changed: it is read again, and so are the pages linking to it. */
	#entryChanged(pageId: string, treeChanged: boolean): void {
		if (this.#destroyed) return;
		const page = getPage(this.#workspace, pageId);
		if (page) this.#pages.set(pageId, page);
		else {
			this.#pages.delete(pageId);
			this.#pacer.forget(pageId);
		}
		this.#treeChanged ||= treeChanged;
		this.#markDirty(pageId, true);
		// A link reads as the linked page's title now.
		for (const [source, linked] of this.#links) {
			if (linked.has(pageId) && linked.get(pageId) !== (page?.title ?? null)) this.#markDirty(source, false);
		}
	}

	/** Recomputes which pages are archived after the tree changed; the pages whose state flipped are read again. */
	#markArchiveChanges(): void {
		if (!this.#treeChanged) return;
		this.#treeChanged = false;
		const before = this.#archived;
		this.#archived = archivedPages([...this.#pages.values()]);
		for (const pageId of this.#pages.keys()) if (before.has(pageId) !== this.#archived.has(pageId)) this.#markDirty(pageId, true);
	}

	#read(pageId: string, threads: boolean, puts: SearchUnit[], removes: string[]): void {
		const page = this.#pages.get(pageId);
		if (!page) {
			if (this.#indexed.delete(pageId)) removes.push(pageUnitId(pageId));
			this.#complete.delete(pageId);
			for (const id of this.#threads.get(pageId) ?? []) removes.push(id);
			this.#threads.delete(pageId);
			this.#links.delete(pageId);
			return;
		}
		const archived = this.#archived.has(pageId);
		const talk = this.#talks.get(pageId)?.doc ?? null;
		const linked = new Map<string, string | null>();
		const titleOf = (id: string) => {
			const title = this.#pages.get(id)?.title ?? null;
			linked.set(id, title);
			return title;
		};
		puts.push(pageUnit({ workspace: this.#workspace, page, archived, body: this.#bodies.get(pageId)?.doc ?? null, talk, titleOf }));
		if (linked.size > 0) this.#links.set(pageId, linked);
		else this.#links.delete(pageId);
		this.#indexed.add(pageId);
		if (this.#awaited.has(`body:${pageId}`) || this.#awaited.has(`talk:${pageId}`)) this.#complete.delete(pageId);
		else this.#complete.add(pageId);
		if (!threads || !talk) return;
		const units = threadUnits(page, archived, talk);
		const before = this.#threads.get(pageId) ?? new Set<string>();
		const now = new Set(units.map((unit) => unit.id));
		for (const id of before) if (!now.has(id)) removes.push(id);
		puts.push(...units);
		this.#threads.set(pageId, now);
	}

	#fromRelay(): boolean {
		if (!this.#workspaceSynced) return true;
		for (const followed of [this.#bodies, this.#talks]) for (const { synced } of followed.values()) if (!synced) return true;
		return this.#workspaceLink !== null && this.#awaited.size > 0;
	}

	#statusChanged(): void {
		if (this.#destroyed) return;
		const status = this.status;
		const seen = status.kind === 'loading' ? `loading:${status.indexed}` : status.kind;
		if (seen === this.#lastStatus) return;
		this.#lastStatus = seen;
		for (const listener of [...this.#statusListeners]) listener();
	}
}

/** The worker in a browser that can start one; the index in-process otherwise. */
async function startBackend(): Promise<SearchBackend> {
	const [{ LocalSearchBackend, WorkerSearchBackend }, { default: SearchWorker }] = await Promise.all([
		import('../search/backend.ts'),
		// Inlined into the app's own script: SvelteKit's service worker does not precache worker files
		// (sveltejs/kit#12438), and search must start offline too. It starts from a blob: URL.
		import('../search/search.worker.ts?worker&inline')
	]);
	if (typeof Worker === 'undefined') return new LocalSearchBackend();
	try {
		return new WorkerSearchBackend(new SearchWorker({ name: 'search' }));
	} catch (error) {
		console.warn('Search runs on the page: the search worker could not start.', error);
		return new LocalSearchBackend();
	}
}

const indexes = new WeakMap<WorkspaceSession, SearchIndex>();

/** The search index of an open workspace, fed with every page body and discussion on this device. */
export function searchFor(session: WorkspaceSession): SearchIndex {
	const known = indexes.get(session);
	if (known) return known;
	const backend = new LoadingBackend(startBackend);
	const index = new SearchIndex(session.workspaceDoc, backend, { workspaceLink: session.link(workspaceRoom(session.id)) });
	indexes.set(session, index);
	// Not before the page being opened has its own scripts: see STARTUP_MS. A first query starts it
	// sooner; one that fails here (offline, not saved on the device yet) is tried again by the next query.
	const startup = setTimeout(() => idleSchedule(() => void backend.start().catch(() => undefined)), STARTUP_MS);
	followEveryPageDocs(session, index, () => {
		clearTimeout(startup);
		index.destroy();
	});
	return index;
}
