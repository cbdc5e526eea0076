/**
 * What the editor's inline menus (`/` in slash.ts, `[[` in page-link-menu.ts) share: the keyboard
 * while a menu is open, and the ARIA attributes that tie the editor to the menu's listbox. Each
 * menu's state lives in its own plugin (keyed by `key`) and its list is drawn by a Svelte component;
 * the focus never leaves the editor, whose aria-activedescendant points at the active option.
 */
import { TextSelection, type EditorState, type PluginKey, type Transaction } from 'prosemirror-state';
import type { Node } from 'prosemirror-model';
import type { EditorView } from 'prosemirror-view';

/** The part of a menu's plugin state these props read. */
export interface InlineMenuState<Item> {
	readonly items: readonly Item[];
	readonly index: number;
}

/** Transaction meta for a menu's plugin: close it, or make `index` the active option. */
export type InlineMenuMeta = { close: true } | { index: number };

type ItemOf<State extends InlineMenuState<unknown>> = State['items'][number];

export interface InlineMenu<State extends InlineMenuState<unknown>> {
	readonly key: PluginKey<State | null>;
	/** The id of the listbox element (aria-controls). */
	readonly listboxId: string;
	/** The id of an option's element (aria-activedescendant). */
	readonly optionId: (item: ItemOf<State>, index: number) => string;
	/** Runs the chosen option (Enter or Tab); the menu's own function closes it. */
	readonly choose: (view: EditorView, item: ItemOf<State>) => void;
	/** Home and End jump to the first and last option; otherwise they move the caret as usual. */
	readonly homeEnd?: boolean;
}

/** What a menu was opened with: where its trigger starts, and what was typed after it. */
export interface TypedQuery {
	readonly from: number;
	readonly query: string;
}

/** The state every inline menu keeps: the typed query, from its trigger to the caret, and its options. */
export interface OpenMenu<Item> extends InlineMenuState<Item>, TypedQuery {
	readonly to: number;
}

/**
 * An inline menu's state after `tr`. A `close` meta closes it, an `index` meta moves the active
 * option, and any other meta (a refresh) or a change to the document or the selection reads the
 * query again: the menu stays open while the caret is in the query its trigger started (mapped
 * through the change, which may be a teammate's), and opens only when the trigger has just been
 * typed (`opens` may ask more of it), not when the caret lands after an old one. `items` gives the
 * options for a query, or null to close the menu.
 */
export function nextInlineMenu<Item>(
	tr: Transaction,
	key: PluginKey,
	prev: OpenMenu<Item> | null,
	state: EditorState,
	queryAt: (state: EditorState) => TypedQuery | null,
	items: (query: string) => readonly Item[] | null,
	opens: (found: TypedQuery) => boolean = () => true
): OpenMenu<Item> | null {
	const meta = tr.getMeta(key) as (InlineMenuMeta | { refresh: true }) | undefined;
	if (meta && 'close' in meta) return null;
	if (meta && 'index' in meta) return prev && { ...prev, index: meta.index };
	if (!tr.docChanged && !tr.selectionSet && !meta) return prev;
	const found = queryAt(state);
	if (!found) return null;
	if (prev) {
		if (tr.mapping.map(prev.from) !== found.from) return null;
	} else if (!(tr.docChanged && found.query === '' && opens(found))) {
		return null;
	}
	const options = items(found.query);
	if (options === null) return null;
	const index = prev && found.query === prev.query ? Math.min(prev.index, Math.max(0, options.length - 1)) : 0;
	return { from: found.from, to: state.selection.from, query: found.query, items: options, index };
}

/** Replaces what opened a menu (`range`) with `content`, puts the caret after it and closes the menu. */
export function replaceMenuText(view: EditorView, key: PluginKey, range: { readonly from: number; readonly to: number }, content: Node | readonly Node[]): void {
	const size = (Array.isArray(content) ? content : [content]).reduce((sum: number, node: Node) => sum + node.nodeSize, 0);
	const tr = view.state.tr.replaceWith(range.from, range.to, content as Node | Node[]);
	tr.setSelection(TextSelection.create(tr.doc, range.from + size)).setMeta(key, { close: true } satisfies InlineMenuMeta);
	view.dispatch(tr.scrollIntoView());
	view.focus();
}

export function closeInlineMenu(view: EditorView, key: PluginKey): void {
	if (key.getState(view.state)) view.dispatch(view.state.tr.setMeta(key, { close: true } satisfies InlineMenuMeta));
}

/**
 * The plugin props of an inline menu: ArrowUp/ArrowDown move (wrapping), Enter or Tab choose,
 * Escape closes; with no options, Enter and Tab close the menu, and Enter then goes on to the editor.
 */
export function inlineMenuProps<State extends InlineMenuState<unknown>>(menu: InlineMenu<State>) {
	return {
		handleKeyDown(view: EditorView, event: KeyboardEvent): boolean {
			const current = menu.key.getState(view.state);
			if (!current) return false;
			const count = current.items.length;
			const move = (index: number) => {
				if (count > 0) view.dispatch(view.state.tr.setMeta(menu.key, { index: (index + count) % count } satisfies InlineMenuMeta));
				return true;
			};
			switch (event.key) {
				case 'ArrowDown':
					return move(current.index + 1);
				case 'ArrowUp':
					return move(current.index - 1);
				case 'Home':
					return menu.homeEnd === true && move(0);
				case 'End':
					return menu.homeEnd === true && move(count - 1);
				case 'Enter':
				case 'Tab': {
					const item = current.items[current.index];
					if (item === undefined) {
						closeInlineMenu(view, menu.key);
						return event.key === 'Tab';
					}
					menu.choose(view, item);
					return true;
				}
				case 'Escape':
					closeInlineMenu(view, menu.key);
					return true;
				default:
					return false;
			}
		},
		attributes(state: EditorState): Record<string, string> {
			const current = menu.key.getState(state);
			if (!current) return {};
			const attrs: Record<string, string> = { 'aria-controls': menu.listboxId, 'aria-haspopup': 'listbox' };
			if (current.items.length > 0) attrs['aria-activedescendant'] = menu.optionId(current.items[current.index]!, current.index);
			return attrs;
		}
	};
}
