/**
 * Comment anchors in the editor: open threads' ranges drawn as inline decorations (class
 * `comment-anchor`, the active thread also `active`, a thread being written `draft`), in editable
 * and read-only editors alike; a click on highlighted text activates its thread; Mod-Alt-m starts
 * a thread on the selection, also in a read-only editor (commenters read the body, and the
 * selection still exists there).
 *
 * Ranges are read from Yjs (model/comments.ts, through the hooks: the threads' code loads with a
 * page's first thread) after the view has settled, never inside `apply` of a document change:
 * y-prosemirror updates its mapping in the view update that follows a local edit, and re-renders a teammate's change as one replacement of the whole document, so a range
 * only mapped through that would be lost. Between a change and the re-read (one microtask) the
 * decorations are mapped through it. With no thread to place and nothing drawn there is nothing to
 * re-read, so a page without comments costs its typing no second transaction.
 */
import { Plugin, PluginKey, type EditorState } from 'prosemirror-state';
import { Decoration, DecorationSet, type EditorView } from 'prosemirror-view';
import type * as Y from 'yjs';
import type { Node as PMNode } from 'prosemirror-model';
import type { BodyView } from '../model/body-view.ts';
import { bodyOf } from './y-ranges.ts';
import { refreshLater } from './refresh.ts';
import { takeDOMSelection } from './dom-selection.ts';

/** The id a thread still being written is drawn under. */
export const DRAFT_ID = '';

export interface CommentAnchor {
	readonly id: string;
	readonly start: Uint8Array | null;
	readonly end: Uint8Array | null;
	/**
	 * Where the hooks already placed it, and in which rendered document: used as it is when that is
	 * the document being decorated (one placement for the panel and the highlights), else placed again.
	 */
	readonly placed?: { readonly doc: PMNode; readonly range: { readonly from: number; readonly to: number } | null };
}

/** What the editor needs from the page's comments (components/comments/page-comments.svelte.ts). */
export interface CommentHooks {
	/** Open threads' anchors, and the draft's (id DRAFT_ID) while one is being written. */
	anchors(): readonly CommentAnchor[];
	active(): string | null;
	/** Calls `listener` whenever anchors or the active thread change; returns the unsubscriber. */
	subscribe(listener: () => void): () => void;
	/** Highlighted text was clicked. */
	activate(threadId: string): void;
	/** Mod-Alt-m: start a thread on the selection. False when this member may not comment. */
	start(view: EditorView): boolean;
	/** Where an anchor is in `body` now (null: nowhere), for one the hooks did not place in that document. */
	place(body: BodyView, anchor: CommentAnchor): { readonly from: number; readonly to: number } | null;
}

export interface CommentsPluginOptions {
	/** Called as methods (the page passes a class instance). */
	readonly hooks: CommentHooks;
	readonly fragment: Y.XmlFragment;
	readonly editable: boolean;
}

export const commentsKey = new PluginKey<DecorationSet>('comments');

const REFRESH = 'refresh';

/** The body as this editor shows it, for placing and taking anchors (null without the plugin). */
export function commentBody(state: EditorState): BodyView | null {
	const plugin = commentsKey.get(state);
	const options = plugin?.spec['commentOptions'] as CommentsPluginOptions | undefined;
	return options ? bodyOf(state, options.fragment) : null;
}

function decorate(state: EditorState, options: CommentsPluginOptions): DecorationSet {
	const body = commentBody(state);
	if (!body) return DecorationSet.empty;
	const active = options.hooks.active();
	const decorations: Decoration[] = [];
	for (const anchor of options.hooks.anchors()) {
		const range = anchor.placed?.doc === state.doc ? anchor.placed.range : options.hooks.place(body, anchor);
		if (!range) continue;
		const kind = anchor.id === DRAFT_ID ? ' draft' : anchor.id === active ? ' active' : '';
		decorations.push(
			Decoration.inline(range.from, range.to, { class: `comment-anchor${kind}`, ...(anchor.id === DRAFT_ID ? {} : { 'data-thread': anchor.id }) }, { threadId: anchor.id })
		);
	}
	return DecorationSet.create(state.doc, decorations);
}

/**
 * Ctrl-Alt-M (Cmd-Alt-M on a Mac), by key position: Alt changes the character on a Mac. Not AltGr:
 * Windows reports AltGr as Ctrl+Alt, and AltGr+M types µ on a German keyboard.
 */
export function isStartShortcut(event: Pick<KeyboardEvent, 'altKey' | 'shiftKey' | 'metaKey' | 'ctrlKey' | 'code' | 'getModifierState'>, mac = isMac()): boolean {
	if (event.getModifierState('AltGraph')) return false;
	return event.altKey && !event.shiftKey && (mac ? event.metaKey : event.ctrlKey) && event.code === 'KeyM';
}

function isMac(): boolean {
	return typeof navigator !== 'undefined' && /Mac|iP(hone|[oa]d)/.test(navigator.platform);
}


export function commentsPlugin(options: CommentsPluginOptions): Plugin<DecorationSet> {
	return new Plugin<DecorationSet>({
		key: commentsKey,
		commentOptions: options,
		state: {
			init: () => DecorationSet.empty,
			apply(tr, set, _old, state) {
				if (tr.getMeta(commentsKey) === REFRESH) return decorate(state, options);
				return tr.docChanged ? set.map(tr.mapping, tr.doc) : set;
			}
		},
		props: {
			decorations: (state) => commentsKey.getState(state),
			// A read-only editor takes focus, so a commenter's selection there can reach the toolbar
			// and Mod-Alt-m.
			attributes: options.editable ? {} : { tabindex: '0' },
			handleDOMEvents: {
				// DOM events, not handleKeyDown/handleClick: ProseMirror skips those in a read-only view.
				keydown(view, event) {
					if (!isStartShortcut(event)) return false;
					takeDOMSelection(view);
					if (!options.hooks.start(view)) return false;
					event.preventDefault();
					return true;
				},
				click(_view, event) {
					const target = event.target instanceof Element ? event.target.closest('.comment-anchor[data-thread]') : null;
					const id = target?.getAttribute('data-thread');
					if (id) options.hooks.activate(id);
					return false;
				}
			}
		},
		view(view) {
			// Nothing drawn and no thread to place: a change cannot draw anything (a page without
			// comments re-reads nothing as the member types).
			const wanted = () => commentsKey.getState(view.state) !== DecorationSet.empty || options.hooks.anchors().length > 0;
			const refresh = refreshLater(view, commentsKey, REFRESH, wanted);
			const unsubscribe = options.hooks.subscribe(refresh);
			refresh();
			return {
				update(view, previous) {
					if (view.state.doc !== previous.doc) refresh();
				},
				destroy: unsubscribe
			};
		}
	});
}
