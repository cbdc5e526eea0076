/**
 * A page body that holds a mention must say so before the mention reaches Yjs: an editor from
 * before schema 2 would render the unknown `mention` element by deleting it from the document
 * (y-prosemirror does that with whatever it cannot build), and the deletion would sync. Stamped
 * with MENTION_SCHEMA_VERSION, such an editor turns read-only instead (model/version.ts,
 * read-only.ts).
 *
 * So every local transaction that inserts a mention — the `@` menu, a paste, a drop, a node's
 * type changed — raises the body's version as it is applied; ySyncPlugin writes the mention to Yjs
 * only afterwards, when the view updates. Changes that came from Yjs are left alone: whoever wrote
 * them stamped them (and undoing a deletion restores a mention into a body that was stamped when
 * it was written). The editor is editable only on a document whose version this code may write
 * (setup.ts), so raising never meets a newer one.
 *
 * The same local insertions are where a mention gets its identity (`identifyMentions`, run by the
 * `@` menu's plugin, which knows who is writing): a fresh `id`, the writer as `by`, and the time
 * as `at` (schema.ts). A mention that arrives with an id keeps it and its writer: it was copied or
 * moved inside Meridian, and it is still the same mention of the same person by the same teammate,
 * so the inbox neither sends it again nor credits whoever moved it (model/inbox.ts). A mention
 * without one is new here: chosen in the menu, or pasted from outside.
 */
import { Plugin, type EditorState, type Transaction } from 'prosemirror-state';
import { Mapping, ReplaceAroundStep, ReplaceStep, type Step } from 'prosemirror-transform';
import type { Slice } from 'prosemirror-model';
import type * as Y from 'yjs';
import { newId } from '../model/ids.ts';
import { Origin } from '../model/origins.ts';
import { MENTION_SCHEMA_VERSION, raiseSchemaVersion, readSchemaVersion } from '../model/version.ts';
import { isSyncTransaction } from './fixup.ts';
import { mentionType } from './mention-view.ts';
import { mentionBy, mentionId } from './schema.ts';

function holdsMention(slice: Slice): boolean {
	let found = false;
	slice.content.descendants((node) => {
		if (node.type === mentionType) found = true;
		return !found;
	});
	return found;
}

function stepInsertsMention(step: Step): boolean {
	return (step instanceof ReplaceStep || step instanceof ReplaceAroundStep) && holdsMention(step.slice);
}

/** Whether `tr` puts a mention node into the document. */
export function insertsMention(tr: Transaction): boolean {
	return tr.steps.some(stepInsertsMention);
}

/**
 * For `appendTransaction`: gives each mention that `transactions` inserted locally without an id
 * an id, `me` as its writer and `now()` as its time (see the module comment). Only what those
 * steps inserted is looked at: a mention written before ids existed stays as it is, read through
 * the authorship records (model/inbox.ts). Null when there is nothing to stamp.
 */
export function identifyMentions(transactions: readonly Transaction[], state: EditorState, me: string, now: () => number): Transaction | null {
	const maps = transactions.flatMap((tr) => tr.mapping.maps);
	const ranges: [number, number][] = [];
	let index = 0;
	for (const tr of transactions) {
		const local = !isSyncTransaction(tr);
		for (const step of tr.steps) {
			index++;
			if (!local || !stepInsertsMention(step)) continue;
			// What the step inserted, carried through every later step to the final document.
			const after = new Mapping(maps.slice(index));
			step.getMap().forEach((_oldStart, _oldEnd, start, end) => {
				const from = after.map(start, 1);
				const to = after.map(end, -1);
				if (from < to) ranges.push([from, to]);
			});
		}
	}
	if (ranges.length === 0) return null;
	const by = mentionBy(me) || null;
	const stamped = new Set<number>();
	const tr = state.tr;
	for (const [from, to] of ranges) {
		state.doc.nodesBetween(from, to, (node, pos) => {
			if (node.type !== mentionType) return true;
			if (!mentionId(node.attrs['id']) && !stamped.has(pos)) {
				stamped.add(pos);
				tr.setNodeAttribute(pos, 'id', newId()).setNodeAttribute(pos, 'by', by).setNodeAttribute(pos, 'at', now());
			}
			return false;
		});
	}
	return tr.docChanged ? tr : null;
}

/** Raises `body`'s schema version before the first mention is written into it; see the module comment. */
export function mentionStampPlugin(body: Y.Doc): Plugin {
	return new Plugin({
		appendTransaction(transactions) {
			const version = readSchemaVersion(body);
			if (version !== null && version >= MENTION_SCHEMA_VERSION) return null;
			if (transactions.some((tr) => !isSyncTransaction(tr) && insertsMention(tr))) body.transact(() => raiseSchemaVersion(body, MENTION_SCHEMA_VERSION), Origin.local);
			return null;
		}
	});
}
