/**
 * Comment threads anchored to a page's text. They live in the page's discussion document
 * `<ws>/<page>/talk` (written by commenters, editors and admins), never in the body, so a member
 * who may only comment can start and answer threads while the body stays read-only for them:
 *
 *   threads: threadId → Y.Map {
 *     start, end: Uint8Array        Y.encodeRelativePosition into the body's 'prosemirror' fragment
 *     quote: string                 the anchored text when the thread started
 *     createdAt, createdBy, createdByName
 *     resolved: { by, name, at } | null     last write wins; reopening writes null
 *     messages: Y.Array<Y.Map { id, author, authorName, at, text, editedAt, deletedAt,
 *                               reactions: Y.Map<emoji, Y.Map<memberId, boolean>>,
 *                               mentions: { id, label }[]   (since schema 2; see mentions.ts) }>
 *   }
 *   names: memberId → name          who wrote or reacted here (commenters are not in the members list)
 *
 * Anchors: `start` sticks to the first anchored character (the item to its right) and `end` to the
 * last one (associated to the left), so text typed just before or just after the range stays out of
 * it and text typed inside it joins it, on every device alike. A range whose characters are all
 * deleted collapses, and so does one whose enclosing blocks were deleted (a position in a deleted
 * block falls back to where the block was).
 *
 * A collapsed range is not always deleted text: y-prosemirror writes a join of two paragraphs, a
 * split or a moved block as deleting the text and typing it anew elsewhere. So a collapsed thread
 * is placed on its quote where it is near the anchor (the block it fell back into and its
 * neighbours, the closest occurrence), and reads as `deleted` only when the quote is not there
 * either. Every reader works this out from the same body, so every device places it alike; the
 * stored anchor is never rewritten (concurrent readers rewriting it would fight).
 *
 * Each message starts with an empty set for every emoji of `reactionEmoji`: two members reacting
 * apart with the first 👀 would otherwise each create the set under the same key, and Yjs keeps
 * only one of two maps written to one key (the other member's reaction would be lost).
 *
 * Messages are plain text. Readers ignore keys they do not know, so a message can carry more without
 * older clients losing what they show: `mentions` lists the members `@`-mentioned in the text
 * (older clients show the `@Name` text as it is).
 *
 * Sets are maps to booleans and removal writes false: a bare map delete creates no structs, and
 * the sync status relies on every local change creating some (see workspace.ts deletePage).
 */
import * as Y from 'yjs';
import { cleanText } from './text.ts';
import type { Node as PMNode } from 'prosemirror-model';
import { absolutePositionToRelativePosition } from 'y-prosemirror';
import { newId } from './ids.ts';
import { cleanMentions, readMentions, type MentionRef } from './mentions.ts';
import { Origin } from './origins.ts';
import { assertWritable, stampSchemaVersion } from './version.ts';
import type { Actor } from './workspace.ts';
import { renderedSize, type BodyView } from './body-view.ts';
import {
	commentNamesMap,
	isReactionEmoji,
	reactionEmoji,
	readResolution,
	readThreads,
	stringOr,
	threadsMap,
	timeOr,
	type Message,
	type Thread
} from './comment-threads.ts';

export * from './comment-threads.ts';
export type { BodyView, SizeMapping } from './body-view.ts';

export const MAX_COMMENT_LENGTH = 4000;
export const MAX_QUOTE_LENGTH = 300;
const MAX_NAME_LENGTH = 80;

type ProsemirrorMapping = Parameters<typeof absolutePositionToRelativePosition>[2];

/** Bad input to a comment: shown to the member as is, and nothing was changed. */
export class CommentError extends Error {
	override name = 'CommentError';
}

/** A selection turned into an anchor, ready for `startThread` (taken when the member asks to comment). */
export interface Anchor {
	readonly start: Uint8Array;
	readonly end: Uint8Array;
	readonly quote: string;
}

/** A thread as one editor shows it. */
export interface PlacedThread extends Thread, Placement {}

/**
 * Anchors a selection `from`–`to` of `body`, narrowed to the text in it. Refuses a selection
 * without text (empty, or only a rule or a link to a page).
 */
export function anchorSelection(body: BodyView, from: number, to: number): Anchor {
	const size = body.doc.content.size;
	if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > size || from >= to) {
		throw new CommentError('Select some text to comment on.');
	}
	let first = -1;
	let last = -1;
	body.doc.nodesBetween(from, to, (node, pos) => {
		if (!node.isText) return true;
		const start = Math.max(pos, from);
		const end = Math.min(pos + node.nodeSize, to);
		if (end > start) {
			if (first < 0) first = start;
			last = end;
		}
		return false;
	});
	const quote = first < 0 ? '' : cleanQuote(body.doc.textBetween(first, last, ' ', ' '));
	if (quote === '') throw new CommentError('Select some text to comment on.');
	return { ...rangeAnchor(body, first, last), quote };
}

/**
 * Relative positions for the text `first`–`last` of `body` (both at text): `start` sticks to the
 * first character, `end` to the last.
 */
export function rangeAnchor(body: BodyView, first: number, last: number): Pick<Anchor, 'start' | 'end'> {
	const ydoc = body.fragment.doc;
	if (!ydoc) throw new CommentError('This page is not loaded yet.');
	const mapping = body.mapping as unknown as ProsemirrorMapping;
	const start = absolutePositionToRelativePosition(first, body.fragment, mapping) as Y.RelativePosition;
	let end = absolutePositionToRelativePosition(last, body.fragment, mapping) as Y.RelativePosition;
	// Stick the end to the last anchored character (assoc -1), not to whatever follows it.
	const at = Y.createAbsolutePositionFromRelativePosition(end, ydoc);
	if (at && at.type instanceof Y.XmlText && at.index > 0) end = Y.createRelativePositionFromTypeIndex(at.type, at.index, -1);
	return { start: Y.encodeRelativePosition(start), end: Y.encodeRelativePosition(end) };
}

/** Where an anchor is in a body now. */
export interface Placement {
	/** Where its text is now; null when it is gone (`deleted`) or not in this copy of the body yet. */
	readonly range: { readonly from: number; readonly to: number } | null;
	/** The anchored text is gone: shown as "on deleted text" with the quote. */
	readonly deleted: boolean;
	/** Placed by its quote: the anchored characters were rewritten (a join, a split, a moved block). */
	readonly byQuote: boolean;
}

/**
 * Where an anchor is in `body` now: its range, or `deleted` when its text is gone; neither (range
 * null, not deleted) while the text it points at has not reached this copy of the body. With its
 * `quote`, a collapsed anchor is looked for by its quote near where it fell (see the module doc).
 */
export function placeAnchor(body: BodyView, start: Uint8Array | null, end: Uint8Array | null, quote = ''): Placement {
	return placer(body)(start, end, quote);
}

type Placer = (start: Uint8Array | null, end: Uint8Array | null, quote: string) => Placement;

/** Places anchors in one body, remembering where its blocks start (many threads share them). */
function placer(body: BodyView): Placer {
	const starts = new Map<Y.AbstractType<unknown>, number>();
	let blocks: TextBlock[] | null = null;
	return (start, end, quote) => {
		if (start === null || end === null) return { range: null, deleted: true, byQuote: false };
		const from = bodyPosition(body, start, starts);
		const to = bodyPosition(body, end, starts);
		if (from === 'unknown' || to === 'unknown') return { range: null, deleted: false, byQuote: false };
		if (from === 'invalid' || to === 'invalid') return { range: null, deleted: true, byQuote: false };
		if (to > from && body.doc.textBetween(from, to, '', '\ufffc') !== '') return { range: { from, to }, deleted: false, byQuote: false };
		blocks ??= textBlocks(body.doc);
		const found = findQuote(body.doc, blocks, quote, from);
		return found ? { range: found, deleted: false, byQuote: true } : { range: null, deleted: true, byQuote: false };
	};
}

interface TextBlock {
	/** Where its content starts and ends. */
	readonly from: number;
	readonly to: number;
}

function textBlocks(doc: PMNode): TextBlock[] {
	const out: TextBlock[] = [];
	doc.descendants((node, pos) => {
		if (!node.isTextblock) return true;
		out.push({ from: pos + 1, to: pos + 1 + node.content.size });
		return false;
	});
	return out;
}

/**
 * The occurrence of `quote` closest to `near` in the text blocks around it: the block holding
 * `near` and one on each side, or — when `near` is between blocks — two on each side. Text is
 * compared as the quote was taken (blocks and leaves as spaces, whitespace collapsed); a quote cut
 * short with "…" is looked for by what is left of it. Null when it is not there.
 */
function findQuote(doc: PMNode, blocks: readonly TextBlock[], quote: string, near: number): { from: number; to: number } | null {
	if (quote === '' || blocks.length === 0) return null;
	let k = blocks.findIndex((block) => block.to >= near);
	if (k < 0) k = blocks.length;
	const inside = k < blocks.length && blocks[k]!.from <= near;
	const lo = Math.max(0, inside ? k - 1 : k - 2);
	const hi = Math.min(blocks.length - 1, k + 1);
	const text = quotedText(doc, blocks.slice(lo, hi + 1));
	const wanted = [quote, ...(quote.endsWith('…') ? [quote.slice(0, -1).trimEnd()] : [])];
	for (const needle of wanted) {
		if (needle === '') continue;
		let best: { from: number; to: number } | null = null;
		let bestDistance = Infinity;
		for (let at = text.chars.indexOf(needle); at >= 0; at = text.chars.indexOf(needle, at + 1)) {
			const from = text.positions[at]!;
			const to = text.positions[at + needle.length - 1]! + 1;
			const distance = near < from ? from - near : near > to ? near - to : 0;
			if (distance < bestDistance) {
				best = { from, to };
				bestDistance = distance;
			}
		}
		if (best) return best;
	}
	return null;
}

/**
 * The text of `blocks` as `cleanQuote` would have it, with each character's position in `doc`.
 * The quote is trimmed, so a match starts and ends on a character of text.
 */
function quotedText(doc: PMNode, blocks: readonly TextBlock[]): { chars: string; positions: number[] } {
	let chars = '';
	const positions: number[] = [];
	const push = (char: string, pos: number) => {
		// Whitespace runs are one space, as in cleanQuote; a control character is dropped, as in cleanText.
		if (/\s/.test(char)) {
			if (chars.endsWith(' ')) return;
			char = ' ';
		}
		// eslint-disable-next-line no-control-regex
		else if (/[\u0000-\u001f\u007f]/.test(char)) return;
		chars += char;
		positions.push(pos);
	};
	for (const block of blocks) {
		push(' ', block.from);
		doc.nodesBetween(block.from, block.to, (node, pos) => {
			if (node.isText) {
				const text = node.text!;
				for (let i = 0; i < text.length; i++) {
					const code = text.charCodeAt(i);
					const pair = code >= 0xd800 && code <= 0xdbff && /[\udc00-\udfff]/.test(text[i + 1] ?? '');
					if (pair) {
						push(text.slice(i, i + 2), pos + i);
						positions.push(pos + i + 1);
						i++;
					} else push(code >= 0xd800 && code <= 0xdfff ? '\ufffd' : text[i]!, pos + i);
				}
			} else if (node.isLeaf) push(' ', pos);
			return true;
		});
	}
	return { chars, positions };
}

type BodyPosition = number | 'unknown' | 'invalid';

/** A relative position as a ProseMirror position in `body`; `starts` remembers contentStart's answers. */
function bodyPosition(body: BodyView, bytes: Uint8Array, starts: Map<Y.AbstractType<unknown>, number>): BodyPosition {
	const ydoc = body.fragment.doc;
	if (!ydoc) return 'unknown';
	let rel: Y.RelativePosition;
	try {
		rel = Y.decodeRelativePosition(bytes);
	} catch {
		return 'invalid';
	}
	const abs = Y.createAbsolutePositionFromRelativePosition(rel, ydoc);
	// Not in this copy yet (the talk document synced before the body), or not in a type at all.
	if (abs === null) return 'unknown';
	let type = abs.type as Y.AbstractType<unknown>;
	let index = abs.index;
	// The chain of types up to the fragment; a position elsewhere (another root) is no anchor.
	const chain: Y.AbstractType<unknown>[] = [];
	for (let t = type; t !== body.fragment; ) {
		const parent = t._item?.parent;
		if (!(parent instanceof Y.AbstractType)) return 'invalid';
		chain.push(t);
		t = parent as Y.AbstractType<unknown>;
	}
	// In a deleted block: fall back to where the outermost deleted block was.
	for (let i = chain.length - 1; i >= 0; i--) {
		const item = chain[i]!._item!;
		if (item.deleted) {
			type = item.parent as Y.AbstractType<unknown>;
			index = 0;
			for (let n = item.left; n !== null; n = n.left) if (!n.deleted && n.countable) index += n.length;
			break;
		}
	}
	let pos = contentStart(body, type, starts);
	if (type instanceof Y.XmlText) pos += index;
	else {
		for (let n = type._start, i = 0; n !== null && i < index; n = n.right) {
			if (n.deleted || !n.countable) continue;
			pos += sizeOf(body, n);
			i++;
		}
	}
	return Math.max(0, Math.min(pos, body.doc.content.size));
}

/** The ProseMirror position where `type`'s content starts (an XmlText has no tags of its own). */
function contentStart(body: BodyView, type: Y.AbstractType<unknown>, starts: Map<Y.AbstractType<unknown>, number>): number {
	if (type === body.fragment) return 0;
	const known = starts.get(type);
	if (known !== undefined) return known;
	const item = type._item!;
	let pos = contentStart(body, item.parent as Y.AbstractType<unknown>, starts);
	for (let n = item.left; n !== null; n = n.left) if (!n.deleted && n.countable) pos += sizeOf(body, n);
	pos = type instanceof Y.XmlText ? pos : pos + 1;
	starts.set(type, pos);
	return pos;
}

function sizeOf(body: BodyView, item: Y.Item): number {
	const content = item.content;
	if (!(content instanceof Y.ContentType)) return item.length;
	const type = content.type as Y.AbstractType<unknown>;
	return type instanceof Y.XmlText ? type.length : renderedSize(body.mapping, type);
}

// ---- writing ----

export interface NewMessage {
	readonly text: string;
	/** The writer's name, kept with what they write (commenters are not in the members list). */
	readonly name: string;
	/** Members mentioned in the text; only those whose `@label` is in it are kept (mentions.ts). */
	readonly mentions?: readonly MentionRef[];
}

/** Starts a thread on an anchored selection with its first message; returns the thread's id. */
export function startThread(talk: Y.Doc, anchor: Anchor, input: NewMessage, actor: Actor): string {
	assertWritable(talk);
	if (!(anchor?.start instanceof Uint8Array) || !(anchor.end instanceof Uint8Array) || !readableAnchor(anchor.start) || !readableAnchor(anchor.end)) {
		throw new CommentError('Select some text to comment on.');
	}
	const quote = cleanQuote(String(anchor.quote ?? ''));
	if (quote === '') throw new CommentError('Select some text to comment on.');
	const text = checkText(input.text);
	const name = cleanName(input.name);
	const id = newId();
	talk.transact(() => {
		stampSchemaVersion(talk);
		const thread = new Y.Map<unknown>();
		thread.set('start', anchor.start);
		thread.set('end', anchor.end);
		thread.set('quote', quote);
		thread.set('createdAt', actor.now);
		thread.set('createdBy', actor.memberId);
		thread.set('createdByName', name);
		thread.set('resolved', null);
		const messages = new Y.Array<Y.Map<unknown>>();
		messages.push([newMessage(text, name, input.mentions, actor)]);
		thread.set('messages', messages);
		threadsMap(talk).set(id, thread);
		rememberName(talk, actor.memberId, name);
	}, Origin.local);
	return id;
}

/** Answers a thread; answering a resolved thread reopens it. Returns the message's id. */
export function reply(talk: Y.Doc, threadId: string, input: NewMessage, actor: Actor): string {
	assertWritable(talk);
	const thread = threadOf(talk, threadId);
	const text = checkText(input.text);
	const name = cleanName(input.name);
	const message = newMessage(text, name, input.mentions, actor);
	talk.transact(() => {
		stampSchemaVersion(talk);
		messagesOf(thread).push([message]);
		if (thread.get('resolved') != null) thread.set('resolved', null);
		rememberName(talk, actor.memberId, name);
	}, Origin.local);
	return message.get('id') as string;
}

/** Changes the text (and the mentions) of one of the member's own messages. */
export function editMessage(talk: Y.Doc, threadId: string, messageId: string, text: string, actor: Actor, mentions: readonly MentionRef[] = []): void {
	assertWritable(talk);
	const message = ownMessage(talk, threadId, messageId, actor, 'edit');
	const clean = checkText(text);
	const refs = cleanMentions(clean, mentions);
	const before = readMentions(String(message.get('text') ?? ''), message.get('mentions'));
	if (clean === message.get('text') && sameMentions(refs, before)) return;
	talk.transact(() => {
		message.set('text', clean);
		message.set('mentions', refs);
		message.set('editedAt', actor.now);
	}, Origin.local);
}

function sameMentions(a: readonly MentionRef[], b: readonly MentionRef[]): boolean {
	return a.length === b.length && a.every((m, i) => m.id === b[i]!.id && m.label === b[i]!.label);
}

/** Deletes one of the member's own messages: it stays in the thread as "message deleted". */
export function deleteMessage(talk: Y.Doc, threadId: string, messageId: string, actor: Actor): void {
	assertWritable(talk);
	const message = ownMessage(talk, threadId, messageId, actor, 'delete');
	talk.transact(() => {
		message.set('text', '');
		message.set('mentions', []);
		message.set('deletedAt', actor.now);
	}, Origin.local);
}

export function resolveThread(talk: Y.Doc, threadId: string, name: string, actor: Actor): void {
	assertWritable(talk);
	const thread = threadOf(talk, threadId);
	if (readResolution(thread.get('resolved')) !== null) throw new CommentError('This thread is already resolved.');
	const clean = cleanName(name);
	talk.transact(() => {
		thread.set('resolved', { by: actor.memberId, name: clean, at: actor.now });
		rememberName(talk, actor.memberId, clean);
	}, Origin.local);
}

export function reopenThread(talk: Y.Doc, threadId: string): void {
	assertWritable(talk);
	const thread = threadOf(talk, threadId);
	if (readResolution(thread.get('resolved')) === null) throw new CommentError('This thread is already open.');
	talk.transact(() => thread.set('resolved', null), Origin.local);
}

/** Adds the member's reaction to a message (nothing to write if it is already there). */
export function react(talk: Y.Doc, threadId: string, messageId: string, emoji: string, name: string, actor: Actor): void {
	setReaction(talk, threadId, messageId, emoji, actor, true, name);
}

/** Takes the member's reaction back (nothing to write if there is none). */
export function unreact(talk: Y.Doc, threadId: string, messageId: string, emoji: string, actor: Actor): void {
	setReaction(talk, threadId, messageId, emoji, actor, false, null);
}

function setReaction(talk: Y.Doc, threadId: string, messageId: string, emoji: string, actor: Actor, on: boolean, name: string | null): void {
	assertWritable(talk);
	const message = messageOf(threadOf(talk, threadId), messageId);
	if (!isReactionEmoji(emoji)) throw new CommentError(`Reactions are ${reactionEmoji.join(' ')}.`);
	if (message.get('deletedAt') != null) throw new CommentError('This message was deleted.');
	const clean = name === null ? null : cleanName(name);
	const reactions = message.get('reactions');
	const members = reactions instanceof Y.Map ? reactions.get(emoji) : undefined;
	if ((members instanceof Y.Map && members.get(actor.memberId) === true) === on) return;
	talk.transact(() => {
		let map = reactions;
		if (!(map instanceof Y.Map)) {
			map = new Y.Map<unknown>();
			message.set('reactions', map);
		}
		let set = (map as Y.Map<unknown>).get(emoji);
		if (!(set instanceof Y.Map)) {
			set = new Y.Map<boolean>();
			(map as Y.Map<unknown>).set(emoji, set);
		}
		(set as Y.Map<boolean>).set(actor.memberId, on);
		if (clean !== null) rememberName(talk, actor.memberId, clean);
	}, Origin.local);
}

// ---- reading ----

/**
 * Every thread placed in `body`: those whose text is there in document order, then those whose
 * text is gone or not here yet, oldest first.
 */
export function listThreads(talk: Y.Doc, body: BodyView): PlacedThread[] {
	return placeThreads(readThreads(talk), body);
}

/** `listThreads` for threads already read (a reader that keeps them until the talk document changes). */
export function placeThreads(threads: readonly Thread[], body: BodyView): PlacedThread[] {
	const place = placer(body);
	const placed = threads.map((thread) => ({ ...thread, ...place(thread.start, thread.end, thread.quote) }));
	const order = (t: PlacedThread) => t.range?.from ?? Infinity;
	// A stable sort keeps the rest in creation order.
	return placed.sort((a, b) => order(a) - order(b) || (a.range && b.range ? a.range.to - b.range.to : 0));
}

function threadOf(talk: Y.Doc, threadId: string): Y.Map<unknown> {
	const thread = typeof threadId === 'string' ? threadsMap(talk).get(threadId) : undefined;
	if (!(thread instanceof Y.Map)) throw new CommentError('There is no such thread.');
	return thread;
}

function messagesOf(thread: Y.Map<unknown>): Y.Array<Y.Map<unknown>> {
	let messages = thread.get('messages');
	if (!(messages instanceof Y.Array)) {
		messages = new Y.Array<Y.Map<unknown>>();
		thread.set('messages', messages);
	}
	return messages as Y.Array<Y.Map<unknown>>;
}

function messageOf(thread: Y.Map<unknown>, messageId: string): Y.Map<unknown> {
	const messages = thread.get('messages');
	if (messages instanceof Y.Array) for (const message of messages.toArray()) {
		if (message instanceof Y.Map && message.get('id') === messageId) return message;
	}
	throw new CommentError('There is no such message.');
}

function ownMessage(talk: Y.Doc, threadId: string, messageId: string, actor: Actor, verb: 'edit' | 'delete'): Y.Map<unknown> {
	const message = messageOf(threadOf(talk, threadId), messageId);
	if (message.get('author') !== actor.memberId) throw new CommentError(`You can only ${verb} your own messages.`);
	if (message.get('deletedAt') != null) throw new CommentError('This message was already deleted.');
	return message;
}

function newMessage(text: string, name: string, mentions: readonly MentionRef[] | undefined, actor: Actor): Y.Map<unknown> {
	const message = new Y.Map<unknown>();
	message.set('id', newId());
	message.set('author', actor.memberId);
	message.set('authorName', name);
	message.set('at', actor.now);
	message.set('text', text);
	message.set('editedAt', null);
	message.set('deletedAt', null);
	message.set('mentions', cleanMentions(text, mentions ?? []));
	const reactions = new Y.Map<unknown>();
	for (const emoji of reactionEmoji) reactions.set(emoji, new Y.Map<boolean>());
	message.set('reactions', reactions);
	return message;
}

function rememberName(talk: Y.Doc, memberId: string, name: string): void {
	if (commentNamesMap(talk).get(memberId) !== name) commentNamesMap(talk).set(memberId, name);
}

function checkText(text: string): string {
	const clean = cleanText(typeof text === 'string' ? text : '', MAX_COMMENT_LENGTH);
	if (clean === '') throw new CommentError('Write something first: a comment cannot be empty.');
	return clean;
}

function cleanName(name: string): string {
	return cleanText(typeof name === 'string' ? name : '', MAX_NAME_LENGTH).replace(/\s+/g, ' ') || 'Member';
}

/** The quote as shown: one line, single spaces, at most MAX_QUOTE_LENGTH characters. */
function cleanQuote(text: string): string {
	const line = cleanText(text, Number.MAX_SAFE_INTEGER).replace(/\s+/g, ' ');
	return line.length > MAX_QUOTE_LENGTH ? `${cleanText(line, MAX_QUOTE_LENGTH - 1)}…` : line;
}

function readableAnchor(bytes: Uint8Array): boolean {
	try {
		Y.decodeRelativePosition(bytes);
		return bytes.length > 0;
	} catch {
		return false;
	}
}
