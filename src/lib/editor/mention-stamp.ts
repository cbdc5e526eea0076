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
 */
import { Plugin, type Transaction } from 'prosemirror-state';
import { ReplaceAroundStep, ReplaceStep } from 'prosemirror-transform';
import type { Slice } from 'prosemirror-model';
import type * as Y from 'yjs';
import { Origin } from '../model/origins.ts';
import { MENTION_SCHEMA_VERSION, raiseSchemaVersion, readSchemaVersion } from '../model/version.ts';
import { isSyncTransaction } from './fixup.ts';
import { mentionType } from './mention-view.ts';

function holdsMention(slice: Slice): boolean {
	let found = false;
	slice.content.descendants((node) => {
		if (node.type === mentionType) found = true;
		return !found;
	});
	return found;
}

/** Whether `tr` puts a mention node into the document. */
export function insertsMention(tr: Transaction): boolean {
	return tr.steps.some((step) => (step instanceof ReplaceStep || step instanceof ReplaceAroundStep) && holdsMention(step.slice));
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
