/**
 * Mentions: `@` a member in a comment or in page text, so that it reaches their inbox (inbox.ts).
 *
 * In a comment the text stays plain: "Can @Ana Lima check this?" with the message's `mentions`
 * listing `{ id, label }` for each mention whose `@label` is in the text. Older clients show the
 * text as it is; ours show each `@label` as the member's current name (`splitMentions`). A mention
 * of a member nobody here knows renders as its plain text.
 *
 * In page text a mention is a `mention` node (editor/schema.ts) with the member's id, the label it
 * was written with, and its own `id`, writer (`by`) and time (`at`), written when it was inserted;
 * `mentionsIn` finds them in a body's Y.XmlFragment. The attributes, not the Y item, say who wrote
 * a mention: y-prosemirror recreates an element under the mover's client when its block is moved,
 * so the item's authorship names whoever moved it last. Mentions written before those attributes
 * have no id; for them `mentionedAt` reads the writer and time from the body's authorship records
 * (authorship.ts), right until the mention is moved.
 *
 * Pure: no DOM, no ProseMirror, never writes.
 */
import * as Y from 'yjs';
import { cleanText } from './text.ts';
import { isId } from './ids.ts';
import { editsArray, memberOfClient } from './authorship.ts';

/** The node name y-prosemirror stores a mention under (editor/schema.ts). */
export const MENTION_NODE = 'mention';
/** At most this many members mentioned in one comment; more are dropped (the text stays). */
export const MAX_MENTIONS = 20;
const MAX_LABEL_LENGTH = 80;

export interface MentionRef {
	readonly id: string;
	/** The name as written after the `@`. */
	readonly label: string;
}

/**
 * A label as stored: one line, single spaces, no invisible direction or joiner marks (they disguise
 * a name), at most 80 characters; '' when nothing is left.
 */
export function cleanLabel(label: unknown): string {
	const visible = (typeof label === 'string' ? label : '').replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g, '');
	return cleanText(visible, MAX_LABEL_LENGTH, { singleLine: true }).replace(/\s+/g, ' ').trim();
}

/**
 * The mentions a comment keeps: each member once, only those whose `@label` is in `text` (a
 * mention the writer deleted from the text is gone), at most MAX_MENTIONS. Bad entries are dropped.
 */
export function cleanMentions(text: string, refs: readonly unknown[]): MentionRef[] {
	const out: MentionRef[] = [];
	const seen = new Set<string>();
	for (const ref of refs) {
		if (out.length >= MAX_MENTIONS) break;
		if (typeof ref !== 'object' || ref === null) continue;
		const { id, label } = ref as Record<string, unknown>;
		const clean = cleanLabel(label);
		if (!isId(id) || clean === '' || seen.has(id)) continue;
		if (findMention(text, clean, 0) < 0) continue;
		seen.add(id);
		out.push({ id, label: clean });
	}
	return out;
}

/** Reads a message's stored `mentions` (written by anyone): the valid entries, each member once. */
export function readMentions(text: string, value: unknown): MentionRef[] {
	return Array.isArray(value) ? cleanMentions(text, value) : [];
}

/**
 * Members named in `text` as `@Name` without being picked from the list: each whose name is
 * unique among `people` (two Ana Limas cannot be told apart by text). Longer names win where one
 * name starts another ("@Ana Lima" is Ana Lima, not Ana) — also when the longer name is not unique:
 * "@Ana Lima" then names nobody, not Ana.
 */
export function mentionsByName(text: string, people: readonly { readonly id: string; readonly name: string }[]): MentionRef[] {
	const counts = new Map<string, number>();
	for (const person of people) counts.set(person.name.toLowerCase(), (counts.get(person.name.toLowerCase()) ?? 0) + 1);
	const found: MentionRef[] = [];
	const candidates = people.filter((p) => cleanLabel(p.name) !== '').sort((a, b) => b.name.length - a.name.length);
	const taken: [number, number][] = [];
	for (const person of candidates) {
		const label = cleanLabel(person.name);
		const unique = counts.get(person.name.toLowerCase()) === 1;
		for (let at = findMention(text, label, 0); at >= 0; at = findMention(text, label, at + 1)) {
			const end = at + label.length + 1;
			if (taken.some(([s, e]) => at < e && end > s)) continue;
			taken.push([at, end]);
			if (unique && !found.some((f) => f.id === person.id)) found.push({ id: person.id, label: text.slice(at + 1, end) });
		}
	}
	return found;
}

export type TextSegment = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'mention'; readonly id: string; readonly label: string };

/** A comment's text cut into plain runs and mentions, in order, for rendering as text nodes. */
export function splitMentions(text: string, mentions: readonly MentionRef[]): TextSegment[] {
	const byLength = [...mentions].sort((a, b) => b.label.length - a.label.length);
	const out: TextSegment[] = [];
	let plain = '';
	for (let i = 0; i < text.length; ) {
		const ref = text[i] === '@' ? byLength.find((m) => findMention(text, m.label, i) === i) : undefined;
		if (!ref) {
			plain += text[i];
			i++;
			continue;
		}
		if (plain !== '') out.push({ kind: 'text', text: plain });
		plain = '';
		out.push({ kind: 'mention', id: ref.id, label: text.slice(i + 1, i + 1 + ref.label.length) });
		i += ref.label.length + 1;
	}
	if (plain !== '') out.push({ kind: 'text', text: plain });
	return out;
}

/**
 * Where `@label` is in `text` from `from` on, matched without regard to case, as a whole mention:
 * the `@` starts the text or follows a space or an opening bracket, and the label is not followed
 * by a letter or digit ("@Ana" is not in "@Anaïs"). -1 when it is not there.
 */
export function findMention(text: string, label: string, from: number): number {
	if (label === '') return -1;
	const hay = text.toLowerCase();
	const needle = `@${label.toLowerCase()}`;
	for (let at = hay.indexOf(needle, from); at >= 0; at = hay.indexOf(needle, at + 1)) {
		const before = at === 0 ? '' : text[at - 1]!;
		const after = text[at + needle.length] ?? '';
		if ((before === '' || /[\s([{"'“‘]/.test(before)) && !/[\p{L}\p{N}_]/u.test(after)) return at;
	}
	return -1;
}

/**
 * The mention being typed at `caret`: an `@` at the start or after a space, then up to 40
 * characters without a line break. Null when the caret is not in one.
 */
export function mentionQuery(text: string, caret: number): { readonly from: number; readonly query: string } | null {
	const before = text.slice(0, caret);
	const match = /(?:^|[\s([{"'“‘])@([^\n@]{0,40})$/u.exec(before);
	if (!match) return null;
	const query = match[1]!;
	// Two spaces in a row end a mention: the writer has moved on.
	if (/\s\s/.test(query) || /^\s/.test(query)) return null;
	return { from: caret - query.length - 1, query };
}

/** People whose name matches a query typed after `@`: starts of words first, then anywhere. */
export function matchPeople<P extends { readonly id: string; readonly name: string }>(people: readonly P[], query: string, limit = 8): P[] {
	const q = query.trim().toLowerCase();
	if (q === '') return people.slice(0, limit);
	const score = (name: string): number => {
		const lower = name.toLowerCase();
		if (lower.startsWith(q)) return 0;
		if (lower.split(/\s+/).some((word) => word.startsWith(q))) return 1;
		return lower.includes(q) ? 2 : 3;
	};
	return people
		.map((person) => ({ person, score: score(person.name) }))
		.filter((entry) => entry.score < 3)
		.sort((a, b) => a.score - b.score || a.person.name.localeCompare(b.person.name))
		.slice(0, limit)
		.map((entry) => entry.person);
}

// ---- mentions in page text ----

export interface BodyMention {
	readonly member: string;
	readonly label: string;
	/** The mention's own id; null for one written before mentions had ids. */
	readonly id: string | null;
	/** Who wrote it, as the node records it (null when it does not). */
	readonly by: string | null;
	/** When it was written (ms), as the writer's device recorded it (null when it does not). */
	readonly at: number | null;
	readonly element: Y.XmlElement;
}

/** Every mention node in a page body, in document order (malformed member ids skipped). */
export function mentionsIn(fragment: Y.XmlFragment | Y.XmlElement): BodyMention[] {
	const out: BodyMention[] = [];
	const walk = (node: Y.XmlFragment | Y.XmlElement) => {
		for (const child of node.toArray()) {
			if (!(child instanceof Y.XmlElement)) continue;
			if (child.nodeName === MENTION_NODE) {
				const member: unknown = child.getAttribute('member');
				if (!isId(member)) continue;
				// Attributes are any JSON another client wrote (editor/schema.ts): read, never trusted for type.
				const id: unknown = child.getAttribute('id');
				const by: unknown = child.getAttribute('by');
				const at: unknown = child.getAttribute('at');
				out.push({
					member,
					label: cleanLabel(child.getAttribute('label')) || 'Member',
					id: isId(id) ? id : null,
					by: isId(by) ? by : null,
					at: typeof at === 'number' && Number.isFinite(at) && at >= 0 && at <= 8.64e15 ? at : null,
					element: child
				});
			} else walk(child);
		}
	};
	walk(fragment);
	return out;
}

/**
 * Who wrote a mention node and when, from the body's authorship records: the member of the client
 * that inserted it, and the time of that client's edit mark at or before it (marks are written at
 * most a minute apart, so this is that exact). Nulls for content no member wrote (a seed). Only
 * for mentions without an id: the client that inserted an element is whoever last moved it.
 */
export function mentionedAt(body: Y.Doc, element: Y.XmlElement): { readonly by: string | null; readonly at: number | null } {
	const item = element._item;
	if (!item) return { by: null, at: null };
	const { client, clock } = item.id;
	let at: number | null = null;
	let best = -1;
	for (const mark of editsArray(body).toArray()) {
		if (mark?.client !== client || typeof mark.clock !== 'number' || mark.clock > clock || mark.clock < best) continue;
		if (typeof mark.at !== 'number' || !Number.isFinite(mark.at)) continue;
		best = mark.clock;
		at = mark.at;
	}
	return { by: memberOfClient(body, client), at };
}
