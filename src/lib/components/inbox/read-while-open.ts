/**
 * A page open in a visible tab is being read: its inbox items are marked read when it opens and as
 * new ones arrive while the member looks at it (a reply appearing in the comments panel). A tab in
 * the background reads nothing until it is shown again.
 */
import type { InboxIndex } from '$lib/sync/inbox.ts';

/** Marks `pageId`'s items read while the page is open; returns the function that stops it. */
export function readWhileOpen(inbox: InboxIndex, pageId: string): () => void {
	const read = () => {
		if (document.visibilityState === 'hidden') return;
		const unread = inbox.entries.filter((entry) => entry.pageId === pageId && entry.unread);
		if (unread.length === 0) return;
		try {
			inbox.markRead(unread);
		} catch (error) {
			// A newer app wrote the inbox state: it is read-only here, and the inbox page says so.
			console.warn('[meridian] could not mark this page read in the inbox', error);
		}
	};
	const stop = inbox.onChange(read);
	document.addEventListener('visibilitychange', read);
	read();
	return () => {
		stop();
		document.removeEventListener('visibilitychange', read);
	};
}
