/**
 * Tables with their editing code loaded on first use (src/lib/editor/tables.ts):
 *
 *   [TB1] the schema's table nodes are the ones prosemirror-tables' `tableNodes` builds (but for the
 *         table's `table_row*`), and the library reads its state where the shell keeps it
 *   [TB2] before the library is here, Tab in a table stays in the editor (and moves once it is here)
 *         and the table commands do nothing; a shell made before the library arrived gets its
 *         behaviour when it does, and a table this member made meanwhile gets `fixTables` then
 *   [TB3] once there, `fixTables` runs after a local change, never after a teammate's (a sync
 *         transaction): every device fixing a merge would add its own cells
 *
 * The module state (the library, once loaded) is per test file, so this file starts without it.
 */
import { describe, expect, it } from 'vitest';
import { EditorState, TextSelection, type Transaction } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import type { Node } from 'prosemirror-model';
import { ySyncPluginKey } from 'y-prosemirror';
import * as tables from 'prosemirror-tables';
import { schema } from '../../src/lib/editor/schema.ts';
import { editingPlugins } from '../../src/lib/editor/setup.ts';
import { nextCellOrNewRow } from '../../src/lib/editor/commands.ts';
import { EDITING_PROPS, hasTable, inTable, loadTableEditing, sharesState, tableCommand, tablesLoaded } from '../../src/lib/editor/tables.ts';

const n = schema.nodes;
const p = (text = '') => n['paragraph']!.create(null, text ? schema.text(text) : null);
const cell = (text: string) => n['table_cell']!.create(null, p(text));
const row = (...texts: string[]) => n['table_row']!.create(null, texts.map(cell));
const table = (...rows: Node[]) => n['table']!.create(null, rows);

/** A state with the editor's plugins, the caret in the first cell's text. */
function inFirstCell(doc: Node): EditorState {
	const state = EditorState.create({ schema, doc, plugins: editingPlugins() });
	return state.apply(state.tr.setSelection(TextSelection.create(state.doc, 4)));
}

function run(state: EditorState, command: (state: EditorState, dispatch?: (tr: Transaction) => void) => boolean): { handled: boolean; state: EditorState } {
	let next = state;
	const handled = command(state, (tr) => (next = next.apply(tr)));
	return { handled, state: next };
}

describe('tables loaded on first use', () => {
	it('[TB1] the table nodes are what tableNodes builds, and the library shares the shell\'s state', () => {
		const built = tables.tableNodes({ tableGroup: 'block', cellContent: 'block*', cellAttributes: {} });
		for (const name of ['table', 'table_row', 'table_cell', 'table_header'] as const) {
			const ours = n[name]!.spec;
			const theirs = built[name];
			expect(ours['tableRole'], name).toBe(theirs['tableRole']);
			expect(ours.isolating, name).toBe(theirs.isolating);
			expect(ours.group, name).toBe(theirs.group);
			expect(ours.content, name).toBe(name === 'table' ? 'table_row*' : theirs.content);
			expect(Object.keys(ours.attrs ?? {}), name).toEqual(Object.keys(theirs.attrs ?? {}));
			for (const [attr, spec] of Object.entries(theirs.attrs ?? {})) expect(ours.attrs![attr]!.default, `${name}.${attr}`).toEqual(spec.default);
			expect(ours.parseDOM?.map((rule) => 'tag' in rule && rule.tag), name).toEqual(theirs.parseDOM?.map((rule) => 'tag' in rule && rule.tag));
		}
		// The same DOM out, and the same attributes read back in.
		const wide = n['table_cell']!.create({ colspan: 2, rowspan: 3, colwidth: [50, 60] }, p('x'));
		const theirsSchema = new (schema.constructor as typeof import('prosemirror-model').Schema)({
			nodes: { doc: { content: 'block+' }, paragraph: { group: 'block', content: 'text*', toDOM: () => ['p', 0] }, text: {}, ...built }
		});
		const theirCell = theirsSchema.nodes['table_cell']!.create({ colspan: 2, rowspan: 3, colwidth: [50, 60] }, theirsSchema.nodes['paragraph']!.create());
		expect(n['table_cell']!.spec.toDOM!(wide)).toEqual(built.table_cell.toDOM!(theirCell));
		const element = (attrs: Record<string, string>) => ({ getAttribute: (name: string) => attrs[name] ?? null }) as unknown as HTMLElement;
		const samples: Record<string, string>[] = [{}, { colspan: '2', 'data-colwidth': '50,60' }, { rowspan: '2', 'data-colwidth': 'x' }, { colspan: '3', 'data-colwidth': '10,20' }];
		for (const attrs of samples) {
			const rule = (spec: typeof built.table_cell) => spec.parseDOM![0] as { getAttrs: (dom: HTMLElement) => unknown };
			expect(rule(n['table_cell']!.spec).getAttrs(element(attrs)), JSON.stringify(attrs)).toEqual(rule(built.table_cell).getAttrs(element(attrs)));
		}
		expect(() => n['table_cell']!.create({ colwidth: 'wide' })).toThrow(/colwidth/);
		expect(sharesState(tables)).toBe(true);
		// Every prop tableEditing has is one the shell passes on.
		expect(Object.keys(tables.tableEditing().props).sort()).toEqual([...EDITING_PROPS].sort());
	});

	it('[TB2] before the library: Tab stays in the table and commands wait; a shell made before gets behaviour after', async () => {
		expect(tablesLoaded()).toBeNull();
		const before = inFirstCell(n['doc']!.create(null, [table(row('a', 'b'), row('c', 'd')), p('after')]));
		expect(hasTable(before.doc)).toBe(true);
		expect(hasTable(n['doc']!.create(null, [p('no table')]))).toBe(false);
		expect(inTable(before)).toBe(true);

		// The shell is there with no behaviour yet.
		const shell = tables.tableEditingKey.get(before);
		expect(shell, 'the shell, found by prosemirror-tables\' own key').toBeDefined();
		expect(shell!.props.handleKeyDown).toBeUndefined();

		// Tab is taken while the library is on its way (the focus must not leave the editor), and the
		// move is made in the view once it arrives.
		const tab = run(before, nextCellOrNewRow);
		expect(tab.handled).toBe(true);
		expect(tab.state.selection.from).toBe(before.selection.from);
		const view = {
			state: before,
			isDestroyed: false,
			editable: true,
			dispatch(tr: Transaction) {
				view.state = view.state.apply(tr);
			}
		};
		expect(nextCellOrNewRow(view.state, view.dispatch, view as unknown as EditorView)).toBe(true);
		expect(view.state.selection.$from.parent.textContent).toBe('a');
		expect(run(before, tableCommand((t) => t.addRowAfter)).handled).toBe(false);
		// Outside a table Tab is not a table key.
		const outside = before.apply(before.tr.setSelection(TextSelection.atEnd(before.doc)));
		expect(run(outside, nextCellOrNewRow).handled).toBe(false);

		// This member pastes a ragged table before the library is here: fixed once it arrives.
		const early = {
			state: EditorState.create({ schema, doc: n['doc']!.create(null, [p('x')]), plugins: editingPlugins() }),
			isDestroyed: false,
			editable: true,
			dispatch(tr: Transaction) {
				early.state = early.state.apply(tr);
			}
		};
		const earlyShell = tables.tableEditingKey.get(early.state)!;
		const earlyView = earlyShell.spec.view!(early as unknown as EditorView);
		early.dispatch(early.state.tr.insert(early.state.doc.content.size, table(row('a', 'b'), row('c'))));
		expect(early.state.doc.child(1).child(1).childCount).toBe(1);

		// The commands above asked for the library; once here, the same state (and its shell) edits tables.
		const library = await loadTableEditing();
		expect(library).not.toBeNull();
		expect(tablesLoaded()).toBe(library);
		expect(view.state.selection.$from.parent.textContent, 'the Tab made before the library arrived').toBe('b');
		const moved = run(before, nextCellOrNewRow);
		expect(moved.handled).toBe(true);
		expect(moved.state.selection.$from.parent.textContent).toBe('b');
		const grown = run(before, tableCommand((t) => t.addRowAfter));
		expect(grown.handled).toBe(true);
		expect(grown.state.doc.child(0).childCount).toBe(3);
		expect(early.state.doc.child(1).child(1).childCount, 'the early table\'s short row, fixed').toBe(2);
		earlyView.destroy?.();
		// The shell of a state made before the load now has tableEditing's behaviour.
		for (const name of EDITING_PROPS) expect(shell!.props[name], name).toBeDefined();
	});

	it('[TB3] fixTables runs after a local change, not after a sync transaction', async () => {
		expect(await loadTableEditing()).not.toBeNull();
		// A ragged table (a teammate's cell deleted, say): the second row is one cell short.
		const ragged = n['doc']!.create(null, [table(row('a', 'b'), row('c')), p('after')]);
		const state = inFirstCell(n['doc']!.create(null, [table(row('a', 'b'), row('c', 'd')), p('after')]));
		const sync = state.tr.replaceWith(0, state.doc.content.size, ragged.content).setMeta(ySyncPluginKey, { isChangeOrigin: true });
		const merged = state.apply(sync);
		expect(merged.doc.child(0).child(1).childCount).toBe(1);
		// A local edit in that table: fixTables fills the short row.
		const local = merged.apply(merged.tr.insertText('!', 4));
		expect(local.doc.child(0).child(1).childCount).toBe(2);
	});
});
