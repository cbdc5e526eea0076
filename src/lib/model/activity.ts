/**
 * The workspace activity feed: what happened to pages and decisions, who did it and when, for any
 * member to scroll back through.
 *
 *   activity: Y.Array<entry>   (in the workspace document; plain objects)
 *   entry := { id, kind, pageId, by, at, title, ...details }
 *
 * It lives in the workspace document because its writers are exactly the writers of the changes
 * it records (editors and admins; the relay enforces roles per document), and because an entry is
 * written in the same transaction as its change: a device that has the change has its entry, and
 * no entry exists for a change that was refused. `title` is the page's title when the entry was
 * written, so a line about a page deleted since still reads.
 *
 * Append only, with one exception: renames. The title input writes on every keystroke, and a feed
 * of one entry per letter says nothing. A rename by the member who wrote the array's last entry,
 * about the same page, within RENAME_WINDOW_MS of it, replaces that entry (delete and insert in one
 * transaction) instead of appending: a page-renamed entry keeps its `from` and takes the new `to`;
 * a page-created entry takes the new title (typing the title of a page just made reads "created
 * 'Plan'"). Only the last element is ever replaced, so another member's entry in between, or any
 * other change by the same member, starts a new entry. Two devices replacing the same entry apart
 * both keep theirs (the entry id is kept, and readers drop duplicate ids, keeping the later one).
 * A rename that ends where it started leaves no entry. The deleted entries cost a few bytes each on
 * devices (the workspace document is garbage-collected); the relay keeps history (`gc: false`), so
 * there each keystroke costs about as much as the entry, the same order as the title it replaces.
 *
 * Reading sorts every entry, newest first, by `at` then `id` — the array's own order is not time:
 * entries made apart are placed by Yjs, not by clock. A malformed entry (another client's bug) is
 * skipped, never a reason for the feed to fail; kinds this code does not know (a newer client's)
 * are skipped too.
 *
 * Growth: an entry is about 130 bytes encoded (measured in tests/unit/model-activity.test.ts).
 * A busy team of 20 making ~100 logged changes a working day writes ~25,000 a year: ~3.3 MB in
 * the workspace document, which every device holds. Trimming old entries is left for later.
 */
import * as Y from 'yjs';
import { newId } from './ids.ts';
import { Origin } from './origins.ts';
import { assertWritable } from './version.ts';
import { isTime } from './time.ts';
import type { Actor } from './workspace.ts';

export const ActivityKind = {
	pageCreated: 'page-created',
	pageRenamed: 'page-renamed',
	pageMoved: 'page-moved',
	pageArchived: 'page-archived',
	pageRestored: 'page-restored',
	pageDeleted: 'page-deleted',
	decisionStatus: 'decision-status',
	versionNamed: 'version-named'
} as const;
export type ActivityKind = (typeof ActivityKind)[keyof typeof ActivityKind];
export const activityKinds: readonly ActivityKind[] = Object.values(ActivityKind);

/** A rename within this long of the same member's rename (or creation) of the page replaces it. */
export const RENAME_WINDOW_MS = 10 * 60_000;

/** What a writer says about its change; `logActivity` adds the id, who, when and the page title. */
export type ActivityDetails =
	| { readonly kind: 'page-created'; readonly pageId: string; readonly title: string; readonly pageKind: 'page' | 'decision'; readonly parentId: string | null }
	| { readonly kind: 'page-renamed'; readonly pageId: string; readonly from: string; readonly to: string }
	| { readonly kind: 'page-moved'; readonly pageId: string; readonly fromParent: string | null; readonly toParent: string | null }
	| { readonly kind: 'page-archived' | 'page-restored'; readonly pageId: string }
	/** `removed`: how many pages went with it (its subpages). */
	| { readonly kind: 'page-deleted'; readonly pageId: string; readonly title: string; readonly removed: number }
	/** A decision's status change; `supersededBy` when it came from accepting the record that replaces it. */
	| { readonly kind: 'decision-status'; readonly pageId: string; readonly from: string; readonly to: string; readonly note: string; readonly supersededBy?: string | null }
	/** A named version of a page body (`versionId`: the version's own id, when it has one). */
	| { readonly kind: 'version-named'; readonly pageId: string; readonly name: string; readonly versionId?: string };

/** One entry as read (and as stored). */
export type ActivityEntry = ActivityDetails & {
	readonly id: string;
	readonly by: string;
	readonly at: number;
	/** The page's title when the entry was written ('' for an untitled page). */
	readonly title: string;
};

/** Where a page of the feed ends: the oldest entry shown. */
export interface ActivityCursor {
	readonly at: number;
	readonly id: string;
}

export interface ActivityQuery {
	/** Only entries older than this one (the next page back). */
	readonly before?: ActivityCursor | null;
	/** Only entries as new as this one or newer (everything down to an entry already shown). */
	readonly since?: ActivityCursor | null;
	/** At most this many; all when not given. */
	readonly limit?: number;
}

export function activityArray(doc: Y.Doc): Y.Array<unknown> {
	return doc.getArray('activity');
}

/**
 * Records a change in the feed and returns the entry's id. Call it inside the transaction that
 * makes the change (model writers do; so do other modules' writers, such as named versions), so
 * the two travel together; called alone it makes its own transaction.
 */
export function logActivity(doc: Y.Doc, details: ActivityDetails, actor: Actor): string {
	assertWritable(doc);
	if (!activityKinds.includes(details.kind) || typeof details.pageId !== 'string' || details.pageId === '') {
		throw new Error('An activity entry needs a known kind and a page.');
	}
	let id = '';
	doc.transact(() => {
		const array = activityArray(doc);
		if (details.kind === ActivityKind.pageRenamed) {
			const merged = coalesceRename(array, details, actor);
			if (merged !== null) {
				id = merged;
				return;
			}
			if (details.from === details.to) return;
		}
		const title = 'title' in details ? details.title : details.kind === ActivityKind.pageRenamed ? details.to : titleOf(doc, details.pageId);
		id = newId();
		array.push([{ ...details, id, by: actor.memberId, at: actor.now, title }]);
	}, Origin.local);
	return id;
}

/**
 * Folds a rename into the array's last entry when it is the same member's rename or creation of
 * the same page, recent enough (see the top of this file). Returns the entry's id, '' when the
 * fold undid the rename (the entry is gone), or null when there is nothing to fold into.
 */
function coalesceRename(array: Y.Array<unknown>, rename: Extract<ActivityDetails, { kind: 'page-renamed' }>, actor: Actor): string | null {
	if (array.length === 0) return null;
	const last = readEntry(array.get(array.length - 1));
	if (last === null || last.by !== actor.memberId || last.pageId !== rename.pageId) return null;
	if (!(actor.now >= last.at && actor.now - last.at <= RENAME_WINDOW_MS)) return null;
	let next: ActivityEntry | null;
	if (last.kind === ActivityKind.pageRenamed) {
		// Nothing to change (the title did not move): nothing is written.
		if (last.to === rename.to) return last.id;
		next = last.from === rename.to ? null : { ...last, to: rename.to, title: rename.to, at: actor.now };
	} else if (last.kind === ActivityKind.pageCreated) {
		if (last.title === rename.to) return last.id;
		next = { ...last, title: rename.to, at: actor.now };
	} else {
		return null;
	}
	array.delete(array.length - 1, 1);
	if (next === null) return '';
	array.push([next]);
	return next.id;
}

function titleOf(doc: Y.Doc, pageId: string): string {
	const entry = doc.getMap('pages').get(pageId);
	const title = entry instanceof Y.Map ? entry.get('title') : undefined;
	return typeof title === 'string' ? title : '';
}

/**
 * The feed, newest first (by `at`, then `id`), malformed and unknown entries skipped, one entry per
 * id. Page back with `before` set to the last entry shown.
 */
export function readActivity(doc: Y.Doc, query: ActivityQuery = {}): ActivityEntry[] {
	const byId = new Map<string, ActivityEntry>();
	for (const value of activityArray(doc)) {
		const entry = readEntry(value);
		if (entry === null) continue;
		const seen = byId.get(entry.id);
		if (seen === undefined || compareEntries(entry, seen) < 0) byId.set(entry.id, entry);
	}
	let entries = [...byId.values()].sort(compareEntries);
	const { before, since, limit } = query;
	if (before) entries = entries.filter((e) => compareEntries(e, before) > 0);
	if (since) entries = entries.filter((e) => compareEntries(e, since) <= 0);
	return limit === undefined ? entries : entries.slice(0, Math.max(0, limit));
}

/** Newest first: negative when `a` is newer than `b`. */
export function compareEntries(a: ActivityCursor, b: ActivityCursor): number {
	return b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

const MAX_TEXT = 2000;

/** Reads one stored value defensively: anything malformed is null. */
export function readEntry(value: unknown): ActivityEntry | null {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
	const v = value as Record<string, unknown>;
	const id = v['id'];
	const pageId = v['pageId'];
	const by = v['by'];
	const at = v['at'];
	if (typeof id !== 'string' || id === '' || typeof pageId !== 'string' || pageId === '' || typeof by !== 'string') return null;
	// A time no Date can hold would make every screen that shows it throw.
	if (!isTime(at)) return null;
	const text = (key: string): string | null => {
		const s = v[key];
		return typeof s === 'string' ? s.slice(0, MAX_TEXT) : null;
	};
	const parent = (key: string): string | null | undefined => {
		const p = v[key];
		return p === null || p === undefined ? null : typeof p === 'string' ? p : undefined;
	};
	const base = { id, pageId, by, at, title: text('title') ?? '' };
	switch (v['kind']) {
		case ActivityKind.pageCreated: {
			const parentId = parent('parentId');
			if (parentId === undefined) return null;
			return { ...base, kind: ActivityKind.pageCreated, pageKind: v['pageKind'] === 'decision' ? 'decision' : 'page', parentId };
		}
		case ActivityKind.pageRenamed: {
			const from = text('from');
			const to = text('to');
			return from === null || to === null ? null : { ...base, kind: ActivityKind.pageRenamed, from, to };
		}
		case ActivityKind.pageMoved: {
			const fromParent = parent('fromParent');
			const toParent = parent('toParent');
			return fromParent === undefined || toParent === undefined ? null : { ...base, kind: ActivityKind.pageMoved, fromParent, toParent };
		}
		case ActivityKind.pageArchived:
		case ActivityKind.pageRestored:
			return { ...base, kind: v['kind'] };
		case ActivityKind.pageDeleted: {
			const removed = v['removed'];
			return { ...base, kind: ActivityKind.pageDeleted, removed: typeof removed === 'number' && Number.isInteger(removed) && removed >= 0 ? removed : 0 };
		}
		case ActivityKind.decisionStatus: {
			const from = text('from');
			const to = text('to');
			if (from === null || to === null) return null;
			const supersededBy = v['supersededBy'];
			return {
				...base,
				kind: ActivityKind.decisionStatus,
				from,
				to,
				note: text('note') ?? '',
				...(typeof supersededBy === 'string' ? { supersededBy } : {})
			};
		}
		case ActivityKind.versionNamed: {
			const name = text('name');
			const versionId = v['versionId'];
			return name === null ? null : { ...base, kind: ActivityKind.versionNamed, name, ...(typeof versionId === 'string' ? { versionId } : {}) };
		}
		default:
			return null;
	}
}
