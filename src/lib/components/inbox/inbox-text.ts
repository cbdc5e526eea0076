/**
 * How an inbox item reads: who it is from, and the sentence around the page's title, by reason.
 * Pure, so the page and its tests agree on the wording.
 */
import { InboxReason, type InboxItem } from '$lib/model/inbox.ts';

/**
 * The item as a sentence around the page title, which the page shows as its link:
 * "Ana mentioned you in | Q3 review", "Ana shared | Q3 review | with you".
 */
export function summary(item: Pick<InboxItem, 'reason' | 'from' | 'fromName'>, me: string, nameOf: (memberId: string) => string | undefined): { before: string; after: string } {
	const who = senderName(item, nameOf);
	switch (item.reason) {
		case InboxReason.reply:
			return { before: `${who} replied in`, after: '' };
		case InboxReason.mention:
			return { before: `${who} mentioned you in`, after: '' };
		case InboxReason.decision:
			// The owner may be me, as a decider on my own record.
			return { before: item.from === me ? 'Waiting for your position on' : `${who} is waiting for your position on`, after: '' };
		case InboxReason.share:
			return { before: `${who} shared`, after: 'with you' };
	}
}

/** Who an item is from: the name the people context knows, else the one its source recorded, else "Someone". */
export function senderName(item: Pick<InboxItem, 'from' | 'fromName'>, nameOf: (memberId: string) => string | undefined): string {
	return (item.from !== null ? nameOf(item.from) : undefined) || item.fromName || 'Someone';
}

/** Where an item opens: its page, with the thread made active for thread items. */
export function itemHref(workspaceId: string, item: Pick<InboxItem, 'pageId' | 'threadId'>): string {
	const path = `/w/${workspaceId}/p/${item.pageId}`;
	return item.threadId === null ? path : `${path}?thread=${encodeURIComponent(item.threadId)}`;
}
