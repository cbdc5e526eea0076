/**
 * The `/` command menu: typing `/` at the start of a block or after a space opens it; the letters
 * typed after it filter the items; ArrowUp/ArrowDown move, Enter or Tab runs, Escape closes (and
 * it stays closed until a new `/` is typed). The menu's state lives in this plugin so the keyboard
 * never leaves the editor; the list itself is drawn by SlashMenu.svelte, which the editor's
 * `aria-activedescendant` points into.
 */
import { Plugin, PluginKey, type Command, type EditorState, type Transaction } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import * as c from './commands.ts';
import { inTable, tableCommand, tablesLoaded, wantTableEditing } from './tables.ts';
import { closeInlineMenu, inlineMenuProps, nextInlineMenu } from './inline-menu.ts';

export interface SlashItem {
	readonly id: string;
	readonly label: string;
	readonly hint: string;
	readonly keywords: readonly string[];
	readonly command: Command;
	/** Offered only where this holds (table items inside a table). */
	readonly when?: (state: EditorState) => boolean;
}

export const SLASH_ITEMS: readonly SlashItem[] = [
	{ id: 'text', label: 'Text', hint: 'Plain paragraph', keywords: ['paragraph', 'plain'], command: c.setParagraph },
	{ id: 'h1', label: 'Heading 1', hint: '# ', keywords: ['title', 'h1', 'large'], command: c.setHeading(1) },
	{ id: 'h2', label: 'Heading 2', hint: '## ', keywords: ['subtitle', 'h2', 'medium'], command: c.setHeading(2) },
	{ id: 'h3', label: 'Heading 3', hint: '### ', keywords: ['h3', 'small'], command: c.setHeading(3) },
	{ id: 'bullet', label: 'Bulleted list', hint: '- ', keywords: ['unordered', 'ul', 'bullets'], command: c.wrapInBulletList },
	{ id: 'ordered', label: 'Numbered list', hint: '1. ', keywords: ['ordered', 'ol', 'numbers'], command: c.wrapInOrderedList },
	{ id: 'task', label: 'Task list', hint: '[] ', keywords: ['todo', 'checkbox', 'checklist'], command: c.wrapInTaskList },
	{ id: 'quote', label: 'Quote', hint: '> ', keywords: ['blockquote', 'citation'], command: c.wrapInBlockquote },
	{ id: 'callout', label: 'Callout', hint: 'Info box', keywords: ['note', 'info', 'alert', 'aside'], command: c.wrapInCallout('info') },
	{ id: 'warning', label: 'Warning callout', hint: 'Warning box', keywords: ['callout', 'caution', 'alert'], command: c.wrapInCallout('warning') },
	{ id: 'code', label: 'Code block', hint: '```', keywords: ['pre', 'snippet', 'fence'], command: c.setCodeBlock() },
	{ id: 'table', label: 'Table', hint: '3 × 3', keywords: ['grid', 'columns', 'rows'], command: c.insertTable(3, 3) },
	{ id: 'divider', label: 'Divider', hint: '---', keywords: ['rule', 'hr', 'line', 'separator'], command: c.insertHorizontalRule },
	// In a table. New cells start empty (cells are block*); fixup.ts gives them a paragraph.
	{ id: 'row', label: 'Add row below', hint: 'Table', keywords: ['table', 'insert'], command: tableCommand((t) => t.addRowAfter), when: inTable },
	{ id: 'column', label: 'Add column right', hint: 'Table', keywords: ['table', 'insert'], command: tableCommand((t) => t.addColumnAfter), when: inTable },
	{ id: 'delete-row', label: 'Delete row', hint: 'Table', keywords: ['table', 'remove'], command: tableCommand((t) => t.deleteRow), when: inTable },
	{ id: 'delete-column', label: 'Delete column', hint: 'Table', keywords: ['table', 'remove'], command: tableCommand((t) => t.deleteColumn), when: inTable },
	{ id: 'delete-table', label: 'Delete table', hint: 'Table', keywords: ['table', 'remove'], command: tableCommand((t) => t.deleteTable), when: inTable }
];

/** Items matching what was typed after the slash: label words first, then keywords. */
export function filterSlashItems(query: string, state?: EditorState): SlashItem[] {
	const q = query.trim().toLowerCase();
	const offered = SLASH_ITEMS.filter((item) => !item.when || (state !== undefined && item.when(state)));
	if (q === '') return offered;
	const starts = offered.filter((item) => item.label.toLowerCase().split(/\s+/).some((word) => word.startsWith(q)) || item.label.toLowerCase().startsWith(q));
	const rest = offered.filter((item) => !starts.includes(item) && (item.keywords.some((k) => k.startsWith(q)) || item.label.toLowerCase().includes(q)));
	return [...starts, ...rest];
}

export interface SlashState {
	/** Position of the `/`. */
	readonly from: number;
	/** The caret (end of the query). */
	readonly to: number;
	readonly query: string;
	readonly items: readonly SlashItem[];
	readonly index: number;
}

export const slashKey = new PluginKey<SlashState | null>('slash');

const QUERY = /(?:^|\s)\/([\p{L}\p{N}]{0,24})$/u;

/** The slash and query right before the caret, if any. */
function queryAt(state: EditorState): { from: number; query: string } | null {
	const { selection } = state;
	if (!selection.empty) return null;
	const $pos = selection.$from;
	if (!$pos.parent.isTextblock || $pos.parent.type.spec.code) return null;
	const before = $pos.parent.textBetween(0, $pos.parentOffset, undefined, '\ufffc');
	const match = QUERY.exec(before);
	if (!match) return null;
	return { from: $pos.pos - match[1]!.length - 1, query: match[1]! };
}

function next(tr: Transaction, prev: SlashState | null, state: EditorState): SlashState | null {
	return nextInlineMenu(
		tr,
		slashKey,
		prev,
		state,
		queryAt,
		(query) => {
			const items = filterSlashItems(query, state);
			return items.length === 0 ? null : items;
		},
		(found) => state.doc.textBetween(found.from, found.from + 1) === '/'
	);
}

export function slashState(state: EditorState): SlashState | null {
	return slashKey.getState(state) ?? null;
}

/** Runs an item: removes the `/query` text, then applies the item's command. */
export function runSlashItem(view: EditorView, item: SlashItem): void {
	const current = slashState(view.state);
	if (!current) return;
	view.dispatch(view.state.tr.delete(current.from, current.to).setMeta(slashKey, { close: true }));
	item.command(view.state, view.dispatch, view);
	view.focus();
}

export function closeSlashMenu(view: EditorView): void {
	closeInlineMenu(view, slashKey);
}

/** The id of an item's element, for aria-activedescendant. */
export function slashOptionId(item: SlashItem): string {
	return `slash-option-${item.id}`;
}

export const SLASH_LISTBOX_ID = 'slash-menu';

export function slashPlugin(): Plugin<SlashState | null> {
	return new Plugin<SlashState | null>({
		key: slashKey,
		state: {
			init: () => null,
			apply: (tr, prev, _old, state) => next(tr, prev, state)
		},
		props: inlineMenuProps({
			key: slashKey,
			listboxId: SLASH_LISTBOX_ID,
			optionId: slashOptionId,
			choose: runSlashItem,
			homeEnd: true
		}),
		// The menu inserts tables: their editing code (tables.ts) starts on its way when it first opens,
		// so a table inserted from it is editable as a table from its first key.
		view: () => ({
			update(view) {
				if (!tablesLoaded() && slashKey.getState(view.state) != null) wantTableEditing();
			}
		})
	});
}
