/**
 * The inbox: what is waiting for one member, so that no message is left unanswered by accident.
 *
 * Items are derived, never stored: each is read from the documents it is about, so an item appears
 * on every device as soon as its source has synced, and goes when its source goes (a reply sent, a
 * position recorded, a mention deleted). What *is* stored is the member's own state, in their
 * private inbox room `<ws>/@inbox/<member>` (protocol/rooms.ts; only their tokens open it):
 *
 *   items: key → { read: number | null, done: number | null }
 *
 * Both are the item's own `at` when the member read or cleared it, not a clock reading: an item is
 * unread while `at > read`, and cleared while `at <= done`, so new activity (another reply, a new
 * mention) brings a cleared item back as unread, and a device whose clock is wrong changes nothing.
 * Writes never lower what the writing device has seen (except "not done", which means to); if two
 * devices of one member write one item at the same moment, one write wins (a map key's last writer),
 * and the worst that does is show an item unread or not cleared again.
 *
 * The kinds of item, with their keys:
 *   thread:<page>:<thread>   a thread waiting for my reply: I started it, wrote in it or was
 *                            mentioned in it, it is open, and the last message is someone else's.
 *                            Reason `mention` when a message since my last one mentions me (that
 *                            reaches me even in a resolved thread), else `reply`.
 *   mention:<page>           mentions of me in a page's text (the latest one's time and writer).
 *   decision:<page>          a proposed decision that lists me as decider or consulted, without
 *                            my position.
 *   share:<page>:<share>     a page somebody shared with me.
 *
 * Pure functions of Y documents; the live index that feeds them every page is sync/inbox.ts.
 */
import * as Y from 'yjs';
import { readThreads, type Message } from './comments.ts';
import { DecisionStatus, listDecisions, type Position } from './decisions.ts';
import { mentionedAt, mentionsIn } from './mentions.ts';
import { Origin } from './origins.ts';
import { readShares } from './shares.ts';
import { bodyFragment } from './page.ts';
import { assertWritable } from './version.ts';

export const InboxReason = { reply: 'reply', mention: 'mention', decision: 'decision', share: 'share' } as const;
export type InboxReason = (typeof InboxReason)[keyof typeof InboxReason];

const MAX_EXCERPT = 200;

export interface InboxItem {
	readonly key: string;
	readonly reason: InboxReason;
	readonly pageId: string;
	/** The thread to open, for thread items. */
	readonly threadId: string | null;
	/** Who it is from; null when nobody is recorded (content from a template). */
	readonly from: string | null;
	/** Their name as the source recorded it ('' when it did not). */
	readonly fromName: string;
	/** When what the item is about last happened (ms; 0 when unknown). */
	readonly at: number;
	/** A short excerpt: the message, the sentence with the mention, the share's note. */
	readonly text: string;
}

/** An item with the member's state applied. */
export interface InboxEntry extends InboxItem {
	readonly unread: boolean;
	readonly done: boolean;
}

// ---- items ----

/** Threads of one page waiting for `me` (see the module comment). */
export function threadItems(pageId: string, talk: Y.Doc, me: string): InboxItem[] {
	const out: InboxItem[] = [];
	for (const thread of readThreads(talk)) {
		const messages = thread.messages.filter((m) => m.deletedAt === null);
		const last = messages.at(-1);
		if (!last || last.author === me) continue;
		let lastMine = -1;
		messages.forEach((m, i) => {
			if (m.author === me) lastMine = i;
		});
		const since = messages.slice(lastMine + 1);
		const mention = [...since].reverse().find((m) => mentions(m, me));
		const involved = thread.createdBy === me || lastMine >= 0 || messages.some((m) => mentions(m, me));
		if (!mention && (!involved || thread.resolved !== null)) continue;
		// A mention is from whoever mentioned me, with their words; its time is still the thread's
		// latest, so a reply after it brings a cleared item back.
		const about = mention ?? last;
		out.push({
			key: `thread:${pageId}:${thread.id}`,
			reason: mention ? InboxReason.mention : InboxReason.reply,
			pageId,
			threadId: thread.id,
			from: about.author || null,
			fromName: about.authorName,
			at: last.at,
			text: excerpt(about.text)
		});
	}
	return out;
}

function mentions(message: Message, me: string): boolean {
	return message.author !== me && message.mentions.some((m) => m.id === me);
}

/** Mentions of `me` in one page's text, as one item (the latest mention's writer and time). */
export function pageMentionItems(pageId: string, body: Y.Doc, me: string): InboxItem[] {
	let latest: { by: string | null; at: number; element: Y.XmlElement } | null = null;
	for (const mention of mentionsIn(bodyFragment(body))) {
		if (mention.member !== me) continue;
		const { by, at } = mentionedAt(body, mention.element);
		// Mentioning yourself is a note to self, not something waiting for you.
		if (by === me) continue;
		if (latest === null || (at ?? 0) > latest.at) latest = { by, at: at ?? 0, element: mention.element };
	}
	if (latest === null) return [];
	return [{ key: `mention:${pageId}`, reason: InboxReason.mention, pageId, threadId: null, from: latest.by, fromName: '', at: latest.at, text: excerpt(blockText(latest.element)) }];
}

/** Shares of one page with `me`. */
export function shareItems(pageId: string, talk: Y.Doc, me: string): InboxItem[] {
	return readShares(talk)
		.filter((share) => share.to.includes(me) && share.by !== me)
		.map((share) => ({
			key: `share:${pageId}:${share.id}`,
			reason: InboxReason.share,
			pageId,
			threadId: null,
			from: share.by,
			fromName: share.byName,
			at: share.at,
			text: excerpt(share.note)
		}));
}

/**
 * Proposed decisions (not archived) that list `me` as decider or consulted, without my position.
 * `positionsOf` gives a record's positions, or null while its discussion has not loaded (no item
 * then: it may well hold my position).
 */
export function decisionItems(workspace: Y.Doc, positionsOf: (pageId: string) => readonly Position[] | null, me: string): InboxItem[] {
	const out: InboxItem[] = [];
	for (const { page, decision } of listDecisions(workspace)) {
		if (page.archivedAt !== null || decision.status !== DecisionStatus.proposed) continue;
		if (!decision.deciders.includes(me) && !decision.consulted.includes(me)) continue;
		const positions = positionsOf(page.id);
		if (positions === null || positions.some((p) => p.memberId === me)) continue;
		out.push({
			key: `decision:${page.id}`,
			reason: InboxReason.decision,
			pageId: page.id,
			threadId: null,
			from: decision.owner ?? page.createdBy,
			fromName: '',
			at: decision.statusSince ?? page.createdAt,
			text: ''
		});
	}
	return out;
}

function excerpt(text: string): string {
	const line = text.replace(/\s+/g, ' ').trim();
	return line.length > MAX_EXCERPT ? `${line.slice(0, MAX_EXCERPT - 1)}…` : line;
}

/** The plain text of the block holding an inline element (mentions and links as their labels). */
function blockText(element: Y.XmlElement): string {
	const parent = element.parent;
	if (!(parent instanceof Y.XmlElement)) return '';
	let text = '';
	for (const child of parent.toArray()) {
		if (child instanceof Y.XmlText) {
			for (const op of child.toDelta() as { insert: unknown }[]) if (typeof op.insert === 'string') text += op.insert;
		} else if (child instanceof Y.XmlElement && child.nodeName === 'mention') {
			const label = child.getAttribute('label');
			text += `@${typeof label === 'string' ? label : 'Member'}`;
		}
	}
	return text;
}

// ---- the member's state ----

export function inboxItemsMap(inbox: Y.Doc): Y.Map<unknown> {
	return inbox.getMap('items');
}

interface ItemState {
	readonly read: number | null;
	readonly done: number | null;
}

function readItemState(value: unknown): ItemState {
	if (typeof value !== 'object' || value === null) return { read: null, done: null };
	const v = value as Record<string, unknown>;
	const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
	return { read: num(v['read']), done: num(v['done']) };
}

/** Items with the member's state: newest first; cleared ones included (`done`), for an "all" view. */
export function withState(items: readonly InboxItem[], inbox: Y.Doc | null): InboxEntry[] {
	const map = inbox ? inboxItemsMap(inbox) : null;
	return items
		.map((item) => {
			const state = readItemState(map?.get(item.key));
			return { ...item, unread: state.read === null || item.at > state.read, done: state.done !== null && item.at <= state.done };
		})
		.sort((a, b) => b.at - a.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** How many items are not cleared, and how many of those are unread: the sidebar's counts. */
export function inboxCounts(entries: readonly InboxEntry[]): { open: number; unread: number } {
	let open = 0;
	let unread = 0;
	for (const entry of entries) {
		if (entry.done) continue;
		open++;
		if (entry.unread) unread++;
	}
	return { open, unread };
}

/** Marks items read as they are now (writes only those not read yet). */
export function markRead(inbox: Y.Doc, items: readonly InboxItem[]): void {
	write(inbox, items, (state, item) => (state.read !== null && state.read >= item.at ? null : { ...state, read: item.at }));
}

/** Clears items ("done"): they leave the inbox until something new happens in them. Also reads them. */
export function markDone(inbox: Y.Doc, items: readonly InboxItem[]): void {
	write(inbox, items, (state, item) =>
		state.done !== null && state.done >= item.at && state.read !== null && state.read >= item.at ? null : { read: Math.max(state.read ?? item.at, item.at), done: Math.max(state.done ?? item.at, item.at) }
	);
}

/** Brings cleared items back (undo "done"); they stay read. */
export function markNotDone(inbox: Y.Doc, items: readonly InboxItem[]): void {
	write(inbox, items, (state) => (state.done === null ? null : { ...state, done: null }));
}

function write(inbox: Y.Doc, items: readonly InboxItem[], next: (state: ItemState, item: InboxItem) => ItemState | null): void {
	assertWritable(inbox);
	const map = inboxItemsMap(inbox);
	const changes: [string, ItemState][] = [];
	for (const item of items) {
		const changed = next(readItemState(map.get(item.key)), item);
		if (changed) changes.push([item.key, changed]);
	}
	if (changes.length === 0) return;
	inbox.transact(() => {
		for (const [key, state] of changes) map.set(key, { read: state.read, done: state.done });
	}, Origin.local);
}
