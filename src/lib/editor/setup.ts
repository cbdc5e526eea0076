/**
 * Builds a ProseMirror editor bound to a page body. The Y.Doc is the source of truth: the editor
 * starts from whatever the document holds and never seeds content itself (see model/page.ts).
 */
import { EditorState, Plugin } from 'prosemirror-state';
import type { Node, Slice } from 'prosemirror-model';
import { EditorView } from 'prosemirror-view';
import { dropCursor } from 'prosemirror-dropcursor';
import { gapCursor } from 'prosemirror-gapcursor';
import { yCursorPlugin, yUndoPlugin } from 'y-prosemirror';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { schema } from './schema.ts';
import { fixupPlugin } from './fixup.ts';
import { tableEditingShell } from './tables.ts';
import { syncPlugin } from './y-sync.ts';
import { remoteChangesDoNotScroll } from './remote-scroll.ts';
import { editorKeymaps } from './keymap.ts';
import { markdownShortcuts } from './rules.ts';
import { TaskItemView } from './task-view.ts';
import { CalloutView, CodeBlockView } from './block-views.ts';
import { pastePlugin } from './paste.ts';
import { slashPlugin } from './slash.ts';
import { linkClickPlugin } from './link.ts';
import { readOnlyDoc } from './read-only.ts';
import { pageLinkLabel, pageLinkNodeView, pageLinkOpenPlugin, pageLinkType, type PageLinkContext } from './page-link.ts';
import { pageLinkMenuPlugin, type PageLinkMenuContext } from './page-link-menu.ts';
import { mentionNodeView, mentionText, mentionType, type MentionPeople } from './mention-view.ts';
import { mentionMenuPlugin } from './mention-menu.ts';
import { mentionStampPlugin } from './mention-stamp.ts';
import { commentsPlugin, type CommentHooks } from './comments.ts';
import { authorsPlugin, type AuthorsPluginOptions } from './authors.ts';
import { readOnlyRender, refuseEdits } from './refuse-edits.ts';
import { cursorBuilders, UNKNOWN_MEMBER, type CursorNames } from './cursors.ts';

export interface EditorOptions {
	readonly fragment: Y.XmlFragment;
	readonly awareness: Awareness | null;
	readonly editable: boolean;
	/**
	 * For a view that is not `editable`: take a caret and a selection anyway (every document change
	 * refused, refuse-edits.ts), so a member who may comment can select text from the keyboard.
	 */
	readonly selectable?: boolean;
	/** Extra plugins placed before the defaults (editable editors only). */
	readonly plugins?: readonly Plugin[];
	/** Plugins that only draw (decorations, no edits): in editable and read-only editors alike. */
	readonly viewPlugins?: readonly Plugin[];
	/** Called after every state change and when the editor gains or loses focus (menus redraw). */
	readonly onChange?: () => void;
	/** Links to pages: titles from the workspace index, navigation, and (editable) the `[[` menu. */
	readonly pageLinks?: PageLinkContext & Omit<PageLinkMenuContext, 'workspaceDoc'>;
	/** The page's comment threads: highlighted anchors, and starting a thread (also read-only). */
	readonly comments?: CommentHooks;
	/**
	 * Names and colours of teammates' cursors, by the member id the relay stamps (cursors.ts).
	 * Without it every cursor is labelled "Member": never the name a teammate's app announces.
	 */
	readonly cursors?: CursorNames;
	/** The workspace's people: mentions show current names, and (editable) the `@` menu offers them. */
	readonly mentions?: MentionPeople;
	/** "Who wrote what": text drawn by author while switched on (authors.ts), in read-only views too. */
	readonly authors?: Omit<AuthorsPluginOptions, 'fragment'>;
}

/** Every plugin of the editor but the Yjs binding (shared with tests). */
export function editingPlugins(): Plugin[] {
	// The slash menu first: while it is open it owns Enter, Tab, Escape and the arrows.
	return [slashPlugin(), pastePlugin(), linkClickPlugin(), ...editorKeymaps(), markdownShortcuts(), tableEditingShell(), dropCursor(), gapCursor(), fixupPlugin()];
}

/**
 * Re-renders a read-only editor from the fragment whenever it changes, without y-prosemirror
 * (which would delete from Yjs whatever it cannot render; see read-only.ts).
 */
function followFragment(fragment: Y.XmlFragment): Plugin {
	return new Plugin({
		view(view) {
			const render = () => {
				if (view.isDestroyed) return;
				const doc = readOnlyDoc(fragment);
				if (!doc.eq(view.state.doc)) view.dispatch(readOnlyRender(view.state.tr.replaceWith(0, view.state.doc.content.size, doc.content)));
			};
			fragment.observeDeep(render);
			return { destroy: () => fragment.unobserveDeep(render) };
		}
	});
}

/**
 * Copied plain text: page links as their titles and mentions as `@` and the member's current name
 * (the schema alone knows neither).
 */
export function clipboardText(slice: Slice, options: Pick<EditorOptions, 'pageLinks' | 'mentions'>): string {
	const leafText = (leaf: Node): string => {
		if (leaf.type === mentionType) return mentionText(leaf, options.mentions ?? null);
		if (leaf.type === pageLinkType && options.pageLinks) return pageLinkLabel(options.pageLinks.workspaceDoc, leaf.attrs['pageId']) ?? '(deleted page)';
		return leaf.type.spec.leafText?.(leaf) ?? '';
	};
	return slice.content.textBetween(0, slice.content.size, '\n\n', leafText);
}

/** Before pageLinkOpenPlugin, whose serializer knows page links only. */
function clipboardTextPlugin(options: EditorOptions): Plugin {
	return new Plugin({ props: { clipboardTextSerializer: (slice) => clipboardText(slice, options) } });
}

const anonymousCursors: CursorNames = { nameOf: () => UNKNOWN_MEMBER, colorOf: () => '' };

export function createEditor(place: HTMLElement, options: EditorOptions): EditorView {
	// A member who may not write (a viewer, or a document from a newer version) gets no binding at
	// all: y-prosemirror writes to Yjs even in a read-only view when it meets what it cannot render.
	const selectable = !options.editable && options.selectable === true;
	const comments = options.comments ? [commentsPlugin({ hooks: options.comments, fragment: options.fragment, editable: options.editable })] : [];
	const authors = options.authors ? [authorsPlugin({ ...options.authors, fragment: options.fragment })] : [];
	const plugins = options.editable
		? [
				syncPlugin(options.fragment),
				remoteChangesDoNotScroll(),
				...(options.awareness ? [yCursorPlugin(options.awareness, cursorBuilders(options.cursors ?? anonymousCursors))] : []),
				// y-prosemirror's undo only undoes this member's own changes, never a teammate's.
				yUndoPlugin(),
				...(options.plugins ?? []),
				...(options.fragment.doc ? [mentionStampPlugin(options.fragment.doc)] : []),
				clipboardTextPlugin(options),
				// Before the slash menu: while open, the `[[` and `@` menus own Enter, Tab, Escape and the arrows.
				...(options.pageLinks ? [pageLinkMenuPlugin(options.pageLinks), pageLinkOpenPlugin(options.pageLinks)] : []),
				...(options.mentions ? [mentionMenuPlugin(options.mentions)] : []),
				...editingPlugins(),
				...comments,
				...authors,
				...(options.viewPlugins ?? [])
			]
		: [
				followFragment(options.fragment),
				...(selectable ? [refuseEdits()] : []),
				linkClickPlugin(),
				clipboardTextPlugin(options),
				...(options.pageLinks ? [pageLinkOpenPlugin(options.pageLinks)] : []),
				...comments,
				...authors,
				...(options.viewPlugins ?? [])
			];
	const state = EditorState.create({ schema, plugins, doc: options.editable ? undefined : readOnlyDoc(options.fragment) });
	return new EditorView(place, {
		state,
		// A selectable read-only view is contenteditable for the caret; refuseEdits keeps it unchanged.
		editable: () => options.editable || selectable,
		nodeViews: {
			task_item: (node, view, getPos) => new TaskItemView(node, view, getPos),
			code_block: (node, view, getPos) => new CodeBlockView(node, view, getPos),
			callout: (node, view, getPos) => new CalloutView(node, view, getPos),
			...(options.pageLinks ? { page_link: pageLinkNodeView(options.pageLinks) } : {}),
			...(options.mentions ? { mention: mentionNodeView(options.mentions) } : {})
		},
		dispatchTransaction(this: EditorView, tr) {
			// y-prosemirror batches cursor updates into a setTimeout(0) and its "binding destroyed"
			// check never matches (1.3.7 reads a property the binding does not have), so leaving a
			// page right after the caret moved dispatches into the destroyed view, which throws and
			// also drops the batched updates of the other open editors.
			if (this.isDestroyed) return;
			this.updateState(this.state.apply(tr));
			options.onChange?.();
		},
		handleDOMEvents: {
			focus: () => (options.onChange?.(), false),
			// After the blur has settled, so hasFocus() already says false.
			blur: () => (queueMicrotask(() => options.onChange?.()), false)
		},
		attributes: { class: 'prose', role: 'textbox', 'aria-multiline': 'true', 'aria-label': 'Page content', 'aria-readonly': String(!options.editable) }
	});
}
