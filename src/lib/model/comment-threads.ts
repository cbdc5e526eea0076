/**
 * Reading a page's comment threads (the layout of the discussion document is described in
 * comments.ts): the threads with their messages, reactions and resolution, and the names the
 * document knows. Apart from comments.ts (anchoring, placing, writing) because catch-up reads every
 * page's threads, while the rest loads only with a page that has comments.
 */
import * as Y from 'yjs';
import { isTime } from './time.ts';
import { readMentions, type MentionRef } from './mentions.ts';

/** The reactions a member can add; anything else is refused (and ignored when read). */
export const reactionEmoji = ['👍', '🎉', '❤️', '👀', '✅'] as const;

export type ReactionEmoji = (typeof reactionEmoji)[number];

export const reactionLabels: Readonly<Record<ReactionEmoji, string>> = {
	'👍': 'thumbs up',
	'🎉': 'celebrate',
	'❤️': 'heart',
	'👀': 'looking',
	'✅': 'done'
};

export interface Reaction {
	readonly emoji: ReactionEmoji;
	/** Member ids, sorted. */
	readonly members: readonly string[];
}

export interface Message {
	readonly id: string;
	readonly author: string;
	/** The author's name when they wrote it. */
	readonly authorName: string;
	readonly at: number;
	/** '' once deleted. */
	readonly text: string;
	readonly editedAt: number | null;
	readonly deletedAt: number | null;
	/** Only emoji somebody still reacts with, in `reactionEmoji` order. */
	readonly reactions: readonly Reaction[];
	/** Members mentioned in the text ([] once deleted). */
	readonly mentions: readonly MentionRef[];
}

export interface Resolution {
	readonly by: string;
	readonly name: string;
	readonly at: number;
}

export interface Thread {
	readonly id: string;
	readonly start: Uint8Array | null;
	readonly end: Uint8Array | null;
	readonly quote: string;
	readonly createdAt: number;
	readonly createdBy: string;
	readonly createdByName: string;
	readonly resolved: Resolution | null;
	/** Oldest first. */
	readonly messages: readonly Message[];
}

export function threadsMap(talk: Y.Doc): Y.Map<unknown> {
	return talk.getMap('threads');
}

export function commentNamesMap(talk: Y.Doc): Y.Map<unknown> {
	return talk.getMap('names');
}

/** Every thread, oldest first (by creation time, then id, alike on every device). */
export function readThreads(talk: Y.Doc): Thread[] {
	const out: Thread[] = [];
	threadsMap(talk).forEach((value, id) => {
		if (value instanceof Y.Map) out.push(readThread(id, value));
	});
	return out.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Names this talk document knows for members (who wrote, reacted or resolved here). */
export function commentNames(talk: Y.Doc): Map<string, string> {
	const names = new Map<string, string>();
	commentNamesMap(talk).forEach((value, id) => {
		if (typeof value === 'string' && value !== '') names.set(id, value);
	});
	return names;
}

function readThread(id: string, thread: Y.Map<unknown>): Thread {
	const start = thread.get('start');
	const end = thread.get('end');
	const raw = thread.get('messages');
	const messages: Message[] = [];
	if (raw instanceof Y.Array) for (const value of raw.toArray()) {
		const message = readMessage(value);
		if (message) messages.push(message);
	}
	return {
		id,
		start: start instanceof Uint8Array ? start : null,
		end: end instanceof Uint8Array ? end : null,
		quote: typeof thread.get('quote') === 'string' ? (thread.get('quote') as string) : '',
		createdAt: timeOr(thread.get('createdAt'), 0),
		createdBy: stringOr(thread.get('createdBy'), ''),
		createdByName: stringOr(thread.get('createdByName'), 'Member'),
		resolved: readResolution(thread.get('resolved')),
		messages
	};
}

function readMessage(value: unknown): Message | null {
	if (!(value instanceof Y.Map)) return null;
	const id = value.get('id');
	const at = value.get('at');
	// Commenters write this document: a message without an id or with a time no date can show
	// (another client's bug) would break the panel, so it reads as not there.
	if (typeof id !== 'string' || !isTime(at)) return null;
	const deletedAt = value.get('deletedAt');
	const deleted = isTime(deletedAt);
	const reactions: Reaction[] = [];
	const map = value.get('reactions');
	if (map instanceof Y.Map && !deleted) {
		for (const emoji of reactionEmoji) {
			const set = map.get(emoji);
			if (!(set instanceof Y.Map)) continue;
			const members: string[] = [];
			set.forEach((on, member) => {
				if (on === true) members.push(member);
			});
			if (members.length > 0) reactions.push({ emoji, members: members.sort() });
		}
	}
	const editedAt = value.get('editedAt');
	const text = deleted ? '' : stringOr(value.get('text'), '');
	return {
		id,
		author: stringOr(value.get('author'), ''),
		authorName: stringOr(value.get('authorName'), 'Member'),
		at,
		text,
		editedAt: isTime(editedAt) ? editedAt : null,
		deletedAt: deleted ? deletedAt : null,
		reactions,
		mentions: deleted ? [] : readMentions(text, value.get('mentions'))
	};
}

export function readResolution(value: unknown): Resolution | null {
	if (typeof value !== 'object' || value === null) return null;
	const v = value as Record<string, unknown>;
	if (typeof v['by'] !== 'string' || !isTime(v['at'])) return null;
	return { by: v['by'], name: stringOr(v['name'], 'Member'), at: v['at'] };
}

export function isReactionEmoji(value: unknown): value is ReactionEmoji {
	return reactionEmoji.includes(value as ReactionEmoji);
}

export function timeOr(value: unknown, fallback: number): number {
	return isTime(value) ? value : fallback;
}

export function stringOr(value: unknown, fallback: string): string {
	return typeof value === 'string' && value !== '' ? value : fallback;
}
