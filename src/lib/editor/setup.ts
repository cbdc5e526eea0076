/**
 * Builds a ProseMirror editor bound to a page body. The Y.Doc is the source of truth: the editor
 * starts from whatever the document holds and never seeds content itself (see model/page.ts).
 */
import { EditorState, type Command } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';
import { keymap } from 'prosemirror-keymap';
import { baseKeymap, toggleMark, setBlockType } from 'prosemirror-commands';
import { splitListItem, liftListItem, sinkListItem, wrapInList } from 'prosemirror-schema-list';
import { inputRules, textblockTypeInputRule, wrappingInputRule } from 'prosemirror-inputrules';
import { ySyncPlugin, yCursorPlugin, yUndoPlugin, undo, redo } from 'y-prosemirror';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { schema } from './schema.ts';
import { toggleLink } from './link.ts';
import { fixupPlugin } from './fixup.ts';

export interface EditorOptions {
	readonly fragment: Y.XmlFragment;
	readonly awareness: Awareness | null;
	readonly editable: boolean;
}

const n = schema.nodes;
const m = schema.marks;

function rules() {
	return inputRules({
		rules: [
			textblockTypeInputRule(/^(#{1,3})\s$/, n['heading']!, (match) => ({ level: match[1]!.length })),
			wrappingInputRule(/^\s*([-+*])\s$/, n['bullet_list']!),
			wrappingInputRule(/^(\d+)\.\s$/, n['ordered_list']!, (match) => ({ order: Number(match[1]) }), (match, node) => node.childCount + Number(node.attrs['order']) === Number(match[1]))
		]
	});
}

const undoCommand: Command = (state) => undo(state);
const redoCommand: Command = (state) => redo(state);

export function createEditor(place: HTMLElement, options: EditorOptions): EditorView {
	const plugins = [
		ySyncPlugin(options.fragment),
		...(options.awareness ? [yCursorPlugin(options.awareness)] : []),
		// y-prosemirror's undo only undoes this member's own changes, never a teammate's.
		yUndoPlugin(),
		keymap({
			'Mod-z': undoCommand,
			'Mod-y': redoCommand,
			'Mod-Shift-z': redoCommand,
			'Mod-b': toggleMark(m['strong']!),
			'Mod-i': toggleMark(m['em']!),
			'Mod-e': toggleMark(m['code']!),
			'Mod-k': toggleLink(),
			'Mod-Alt-0': setBlockType(n['paragraph']!),
			'Mod-Alt-1': setBlockType(n['heading']!, { level: 1 }),
			'Mod-Alt-2': setBlockType(n['heading']!, { level: 2 }),
			'Mod-Alt-3': setBlockType(n['heading']!, { level: 3 }),
			'Shift-Mod-8': wrapInList(n['bullet_list']!),
			'Shift-Mod-9': wrapInList(n['ordered_list']!),
			Enter: splitListItem(n['list_item']!),
			Tab: sinkListItem(n['list_item']!),
			'Shift-Tab': liftListItem(n['list_item']!)
		}),
		keymap(baseKeymap),
		rules(),
		fixupPlugin()
	];
	const state = EditorState.create({ schema, plugins });
	return new EditorView(place, {
		state,
		editable: () => options.editable,
		dispatchTransaction(this: EditorView, tr) {
			// y-prosemirror batches cursor updates into a setTimeout(0) and its "binding destroyed"
			// check never matches (1.3.7 reads a property the binding does not have), so leaving a
			// page right after the caret moved dispatches into the destroyed view, which throws and
			// also drops the batched updates of the other open editors.
			if (this.isDestroyed) return;
			this.updateState(this.state.apply(tr));
		},
		attributes: { class: 'prose', role: 'textbox', 'aria-multiline': 'true', 'aria-label': 'Page content' }
	});
}
