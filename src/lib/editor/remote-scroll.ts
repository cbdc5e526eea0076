/**
 * A teammate's change never scrolls this member's view. After each remote change y-prosemirror
 * asks to keep the caret in view (`tr.scrollIntoView()` when it was visible), and ProseMirror then
 * measures where the caret is: a forced layout of the whole page for every key a teammate types —
 * in the automerge-paper page, most of the cost of a remote update (docs/performance.md, "The app
 * in Chromium"). The browser's scroll anchoring already keeps what is on screen where it is when
 * text above it changes; this member's own changes — undo and redo too, which y-prosemirror
 * applies the same way — still scroll to the caret as before.
 */
import { Plugin, PluginKey, type Transaction } from 'prosemirror-state';
import { ySyncPluginKey } from 'y-prosemirror';
import { isSyncTransaction } from './fixup.ts';

/** Whether the latest transaction that asked to scroll to the selection came from y-prosemirror. */
const remoteScroll = new PluginKey<boolean>('remote-scroll');

export function remoteChangesDoNotScroll(): Plugin<boolean> {
	return new Plugin<boolean>({
		key: remoteScroll,
		state: {
			init: () => false,
			apply: (tr, asked) => (tr.scrolledIntoView ? isRemote(tr) : asked)
		},
		props: {
			// True: handled (by not scrolling), so ProseMirror does not scroll either.
			handleScrollToSelection: (view) => remoteScroll.getState(view.state) === true
		}
	});
}

/** A change y-prosemirror applied from the document that is not this member's own undo or redo. */
function isRemote(tr: Transaction): boolean {
	const meta = tr.getMeta(ySyncPluginKey) as { isUndoRedoOperation?: boolean } | undefined;
	return isSyncTransaction(tr) && meta?.isUndoRedoOperation !== true;
}
