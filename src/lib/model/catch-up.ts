/**
 * Catch-up: what changed on each page since the member last looked, and by whom.
 *
 * What the member last saw is kept in their private inbox room `<ws>/@inbox/<member>` (beside the
 * inbox's `items`; only their tokens open it), so it follows them across devices:
 *
 *   seen:      pageId → { body: snapshot, talk: state vector, log: status change ids, at }
 *   seenSince: Y.Array<number>   when catch-up started for the member (the earliest entry counts)
 *
 * - `body` is the page body's snapshot (history.ts `takeSnapshot`): bodies keep every struct, so
 *   text inserted since is text whose struct is not in the snapshot's state vector, and text deleted
 *   since is text visible at the snapshot and deleted now. Who did it comes from the authorship
 *   records (history.ts `Attribution`).
 * - `talk` is the discussion's state vector only: discussions are garbage collected, so nothing can
 *   be rebuilt; a thread, message or position is new when its Y struct is not in the vector.
 * - `log` lists the decision's status changes seen (their ids; the log is append-only and short).
 *
 * The member's own changes are never news: an insertion or deletion the records attribute to the
 * member, and messages, positions and status changes by them, are left out — from any of their
 * devices. Changes nobody recorded (a page's seed, edits from before authorship) are shown as made
 * by an unknown member.
 *
 * A page never seen: made by someone else after catch-up started for the member (`seenSince`,
 * written once when their state first loads) it is listed as a new page; made by the member or
 * before catch-up started, it is not. Either way its comments, positions and status changes since
 * catch-up started are listed (by the writers' clocks: with no vector to compare there is nothing
 * better) — but never every word of its body as "inserted". Opening it records it as seen.
 *
 * Malformed stored entries (another client's bug) read as never seen. Two devices of one member
 * writing one page's entry at once: the last writer wins, and the worst it does is show something
 * as changed again.
 *
 * Pure: no DOM, no I/O; the live index is sync/catch-up.ts, the editor's highlights
 * editor/changes-since.ts.
 */
import * as Y from 'yjs';
import { attributionOf, readSnapshot, takeSnapshot, type Attribution } from './history.ts';
import { readThreads, threadsMap } from './comment-threads.ts';
import { listPositions, positionsMap, readDecision, type DecisionStatus, type Stance } from './decision-records.ts';
import { isTime } from './time.ts';
import { Origin } from './origins.ts';
import { bodyFragment } from './page.ts';
import { assertWritable } from './version.ts';
import { getPage, type PageEntry } from './workspace.ts';

const MAX_EXCERPT = 200;

/** What a member last saw of one page, as read from their state. */
export interface Seen {
	readonly body: Y.Snapshot | null;
	readonly talk: Map<number, number> | null;
	readonly log: ReadonlySet<string>;
	readonly at: number;
}

export function seenMap(inbox: Y.Doc): Y.Map<unknown> {
	return inbox.getMap('seen');
}

export function seenSinceArray(inbox: Y.Doc): Y.Array<unknown> {
	return inbox.getArray('seenSince');
}

/** What the member last saw of a page; null when never (or when the stored entry is malformed). */
export function lastSeen(inbox: Y.Doc, pageId: string): Seen | null {
	const value = seenMap(inbox).get(pageId);
	if (typeof value !== 'object' || value === null) return null;
	const v = value as Record<string, unknown>;
	if (!isTime(v['at'])) return null;
	const body = v['body'] === null || v['body'] === undefined ? null : readSnapshot(v['body']);
	if (v['body'] != null && body === null) return null;
	let talk: Map<number, number> | null = null;
	if (v['talk'] != null) {
		if (!(v['talk'] instanceof Uint8Array)) return null;
		try {
			talk = Y.decodeStateVector(v['talk']);
		} catch {
			return null;
		}
	}
	const log = v['log'];
	if (log !== undefined && (!Array.isArray(log) || log.some((id) => typeof id !== 'string'))) return null;
	return { body, talk, log: new Set((log as string[] | undefined) ?? []), at: v['at'] };
}

/** When catch-up started for the member (the earliest of what their devices wrote); null before. */
export function catchUpSince(inbox: Y.Doc): number | null {
	let since: number | null = null;
	for (const value of seenSinceArray(inbox).toArray()) if (isTime(value) && (since === null || value < since)) since = value;
	return since;
}

/**
 * Starts catch-up for the member at `now` unless it has started (on this device or any that has
 * synced here). Two devices starting apart both write; the earliest counts.
 */
export function startCatchUp(inbox: Y.Doc, now: number): void {
	if (catchUpSince(inbox) !== null) return;
	assertWritable(inbox);
	inbox.transact(() => seenSinceArray(inbox).push([now]), Origin.local);
}

/** A page's documents as this device has them; null while one is not loaded. */
export interface PageDocs {
	readonly body: Y.Doc | null;
	readonly talk: Y.Doc | null;
}

/**
 * What a look at a page saw, as stored: the body's snapshot, the discussion's state vector, the
 * decision's status log. A field is null when that document was not loaded (the stored one stays).
 */
export interface Look {
	readonly body: Uint8Array | null;
	readonly talk: Uint8Array | null;
	readonly log: readonly string[] | null;
}

/** What a look at the page now sees (`workspace`: where its decision record is; null: none). */
export function lookAt(pageId: string, docs: PageDocs, workspace: Y.Doc | null): Look {
	const record = workspace ? readDecision(workspace, pageId) : null;
	return {
		body: docs.body ? takeSnapshot(docs.body) : null,
		talk: docs.talk ? Y.encodeStateVector(docs.talk) : null,
		log: record ? record.log.map((change) => change.id) : null
	};
}

/**
 * Records `look` as the member's last look at the page, at `at`. Writes nothing when that is what
 * is stored already (idempotent).
 */
export function recordLook(inbox: Y.Doc, pageId: string, look: Look, at: number): void {
	const stored = seenMap(inbox).get(pageId) as Record<string, unknown> | undefined;
	const old = lastSeen(inbox, pageId) ? stored : undefined;
	const body = look.body ?? (old?.['body'] as Uint8Array | undefined) ?? null;
	const talk = look.talk ?? (old?.['talk'] as Uint8Array | undefined) ?? null;
	const log = look.log ? [...look.log] : ((old?.['log'] as string[] | undefined) ?? []);
	if (old && sameBytes(old['body'], body) && sameBytes(old['talk'], talk) && sameList(old['log'], log)) return;
	assertWritable(inbox);
	inbox.transact(() => seenMap(inbox).set(pageId, { body, talk, log, at }), Origin.local);
}

/** Records the page as seen now (`lookAt`, then `recordLook`). */
export function markSeen(inbox: Y.Doc, pageId: string, docs: PageDocs, workspace: Y.Doc | null, at: number): void {
	recordLook(inbox, pageId, lookAt(pageId, docs, workspace), at);
}

function sameBytes(a: unknown, b: Uint8Array | null): boolean {
	if (b === null || !(a instanceof Uint8Array)) return (a ?? null) === b;
	return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function sameList(a: unknown, b: readonly string[]): boolean {
	return Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
}

// ---- the body ----

/** A piece of one Y item: `length` characters from `offset`. */
export interface ItemPiece {
	readonly item: Y.Item;
	readonly offset: number;
	readonly length: number;
}

/** Text inserted since, one run per adjacent stretch by one member. */
export interface Insertion {
	readonly member: string | null;
	readonly at: number | null;
	readonly text: string;
	/** Where it is, for highlighting (editor/y-ranges.ts places pieces in an editor). */
	readonly pieces: readonly ItemPiece[];
}

/** Text visible when last seen and deleted since, one run per adjacent stretch by one deleter. */
export interface Deletion {
	readonly member: string | null;
	readonly at: number | null;
	readonly text: string;
}

export interface BodyChanges {
	readonly insertions: readonly Insertion[];
	readonly deletions: readonly Deletion[];
}

/**
 * Text inserted and deleted in `body` since `seen` (a body snapshot), in document order, leaving
 * out what the records attribute to `me`. `attribution` is the body's shared one (history.ts
 * `attributionOf`: building one decodes every deletion record) unless a caller passes its own.
 */
export function bodyChangesSince(body: Y.Doc, seen: Y.Snapshot, me: string, attribution: Attribution = attributionOf(body)): BodyChanges {
	const insertions: Insertion[] = [];
	const deletions: Deletion[] = [];
	let insertion: { member: string | null; at: number | null; text: string; pieces: ItemPiece[] } | null = null;
	let deletion: { member: string | null; at: number | null; text: string } | null = null;
	const endRuns = () => {
		if (insertion) insertions.push(insertion);
		if (deletion) deletions.push(deletion);
		insertion = null;
		deletion = null;
	};
	const walk = (type: Y.AbstractType<unknown>) => {
		for (let item = type._start; item !== null; item = item.right) {
			if (item.content instanceof Y.ContentType) {
				endRuns();
				walk(item.content.type as Y.AbstractType<unknown>);
				endRuns();
				continue;
			}
			if (!(item.content instanceof Y.ContentString)) continue;
			const text = item.content.str;
			const known = seen.sv.get(item.id.client) ?? 0;
			if (!item.deleted) {
				const offset = Math.max(0, known - item.id.clock);
				if (offset >= item.length) continue;
				const by = attribution.inserted({ client: item.id.client, clock: item.id.clock + offset });
				if (by.member === me) continue;
				if (!insertion || insertion.member !== by.member) {
					endRuns();
					insertion = { member: by.member, at: by.at, text: '', pieces: [] };
				}
				insertion.text += text.slice(offset);
				insertion.pieces.push({ item, offset, length: item.length - offset });
				if (by.at !== null && (insertion.at === null || by.at > insertion.at)) insertion.at = by.at;
				continue;
			}
			// Deleted now: the stretches that were there when last seen, cut where the deleter changes.
			const client = item.id.client;
			for (const [from, to] of visibleAt(seen.ds, client, item.id.clock, Math.min(item.id.clock + item.length, known))) {
				for (const stretch of attribution.deletedStretches(client, from, to)) {
					const by = stretch.by;
					if (by?.member === me) continue;
					const member = by?.member ?? null;
					if (!deletion || deletion.member !== member) {
						if (deletion) deletions.push(deletion);
						deletion = { member, at: by?.at ?? null, text: '' };
					}
					deletion.text += text.slice(stretch.from - item.id.clock, stretch.to - item.id.clock);
					if (by?.at != null && (deletion.at === null || by.at > deletion.at)) deletion.at = by.at;
				}
			}
		}
	};
	walk(bodyFragment(body) as unknown as Y.AbstractType<unknown>);
	endRuns();
	return { insertions, deletions };
}

/** The stretches of clocks `from`…`to` of one client that `ds` (a delete set) does not hold. */
function visibleAt(ds: Y.Snapshot['ds'], client: number, from: number, to: number): [number, number][] {
	const out: [number, number][] = [];
	if (from >= to) return out;
	// Sorted and merged, as Yjs writes them (snapshot, encodeSnapshot).
	const ranges = ds.clients.get(client) ?? [];
	let lo = 0;
	let hi = ranges.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (ranges[mid]!.clock + ranges[mid]!.len <= from) lo = mid + 1;
		else hi = mid;
	}
	let at = from;
	for (let i = lo; i < ranges.length && at < to; i++) {
		const range = ranges[i]!;
		if (range.clock >= to) break;
		if (range.clock > at) out.push([at, range.clock]);
		at = Math.max(at, range.clock + range.len);
	}
	if (at < to) out.push([at, to]);
	return out;
}

/** How many words a text holds (for "12 words added"). */
export function wordCount(text: string): number {
	return text.split(/\s+/).filter((word) => word !== '').length;
}

// ---- the discussion ----

export const TalkChangeKind = { comment: 'comment', position: 'position' } as const;
export type TalkChangeKind = (typeof TalkChangeKind)[keyof typeof TalkChangeKind];

export type TalkChange =
	| { readonly kind: 'comment'; readonly member: string; readonly name: string; readonly at: number; readonly text: string; readonly threadId: string; readonly newThread: boolean }
	| { readonly kind: 'position'; readonly member: string; readonly name: string; readonly at: number; readonly stance: Stance };

/**
 * Messages (in new threads or old) and positions written since `seen` (a state vector; null: never
 * seen, then `since` — a time — says from when), leaving out the member's own. Oldest first.
 */
export function talkChangesSince(talk: Y.Doc, seen: Map<number, number> | null, me: string, since: number | null = null): TalkChange[] {
	const isNew = (item: Y.Item | null, at: number) => (seen ? item !== null && item.id.clock >= (seen.get(item.id.client) ?? 0) : since !== null && at >= since);
	const out: TalkChange[] = [];
	const raw = new Map<string, Y.Map<unknown>>();
	threadsMap(talk).forEach((value, id) => {
		if (value instanceof Y.Map) raw.set(id, value);
	});
	for (const thread of readThreads(talk)) {
		const threadMap = raw.get(thread.id);
		const messages = threadMap?.get('messages');
		const items = new Map<string, Y.Item | null>();
		if (messages instanceof Y.Array) {
			for (const value of messages.toArray()) if (value instanceof Y.Map && typeof value.get('id') === 'string') items.set(value.get('id') as string, value._item);
		}
		const newThread = isNew(threadMap?._item ?? null, thread.createdAt);
		for (const message of thread.messages) {
			if (message.deletedAt !== null || message.author === me || !isNew(items.get(message.id) ?? null, message.at)) continue;
			out.push({
				kind: 'comment',
				member: message.author,
				name: message.authorName,
				at: message.at,
				text: excerpt(message.text),
				threadId: thread.id,
				newThread: newThread && message === thread.messages[0]
			});
		}
	}
	const entries = (positionsMap(talk) as unknown as { _map: Map<string, Y.Item> })._map;
	for (const position of listPositions(talk)) {
		if (position.memberId === me || !isNew(entries.get(position.memberId) ?? null, position.at)) continue;
		out.push({ kind: 'position', member: position.memberId, name: position.name, at: position.at, stance: position.stance });
	}
	return out.sort((a, b) => a.at - b.at);
}

// ---- decisions ----

export interface StatusNews {
	readonly id: string;
	readonly member: string;
	readonly at: number;
	readonly from: DecisionStatus;
	readonly to: DecisionStatus;
	readonly note: string;
}

/**
 * A decision record's status changes not among `seen` (ids; null: never seen, then those made at
 * or after `since`), leaving out the member's own. Oldest first, in the log's order.
 */
export function decisionChangesSince(workspace: Y.Doc, pageId: string, seen: ReadonlySet<string> | null, me: string, since: number | null = null): StatusNews[] {
	const record = readDecision(workspace, pageId);
	if (!record) return [];
	return record.log
		.filter((change) => change.by !== me && (seen ? !seen.has(change.id) : since !== null && change.at >= since))
		.map((change) => ({ id: change.id, member: change.by, at: change.at, from: change.from, to: change.to, note: change.note }));
}

// ---- what's new ----

export type NewsEntry =
	| { readonly kind: 'created'; readonly member: string; readonly at: number }
	| { readonly kind: 'edited'; readonly member: string | null; readonly at: number | null; readonly added: number; readonly removed: number }
	| TalkChange
	| ({ readonly kind: 'status' } & StatusNews);

export interface PageNews {
	readonly page: PageEntry;
	/** Never seen: the whole page is news. */
	readonly isNewPage: boolean;
	/** Newest first. */
	readonly entries: readonly NewsEntry[];
	/** When the latest entry happened (0 when unknown): pages are sorted by it. */
	readonly latest: number;
}

/**
 * What is new on one page for `me`, or null when nothing is. `docs` are the page's documents as
 * loaded here; `inbox` the member's state (null while it loads: nothing is news then).
 */
export function pageNews(workspace: Y.Doc, pageId: string, docs: PageDocs, inbox: Y.Doc, me: string, edits: EditsReader = readEdits): PageNews | null {
	const page = getPage(workspace, pageId);
	if (!page) return null;
	const seen = lastSeen(inbox, pageId);
	const entries: NewsEntry[] = [];
	let isNewPage = false;
	if (seen === null) {
		const since = catchUpSince(inbox);
		if (since === null) return null;
		isNewPage = page.createdBy !== me && page.createdAt >= since;
		if (isNewPage) entries.push({ kind: 'created', member: page.createdBy, at: page.createdAt });
		if (docs.talk) entries.push(...talkChangesSince(docs.talk, null, me, since));
		entries.push(...decisionChangesSince(workspace, pageId, null, me, since).map((change) => ({ kind: 'status' as const, ...change })));
	} else {
		if (docs.body && seen.body) entries.push(...edits(pageId, docs.body, seen.body, me));
		if (docs.talk && seen.talk) entries.push(...talkChangesSince(docs.talk, seen.talk, me));
		entries.push(...decisionChangesSince(workspace, pageId, seen.log, me).map((change) => ({ kind: 'status' as const, ...change })));
	}
	if (entries.length === 0) return null;
	entries.sort((a, b) => (b.at ?? 0) - (a.at ?? 0));
	return { page, isNewPage, entries, latest: entries[0]?.at ?? 0 };
}

/**
 * Reads a body's "edited" entries since a snapshot. The live index passes one that remembers them
 * until the body or the stored snapshot changes (walking a body is the expensive part).
 */
export type EditsReader = (pageId: string, body: Y.Doc, seen: Y.Snapshot, me: string) => readonly NewsEntry[];

const readEdits: EditsReader = (_pageId, body, seen, me) => editEntries(bodyChangesSince(body, seen, me));

/** One "edited" entry per member: words added and removed. */
export function editEntries(changes: BodyChanges): NewsEntry[] {
	const byMember = new Map<string | null, { member: string | null; at: number | null; added: number; removed: number }>();
	const entry = (member: string | null) => {
		let found = byMember.get(member);
		if (!found) byMember.set(member, (found = { member, at: null, added: 0, removed: 0 }));
		return found;
	};
	const later = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
	// Words are counted over each member's text joined, so a word typed in two keystrokes counts once.
	const inserted = new Map<string | null, string[]>();
	const deleted = new Map<string | null, string[]>();
	for (const run of changes.insertions) {
		entry(run.member).at = later(entry(run.member).at, run.at);
		inserted.set(run.member, [...(inserted.get(run.member) ?? []), run.text]);
	}
	for (const run of changes.deletions) {
		entry(run.member).at = later(entry(run.member).at, run.at);
		deleted.set(run.member, [...(deleted.get(run.member) ?? []), run.text]);
	}
	for (const [member, texts] of inserted) entry(member).added = wordCount(texts.join(' '));
	for (const [member, texts] of deleted) entry(member).removed = wordCount(texts.join(' '));
	return [...byMember.values()]
		.filter((e) => e.added > 0 || e.removed > 0)
		.map((e) => ({ kind: 'edited' as const, ...e }));
}

/** Every page's news, pages with the latest change first (ties by title, then id, alike everywhere). */
export function whatsNew(workspace: Y.Doc, pages: ReadonlyMap<string, PageDocs>, inbox: Y.Doc, me: string, edits: EditsReader = readEdits): PageNews[] {
	const out: PageNews[] = [];
	for (const [pageId, docs] of pages) {
		const news = pageNews(workspace, pageId, docs, inbox, me, edits);
		if (news) out.push(news);
	}
	return sortNews(out);
}

/** Pages with the latest change first; ties by title, then id, alike on every device. */
export function sortNews(news: PageNews[]): PageNews[] {
	return news.sort((a, b) => b.latest - a.latest || a.page.title.localeCompare(b.page.title) || (a.page.id < b.page.id ? -1 : 1));
}

function excerpt(text: string): string {
	const line = text.replace(/\s+/g, ' ').trim();
	return line.length > MAX_EXCERPT ? `${line.slice(0, MAX_EXCERPT - 1)}…` : line;
}
