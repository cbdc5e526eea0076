/**
 * What the comment field (MentionField.svelte) does with mentions, apart from the DOM: putting a
 * member picked from the list into the text, and working out which members a message mentions
 * when it is sent. Picked members are known by id; a name typed by hand is matched by name, which
 * only works for a name nobody else has (model/mentions.ts `mentionsByName`).
 */
import { findMention, mentionsByName, type MentionRef } from '$lib/model/mentions.ts';

interface Named {
	readonly id: string;
	readonly name: string;
}

/**
 * `text` with the `@query` typed from `from` to `caret` replaced by `@label` and a space (none
 * when a space follows already), and the caret after that space.
 */
export function insertMention(text: string, from: number, caret: number, label: string): { text: string; caret: number } {
	const after = text.slice(caret);
	const space = /^\s/.test(after) ? '' : ' ';
	const mention = `@${label}`;
	return { text: `${text.slice(0, from)}${mention}${space}${after}`, caret: from + mention.length + 1 };
}

/**
 * The mentions a message is sent with: the members picked from the list whose `@label` is still in
 * the text, in the order picked (an edit that changes nothing writes nothing), longer labels taking
 * their place first so "@Ana Lima" is not also "@Ana"; then members whose unique name is typed by
 * hand where no picked mention is.
 */
export function messageMentions(text: string, picked: readonly MentionRef[], people: readonly Named[]): MentionRef[] {
	const taken: [number, number][] = [];
	const overlaps = (at: number, end: number) => taken.some(([s, e]) => at < e && end > s);
	const present = new Set<MentionRef>();
	for (const ref of [...picked].sort((a, b) => b.label.length - a.label.length)) {
		for (let at = findMention(text, ref.label, 0); at >= 0; at = findMention(text, ref.label, at + 1)) {
			const end = at + ref.label.length + 1;
			if (overlaps(at, end)) continue;
			taken.push([at, end]);
			present.add(ref);
		}
	}
	const out: MentionRef[] = [];
	for (const ref of picked) if (present.has(ref) && !out.some((m) => m.id === ref.id)) out.push(ref);
	for (const ref of mentionsByName(text, people)) {
		if (out.some((m) => m.id === ref.id)) continue;
		for (let at = findMention(text, ref.label, 0); at >= 0; at = findMention(text, ref.label, at + 1)) {
			if (overlaps(at, at + ref.label.length + 1)) continue;
			out.push(ref);
			break;
		}
	}
	return out;
}
