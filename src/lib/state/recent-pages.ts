/**
 * The pages this member opened most recently on this device, per workspace, for the quick
 * switcher's "Recent" list. A device habit like the theme and the tree's expanded branches, so it
 * lives in localStorage, not in the workspace: teammates never see it and it never syncs.
 *
 * Storage may be missing (private mode, disabled) or hold anything (an old version, another tab
 * mid-write, a hand edit): a bad value reads as "nothing recent" and the next visit overwrites it.
 * Where it cannot be written (blocked, full), the list is kept in memory for this tab's session
 * instead, so "Recent" still works until the tab closes. Nothing here throws.
 */

/** How many pages are remembered per workspace. */
export const RECENT_PAGES_CAP = 50;

/** The part of `Storage` this needs (so tests can pass a map). */
export type RecentStorage = Pick<Storage, 'getItem' | 'setItem'>;

export function recentPagesKey(workspaceId: string): string {
	return `meridian:recent-pages:${workspaceId}`;
}

/** Lists that could not be stored, per workspace: this session's, read before storage. */
const unstored = new Map<string, string[]>();

function defaultStorage(): RecentStorage | null {
	try {
		return typeof localStorage === 'undefined' ? null : localStorage;
	} catch {
		// Reading `localStorage` itself throws where storage is blocked.
		return null;
	}
}

/** Page ids, most recently opened first; empty when nothing (valid) is stored. */
export function readRecentPages(workspaceId: string, storage: RecentStorage | null = defaultStorage()): string[] {
	const kept = unstored.get(workspaceId);
	if (kept) return [...kept];
	let raw: string | null;
	try {
		raw = storage?.getItem(recentPagesKey(workspaceId)) ?? null;
	} catch {
		return [];
	}
	if (raw === null) return [];
	let value: unknown;
	try {
		value = JSON.parse(raw);
	} catch {
		return [];
	}
	if (!Array.isArray(value)) return [];
	// Keep the well-formed ids, once each, in order: one bad entry does not cost the others.
	const seen = new Set<string>();
	for (const id of value) if (typeof id === 'string' && id.length > 0 && id.length <= 200) seen.add(id);
	return [...seen].slice(0, RECENT_PAGES_CAP);
}

/**
 * Records that `pageId` was opened now: it moves to the front, once, and the list keeps the
 * newest RECENT_PAGES_CAP. Returns the new list; one that could not be stored is kept in memory.
 */
export function recordPageVisit(workspaceId: string, pageId: string, storage: RecentStorage | null = defaultStorage()): string[] {
	const next = [pageId, ...readRecentPages(workspaceId, storage).filter((id) => id !== pageId)].slice(0, RECENT_PAGES_CAP);
	try {
		if (!storage) throw new Error('no storage');
		storage.setItem(recentPagesKey(workspaceId), JSON.stringify(next));
		unstored.delete(workspaceId);
	} catch {
		// Full or blocked storage: remembered for this session only. Never worth an error.
		unstored.set(workspaceId, next);
	}
	return next;
}
