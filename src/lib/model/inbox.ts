/**
 * The inbox: what is waiting for one member, so that no message is left unanswered by accident.
 *
 * Items are derived, never stored: each is read from the documents it is about, so an item appears
 * on every device as soon as its source has synced, and goes when its source goes (a reply sent, a
 * position recorded, a mention deleted). What *is* stored is the member's own state, in their
 * private inbox room `<ws>/@inbox/<member>` (protocol/rooms.ts; only their tokens open it):
 *
 *   items: key → { read: version | null, done: version | null }
 *
 * Every item carries a `version`, an opaque string that changes whenever something new happens in
 * it and is computed alike on every device from the synced source (below). An item is unread while
 * its version is not the one read, and cleared while it is the one cleared. No clock takes part:
 * times are written by each writer's device, and a teammate whose clock is behind would otherwise
 * write a reply "earlier" than the moment its thread was cleared, and never be seen. (The item's
 * `at` is still the writer's time, shown and sorted by, never compared with anything stored.)
 * State written before versions (numbers) reads as nothing stored.
 *
 * Two devices of one member writing one item's state at the same moment: the map key's last
 * writer wins. Since a version is only ever compared for equality, a device that had not seen the
 * latest activity cannot hide it: the worst a lost write does is show an item unread or not
 * cleared again.
 *
 * The kinds of item, with their keys and versions:
 *   thread:<page>:<thread>   a thread waiting for my reply: I started it, wrote in it or was
 *                            mentioned in it, it is open, and the last message is someone else's.
 *                            Reason `mention` when a message since my last one mentions me (that
 *                            reaches me even in a resolved thread), else `reply`. Version: a hash of
 *                            the messages (ids and edit times), so a new message or an edit (one
 *                            that adds a mention of me, say) brings a cleared thread back.
 *   mention:<page>:<id>      a mention of me in a page's text, by the mention's own id (editor/
 *                            schema.ts), from its writer. Its version never changes: a mention
 *                            moved with its block is the same mention, not news. Mentions written
 *                            before ids are keyed by their Y item (`<client>.<clock>`), read
 *                            through the authorship records.
 *   decision:<page>          a proposed decision that lists me as decider or consulted, without
 *                            my position. Version: the length of the append-only status log, so a
 *                            reopened decision asks again.
 *   share:<page>:<share>     a page somebody shared with me (a share never changes).
 *
 * Pure functions of Y documents; the live index that feeds them every page is sync/inbox.ts.
 */
import * as Y from 'yjs';
import { readThreads, type Message } from './comment-threads.ts';
import { DecisionStatus, listDecisions, type Position } from './decision-records.ts';
import { mentionedAt, mentionsIn, type BodyMention } from './mentions.ts';
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
	/**
	 * Changes whenever something new happens in the item, the same on every device; what read and
	 * done are compared with (see the module comment).
	 */
	readonly version: string;
	/** When what the item is about last happened (ms; 0 when unknown), by the writer's clock: shown and sorted by only. */
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
		// latest, and the version covers every message, so a reply after it brings a cleared item back.
		const about = mention ?? last;
		out.push({
			key: `thread:${pageId}:${thread.id}`,
			reason: mention ? InboxReason.mention : InboxReason.reply,
			pageId,
			threadId: thread.id,
			version: threadVersion(messages, me),
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

/**
 * A thread's version: the FNV-1a hash of its messages' ids and edit times (deleted ones left out;
 * my own edits are no news to me, so only their ids count).
 */
function threadVersion(messages: readonly Message[], me: string): string {
	return fnv1a(messages.map((m) => `${m.id}\u0000${m.author === me ? '' : (m.editedAt ?? '')}`).join('\u0001'));
}

/** 32-bit FNV-1a as 8 hex digits: short, and the same on every device (`seedClientId` in page.ts). */
function fnv1a(text: string): string {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193);
	}
	return (hash >>> 0).toString(16).padStart(8, '0');
}

/** Items whose version never changes: whatever is in them was there when they appeared. */
const ONCE = '1';

/**
 * Mentions of `me` in one page's text, one item per mention (a copy of one mention in the same page
 * is still one item). From the writer the node records, at the time it records (mentions.ts); a
 * mention without an id, written before ids, from its Y item's authorship. Mentioning yourself is
 * a note to self, not something waiting for you.
 */
export function pageMentionItems(pageId: string, body: Y.Doc, me: string): InboxItem[] {
	const out = new Map<string, InboxItem>();
	for (const mention of mentionsIn(bodyFragment(body))) {
		if (mention.member !== me) continue;
		const { key, by, at } = mention.id !== null ? { key: mention.id, by: mention.by, at: mention.at } : { key: itemId(mention), ...mentionedAt(body, mention.element) };
		if (by === me || out.has(key)) continue;
		out.set(key, { key: `mention:${pageId}:${key}`, reason: InboxReason.mention, pageId, threadId: null, version: ONCE, from: by, fromName: '', at: at ?? 0, text: excerpt(blockText(mention.element)) });
	}
	return [...out.values()];
}

/** A mention without an id by its Y item: `client.clock`, which no other element shares. */
function itemId(mention: BodyMention): string {
	const id = mention.element._item?.id;
	return id ? `${id.client}.${id.clock}` : '';
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
			version: ONCE,
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
			version: String(decision.log.length),
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
	readonly read: string | null;
	readonly done: string | null;
}

function readItemState(value: unknown): ItemState {
	if (typeof value !== 'object' || value === null) return { read: null, done: null };
	const v = value as Record<string, unknown>;
	// Numbers are state from before versions (the item's time then): read as nothing stored.
	const version = (x: unknown) => (typeof x === 'string' ? x : null);
	return { read: version(v['read']), done: version(v['done']) };
}

/** Items with the member's state: newest first; cleared ones included (`done`), for an "all" view. */
export function withState(items: readonly InboxItem[], inbox: Y.Doc | null): InboxEntry[] {
	const map = inbox ? inboxItemsMap(inbox) : null;
	return items
		.map((item) => {
			const state = readItemState(map?.get(item.key));
			return { ...item, unread: state.read !== item.version, done: state.done === item.version };
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

/** Marks items read as they are now (writes only those not read at this version). */
export function markRead(inbox: Y.Doc, items: readonly InboxItem[]): void {
	write(inbox, items, (state, item) => (state.read === item.version ? null : { ...state, read: item.version }));
}

/** Clears items ("done"): they leave the inbox until something new happens in them. Also reads them. */
export function markDone(inbox: Y.Doc, items: readonly InboxItem[]): void {
	write(inbox, items, (state, item) => (state.read === item.version && state.done === item.version ? null : { read: item.version, done: item.version }));
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
