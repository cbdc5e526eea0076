/**
 * Links to pages: the `page_link` node (schema.ts) stores only the target's id; this node view
 * shows the target's *current* title from the workspace index and follows renames live. A target
 * that is not in the index (deleted for good, or an id we cannot read) shows as a broken link.
 * Clicking a link (or Enter with it selected) opens the page through `navigate` (SvelteKit's goto).
 */
import { NodeSelection, Plugin } from 'prosemirror-state';
import { DOMSerializer, type Node, type Slice } from 'prosemirror-model';
import type { EditorView } from 'prosemirror-view';
import type * as Y from 'yjs';
import { getPage, pagesMap } from '../model/workspace.ts';
import { pageLinkId, schema } from './schema.ts';
import { LiveAtomView } from './atom-view.ts';

export interface PageLinkContext {
	readonly workspaceDoc: Y.Doc;
	readonly workspaceId: string;
	/** Opens a path inside the app (SvelteKit's goto in the app, a stub in tests). */
	readonly navigate: (path: string) => void;
}

export const pageLinkType = schema.nodes['page_link']!;

export function pagePath(workspaceId: string, pageId: string): string {
	return `/w/${encodeURIComponent(workspaceId)}/p/${encodeURIComponent(pageId)}`;
}

/** What a link to `pageId` shows: the title (or "Untitled"), or null when the page does not exist. */
export function pageLinkLabel(workspaceDoc: Y.Doc, pageId: unknown): string | null {
	const id = pageLinkId(pageId);
	const page = id ? getPage(workspaceDoc, id) : null;
	if (!page) return null;
	return page.title.trim() === '' ? 'Untitled' : page.title;
}

export class PageLinkView extends LiveAtomView<HTMLAnchorElement> {
	readonly #context: PageLinkContext;

	constructor(node: Node, context: PageLinkContext) {
		super(node, document.createElement('a'), (redraw) => {
			// Titles live in the entries (nested maps): a rename is a deep change.
			const pages = pagesMap(context.workspaceDoc);
			pages.observeDeep(redraw);
			return () => pages.unobserveDeep(redraw);
		});
		this.#context = context;
		this.dom.className = 'page-link';
		this.dom.addEventListener('click', (event) => {
			if (event.button !== 0) return;
			event.preventDefault();
			const id = pageLinkId(this.node.attrs['pageId']);
			if (id && getPage(context.workspaceDoc, id)) context.navigate(pagePath(context.workspaceId, id));
		});
		this.draw();
	}

	protected draw(): void {
		const id = pageLinkId(this.node.attrs['pageId']);
		const label = pageLinkLabel(this.#context.workspaceDoc, id);
		this.dom.dataset['pageId'] = id;
		if (label === null) {
			this.dom.classList.add('broken');
			this.dom.removeAttribute('href');
			// Without an href an <a> is no link to assistive technology: say it is one, and disabled.
			this.dom.setAttribute('role', 'link');
			this.dom.setAttribute('aria-disabled', 'true');
			this.dom.setAttribute('aria-label', 'Link to a deleted page');
			this.dom.title = 'This page was deleted';
			this.dom.textContent = '(deleted page)';
		} else {
			this.dom.classList.remove('broken');
			this.dom.href = pagePath(this.#context.workspaceId, id);
			this.dom.removeAttribute('role');
			this.dom.removeAttribute('aria-disabled');
			this.dom.removeAttribute('aria-label');
			this.dom.removeAttribute('title');
			if (this.dom.textContent !== label) this.dom.textContent = label;
		}
	}
}

/** The node view factory for EditorView's `nodeViews`. */
export function pageLinkNodeView(context: PageLinkContext) {
	return (node: Node) => new PageLinkView(node, context);
}

/** Copied text: a page link as its current title (the schema alone cannot know it). */
export function pageLinkClipboardText(slice: Slice, workspaceDoc: Y.Doc): string {
	return slice.content.textBetween(0, slice.content.size, '\n\n', (leaf) =>
		leaf.type === pageLinkType ? (pageLinkLabel(workspaceDoc, leaf.attrs['pageId']) ?? '(deleted page)') : (leaf.type.spec.leafText?.(leaf) ?? '')
	);
}

/** Copied HTML: a page link as an <a> with its title and path (pasting it back here makes a page link again). */
function clipboardSerializer(context: PageLinkContext): DOMSerializer {
	const base = DOMSerializer.fromSchema(schema);
	return new DOMSerializer(
		{
			...base.nodes,
			page_link: (node) => {
				const id = pageLinkId(node.attrs['pageId']);
				const label = pageLinkLabel(context.workspaceDoc, id);
				const a = document.createElement('a');
				a.className = 'page-link';
				a.dataset['pageId'] = id;
				if (label !== null) a.href = pagePath(context.workspaceId, id);
				a.textContent = label ?? '(deleted page)';
				return a;
			}
		},
		base.marks
	);
}

/** Enter on a selected page link opens it; copying writes page links with their titles. */
export function pageLinkOpenPlugin(context: PageLinkContext): Plugin {
	return new Plugin({
		props: {
			clipboardTextSerializer: (slice) => pageLinkClipboardText(slice, context.workspaceDoc),
			clipboardSerializer: clipboardSerializer(context),
			handleKeyDown(view: EditorView, event: KeyboardEvent) {
				if (event.key !== 'Enter') return false;
				const { selection } = view.state;
				if (!(selection instanceof NodeSelection) || selection.node.type !== pageLinkType) return false;
				const id = pageLinkId(selection.node.attrs['pageId']);
				if (!id || !getPage(context.workspaceDoc, id)) return false;
				context.navigate(pagePath(context.workspaceId, id));
				return true;
			}
		}
	});
}
