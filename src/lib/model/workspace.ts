/**
 * The workspace document: the page index and the members. Typed accessors over Y.Maps; every
 * writer checks the schema version and stamps who changed what and when.
 *
 *   meta:    { schemaVersion, name, createdAt, createdBy }
 *   pages:   pageId → Y.Map { title, kind, parentId, order, createdAt, createdBy, updatedAt, updatedBy, archivedAt, seed }
 *   templates: pageId → { name, markedBy, markedAt, removedBy, removedAt }   (see templates.ts)
 *   members: memberId → Y.Map { name, color, timeZone }
 *   activity: the activity feed (see activity.ts), written in the same transaction as each change
 */
import * as Y from 'yjs';
import { generateKeyBetween } from 'fractional-indexing';
import { newId } from './ids.ts';
import { Origin } from './origins.ts';
import { BASE_SCHEMA_VERSION, assertWritable, metaMap } from './version.ts';
import { effectiveParents, subtreeIds } from './tree.ts';
import { ActivityKind, logActivity } from './activity.ts';

export const PageKind = { page: 'page', decision: 'decision' } as const;
export type PageKind = (typeof PageKind)[keyof typeof PageKind];

export interface PageEntry {
	readonly id: string;
	readonly title: string;
	readonly kind: PageKind;
	readonly parentId: string | null;
	readonly order: string;
	readonly createdAt: number;
	readonly createdBy: string;
	readonly updatedAt: number;
	readonly updatedBy: string;
	readonly archivedAt: number | null;
	/**
	 * How the body starts: 'blank', 'builtin:<name>@<version>' or 'page:<templateId>@<snapshot>'
	 * (templates.ts). Written once at creation; entries from before templates read as 'blank'.
	 */
	readonly seed: string;
}

export interface Member {
	readonly id: string;
	readonly name: string;
	readonly color: string;
	readonly timeZone: string;
}

export interface WorkspaceInfo {
	readonly name: string;
	readonly createdAt: number | null;
	readonly createdBy: string | null;
}

/** Who acts and when: every writer takes one, so tests can pass a fixed clock. */
export interface Actor {
	readonly memberId: string;
	readonly now: number;
}

export const MAX_TITLE_LENGTH = 200;

export function pagesMap(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
	return doc.getMap('pages');
}
export function membersMap(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
	return doc.getMap('members');
}

/** Fills a new workspace document. Call once, by the member creating the workspace. */
export function initWorkspace(doc: Y.Doc, name: string, actor: Actor): void {
	assertWritable(doc);
	const clean = cleanTitle(name, 'Untitled workspace');
	doc.transact(() => {
		const meta = metaMap(doc);
		meta.set('schemaVersion', BASE_SCHEMA_VERSION);
		meta.set('name', clean);
		meta.set('createdAt', actor.now);
		meta.set('createdBy', actor.memberId);
	}, Origin.local);
}

export function readWorkspaceInfo(doc: Y.Doc): WorkspaceInfo {
	const meta = metaMap(doc);
	const name = meta.get('name');
	const createdAt = meta.get('createdAt');
	const createdBy = meta.get('createdBy');
	return {
		name: typeof name === 'string' ? name : 'Untitled workspace',
		createdAt: typeof createdAt === 'number' ? createdAt : null,
		createdBy: typeof createdBy === 'string' ? createdBy : null
	};
}

export function renameWorkspace(doc: Y.Doc, name: string): void {
	assertWritable(doc);
	doc.transact(() => metaMap(doc).set('name', cleanTitle(name, 'Untitled workspace')), Origin.local);
}

export interface NewPage {
	readonly id?: string;
	readonly title?: string;
	readonly kind?: PageKind;
	readonly parentId?: string | null;
	/** How the body starts (PageEntry.seed); 'blank' when not given. */
	readonly seed?: string;
}

/** Adds a page at the end of its parent's children and returns its id. */
export function createPage(doc: Y.Doc, page: NewPage, actor: Actor): string {
	assertWritable(doc);
	const id = page.id ?? newId();
	const parentId = page.parentId ?? null;
	if (pagesMap(doc).has(id)) throw new Error(`A page with id ${id} already exists.`);
	if (parentId !== null && !pagesMap(doc).has(parentId)) throw new Error(`There is no parent page ${parentId}.`);
	const siblings = listPages(doc).filter((p) => p.parentId === parentId);
	const last = siblings.map((p) => p.order).sort().at(-1) ?? null;
	const title = cleanTitle(page.title ?? '', '');
	const kind = page.kind ?? PageKind.page;
	doc.transact(() => {
		const entry = new Y.Map<unknown>();
		entry.set('title', title);
		entry.set('kind', kind);
		entry.set('parentId', parentId);
		entry.set('order', generateKeyBetween(last, null));
		entry.set('createdAt', actor.now);
		entry.set('createdBy', actor.memberId);
		entry.set('updatedAt', actor.now);
		entry.set('updatedBy', actor.memberId);
		entry.set('archivedAt', null);
		entry.set('seed', page.seed ?? 'blank');
		pagesMap(doc).set(id, entry);
		logActivity(doc, { kind: ActivityKind.pageCreated, pageId: id, title, pageKind: kind, parentId }, actor);
	}, Origin.local);
	return id;
}

/** Renames a page. The title input calls this on every keystroke; the feed folds those (activity.ts). */
export function renamePage(doc: Y.Doc, id: string, title: string, actor: Actor): void {
	const from = getPage(doc, id)?.title ?? '';
	const to = cleanTitle(title, '');
	updatePage(doc, id, actor, (entry) => {
		entry.set('title', to);
		logActivity(doc, { kind: ActivityKind.pageRenamed, pageId: id, from, to }, actor);
	});
}

export function archivePage(doc: Y.Doc, id: string, actor: Actor): void {
	updatePage(doc, id, actor, (entry) => {
		entry.set('archivedAt', actor.now);
		logActivity(doc, { kind: ActivityKind.pageArchived, pageId: id }, actor);
	});
}

export function restorePage(doc: Y.Doc, id: string, actor: Actor): void {
	updatePage(doc, id, actor, (entry) => {
		entry.set('archivedAt', null);
		logActivity(doc, { kind: ActivityKind.pageRestored, pageId: id }, actor);
	});
}

/**
 * Deletes a page for good, with its whole subtree as this replica shows it, in one transaction;
 * returns the ids removed (the page first). The page bodies are not touched: a link to a deleted
 * page reads as broken.
 *
 * Concurrently on another device: a page moved or created under a deleted page survives, at the
 * top level (its parent no longer exists, see tree.ts), so nothing is lost that the deleting member
 * did not see and confirm. A page that was in the subtree here is deleted even if the other device
 * renamed or moved it meanwhile: Yjs lets a map key's deletion win over edits inside its value.
 */
export function deletePage(doc: Y.Doc, id: string, actor: Actor): string[] {
	assertWritable(doc);
	const pages = pagesMap(doc);
	if (!pages.has(id)) throw new Error(`There is no page ${id} to delete.`);
	const doomed = subtreeIds(listPages(doc), id);
	const title = getPage(doc, id)?.title ?? '';
	doc.transact(() => {
		logActivity(doc, { kind: ActivityKind.pageDeleted, pageId: id, title, removed: doomed.length - 1 }, actor);
		for (const gone of doomed) {
			pages.delete(gone);
			// A tombstone per page: who deleted it and when, for the activity feed and history. It
			// also keeps an invariant the sync status relies on: every local change creates structs,
			// so a state vector tells whether the relay has it (a bare map delete creates none).
			deletedMap(doc).set(gone, { at: actor.now, by: actor.memberId });
		}
	}, Origin.local);
	return doomed;
}

/** Pages deleted for good: id → who deleted it and when. */
export function deletedMap(doc: Y.Doc): Y.Map<{ at: number; by: string }> {
	return doc.getMap('deleted');
}

/**
 * Moves a page under `parentId` (null: top level), between the siblings `before` and `after`
 * (ids or null). Refuses a move that would put a page under itself as seen on this replica;
 * concurrent moves that still make a cycle are resolved when reading (see tree.ts).
 */
export function movePage(
	doc: Y.Doc,
	id: string,
	target: { parentId: string | null; after?: string | null; before?: string | null },
	actor: Actor
): void {
	assertWritable(doc);
	const list = listPages(doc);
	const pages = new Map(list.map((p) => [p.id, p]));
	if (target.parentId !== null) {
		if (!pages.has(target.parentId)) throw new Error(`There is no page ${target.parentId} to move into.`);
		// Walk the tree as shown (cycles from concurrent moves already broken): the stored parent
		// links may loop, and following them would never end.
		const parents = effectiveParents(list);
		for (let at: string | null = target.parentId; at !== null; at = parents.get(at) ?? null) {
			if (at === id) throw new Error('A page cannot be moved into itself or one of its own subpages.');
		}
	}
	const keyOf = (sibling: string | null | undefined): string | null =>
		sibling ? (pages.get(sibling)?.order ?? null) : null;
	let low = keyOf(target.after);
	let high = keyOf(target.before);
	if (low === null && high === null) {
		const siblings = [...pages.values()].filter((p) => p.parentId === target.parentId && p.id !== id);
		low = siblings.map((p) => p.order).sort().at(-1) ?? null;
	}
	if (low !== null && high !== null && low >= high) high = null;
	// Computed before writing: it throws on a malformed key, and a transaction is not rolled back.
	const order = generateKeyBetween(low, high);
	const fromParent = pages.get(id)?.parentId ?? null;
	updatePage(doc, id, actor, (entry) => {
		entry.set('parentId', target.parentId);
		entry.set('order', order);
		// A reorder among the same siblings is not news; a new parent is.
		if (fromParent !== target.parentId) {
			logActivity(doc, { kind: ActivityKind.pageMoved, pageId: id, fromParent, toParent: target.parentId }, actor);
		}
	});
}

export function getPage(doc: Y.Doc, id: string): PageEntry | null {
	const entry = pagesMap(doc).get(id);
	return entry ? readPageEntry(id, entry) : null;
}

/** Every page in the index, archived ones included, in no particular order. */
export function listPages(doc: Y.Doc): PageEntry[] {
	const pages: PageEntry[] = [];
	pagesMap(doc).forEach((entry, id) => {
		const page = readPageEntry(id, entry);
		if (page) pages.push(page);
	});
	return pages;
}

export function upsertMember(doc: Y.Doc, member: Member): void {
	assertWritable(doc);
	doc.transact(() => {
		const members = membersMap(doc);
		let entry = members.get(member.id);
		if (!entry) {
			entry = new Y.Map<unknown>();
			members.set(member.id, entry);
		}
		if (entry.get('name') !== member.name) entry.set('name', cleanTitle(member.name, 'Member'));
		if (entry.get('color') !== member.color) entry.set('color', member.color);
		if (entry.get('timeZone') !== member.timeZone) entry.set('timeZone', member.timeZone);
	}, Origin.local);
}

export function listMembers(doc: Y.Doc): Member[] {
	const members: Member[] = [];
	membersMap(doc).forEach((entry, id) => {
		const name = entry.get('name');
		const color = entry.get('color');
		const timeZone = entry.get('timeZone');
		members.push({
			id,
			name: typeof name === 'string' ? name : 'Member',
			color: typeof color === 'string' ? color : '#64748b',
			timeZone: typeof timeZone === 'string' ? timeZone : 'UTC'
		});
	});
	return members;
}

function updatePage(doc: Y.Doc, id: string, actor: Actor, change: (entry: Y.Map<unknown>) => void): void {
	assertWritable(doc);
	const entry = pagesMap(doc).get(id);
	if (!entry) throw new Error(`There is no page ${id}.`);
	doc.transact(() => {
		change(entry);
		entry.set('updatedAt', actor.now);
		entry.set('updatedBy', actor.memberId);
	}, Origin.local);
}

/**
 * Reads one index entry defensively: documents arrive from other devices and older or newer
 * clients, so a missing or mistyped field gets a default instead of breaking the page list.
 */
function readPageEntry(id: string, entry: Y.Map<unknown>): PageEntry | null {
	if (!(entry instanceof Y.Map)) return null;
	const str = (key: string, fallback: string): string => {
		const value = entry.get(key);
		return typeof value === 'string' ? value : fallback;
	};
	// Times only: a number no Date can hold would make every screen that shows it throw.
	const num = (key: string): number | null => {
		const value = entry.get(key);
		return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 8.64e15 ? value : null;
	};
	const kind = entry.get('kind');
	const parentId = entry.get('parentId');
	return {
		id,
		title: str('title', ''),
		kind: kind === PageKind.decision ? PageKind.decision : PageKind.page,
		parentId: typeof parentId === 'string' && parentId !== id ? parentId : null,
		order: str('order', 'a0'),
		createdAt: num('createdAt') ?? 0,
		createdBy: str('createdBy', ''),
		updatedAt: num('updatedAt') ?? 0,
		updatedBy: str('updatedBy', ''),
		archivedAt: num('archivedAt'),
		seed: str('seed', 'blank')
	};
}

function cleanTitle(title: string, fallback: string): string {
	// Titles are single-line text: newlines and control characters are replaced, length is capped.
	// Lone surrogates become U+FFFD and the cap never splits a surrogate pair: Yjs encodes strings
	// as UTF-8, so a lone surrogate reaches other replicas as U+FFFD while this one keeps it, and
	// the replicas would show different titles for ever.
	let clean = title
		// eslint-disable-next-line no-control-regex
		.replace(/[\u0000-\u001f\u007f]+/g, ' ')
		.replace(/[\ud800-\udfff]/gu, '\ufffd')
		.trim()
		.slice(0, MAX_TITLE_LENGTH);
	if (/[\ud800-\udbff]$/.test(clean)) clean = clean.slice(0, -1);
	return clean === '' ? fallback : clean;
}
