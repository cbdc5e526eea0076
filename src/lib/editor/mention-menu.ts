/**
 * The `@` mention menu: an `@` typed at the start of a text or after a space or an opening bracket
 * (not in code) opens it; the text typed after it filters the workspace's people by name
 * (model/mentions.ts `matchPeople`); ArrowUp/ArrowDown move, Enter or Tab chooses, Escape closes
 * (until a new `@`). Choosing replaces `@query` with a mention node and a space. With nobody
 * matching, the menu says so and Enter goes on to the editor; once the query holds a space and
 * still matches nobody, the writer has moved on and the menu closes, leaving the text as typed.
 *
 * Like the `[[` menu (page-link-menu.ts), the state lives in this plugin so the keyboard stays in
 * the editor; MentionMenu.svelte draws the list, and the editor's aria-activedescendant points into it.
 *
 * The plugin also knows who is writing (`people.me`), so it is the one that gives every mention
 * inserted here its id, writer and time (mention-stamp.ts `identifyMentions`): the one chosen in
 * the menu, and one pasted or dropped from outside alike.
 */
import { Plugin, PluginKey, type EditorState, type Transaction } from 'prosemirror-state';
import type { Node } from 'prosemirror-model';
import type { EditorView } from 'prosemirror-view';
import { matchPeople, mentionQuery } from '../model/mentions.ts';
import { mentionLabel, schema } from './schema.ts';
import { mentionType, type MentionPeople, type MentionPerson } from './mention-view.ts';
import { closeInlineMenu, inlineMenuProps, nextInlineMenu, replaceMenuText, type InlineMenuMeta } from './inline-menu.ts';
import { identifyMentions } from './mention-stamp.ts';

export interface MentionMenuState {
	/** Position of the `@`. */
	readonly from: number;
	/** The caret (end of the query). */
	readonly to: number;
	readonly query: string;
	readonly items: readonly MentionPerson[];
	readonly index: number;
}

/** Transaction meta of this menu: the inline menus' own, or "the people list changed, match again". */
type MentionMenuMeta = InlineMenuMeta | { refresh: true };

export const mentionMenuKey = new PluginKey<MentionMenuState | null>('mention-menu');

// Leaves (page links, mentions) read as an object character, which never starts a mention; a line
// break as a new line, which may.
const leafText = (leaf: Node) => (leaf.type === schema.nodes['hard_break'] ? '\n' : '\ufffc');

function queryAt(state: EditorState): { from: number; query: string } | null {
	const { selection } = state;
	if (!selection.empty) return null;
	const $pos = selection.$from;
	if (!$pos.parent.isTextblock || $pos.parent.type.spec.code || !$pos.parent.type.contentMatch.matchType(mentionType)) return null;
	if ($pos.marks().some((mark) => mark.type === schema.marks['code'])) return null;
	const found = mentionQuery($pos.parent.textBetween(0, $pos.parentOffset, undefined, leafText), $pos.parentOffset);
	if (!found || found.query.includes('\ufffc')) return null;
	return { from: $pos.start() + found.from, query: found.query };
}

function next(people: MentionPeople, tr: Transaction, prev: MentionMenuState | null, state: EditorState): MentionMenuState | null {
	return nextInlineMenu(tr, mentionMenuKey, prev, state, queryAt, (query) => {
		const items = matchPeople(people.list(), query).map(({ id, name }) => ({ id, name }));
		// Nobody by a name with a space in it: the member is writing on, not mentioning.
		return items.length === 0 && /\s/.test(query) ? null : items;
	});
}

export function mentionMenuState(state: EditorState): MentionMenuState | null {
	return mentionMenuKey.getState(state) ?? null;
}

/**
 * Replaces the `@query` with a mention of `person` (labelled with their name now) and a space; the
 * plugin stamps it with its id, the writer and the time as the transaction is applied.
 */
export function chooseMention(view: EditorView, person: MentionPerson): void {
	const current = mentionMenuState(view.state);
	if (!current) return;
	replaceMenuText(view, mentionMenuKey, current, [mentionType.create({ member: person.id, label: mentionLabel(person.name) }), schema.text(' ')]);
}

export function closeMentionMenu(view: EditorView): void {
	closeInlineMenu(view, mentionMenuKey);
}

export const MENTION_LISTBOX_ID = 'mention-menu';

export function mentionOptionId(index: number): string {
	return `mention-option-${index}`;
}

/** `now` is the clock a mention's `at` is read from (display and order only; nothing trusts it). */
export function mentionMenuPlugin(people: MentionPeople, now: () => number = Date.now): Plugin<MentionMenuState | null> {
	return new Plugin<MentionMenuState | null>({
		key: mentionMenuKey,
		state: {
			init: () => null,
			apply: (tr, prev, _old, state) => next(people, tr, prev, state)
		},
		appendTransaction: (transactions, _old, state) => identifyMentions(transactions, state, people.me, now),
		// A rename or a new member while the menu is open: match the query again.
		view: (view) => ({
			destroy: people.onChange(() => {
				if (!view.isDestroyed && mentionMenuState(view.state)) view.dispatch(view.state.tr.setMeta(mentionMenuKey, { refresh: true } satisfies MentionMenuMeta));
			})
		}),
		props: inlineMenuProps({
			key: mentionMenuKey,
			listboxId: MENTION_LISTBOX_ID,
			optionId: (_item, index) => mentionOptionId(index),
			choose: chooseMention
		})
	});
}
