/**
 * Everything one open workspace needs on this device: its documents loaded from IndexedDB and
 * written back on every change, shared with other tabs, and — when the device has a token —
 * synced with the relay over one connection. Joining brings every page onto the device.
 *
 * The member's role is the relay's to say: the token's role is where it starts, and while
 * connected the session asks the relay (`GET /api/me`) on every connect and every few seconds, so
 * an admin's change shows without a reload. The relay refuses what the old role allowed at once;
 * asking is only so the app stops offering it.
 */
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import { Origin } from '../model/origins.ts';
import { canWriteSchema } from '../model/version.ts';
import { createPage, listPages, pagesMap, type Actor, type NewPage } from '../model/workspace.ts';
import { newPageDoc, bodyFragment } from '../model/page.ts';
import { newId } from '../model/ids.ts';
import { BLANK_SEED, builtinSeed, copyTemplateBody, pageTemplateSeed, seedOpenedPage, type BuiltinTemplate } from '../model/templates.ts';
import { trackAuthorship } from '../model/authorship.ts';
import { trackAutoVersions } from '../model/versions.ts';
import { CloseCode, canWrite, inboxRoom, pageRoom, peopleRoom, readUnverifiedClaims, talkRoom, workspaceRoom, type Role, type RoomKind } from '../protocol/index.ts';
import { COMPACT_AFTER, LocalStore, applyStored } from './local-store.ts';
import { TabChannel } from './tab-channel.ts';
import { RelayConnection } from './relay-connection.ts';
import { ApiError, RelayApi } from './relay-api.ts';
import { followEveryPage } from './each-page.ts';
import type { Deferral, RoomLink } from './room-link.ts';
import { DeferredApplier } from './deferred.ts';
import type { WorkspaceRecord } from './device.ts';

export interface OpenDoc {
	readonly name: string;
	readonly kind: RoomKind;
	readonly doc: Y.Doc;
	readonly link: RoomLink | null;
}

/** What a new page starts from: a built-in template, or a page marked as a template of the workspace. */
export type TemplateChoice = { readonly kind: 'builtin'; readonly template: BuiltinTemplate } | { readonly kind: 'page'; readonly pageId: string };

/** How long creating from a workspace template waits for the template's body to sync before copying what is here. */
const TEMPLATE_SYNC_WAIT_MS = 5_000;
/**
 * How often an open connection asks the relay for the member's role. The relay pushes nothing when
 * an admin changes a role (writes from a demoted member are simply refused), so the app asks; one
 * small GET per open workspace every few seconds is cheap next to the sync traffic.
 */
const ROLE_REFRESH_MS = 5_000;

export class WorkspaceSession {
	readonly id: string;
	readonly memberId: string;
	#role: Role;
	/** Set once the relay says this device's access ended (the member was removed): why, to show. */
	#accessEnded: string | null = null;
	/** The relay's HTTP API with this device's token; null for a workspace on this device only. */
	readonly api: RelayApi | null;
	readonly #kinds = new Map<string, RoomKind>();
	readonly #authorship = new Set<string>();
	#roleTimer: ReturnType<typeof setInterval> | null = null;
	#asking: AbortController | null = null;
	readonly #tokenExpiresAt: number;
	/** The relay accepted this device's token in this session (a socket opened, or /api/me answered). */
	#admitted = false;
	#askAgain = false;
	readonly store: LocalStore;
	readonly connection: RelayConnection | null;
	readonly workspaceDoc: Y.Doc;
	readonly #tabs: TabChannel;
	readonly #docs = new Map<string, Promise<OpenDoc>>();
	readonly #compacting = new Set<string>();
	readonly #listeners = new Set<() => void>();
	readonly #closeListeners = new Set<() => void>();
	#storedSaving: Promise<void> | null = null;
	#storedDirty = new Set<RoomLink>();
	#stopAuthorship: (() => void)[] = [];
	/** What the page rooms' links stored on a join and apply later (room-link.ts, `Deferral`). */
	readonly #deferred = new DeferredApplier();
	/** Opened bodies whose index entry had not arrived: seeded once it does (see #seed). */
	readonly #awaitingEntry = new Map<string, OpenDoc>();
	#closed = false;

	private constructor(record: WorkspaceRecord, relayUrl: string | null) {
		this.id = record.id;
		this.memberId = record.memberId;
		const claims = record.token ? readUnverifiedClaims(record.token) : null;
		this.#role = claims?.role ?? 'admin';
		this.api = record.token && relayUrl ? new RelayApi(record.id, record.token) : null;
		this.#tokenExpiresAt = claims?.expiresAt ?? Infinity;
		this.store = new LocalStore(record.id);
		this.#tabs = new TabChannel(record.id);
		this.connection = record.token && relayUrl ? new RelayConnection(relayUrl, record.token) : null;
		// Documents are named by their room: Yjs would otherwise draw a random guid for each (uuidv4,
		// 31 calls to crypto: half a second of a 2,000-room join).
		this.workspaceDoc = new Y.Doc({ guid: workspaceRoom(record.id) });
		this.store.onStatus(() => this.#emit());
		this.connection?.onState((state) => {
			if (state.kind === 'open') this.#admitted = true;
			this.#followRole(state.kind === 'open');
			// A revoked token closes the socket with 4401: ask why, to say "removed" rather than "invalid token".
			if (state.kind === 'denied' && state.code === CloseCode.unauthorized) void this.refreshRole();
			this.#emit();
		});
		pagesMap(this.workspaceDoc).observe(() => {
			for (const [pageId, opened] of this.#awaitingEntry) this.#seed(opened, pageId);
		});
	}

	/** Opens a workspace: loads its index from the device, then connects to the relay if it has one. */
	static async open(record: WorkspaceRecord, relayUrl: string | null): Promise<WorkspaceSession> {
		const session = new WorkspaceSession(record, relayUrl);
		await session.#load(workspaceRoom(record.id), 'workspace', session.workspaceDoc);
		await session.openPeople();
		session.connection?.connect();
		return session;
	}

	/**
	 * The member's role: a workspace used on this device only acts as its admin; otherwise the
	 * relay's answer to `GET /api/me`, the token's until it has answered. Changes are announced
	 * through `onChange`.
	 */
	get role(): Role {
		return this.#role;
	}

	/** The sentence saying the relay no longer lets this device in (the member was removed), or null. */
	get accessEnded(): string | null {
		return this.#accessEnded;
	}

	/** Whether this member may change documents of `kind` (role, access, and a schema this app understands). */
	canEdit(kind: RoomKind, doc: Y.Doc): boolean {
		return this.#accessEnded === null && canWrite(this.#role, kind) && canWriteSchema(doc);
	}

	/**
	 * Asks the relay for the member's current role and applies it. A 401 means the relay no longer
	 * knows this device's access (removed, or the token expired): everything turns read-only and
	 * `accessEnded` says why. Other failures (offline, an older relay) change nothing.
	 */
	async refreshRole(): Promise<void> {
		if (!this.api || this.#closed) return;
		if (this.#asking) {
			// The answer on its way may predate what prompted this ask (a socket closed 4401): ask once more after it.
			this.#askAgain = true;
			return;
		}
		const asking = (this.#asking = new AbortController());
		try {
			const me = await this.api.me(asking.signal);
			this.#admitted = true;
			if (!this.#closed && me.workspaceId === this.id) this.#setRole(me.role);
		} catch (error) {
			// Only a relay that let this device in before can have removed it: a token it never took
			// (another relay's, a typo) is what the status line already says.
			if (this.#closed || !(error instanceof ApiError) || error.status !== 401 || !this.#admitted) return;
			// The relay's 401 does not say which (removed, expired, a new relay secret); the token's expiry does in part.
			this.#accessEnded = this.#tokenExpiresAt * 1000 < Date.now() ? 'Your access to this workspace expired.' : 'You were removed from this workspace.';
			this.#followRole(false);
			this.#applyWriteAccess();
			this.#emit();
		} finally {
			if (this.#asking === asking) this.#asking = null;
		}
		if (this.#askAgain && !this.#closed) {
			this.#askAgain = false;
			await this.refreshRole();
		}
	}

	/** Asks on connect, then every ROLE_REFRESH_MS while connected. */
	#followRole(connected: boolean): void {
		if (connected && this.#accessEnded === null && this.api) {
			void this.refreshRole();
			this.#roleTimer ??= setInterval(() => void this.refreshRole(), ROLE_REFRESH_MS);
		} else if (this.#roleTimer) {
			clearInterval(this.#roleTimer);
			this.#roleTimer = null;
		}
	}

	#setRole(role: Role): void {
		if (role === this.#role) return;
		this.#role = role;
		const gained = this.#applyWriteAccess();
		// Pages opened while the member could only read start recording authorship (and get their seed) now.
		for (const [name, kind] of this.#kinds) {
			if (kind !== 'page') continue;
			const opened = this.#docs.get(name);
			void opened?.then((doc) => this.#startWriting(doc)).catch(() => undefined);
		}
		// A link that gained writing must send its step-2 reply as a counted write: a fresh connection does that for every room.
		if (gained && this.connection && this.connection.state.kind === 'open') {
			this.connection.close();
			this.connection.connect();
		}
		this.#emit();
	}

	/** Tells every room link what the role (and access) now allows; whether any gained writing. */
	#applyWriteAccess(): boolean {
		let gained = false;
		for (const [name, kind] of this.#kinds) {
			const link = this.link(name);
			if (!link) continue;
			const may = this.#accessEnded === null && canWrite(this.#role, kind);
			if (may && !link.canWrite) gained = true;
			link.canWrite = may;
		}
		return gained;
	}

	/**
	 * For a page body this member may write: record authorship and daily versions (once), and seed
	 * it — at once, or with `seedAfterSync` once its room has synced (see #seedWhenSynced).
	 */
	#startWriting(opened: OpenDoc, seedAfterSync = false): void {
		if (!this.canEdit('page', opened.doc) || this.#closed) return;
		const pageId = opened.name.slice(opened.name.lastIndexOf('/') + 1);
		if (seedAfterSync) this.#seedWhenSynced(opened, pageId);
		else this.#seed(opened, pageId);
		if (this.#authorship.has(opened.name)) return;
		this.#authorship.add(opened.name);
		this.#stopAuthorship.push(trackAuthorship(opened.doc, this.memberId));
		// The body as it was before the member's first change of the day (model/versions.ts).
		this.#stopAuthorship.push(trackAutoVersions(opened.doc, this.memberId));
	}

	onChange(listener: () => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/**
	 * The body of a page, loaded from the device (and synced, when there is a relay), and seeded
	 * when this member may write it (a reader's copy waits for a writer's seed): what the editor opens.
	 */
	async openPage(pageId: string): Promise<OpenDoc> {
		const opened = await this.#openBody(pageId);
		// What a join stored and has not applied yet is applied now, and what arrives from now on at once.
		opened.link?.applyDeferred();
		// Once per document; a body first opened by followPage is seeded now if it was not yet.
		this.#startWriting(opened);
		return opened;
	}

	/**
	 * A page body followed in the background — syncing every page, the indexes that read every
	 * body — rather than opened for reading: the same shared document as openPage's, but seeded only
	 * once its room has synced. On a new device every followed body would otherwise be seeded before
	 * the relay's copy arrives, the same starting content written, stored and sent for nothing
	 * (about a second of a 1,000-page join: docs/performance.md, "Cold sync").
	 */
	async followPage(pageId: string): Promise<OpenDoc> {
		const opened = await this.#openBody(pageId);
		this.#startWriting(opened, true);
		return opened;
	}

	#openBody(pageId: string): Promise<OpenDoc> {
		const name = pageRoom(this.id, pageId);
		return this.#open(name, () => this.#load(name, 'page', newPageDoc(name)));
	}

	/**
	 * A page's discussion document (positions on a decision; comments): loaded from the device and
	 * synced like a body, for showing now (see openPage). Commenters may write it; the relay
	 * enforces that per document.
	 */
	async openTalk(pageId: string): Promise<OpenDoc> {
		const opened = await this.followTalk(pageId);
		opened.link?.applyDeferred();
		return opened;
	}

	/** A page's discussion followed in the background (syncing every page, the indexes): see followPage. */
	followTalk(pageId: string): Promise<OpenDoc> {
		const name = talkRoom(this.id, pageId);
		return this.#open(name, () => this.#load(name, 'talk', new Y.Doc({ guid: name })));
	}

	/**
	 * Creates a page that starts from a template and returns its id (the page is not opened).
	 *
	 * A built-in is only named in the entry: every device opening the page seeds it identically.
	 * A workspace template is copied here, now, as this device has it: its body is opened (and
	 * given a few seconds to sync), then the copy and the index entry are written in one task, so
	 * they reach IndexedDB in one transaction and no device ever sees the entry without the copy
	 * having been made. Other devices never write the copy themselves (see model/templates.ts).
	 */
	async createFromTemplate(choice: TemplateChoice, page: Omit<NewPage, 'id' | 'seed'>, actor: Actor): Promise<string> {
		const id = newId();
		if (choice.kind === 'builtin') {
			createPage(this.workspaceDoc, { ...page, id, seed: builtinSeed(choice.template) }, actor);
			return id;
		}
		const template = await this.openPage(choice.pageId);
		await this.#whenSynced(template, TEMPLATE_SYNC_WAIT_MS);
		const target = await this.openPage(id);
		if (!this.canEdit('page', target.doc)) throw new Error('You cannot write pages in this workspace.');
		if (bodyFragment(template.doc).length === 0) {
			// Nothing to copy (yet): a blank page, which any device may seed, rather than one that waits for ever.
			createPage(this.workspaceDoc, { ...page, id, seed: BLANK_SEED }, actor);
			return id;
		}
		const seed = pageTemplateSeed(choice.pageId, template.doc);
		copyTemplateBody(target.doc, id, seed, template.doc);
		createPage(this.workspaceDoc, { ...page, id, seed }, actor);
		return id;
	}

	/**
	 * Every member's profile (model/people.ts): one document for the workspace, which every role
	 * writes its own entry in. Loaded when the workspace opens.
	 */
	async openPeople(): Promise<OpenDoc> {
		const name = peopleRoom(this.id);
		return this.#open(name, () => this.#load(name, 'people', new Y.Doc({ guid: name })));
	}

	/**
	 * This member's inbox state (model/inbox.ts): what they have read and cleared, in a room only
	 * their tokens open, so it follows them across their devices and nobody else sees it.
	 */
	async openInbox(): Promise<OpenDoc> {
		const name = inboxRoom(this.id, this.memberId);
		return this.#open(name, () => this.#load(name, 'inbox', new Y.Doc({ guid: name })));
	}

	/**
	 * Presence in the workspace while it is open: who is here and on which page, through the
	 * workspace room's awareness (the relay stamps each state with the token's member, [R26]).
	 * Shown, never relied on. Without a relay there is nobody else to see.
	 */
	workspacePresence(user: { name: string; color: string }): { awareness: Awareness; setPage: (pageId: string | null) => void; leave: () => void } {
		const awareness = new Awareness(this.workspaceDoc);
		awareness.setLocalState({ user: { ...user, memberId: this.memberId }, page: null });
		const link = this.link(workspaceRoom(this.id));
		link?.setAwareness(awareness);
		return {
			awareness,
			setPage: (pageId) => awareness.setLocalStateField('page', pageId),
			leave: () => {
				// Said before detaching, so the others see this tab go now rather than when its socket closes.
				awareness.setLocalState(null);
				link?.setAwareness(null);
				awareness.destroy();
			}
		};
	}

	/** Presence for a page while it is open in the editor. Call the returned function to leave. */
	presence(opened: OpenDoc, user: { name: string; color: string }): { awareness: Awareness; leave: () => void } {
		const awareness = new Awareness(opened.doc);
		awareness.setLocalStateField('user', { ...user, memberId: this.memberId });
		opened.link?.setAwareness(awareness);
		return {
			awareness,
			leave: () => {
				opened.link?.setAwareness(null);
				awareness.destroy();
			}
		};
	}

	/**
	 * Brings every page of the workspace onto this device and keeps new ones coming. Progress is
	 * `syncProgress()`. Pages are loaded from IndexedDB first, so only what is missing travels.
	 */
	syncAllPages(): void {
		const stop = followEveryPage(this.workspaceDoc, {
			// Discussions come too: the inbox reads every thread and share, the decision log every
			// position, and they must be there offline.
			add: (pageId) => Promise.all([this.followPage(pageId), this.followTalk(pageId)])
		});
		this.onClose(stop);
	}

	/** Rooms whose relay copy is on the device, out of rooms known (for the joining progress bar). */
	syncProgress(): { synced: number; total: number } {
		const links = this.connection ? [...this.connection.rooms.values()] : [];
		const pages = listPages(this.workspaceDoc).length + 1;
		return { synced: links.filter((link) => link.received).length, total: Math.max(pages, links.length) };
	}

	/** Documents with changes the relay has not confirmed storing. */
	unstoredDocs(): string[] {
		if (!this.connection) return [];
		// The member's own room (what they read, cleared and last saw) is left out: it waits on this
		// device and syncs when back like the rest, but counting it would tell a member who only read
		// pages offline that some of their work is not on the relay.
		const own = inboxRoom(this.id, this.memberId);
		return [...this.connection.rooms.values()].filter((link) => link.hasUnstored && link.room !== own).map((link) => link.room);
	}

	link(name: string): RoomLink | null {
		return this.connection?.rooms.get(name) ?? null;
	}

	/** Called once as the session closes (at once if it has): whatever follows its documents stops. */
	onClose(listener: () => void): () => void {
		if (this.#closed) {
			listener();
			return () => undefined;
		}
		this.#closeListeners.add(listener);
		return () => this.#closeListeners.delete(listener);
	}

	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		// What is deferred is on the device already: the next session loads it from there.
		this.#deferred.stop();
		this.#followRole(false);
		this.#asking?.abort();
		for (const listener of [...this.#closeListeners]) listener();
		this.#closeListeners.clear();
		for (const stop of this.#stopAuthorship) stop();
		this.connection?.close();
		this.#tabs.close();
		await this.#saveStoredStateVectors();
		await this.store.close();
	}

	/**
	 * One open document per room, shared by everyone who asks. A failed open is forgotten, so the
	 * next ask tries again (a retry, a page opened later) rather than getting the same rejection
	 * for as long as the session lives. `#load` fails only while reading the device (IndexedDB),
	 * before the document is registered with the tabs or the relay, so a retry starts clean.
	 */
	#open(name: string, load: () => Promise<OpenDoc>): Promise<OpenDoc> {
		const known = this.#docs.get(name);
		if (known) return known;
		const open = load();
		this.#docs.set(name, open);
		open.catch(() => {
			// Only if still ours: a later retry may have stored its own attempt meanwhile.
			if (this.#docs.get(name) === open) this.#docs.delete(name);
		});
		return open;
	}

	async #load(name: string, kind: RoomKind, doc: Y.Doc): Promise<OpenDoc> {
		applyStored(doc, await this.store.load(name), Origin.indexeddb);
		doc.on('update', (update: Uint8Array, origin: unknown) => {
			// What came from IndexedDB is already there. Changes from another tab are written here
			// too: that tab may close before its own write commits, and then this tab would hold
			// them only in memory. The duplicate rows merge on compaction. What a link stored on arrival
			// and applies later (room-link.ts, Deferral) is there too.
			if (origin === Origin.indexeddb || origin === Origin.stored) return;
			this.store.append(name, update);
			if (this.store.rowCount(name) > COMPACT_AFTER) this.#compact(name, doc);
		});
		this.#tabs.add(name, doc);
		if (this.store.rowCount(name) > COMPACT_AFTER) this.#compact(name, doc);
		let link: RoomLink | null = null;
		this.#kinds.set(name, kind);
		if (this.connection) {
			const storedStateVector = await this.store.getMeta<Uint8Array>(`stored:${name}`).catch(() => null);
			// A page's body and discussion may be stored on a join and applied later (room-link.ts).
			const deferral: Deferral | null =
				kind === 'page' || kind === 'talk' ? { store: (update) => this.store.append(name, update), schedule: (deferring) => this.#deferred.add(deferring) } : null;
			link = this.connection.addRoom(name, doc, { canWrite: this.#accessEnded === null && canWrite(this.#role, kind), storedStateVector, deferral });
			const added = link;
			let lastStored = added.storedStateVector;
			link.onChange(() => {
				if (added.storedStateVector !== lastStored) {
					lastStored = added.storedStateVector;
					this.#storedDirty.add(added);
					this.#scheduleStoredSave();
				}
				this.#emit();
			});
		}
		this.#emit();
		return { name, kind, doc, link };
	}

	/**
	 * A new page gets its starting content from the seed its index entry names (model/templates.ts):
	 * blank and built-in seeds are deterministic (model/page.ts), so seeding on every device that
	 * opens the page, before or after sync, yields one copy. Only the entry's seed is ever used —
	 * a page from a template that also got a 'blank' seed would hold both — so a body opened
	 * before its entry arrived waits for the entry. A copy of a workspace template is written by
	 * its creator only (createFromTemplate); here it is waited for.
	 */
	#seed(opened: OpenDoc, pageId: string): void {
		if (!this.canEdit('page', opened.doc)) return;
		const outcome = seedOpenedPage(this.workspaceDoc, opened.doc, pageId);
		if (outcome === 'no-entry') this.#awaitingEntry.set(pageId, opened);
		else this.#awaitingEntry.delete(pageId);
	}

	/**
	 * Seeds a followed body once the relay's copy is here: at once when it cannot come now (no
	 * relay, offline, the room refused), else when its room stops syncing. Seeding is idempotent
	 * (model/templates.ts), so a page the editor opened meanwhile, already seeded, is left as it is.
	 */
	#seedWhenSynced(opened: OpenDoc, pageId: string): void {
		const link = opened.link;
		if (!link || link.state.kind !== 'syncing') {
			this.#seed(opened, pageId);
			return;
		}
		const stop = link.onChange(() => {
			if (link.state.kind === 'syncing') return;
			stop();
			if (!this.#closed) this.#seed(opened, pageId);
		});
	}

	/** Until `opened` has synced with the relay (at most `ms`); at once without a relay or while offline. */
	async #whenSynced(opened: OpenDoc, ms: number): Promise<void> {
		const link = opened.link;
		const state = this.connection?.state.kind;
		if (!link || link.synced || (state !== 'open' && state !== 'connecting')) return;
		await new Promise<void>((resolve) => {
			const timer = setTimeout(done, ms);
			const stop = link.onChange(() => {
				if (link.synced) done();
			});
			function done() {
				clearTimeout(timer);
				stop();
				resolve();
			}
		});
	}

	#compact(name: string, doc: Y.Doc): void {
		if (this.#compacting.has(name)) return;
		this.#compacting.add(name);
		void this.store
			.whenSaved()
			// What a link stored and has not applied (room-link.ts, Deferral) is in no encoding of the
			// doc: compacting now would drop it from the device.
			.then(() => (this.link(name)?.hasDeferred ? undefined : this.store.compact(name, Y.encodeStateAsUpdate(doc))))
			.catch((error: unknown) => console.error('[meridian] compacting a document on this device failed', error))
			.finally(() => this.#compacting.delete(name));
	}

	/**
	 * Whether what the relay confirmed is not yet remembered on this device. Until it is, a reload
	 * would call the confirmed work "not yet on the relay", so the status does not say stored.
	 */
	get savingStoredState(): boolean {
		return this.#storedDirty.size > 0 || this.#storedSaving !== null;
	}

	/** Saves confirmed state vectors at once: one save at a time, the next taking all that changed meanwhile. */
	#scheduleStoredSave(): void {
		if (this.#storedSaving || this.#closed) return;
		this.#storedSaving = (async () => {
			// Changes made in the same task go in one save.
			await Promise.resolve();
			while (this.#storedDirty.size > 0 && !this.#closed) await this.#saveStoredStateVectors();
		})().finally(() => {
			this.#storedSaving = null;
			this.#emit();
		});
	}

	/** Remembers what the relay confirmed, so a reload while offline still knows what is not on the relay. */
	async #saveStoredStateVectors(): Promise<void> {
		const dirty = [...this.#storedDirty];
		this.#storedDirty.clear();
		await Promise.allSettled(dirty.map((link) => this.store.putMeta(`stored:${link.room}`, link.storedStateVector)));
	}

	#emit(): void {
		for (const listener of this.#listeners) listener();
	}
}
