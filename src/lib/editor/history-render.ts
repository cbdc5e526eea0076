/**
 * A page body as it was at a version, and a comparison of two states with every insertion and
 * deletion marked and attributed — for the History panel, never for an editable editor.
 *
 * Both read the body's own history through Yjs snapshots (bodies keep every struct, `gc: false`)
 * with read-only.ts's tolerant converter, so unknown nodes show as text and nothing is written.
 * Snapshot reads split structs at the snapshot's edges (in a 'cleanup' transaction): harmless, but
 * still a transaction, so they run on a copy of the body (history.ts `readingCopy`: same structs,
 * same ids), never on the document the editor, the stores and the trackers listen to.
 *
 * `historySchema` is the page schema plus two marks, `inserted` and `removed` (attrs: `member`,
 * `at`, both possibly null when no record says). No editable view ever uses it, so these marks are
 * never stored.
 */
import * as Y from 'yjs';
import { Schema, type MarkSpec, type Node, type NodeSpec } from 'prosemirror-model';
import { schema } from './schema.ts';
import { convertBody, currentReader, type BodyReader, type DeltaOp } from './read-only.ts';
import { BODY_FRAGMENT } from '../model/page.ts';
import { readingCopy, type Attribution, type Authored } from '../model/history.ts';

const changeAttrs = { member: { default: null }, at: { default: null } };

const changeMark = (tag: 'ins' | 'del', kind: string): MarkSpec => ({
	attrs: changeAttrs,
	inclusive: false,
	// Who and when are data attributes; the panel names the member (it knows the people).
	toDOM: (mark) => [tag, { class: `change-${kind}`, 'data-member': mark.attrs['member'] ?? '', 'data-at': mark.attrs['at'] === null ? '' : String(mark.attrs['at']) }, 0]
});

/** The page schema plus the `inserted` and `removed` marks (code blocks take them too). */
export const historySchema = new Schema({
	nodes: schema.spec.nodes.update('code_block', { ...(schema.spec.nodes.get('code_block') as NodeSpec), marks: 'inserted removed' }),
	marks: schema.spec.marks.append({ inserted: changeMark('ins', 'inserted'), removed: changeMark('del', 'removed') })
});

/** The body in a copy of its document, for snapshot reads (see the module comment). */
function copyOf(fragment: Y.XmlFragment): Y.XmlFragment {
	const doc = fragment.doc;
	if (!doc) throw new Error('The body is not in a document.');
	return readingCopy(doc).getXmlFragment(BODY_FRAGMENT);
}

/**
 * The body as it was at `snapshot`, in `target` schema (the page schema, to restore it; the
 * history schema, to show it beside a comparison). The caller checks `containsSnapshot` first.
 */
export function versionDoc(fragment: Y.XmlFragment, snapshot: Y.Snapshot, target: Schema = schema): Node {
	const reader: BodyReader = {
		children: (parent) => Y.typeListToArraySnapshot(parent, snapshot),
		delta: (text) => text.toDelta(snapshot) as DeltaOp[],
		attributes: (element) => Y.typeMapGetAllSnapshot(element, snapshot) as Record<string, unknown>
	};
	return convertBody(copyOf(fragment), reader, target);
}

/** A change's attributes for a mark: who and when, each null when unknown. */
function changeOf(who: Authored | null): { member: string | null; at: number | null } {
	return { member: who?.member ?? null, at: who?.at ?? null };
}

/**
 * The body between `from` and `to` (now, by default) in the history schema: everything in either,
 * text inserted since `from` carrying `inserted`, text deleted since carrying `removed`, each with
 * who and when from `attribution`. A block added or removed shows through its text (its text was
 * inserted or deleted with it); an inline atom (a mention, a page link) carries the mark itself.
 */
export function compareDoc(fragment: Y.XmlFragment, from: Y.Snapshot, to: Y.Snapshot | null, attribution: Attribution): Node {
	const copy = copyOf(fragment);
	const next = to ?? Y.snapshot(copy.doc!);
	const both = new Y.Snapshot(from.ds, next.sv);
	const visible = (item: Y.Item | null, snapshot: Y.Snapshot): boolean =>
		item === null || ((snapshot.sv.get(item.id.client) ?? 0) > item.id.clock && !Y.isDeleted(snapshot.ds, item.id));
	const change = (type: 'added' | 'removed', id: Y.ID) => ({ type, ...changeOf(type === 'added' ? attribution.inserted(id) : attribution.deleted(id)) });
	const reader: BodyReader = {
		// Children that were there at either state (not those added and removed in between).
		children: (parent) => Y.typeListToArraySnapshot(parent, both).filter((child) => {
			const item = (child as Y.AbstractType<unknown>)._item;
			return visible(item, next) || visible(item, from);
		}),
		delta: (text) =>
			(text.toDelta(next, from, change) as DeltaOp[]).map((op) => {
				const { ychange, ...rest } = (op.attributes ?? {}) as Record<string, unknown> & { ychange?: ReturnType<typeof change> };
				if (!ychange) return op;
				const mark = ychange.type === 'added' ? 'inserted' : 'removed';
				return { insert: op.insert, attributes: { ...rest, [mark]: { member: ychange.member, at: ychange.at } } };
			}),
		attributes: (element) => Y.typeMapGetAllSnapshot(element, visible(element._item, next) ? next : from) as Record<string, unknown>,
		elementMarks: (element) => {
			const item = element._item;
			if (!item) return null;
			if (!visible(item, next)) return { removed: changeOf(attribution.deleted(item.id)) };
			if (!visible(item, from)) return { inserted: changeOf(attribution.inserted(item.id)) };
			return null;
		}
	};
	return convertBody(copy, reader, historySchema);
}

/** The current body in the history schema (the "now" side of a comparison with nothing changed). */
export function currentDoc(fragment: Y.XmlFragment): Node {
	return convertBody(fragment, currentReader, historySchema);
}

/** One run of changed text: what, which kind, who and when. */
export interface ChangeRun {
	readonly kind: 'inserted' | 'removed';
	readonly text: string;
	readonly member: string | null;
	readonly at: number | null;
}

/** The changes a compared document holds, in order, adjacent runs by the same member joined. */
export function changeRuns(doc: Node): ChangeRun[] {
	const runs: ChangeRun[] = [];
	let last: { kind: string; member: string | null; end: number } | null = null;
	doc.descendants((node, pos) => {
		if (!node.isInline) return true;
		const mark = node.marks.find((m) => m.type.name === 'inserted' || m.type.name === 'removed');
		if (!mark) return false;
		const kind = mark.type.name as ChangeRun['kind'];
		const member = (mark.attrs['member'] as string | null) ?? null;
		const at = (mark.attrs['at'] as number | null) ?? null;
		const text = node.isText ? node.text! : node.type.spec.leafText?.(node) || `[${node.type.name.replace('_', ' ')}]`;
		const previous = runs.at(-1);
		if (previous && last && last.kind === kind && last.member === member && last.end === pos) {
			runs[runs.length - 1] = { ...previous, text: previous.text + text, at: Math.max(previous.at ?? 0, at ?? 0) || null };
		} else runs.push({ kind, text, member, at });
		last = { kind, member, end: pos + node.nodeSize };
		return false;
	});
	return runs;
}
