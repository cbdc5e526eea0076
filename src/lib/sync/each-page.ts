/**
 * Following every page of a workspace: the session's sync-everything and the indexes that read
 * every body or discussion (backlinks, the inbox) all need "once for each page in the index, now
 * and whenever one appears; forget it when it is deleted for good".
 */
import type * as Y from 'yjs';
import { listPages, pagesMap } from '../model/workspace.ts';
import type { SyncSource } from './state-room.ts';
import type { WorkspaceSession } from './workspace-session.ts';

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

/** An index that reads every page's body and discussion (the inbox, catch-up, search). */
export interface PageDocsFollower {
	/** The page's two documents are being opened. */
	expect(pageId: string): void;
	/** One of them could not be opened, or its page was deleted meanwhile. */
	missed(pageId: string, source: 'body' | 'talk'): void;
	track(pageId: string, source: 'body' | 'talk', doc: Y.Doc, link: SyncSource | null): void;
	/** The page was deleted for good. */
	untrack(pageId: string): void;
}

/**
 * Feeds `follower` every page's body and discussion of an open workspace, now and as pages appear:
 * the session's shared documents, the same ones the editor, the comments and the relay link use. A
 * document that fails to open is tried again on the next change to the page list. Stops, and lets
 * `destroy` go, when the session closes.
 */
export function followEveryPageDocs(session: WorkspaceSession, follower: PageDocsFollower, destroy: () => void): void {
	const stop = followEveryPage(session.workspaceDoc, {
		add: (pageId, wanted) => {
			follower.expect(pageId);
			const open = (source: 'body' | 'talk') =>
				(source === 'body' ? session.followPage(pageId) : session.followTalk(pageId)).then(
					(opened) => (wanted() ? follower.track(pageId, source, opened.doc, opened.link) : follower.missed(pageId, source)),
					(error: unknown) => {
						follower.missed(pageId, source);
						throw error;
					}
				);
			return Promise.all([open('body'), open('talk')]);
		},
		remove: (pageId) => follower.untrack(pageId)
	});
	session.onClose(() => {
		stop();
		destroy();
	});
}
