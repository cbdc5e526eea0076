/**
 * Block commands the keymap, the slash menu and the toolbar share. All are plain ProseMirror
 * commands over the page schema, testable on an EditorState without a DOM.
 */
import { chainCommands, exitCode, setBlockType, toggleMark, wrapIn, lift } from 'prosemirror-commands';
import { wrapInList, liftListItem } from 'prosemirror-schema-list';
import { NodeSelection, TextSelection, type Command, type EditorState, type Transaction } from 'prosemirror-state';
import type { Node, NodeType } from 'prosemirror-model';
import { schema, codeLanguage, type CalloutTone } from './schema.ts';
import { cellKeyWhileLoading, inTable, tablesLoaded, wantTableEditing } from './tables.ts';

const n = schema.nodes;
const m = schema.marks;

export const toggleStrong = toggleMark(m['strong']!);
export const toggleEm = toggleMark(m['em']!);
export const toggleCode = toggleMark(m['code']!);
export const toggleStrike = toggleMark(m['strike']!);

export const setParagraph = setBlockType(n['paragraph']!);
export const setHeading = (level: 1 | 2 | 3): Command => setBlockType(n['heading']!, { level });
export const setCodeBlock = (language = ''): Command => setBlockType(n['code_block']!, { language: codeLanguage(language) });

export const wrapInBulletList = wrapInList(n['bullet_list']!);
export const wrapInOrderedList = wrapInList(n['ordered_list']!);
export const wrapInTaskList = wrapInList(n['task_list']!);
export const wrapInBlockquote = wrapIn(n['blockquote']!);
export const wrapInCallout = (tone: CalloutTone = 'info'): Command => wrapIn(n['callout']!, { tone });

/** The innermost ancestor of the selection of one of `types`, with its position. */
export function findAncestor(state: EditorState, types: readonly NodeType[]): { node: Node; pos: number } | null {
	const { $from } = state.selection;
	for (let depth = $from.depth; depth > 0; depth--) {
		const node = $from.node(depth);
		if (types.includes(node.type)) return { node, pos: $from.before(depth) };
	}
	return null;
}

/** Checks or unchecks the task item around the selection. */
export const toggleTask: Command = (state, dispatch) => {
	const found = findAncestor(state, [n['task_item']!]);
	if (!found) return false;
	dispatch?.(state.tr.setNodeAttribute(found.pos, 'checked', !found.node.attrs['checked']));
	return true;
};

/** Mod-Enter: toggles the task under the caret, otherwise leaves a code block (prosemirror's exitCode). */
export const modEnter: Command = chainCommands(toggleTask, exitCode);

/** Shift-Enter: a line break inside a block (or leaves a code block). */
export const insertHardBreak: Command = chainCommands(exitCode, (state, dispatch) => {
	dispatch?.(state.tr.replaceSelectionWith(n['hard_break']!.create()).scrollIntoView());
	return true;
});

/**
 * Enter in a paragraph that holds only a code fence (```lang) turns it into a code block: the
 * `` ``` `` input rule fires on a following space, but people press Enter.
 */
export const codeFenceOnEnter: Command = (state, dispatch) => {
	const { $from, empty } = state.selection;
	if (!empty || $from.parent.type !== n['paragraph'] || $from.parentOffset !== $from.parent.content.size) return false;
	const match = /^```([A-Za-z0-9_+#.-]*)$/.exec($from.parent.textContent);
	if (!match) return false;
	if (dispatch) {
		const start = $from.start();
		const tr = state.tr.delete(start, $from.end());
		tr.setBlockType(start, start, n['code_block']!, { language: codeLanguage(match[1]) });
		dispatch(tr.scrollIntoView());
	}
	return true;
};

/** Inserts a horizontal rule and puts the caret in a paragraph after it. */
export const insertHorizontalRule: Command = (state, dispatch) => {
	if (dispatch) {
		const tr = state.tr.replaceSelectionWith(n['horizontal_rule']!.create());
		const after = tr.selection.$from;
		// replaceSelectionWith selects the node after the rule if there is one; else add a paragraph.
		if (!after.nodeAfter || after.nodeAfter.type === n['horizontal_rule']) {
			tr.insert(after.pos, n['paragraph']!.create());
		}
		const pos = tr.mapping.map(state.selection.from) + 1;
		tr.setSelection(TextSelection.near(tr.doc.resolve(Math.min(pos + 1, tr.doc.content.size))));
		dispatch(tr.scrollIntoView());
	}
	return true;
};

/** A table of `rows` × `cols` with a header row, replacing the selection; the caret in the first cell. */
export function insertTable(rows = 3, cols = 3): Command {
	return (state, dispatch) => {
		const cell = (type: NodeType) => type.create(null, n['paragraph']!.create());
		const header = n['table_row']!.create(null, Array.from({ length: cols }, () => cell(n['table_header']!)));
		const body = Array.from({ length: Math.max(0, rows - 1) }, () => n['table_row']!.create(null, Array.from({ length: cols }, () => cell(n['table_cell']!))));
		const table = n['table']!.create(null, [header, ...body]);
		if (dispatch) {
			// Its editing code, fetched with the first table (tables.ts), starts on its way before the table is there.
			wantTableEditing();
			const tr = state.tr;
			const { $from } = state.selection;
			// An empty paragraph is replaced; otherwise the table goes after the current block.
			const emptyBlock = $from.parent.isTextblock && $from.parent.content.size === 0 && $from.depth > 0;
			const at = emptyBlock ? $from.before() : $from.depth > 0 ? $from.after(1) : state.selection.from;
			if (emptyBlock) tr.replaceWith(at, at + $from.parent.nodeSize, table);
			else tr.insert(at, table);
			tr.setSelection(TextSelection.near(tr.doc.resolve(at + 4)));
			dispatch(tr.scrollIntoView());
		}
		return true;
	};
}

/**
 * Tab in a table: the next cell, or from the last cell a new row (as in Notion and Outline), whose
 * cells get their paragraph in the same step (the schema's cells are `block*`, so
 * prosemirror-tables creates them empty).
 */
export const nextCellOrNewRow: Command = (state, dispatch, view) => {
	if (!inTable(state)) return false;
	const tables = tablesLoaded();
	// The table code still on its way (a table just appeared, tables.ts): Tab moves once it is here.
	if (!tables) return cellKeyWhileLoading(() => nextCellOrNewRow)(state, dispatch, view);
	if (tables.goToNextCell(1)(state, dispatch, view)) return true;
	let tr: Transaction | undefined;
	if (!tables.addRowAfter(state, (t) => (tr = t)) || !tr) return false;
	if (!dispatch) return true;
	const { $from } = state.selection;
	let rowDepth = $from.depth;
	while (rowDepth > 0 && $from.node(rowDepth).type !== n['table_row']) rowDepth--;
	if (rowDepth === 0) return false;
	const rowStart = tr.mapping.map($from.after(rowDepth), -1);
	const row = tr.doc.nodeAt(rowStart);
	if (!row) return false;
	const cells: number[] = [];
	row.forEach((cell, offset) => {
		if (cell.childCount === 0) cells.push(rowStart + 1 + offset + 1);
	});
	for (const pos of cells.reverse()) tr.insert(pos, n['paragraph']!.create());
	tr.setSelection(TextSelection.near(tr.doc.resolve(rowStart + 3)));
	dispatch(tr.scrollIntoView());
	return true;
};

/** Lifts the selection out of a list item, task item, blockquote or callout (Shift-Tab's fallback). */
export const liftOut: Command = chainCommands(liftListItem(n['list_item']!), liftListItem(n['task_item']!), lift);

/** Selects a node (for tests and the toolbar). */
export function selectNode(state: EditorState, pos: number) {
	return state.tr.setSelection(NodeSelection.create(state.doc, pos));
}
