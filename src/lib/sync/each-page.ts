/**
 * Following every page of a workspace: the session's sync-everything and the indexes that read
 * every body or discussion (backlinks, the inbox) all need "once for each page in the index, now
 * and whenever one appears; forget it when it is deleted for good".
 */
import type * as Y from 'yjs';
import { listPages, pagesMap } from '../model/workspace.ts';

export interface PageFollower {
	/**
	 * Starts following a page. `wanted()` says whether it still is when something asynchronous
	 * finishes (false once it was deleted for good). A rejected promise forgets the page, so the
	 * next change to the page list tries again.
	 */
	add(pageId: string, wanted: () => boolean): void | Promise<unknown>;
	/** A page left the index (deleted for good; its documents stay in storage). */
	remove?(pageId: string): void;
}

/** Calls `follower` for every page of `workspace` from now on; returns the function that stops. */
export function followEveryPage(workspace: Y.Doc, follower: PageFollower): () => void {
	const followed = new Set<string>();
	const ensure = () => {
		const present = new Set<string>();
		for (const page of listPages(workspace)) {
			present.add(page.id);
			if (followed.has(page.id)) continue;
			followed.add(page.id);
			const added = follower.add(page.id, () => followed.has(page.id));
			if (added) added.catch(() => followed.delete(page.id));
		}
		for (const id of followed) {
			if (present.has(id)) continue;
			followed.delete(id);
			follower.remove?.(id);
		}
	};
	pagesMap(workspace).observe(ensure);
	ensure();
	return () => pagesMap(workspace).unobserve(ensure);
}
