/**
 * The `/` menu's state machine on a plain EditorState (the list is drawn by SlashMenu.svelte).
 *   [S1] items filter by label words first, then keywords; nothing matching closes the menu
 *   [S2] it opens only when a `/` is typed at the start of a block or after a space, never in code
 *   [S3] moving the caret away closes it; putting the caret after an old slash does not reopen it
 *   [S4] running an item removes the `/query` and applies the block command; table items only in tables
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EditorState, TextSelection, type Transaction } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import { schema } from '../../src/lib/editor/schema.ts';
import { editingPlugins } from '../../src/lib/editor/setup.ts';
import { filterSlashItems, runSlashItem, slashState, SLASH_ITEMS } from '../../src/lib/editor/slash.ts';
import { loadTableEditing } from '../../src/lib/editor/tables.ts';

const n = schema.nodes;

function start(text = ''): EditorState {
	const doc = n['doc']!.create(null, n['paragraph']!.create(null, text ? schema.text(text) : null));
	const state = EditorState.create({ schema, doc, plugins: editingPlugins() });
	return state.apply(state.tr.setSelection(TextSelection.atEnd(state.doc)));
}

const type = (state: EditorState, text: string) => [...text].reduce((s, char) => s.apply(s.tr.insertText(char)), state);

describe('slash menu', () => {
	// The table commands need prosemirror-tables, which an editor loads with its first table (tables.ts).
	beforeAll(async () => {
		expect(await loadTableEditing()).not.toBeNull();
	});

	it('[S1] filters items', () => {
		expect(filterSlashItems('').length).toBe(SLASH_ITEMS.filter((item) => !item.when).length);
		expect(filterSlashItems('head').map((i) => i.id)).toEqual(['h1', 'h2', 'h3']);
		expect(filterSlashItems('todo').map((i) => i.id)).toEqual(['task']);
		expect(filterSlashItems('TAB').map((i) => i.id)).toEqual(['table']);
		expect(filterSlashItems('zzz')).toEqual([]);
		expect(slashState(type(start(), '/zzz'))).toBeNull();
	});

	it('[S2] opens on a typed slash at a block start or after a space, not in a word or in code', () => {
		const open = type(start(), '/');
		expect(slashState(open)).toMatchObject({ from: 1, query: '' });
		expect(slashState(type(open, 'li'))).toMatchObject({ from: 1, query: 'li' });
		expect(slashState(type(start('see'), ' /'))).toMatchObject({ query: '' });
		expect(slashState(type(start('and'), '/'))).toBeNull();
		const code = n['doc']!.create(null, n['code_block']!.create());
		const inCode = EditorState.create({ schema, doc: code, plugins: editingPlugins() });
		expect(slashState(type(inCode, '/'))).toBeNull();
		// A space ends the query: the menu closes.
		expect(slashState(type(open, 'h '))).toBeNull();
	});

	it('[S3] closes when the caret leaves, and an old slash does not reopen it', () => {
		const open = type(start('x '), '/h');
		expect(slashState(open)).not.toBeNull();
		const away = open.apply(open.tr.setSelection(TextSelection.create(open.doc, 1)));
		expect(slashState(away)).toBeNull();
		const back = away.apply(away.tr.setSelection(TextSelection.atEnd(away.doc)));
		expect(slashState(back)).toBeNull();
	});

	it('[S4] running an item replaces the /query with the block', () => {
		let state = type(start(), '/head');
		const view = {
			get state() {
				return state;
			},
			dispatch(tr: Transaction) {
				state = state.apply(tr);
			},
			focus() {}
		} as unknown as EditorView;
		runSlashItem(view, slashState(state)!.items[1]!);
		expect(state.doc.child(0).type.name).toBe('heading');
		expect(state.doc.child(0).attrs['level']).toBe(2);
		expect(state.doc.textContent).toBe('');
		expect(slashState(state)).toBeNull();

		state = type(start(), '/table');
		runSlashItem(view, slashState(state)!.items[0]!);
		expect(state.doc.child(0).type.name).toBe('table');
		expect(() => state.doc.check()).not.toThrow();

		// Inside the table, table items are offered; a new row gets paragraphs in its cells.
		state = type(state, '/row');
		expect(slashState(state)!.items.map((i) => i.id)).toEqual(['row', 'delete-row', 'table']);
		runSlashItem(view, slashState(state)!.items[0]!);
		const table = state.doc.child(0);
		expect(table.childCount).toBe(4);
		expect(table.child(1).child(0).child(0).type.name).toBe('paragraph');
		expect(() => state.doc.check()).not.toThrow();
	});
});
