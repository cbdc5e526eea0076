/**
 * Puts an empty paragraph back into a container that has become empty, so there is somewhere to
 * put the caret. The schema allows empty containers (`block*`, see schema.ts) because y-prosemirror
 * deletes — on every peer, through Yjs — a node that a merge left invalid, with whatever a
 * teammate was concurrently typing into it.
 *
 * Why only for the local user's own transactions, and only near what they touched:
 * the paragraph we add is an edit like any other, and y-prosemirror writes it to the Y document.
 * If every device fixed up every empty container it received, two devices receiving the same
 * merge (two people deleting the last two paragraphs of a callout at once) would each add a
 * paragraph and the callout would end up with two. A remote merge therefore leaves the empty
 * container as it is (the CSS gives it height, so it stays visible and clickable); the first
 * person who edits in or next to it fills it, once, as part of their own edit. Transactions that
 * y-prosemirror dispatches (remote changes, undo/redo, the initial render) carry
 * `ySyncPluginKey` meta with `isChangeOrigin`, and are never fixed up.
 */
import { Plugin, type EditorState, type Transaction } from 'prosemirror-state';
import type { Node, NodeType } from 'prosemirror-model';
import { ySyncPluginKey } from 'y-prosemirror';
import { schema } from './schema.ts';

/** What an empty container of each type gets. Table rows are left to prosemirror-tables' fixTables. */
function filler(type: NodeType): Node | null {
	const n = schema.nodes;
	switch (type.name) {
		case 'doc':
		case 'blockquote':
		case 'callout':
		case 'list_item':
		case 'task_item':
		case 'table_cell':
		case 'table_header':
			return n['paragraph']!.create();
		case 'bullet_list':
		case 'ordered_list':
			return n['list_item']!.create(null, n['paragraph']!.create());
		case 'task_list':
			return n['task_item']!.create(null, n['paragraph']!.create());
		case 'table':
			return n['table_row']!.create(null, n['table_cell']!.create(null, n['paragraph']!.create()));
		default:
			return null;
	}
}

/** Whether y-prosemirror made this transaction (a remote change, undo/redo, the first render). */
export function isSyncTransaction(tr: Transaction): boolean {
	const meta = tr.getMeta(ySyncPluginKey) as { isChangeOrigin?: boolean } | undefined;
	return Boolean(meta?.isChangeOrigin);
}

/**
 * The ranges of `state.doc` that the local transactions changed or selected, in the new document's
 * positions. Null when there is no local transaction in the batch.
 */
function touchedRanges(transactions: readonly Transaction[], state: EditorState): Array<[number, number]> | null {
	const ranges: Array<[number, number]> = [];
	let local = false;
	transactions.forEach((tr, index) => {
		if (isSyncTransaction(tr) || !(tr.docChanged || tr.selectionSet)) return;
		local = true;
		// Map this transaction's changed ranges through the transactions after it.
		const later = transactions.slice(index + 1);
		const mapThrough = (pos: number, assoc: number) => later.reduce((p, t) => t.mapping.map(p, assoc), pos);
		tr.mapping.maps.forEach((map, i) => {
			map.forEach((_oldStart, _oldEnd, newStart, newEnd) => {
				const rest = tr.mapping.slice(i + 1);
				ranges.push([mapThrough(rest.map(newStart, -1), -1), mapThrough(rest.map(newEnd, 1), 1)]);
			});
		});
	});
	if (!local) return null;
	const { from, to } = state.selection;
	// The caret right before or after an empty container counts as being at it.
	ranges.push([from - 1, to + 1]);
	return ranges;
}

/** A transaction that fills the empty containers of `state.doc` that touch `ranges`, or null. */
export function fillEmptyContainers(state: EditorState, ranges: ReadonlyArray<readonly [number, number]>): Transaction | null {
	const found: Array<{ pos: number; node: Node }> = [];
	const touches = (from: number, to: number) => ranges.some(([a, b]) => a <= to && b >= from);
	if (state.doc.childCount === 0) found.push({ pos: -1, node: state.doc });
	state.doc.descendants((node, pos) => {
		if (!touches(pos, pos + node.nodeSize)) return false;
		if (node.childCount === 0 && !node.isTextblock && !node.isLeaf && filler(node.type)) found.push({ pos, node });
		return true;
	});
	if (found.length === 0) return null;
	const tr = state.tr;
	// Back to front, so earlier positions stay valid.
	for (const { pos, node } of found.reverse()) {
		const fill = filler(node.type);
		if (fill) tr.insert(pos + 1, fill);
	}
	// Not marked addToHistory=false: y-prosemirror writes this together with the user's edit in one
	// Y transaction, and that flag would keep the user's own edit out of their undo stack.
	return tr;
}

export function fixupPlugin(): Plugin {
	return new Plugin({
		appendTransaction(transactions, _old, state) {
			if (!transactions.some((tr) => tr.docChanged || tr.selectionSet)) return null;
			const ranges = touchedRanges(transactions, state);
			return ranges ? fillEmptyContainers(state, ranges) : null;
		}
	});
}
