/**
 * The schema under concurrent edits, with real Yjs and y-prosemirror's own conversion code: each
 * replica renders its Y.XmlFragment to ProseMirror the way the editor does (a node that is invalid
 * after a merge is deleted from Y), applies a ProseMirror edit, and writes it back with
 * `updateYFragment`, as the sync plugin does.
 *   [C1] two people deleting the last two paragraphs of a callout leave an empty, valid callout
 *   [C2] …and a third person's paragraph typed into it offline survives a peer rendering the empty state
 *   [C3] concurrent deletes of every item of a list, and of a list item's first paragraph, keep all other text
 *   [C4] concurrent deletes of table rows and of cell content keep the table valid and the other cells' text
 *   [C5] nested task items survive concurrent deletes around them, and keep their checked state
 *   [C6] two people deleting every block leave a valid (empty) document
 *   [C7] the fix-up fills an emptied container for a local edit only, never for a remote change
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { EditorState, TextSelection, type Transaction } from 'prosemirror-state';
import type { Node } from 'prosemirror-model';
import { initProseMirrorDoc, prosemirrorToYXmlFragment, updateYFragment, yXmlFragmentToProseMirrorRootNode, ySyncPluginKey } from 'y-prosemirror';
import { schema } from '../../src/lib/editor/schema.ts';
import { fixupPlugin } from '../../src/lib/editor/fixup.ts';

const n = schema.nodes;
const p = (text = '') => n['paragraph']!.create(null, text ? schema.text(text) : null);
const doc = (...blocks: Node[]) => n['doc']!.create(null, blocks);

class Replica {
	readonly ydoc = new Y.Doc({ gc: false });
	readonly fragment = this.ydoc.getXmlFragment('prosemirror');

	/** What the editor shows: y-prosemirror's render, which deletes invalid nodes from Y. */
	render(): Node {
		return yXmlFragmentToProseMirrorRootNode(this.fragment, schema);
	}

	/** A local edit: render, apply a ProseMirror transaction, write the result back to Y. */
	edit(change: (state: EditorState) => Transaction): void {
		const { doc: current, meta } = initProseMirrorDoc(this.fragment, schema);
		const state = EditorState.create({ schema, doc: current });
		const tr = change(state);
		updateYFragment(this.ydoc, this.fragment, tr.doc, meta);
	}
}

function replicas(count: number, start: Node): Replica[] {
	const all = Array.from({ length: count }, () => new Replica());
	prosemirrorToYXmlFragment(start, all[0]!.fragment);
	const update = Y.encodeStateAsUpdate(all[0]!.ydoc);
	for (const r of all.slice(1)) Y.applyUpdate(r.ydoc, update);
	return all;
}

/** Delivers everything each replica has to every other one. */
function syncAll(all: Replica[]): void {
	for (const from of all) for (const to of all) if (from !== to) Y.applyUpdate(to.ydoc, Y.encodeStateAsUpdate(from.ydoc, Y.encodeStateVector(to.ydoc)));
}

/** Deletes the node at `path` (child indexes from the doc). */
function deleteAt(path: number[]) {
	return (state: EditorState) => {
		let pos = 0;
		let node: Node = state.doc;
		for (const [depth, index] of path.entries()) {
			if (depth > 0) pos += 1; // enter the node
			for (let i = 0; i < index; i++) pos += node.child(i).nodeSize;
			node = node.child(index);
		}
		return state.tr.delete(pos, pos + node.nodeSize);
	};
}

/** Types `text` at the end of the first textblock whose text is `inBlock`. */
function typeInto(inBlock: string, text: string) {
	return (state: EditorState) => {
		let at = -1;
		state.doc.descendants((node, pos) => {
			if (at < 0 && node.isTextblock && node.textContent === inBlock) at = pos + 1 + node.content.size;
			return at < 0;
		});
		if (at < 0) throw new Error(`no block ${inBlock}`);
		return state.tr.insertText(text, at);
	};
}

function converged(all: Replica[]): Node {
	syncAll(all);
	const rendered = all.map((r) => r.render());
	// Rendering may delete invalid nodes from Y: deliver those deletions too, then render again.
	syncAll(all);
	const again = all.map((r) => r.render());
	for (const d of [...rendered, ...again]) expect(() => d.check()).not.toThrow();
	for (const d of again) expect(d.toJSON()).toEqual(again[0]!.toJSON());
	return again[0]!;
}

function texts(node: Node): string[] {
	const out: string[] = [];
	node.descendants((child) => {
		if (child.isTextblock) out.push(child.textContent);
		return !child.isTextblock;
	});
	return out;
}

const callout = (...blocks: Node[]) => n['callout']!.create({ tone: 'warning' }, blocks);
const bullets = (...items: Node[][]) => n['bullet_list']!.create(null, items.map((blocks) => n['list_item']!.create(null, blocks)));

describe('schema under concurrent edits (real Yjs + y-prosemirror)', () => {
	it('[C1] concurrent deletes of the last two paragraphs of a callout leave an empty, valid callout', () => {
		const [a, b] = replicas(2, doc(p('before'), callout(p('A'), p('B')), p('after')));
		a!.edit(deleteAt([1, 0]));
		b!.edit(deleteAt([1, 1]));
		const merged = converged([a!, b!]);
		expect(merged.child(1).type.name).toBe('callout');
		expect(merged.child(1).childCount).toBe(0);
		expect(texts(merged)).toEqual(['before', 'after']);
	});

	it('[C2] a paragraph typed offline into that callout survives a peer rendering the emptied callout', () => {
		const [a, b, c, d] = replicas(4, doc(callout(p('A'), p('B')), p('after')));
		c!.edit((state) => state.tr.insert(state.doc.child(0).nodeSize - 1, p('C offline')));
		a!.edit(deleteAt([0, 0]));
		b!.edit(deleteAt([0, 1]));
		// D sees A and B's deletes before C's insert, and renders that (an empty callout).
		syncAll([a!, b!, d!]);
		expect(() => d!.render().check()).not.toThrow();
		const merged = converged([a!, b!, c!, d!]);
		expect(texts(merged)).toEqual(['C offline', 'after']);
		expect(merged.child(0).type.name).toBe('callout');
	});

	it('[C3] concurrent deletes of every list item, and of an item’s first paragraph, keep the other text', () => {
		const start = doc(bullets([p('one')], [p('two'), bullets([p('nested')])]), p('end'));
		const [a, b, c] = replicas(3, start);
		a!.edit(deleteAt([0, 0]));
		b!.edit(deleteAt([0, 1, 0])); // the first paragraph of item two, leaving its nested list first
		c!.edit(typeInto('nested', ' still here'));
		const merged = converged([a!, b!, c!]);
		expect(texts(merged)).toEqual(['nested still here', 'end']);

		const [d, e] = replicas(2, doc(bullets([p('x')], [p('y')])));
		d!.edit(deleteAt([0, 0]));
		e!.edit(deleteAt([0, 1]));
		const emptied = converged([d!, e!]);
		expect(emptied.child(0).type.name).toBe('bullet_list');
		expect(emptied.child(0).childCount).toBe(0);
	});

	it('[C4] concurrent deletes of table rows and of cell content keep the table valid', () => {
		const cell = (text: string) => n['table_cell']!.create(null, p(text));
		const row = (...cells: string[]) => n['table_row']!.create(null, cells.map(cell));
		const table = n['table']!.create(null, [row('a1', 'a2'), row('b1', 'b2'), row('c1', 'c2')]);
		const [a, b, c] = replicas(3, doc(table, p('after')));
		a!.edit(deleteAt([0, 0]));
		b!.edit(deleteAt([0, 1]));
		c!.edit(deleteAt([0, 2, 0, 0])); // the paragraph of cell c1
		const merged = converged([a!, b!, c!]);
		expect(texts(merged)).toEqual(['c2', 'after']);
		expect(merged.child(0).child(0).childCount).toBe(2); // the row keeps both cells; c1 is empty

		const [d, e] = replicas(2, doc(n['table']!.create(null, [row('x'), row('y')])));
		d!.edit(deleteAt([0, 0]));
		e!.edit(deleteAt([0, 1]));
		const emptied = converged([d!, e!]);
		expect(emptied.child(0).type.name).toBe('table');
		expect(emptied.child(0).childCount).toBe(0);
	});

	it('[C5] nested task items survive concurrent deletes around them', () => {
		const task = (checked: boolean, ...blocks: Node[]) => n['task_item']!.create({ checked }, blocks);
		const list = (...items: Node[]) => n['task_list']!.create(null, items);
		const start = doc(list(task(false, p('parent'), list(task(true, p('child done')), task(false, p('child todo')))), task(false, p('sibling'))));
		const [a, b, c] = replicas(3, start);
		a!.edit(deleteAt([0, 0, 0])); // parent's paragraph
		b!.edit(deleteAt([0, 1])); // the sibling
		c!.edit(typeInto('child todo', '!'));
		const merged = converged([a!, b!, c!]);
		expect(texts(merged)).toEqual(['child done', 'child todo!']);
		const nested = merged.child(0).child(0).child(0);
		expect(nested.type.name).toBe('task_list');
		expect(nested.child(0).attrs['checked']).toBe(true);
	});

	it('[C6] two people deleting every block leave a valid, empty document', () => {
		const [a, b] = replicas(2, doc(p('one'), p('two')));
		a!.edit(deleteAt([0]));
		b!.edit(deleteAt([1]));
		const merged = converged([a!, b!]);
		expect(merged.childCount).toBe(0);
	});

	it('[C7] the fix-up fills an emptied container for a local edit, never for a remote one', () => {
		const start = doc(callout(p('only')), p('after'));
		const state = EditorState.create({ schema, doc: start, plugins: [fixupPlugin()] });
		const local = state.applyTransaction(deleteAt([0, 0])(state)).state;
		expect(local.doc.child(0).childCount).toBe(1);
		expect(local.doc.child(0).child(0).type.name).toBe('paragraph');

		const remote = deleteAt([0, 0])(state).setMeta(ySyncPluginKey, { isChangeOrigin: true });
		const after = state.applyTransaction(remote).state;
		expect(after.doc.child(0).childCount).toBe(0);

		// A local edit elsewhere does not fill that remote-emptied callout (another device may be doing so too)…
		const elsewhere = after.apply(after.tr.setSelection(TextSelection.atEnd(after.doc)).insertText('!'));
		expect(elsewhere.doc.child(0).childCount).toBe(0);
		// …but putting the caret next to it, or editing in it, does.
		const near = elsewhere.applyTransaction(elsewhere.tr.setSelection(TextSelection.near(elsewhere.doc.resolve(1)))).state;
		expect(near.doc.child(0).childCount).toBe(1);
	});
});
