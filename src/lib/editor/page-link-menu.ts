/**
 * The `[[` page-link menu: typing `[[` opens it; the text typed after it filters the workspace's
 * pages by title; ArrowUp/ArrowDown move, Enter or Tab chooses, Escape closes (until a new `[[`).
 * The last option creates a page with the typed title (next to the current page) and links it.
 * Choosing replaces `[[query` with a page_link node. Like the slash menu, the state lives in this
 * plugin so the keyboard stays in the editor; PageLinkMenu.svelte draws the list, and the editor's
 * aria-activedescendant points into it.
 */
import { Plugin, PluginKey, type EditorState, type Transaction } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import type * as Y from 'yjs';
import { listPages, type PageEntry } from '../model/workspace.ts';
import { pageLinkType } from './page-link.ts';
import { closeInlineMenu, inlineMenuProps, nextInlineMenu, replaceMenuText } from './inline-menu.ts';

export type PageLinkItem = { readonly kind: 'page'; readonly id: string; readonly title: string } | { readonly kind: 'create'; readonly title: string };

export interface PageLinkMenuContext {
	readonly workspaceDoc: Y.Doc;
	/** The page being edited (not offered as a target). */
	readonly pageId: string;
	/** Creates a page titled `title` and returns its id, or null when it cannot. */
	readonly createPage: (title: string) => string | null;
}

export interface PageLinkMenuState {
	/** Position of the first `[`. */
	readonly from: number;
	/** The caret (end of the query). */
	readonly to: number;
	readonly query: string;
	readonly items: readonly PageLinkItem[];
	readonly index: number;
}

const MAX_RESULTS = 8;
const MAX_QUERY = 100;

/** Pages whose title matches `query` (prefix of the title or of a word first, then anywhere), live ones only. */
export function searchPages(pages: readonly PageEntry[], query: string, exclude?: string): PageEntry[] {
	const q = query.trim().toLowerCase();
	const live = pages.filter((p) => p.archivedAt === null && p.id !== exclude);
	const title = (p: PageEntry) => (p.title.trim() === '' ? 'untitled' : p.title.toLowerCase());
	const byTitle = (a: PageEntry, b: PageEntry) => title(a).localeCompare(title(b)) || a.id.localeCompare(b.id);
	if (q === '') return [...live].sort((a, b) => b.updatedAt - a.updatedAt || byTitle(a, b)).slice(0, MAX_RESULTS);
	const starts = live.filter((p) => title(p).startsWith(q) || title(p).split(/\s+/).some((w) => w.startsWith(q))).sort(byTitle);
	const rest = live.filter((p) => !starts.includes(p) && title(p).includes(q)).sort(byTitle);
	return [...starts, ...rest].slice(0, MAX_RESULTS);
}

/** The options for `query`: matching pages, then "Create page …" when something was typed. */
export function pageLinkItems(workspaceDoc: Y.Doc, query: string, exclude?: string): PageLinkItem[] {
	const items: PageLinkItem[] = searchPages(listPages(workspaceDoc), query, exclude).map((p) => ({ kind: 'page', id: p.id, title: p.title.trim() === '' ? 'Untitled' : p.title }));
	const title = query.trim();
	if (title !== '') items.push({ kind: 'create', title });
	return items;
}

export const pageLinkMenuKey = new PluginKey<PageLinkMenuState | null>('page-link-menu');

const QUERY = new RegExp(`\\[\\[([^\\[\\]\\n\\ufffc]{0,${MAX_QUERY}})$`, 'u');

function queryAt(state: EditorState): { from: number; query: string } | null {
	const { selection } = state;
	if (!selection.empty) return null;
	const $pos = selection.$from;
	if (!$pos.parent.isTextblock || $pos.parent.type.spec.code || !$pos.parent.type.contentMatch.matchType(pageLinkType)) return null;
	if ($pos.marks().some((mark) => mark.type.name === 'code')) return null;
	const before = $pos.parent.textBetween(0, $pos.parentOffset, undefined, '\ufffc');
	const match = QUERY.exec(before);
	if (!match) return null;
	return { from: $pos.pos - match[1]!.length - 2, query: match[1]! };
}

function next(context: PageLinkMenuContext, tr: Transaction, prev: PageLinkMenuState | null, state: EditorState): PageLinkMenuState | null {
	return nextInlineMenu(tr, pageLinkMenuKey, prev, state, queryAt, (query) => pageLinkItems(context.workspaceDoc, query, context.pageId));
}

export function pageLinkMenuState(state: EditorState): PageLinkMenuState | null {
	return pageLinkMenuKey.getState(state) ?? null;
}

/** Replaces the `[[query` with a link to the chosen page (creating it first for "Create page"). */
export function choosePageLink(view: EditorView, context: PageLinkMenuContext, item: PageLinkItem): void {
	const current = pageLinkMenuState(view.state);
	if (!current) return;
	const id = item.kind === 'page' ? item.id : context.createPage(item.title);
	if (!id) {
		closePageLinkMenu(view);
		return;
	}
	replaceMenuText(view, pageLinkMenuKey, current, pageLinkType.create({ pageId: id }));
}

export function closePageLinkMenu(view: EditorView): void {
	closeInlineMenu(view, pageLinkMenuKey);
}

export const PAGE_LINK_LISTBOX_ID = 'page-link-menu';

export function pageLinkOptionId(index: number): string {
	return `page-link-option-${index}`;
}

export function pageLinkMenuPlugin(context: PageLinkMenuContext): Plugin<PageLinkMenuState | null> {
	return new Plugin<PageLinkMenuState | null>({
		key: pageLinkMenuKey,
		state: {
			init: () => null,
			apply: (tr, prev, _old, state) => next(context, tr, prev, state)
		},
		props: inlineMenuProps({
			key: pageLinkMenuKey,
			listboxId: PAGE_LINK_LISTBOX_ID,
			optionId: (_item, index) => pageLinkOptionId(index),
			choose: (view, item) => choosePageLink(view, context, item)
		})
	});
}
