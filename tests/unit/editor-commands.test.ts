/**
 * Markdown shortcuts and keyboard commands on plain EditorStates (no DOM): input rules are driven
 * through the plugin's handleTextInput with a minimal view, the way ProseMirror calls them.
 *   [K1] block shortcuts: `# `…`### `, `- `, `* `, `1. `, `[] `, `[x] `, `- [ ] `, `> `, ```` ```lang ````, `---`
 *   [K2] inline shortcuts: `**bold**`, `*italic*`, `_italic_`, `` `code` ``, `~~strike~~`; not in snake_case or code blocks
 *   [K3] Backspace right after a shortcut undoes it
 *   [K4] mark, heading and list keys; Mod-Enter toggles a task; Enter on ```` ``` ```` makes a code block
 *   [K5] Tab / Shift-Tab indent list and task items, and move between table cells (adding a row at the end)
 *   [K6] inserting a table and a horizontal rule leaves the caret somewhere to type
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EditorState, TextSelection, type Command, type Plugin, type Transaction } from 'prosemirror-state';
import type { Node } from 'prosemirror-model';
import { schema } from '../../src/lib/editor/schema.ts';
import { editingPlugins } from '../../src/lib/editor/setup.ts';
import { editingBindings } from '../../src/lib/editor/keymap.ts';
import { insertTable, insertHorizontalRule } from '../../src/lib/editor/commands.ts';
import { loadTableEditing } from '../../src/lib/editor/tables.ts';

const n = schema.nodes;
const keys = editingBindings(() => null);

function start(doc?: Node): EditorState {
	const state = EditorState.create({ schema, doc: doc ?? n['doc']!.create(null, n['paragraph']!.create()), plugins: editingPlugins() });
	return state.apply(state.tr.setSelection(TextSelection.atEnd(state.doc)));
}

/** Types `text` character by character, as ProseMirror's handleTextInput would see it. */
function type(initial: EditorState, text: string): EditorState {
	let state = initial;
	const view = {
		get state() {
			return state;
		},
		composing: false,
		dispatch(tr: Transaction) {
			state = state.apply(tr);
		}
	};
	for (const char of text) {
		const { from, to } = state.selection;
		const handled = state.plugins.some((plugin: Plugin) => {
			const handler = plugin.props.handleTextInput as ((...args: unknown[]) => boolean) | undefined;
			return handler?.call(plugin, view, from, to, char, () => state.tr.insertText(char, from, to)) ?? false;
		});
		if (!handled) state = state.apply(state.tr.insertText(char, from, to));
	}
	return state;
}

function press(state: EditorState, command: Command | undefined): EditorState {
	let next = state;
	expect(command, 'no such binding').toBeDefined();
	const handled = command!(state, (tr) => (next = state.apply(tr)));
	expect(handled).toBe(true);
	return next;
}

/** A compact shape of the document: node names with text, for readable assertions. */
function shape(node: Node): unknown {
	if (node.isText) {
		const marks = node.marks.map((m) => m.type.name);
		return marks.length ? `${marks.join('+')}:${node.text}` : node.text;
	}
	const attrs = Object.entries(node.attrs)
		.filter(([key, value]) => value !== null && !['colspan', 'rowspan', 'colwidth'].includes(key) && !(key === 'language' && value === ''))
		.map(([key, value]) => `${key}=${value}`);
	const name = attrs.length ? `${node.type.name}(${attrs.join(',')})` : node.type.name;
	const children: unknown[] = [];
	node.forEach((child) => children.push(shape(child)));
	return children.length ? { [name]: children } : name;
}

const body = (state: EditorState) => (shape(state.doc) as { doc: unknown[] }).doc;

describe('markdown shortcuts', () => {
	// The table commands need prosemirror-tables, which an editor loads with its first table (tables.ts).
	beforeAll(async () => {
		expect(await loadTableEditing()).not.toBeNull();
	});

	it('[K1] block shortcuts at the start of a paragraph', () => {
		expect(body(type(start(), '# Title'))).toEqual([{ 'heading(level=1)': ['Title'] }]);
		expect(body(type(start(), '### Small'))).toEqual([{ 'heading(level=3)': ['Small'] }]);
		expect(body(type(start(), '#### four'))).toEqual([{ paragraph: ['#### four'] }]);
		expect(body(type(start(), '- item'))).toEqual([{ bullet_list: [{ list_item: [{ paragraph: ['item'] }] }] }]);
		expect(body(type(start(), '* item'))).toEqual([{ bullet_list: [{ list_item: [{ paragraph: ['item'] }] }] }]);
		expect(body(type(start(), '1. first'))).toEqual([{ 'ordered_list(order=1)': [{ list_item: [{ paragraph: ['first'] }] }] }]);
		expect(body(type(start(), '[] todo'))).toEqual([{ task_list: [{ 'task_item(checked=false)': [{ paragraph: ['todo'] }] }] }]);
		expect(body(type(start(), '[x] done'))).toEqual([{ task_list: [{ 'task_item(checked=true)': [{ paragraph: ['done'] }] }] }]);
		expect(body(type(start(), '- [ ] todo'))).toEqual([{ task_list: [{ 'task_item(checked=false)': [{ paragraph: ['todo'] }] }] }]);
		expect(body(type(start(), '> quoted'))).toEqual([{ blockquote: [{ paragraph: ['quoted'] }] }]);
		expect(body(type(start(), '```ts const x'))).toEqual([{ 'code_block(language=ts)': ['const x'] }]);
		expect(body(type(start(), '``` plain'))).toEqual([{ code_block: ['plain'] }]);
		expect(body(type(start(), '---next'))).toEqual(['horizontal_rule', { paragraph: ['next'] }]);
	});

	it('[K2] inline shortcuts mark the text between the delimiters', () => {
		expect(body(type(start(), 'a **bold** b'))).toEqual([{ paragraph: ['a ', 'strong:bold', ' b'] }]);
		expect(body(type(start(), 'a __bold__'))).toEqual([{ paragraph: ['a ', 'strong:bold'] }]);
		expect(body(type(start(), 'an *it* b'))).toEqual([{ paragraph: ['an ', 'em:it', ' b'] }]);
		expect(body(type(start(), 'an _it_'))).toEqual([{ paragraph: ['an ', 'em:it'] }]);
		expect(body(type(start(), 'run `npm i` now'))).toEqual([{ paragraph: ['run ', 'code:npm i', ' now'] }]);
		expect(body(type(start(), '~~gone~~ kept'))).toEqual([{ paragraph: ['strike:gone', ' kept'] }]);
		// Not in the middle of identifiers, not across spaces at the edges, not inside code blocks.
		expect(body(type(start(), 'snake_case_name'))).toEqual([{ paragraph: ['snake_case_name'] }]);
		expect(body(type(start(), '2 * 3 * 4'))).toEqual([{ paragraph: ['2 * 3 * 4'] }]);
		expect(body(type(start(), '```js **x**'))).toEqual([{ 'code_block(language=js)': ['**x**'] }]);
	});

	it('[K3] Backspace right after a shortcut undoes it', () => {
		const heading = type(start(), '# ');
		expect(body(heading)).toEqual(['heading(level=1)']);
		expect(body(press(heading, keys['Backspace']))).toEqual([{ paragraph: ['# '] }]);
		const bold = type(start(), '**b**');
		expect(body(press(bold, keys['Backspace']))).toEqual([{ paragraph: ['**b**'] }]);
	});
});

describe('keyboard commands', () => {
	const paragraph = (text: string) => start(n['doc']!.create(null, n['paragraph']!.create(null, schema.text(text))));
	const selectAll = (state: EditorState) => state.apply(state.tr.setSelection(TextSelection.create(state.doc, 1, state.doc.content.size - 1)));

	it('[K4] marks, headings, lists and tasks', () => {
		const s = selectAll(paragraph('text'));
		expect(body(press(s, keys['Mod-b']))).toEqual([{ paragraph: ['strong:text'] }]);
		expect(body(press(s, keys['Mod-i']))).toEqual([{ paragraph: ['em:text'] }]);
		expect(body(press(s, keys['Mod-e']))).toEqual([{ paragraph: ['code:text'] }]);
		expect(body(press(s, keys['Mod-Shift-s']))).toEqual([{ paragraph: ['strike:text'] }]);
		expect(body(press(s, keys['Mod-Shift-x']))).toEqual([{ paragraph: ['strike:text'] }]);
		expect(body(press(s, keys['Mod-Alt-2']))).toEqual([{ 'heading(level=2)': ['text'] }]);
		expect(body(press(press(s, keys['Mod-Alt-1']), keys['Mod-Alt-0']))).toEqual([{ paragraph: ['text'] }]);
		expect(body(press(s, keys['Shift-Mod-7']))).toEqual([{ 'ordered_list(order=1)': [{ list_item: [{ paragraph: ['text'] }] }] }]);
		expect(body(press(s, keys['Shift-Mod-8']))).toEqual([{ bullet_list: [{ list_item: [{ paragraph: ['text'] }] }] }]);
		const task = press(s, keys['Shift-Mod-9']);
		expect(body(task)).toEqual([{ task_list: [{ 'task_item(checked=false)': [{ paragraph: ['text'] }] }] }]);
		const done = press(task, keys['Mod-Enter']);
		expect(body(done)).toEqual([{ task_list: [{ 'task_item(checked=true)': [{ paragraph: ['text'] }] }] }]);
		expect(body(press(done, keys['Mod-Enter']))).toEqual(body(task));
		// Enter in a task item makes a new, unchecked one.
		const next = press(done.apply(done.tr.setSelection(TextSelection.atEnd(done.doc))), keys['Enter']);
		expect(body(next)).toEqual([{ task_list: [{ 'task_item(checked=true)': [{ paragraph: ['text'] }] }, { 'task_item(checked=false)': ['paragraph'] }] }]);
		// Enter on a fence line.
		expect(body(press(paragraph('```python'), keys['Enter']))).toEqual(['code_block(language=python)']);
		expect(body(press(paragraph('```'), keys['Enter']))).toEqual(['code_block']);
	});

	it('[K5] Tab and Shift-Tab indent lists and move between table cells', () => {
		const list = type(start(), '- one');
		const two = type(press(list, keys['Enter']), 'two');
		const nested = press(two, keys['Tab']);
		expect(body(nested)).toEqual([{ bullet_list: [{ list_item: [{ paragraph: ['one'] }, { bullet_list: [{ list_item: [{ paragraph: ['two'] }] }] }] }] }]);
		expect(body(press(nested, keys['Shift-Tab']))).toEqual(body(two));

		const tasks = type(press(type(start(), '[] a'), keys['Enter']), 'b');
		expect(body(press(tasks, keys['Tab']))).toEqual([
			{ task_list: [{ 'task_item(checked=false)': [{ paragraph: ['a'] }, { task_list: [{ 'task_item(checked=false)': [{ paragraph: ['b'] }] }] }] }] }
		]);

		const table = press(start(), insertTable(2, 2));
		const inFirst = type(table, 'h1');
		const inSecond = type(press(inFirst, keys['Tab']), 'h2');
		const back = type(press(inSecond, keys['Shift-Tab']), '!');
		const cells: string[] = [];
		back.doc.descendants((node) => {
			if (node.type.name === 'table_header' || node.type.name === 'table_cell') cells.push(node.textContent);
			return true;
		});
		// goToNextCell selects the cell's content (as in spreadsheets), so typing replaces it.
		expect(cells).toEqual(['!', 'h2', '', '']);

		// Tab from the last cell adds a row, with a paragraph in each new cell, and goes there.
		let last = back;
		for (let i = 0; i < 3; i++) last = press(last, keys['Tab']);
		const grown = type(press(last, keys['Tab']), 'new');
		const table2 = grown.doc.child(0);
		expect(table2.childCount).toBe(3);
		expect(table2.child(2).child(0).textContent).toBe('new');
		expect(table2.child(2).child(1).child(0).type.name).toBe('paragraph');
		expect(() => grown.doc.check()).not.toThrow();
	});

	it('[K6] a new table and a new rule leave the caret in a textblock', () => {
		const table = press(start(), insertTable(3, 2));
		expect(table.selection.$from.parent.type.name).toBe('paragraph');
		expect(table.doc.child(0).childCount).toBe(3);
		expect(table.doc.child(0).child(0).child(0).type.name).toBe('table_header');
		expect(() => table.doc.check()).not.toThrow();
		const rule = press(paragraph('above'), insertHorizontalRule);
		expect(rule.selection.$from.parent.isTextblock).toBe(true);
		expect(() => rule.doc.check()).not.toThrow();
		expect(body(rule).filter((b) => b === 'horizontal_rule')).toHaveLength(1);
	});
});
