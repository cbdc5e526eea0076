/**
 * A read-only body that still takes a caret and a selection, for members who may comment but not
 * write: keyboard users select with Shift+arrows and start a thread with Mod-Alt-m, which a
 * `contenteditable=false` view does not allow (it has no caret).
 *
 * The view is editable as far as the browser is concerned, so every document change is refused
 * here instead: typing, paste, drop, cut, Backspace, a task's checkbox. ProseMirror redraws what the
 * browser changed in the DOM when the transaction it read from that change is filtered out. The
 * only document changes let through are the read-only re-renders from the Y document
 * (setup.ts `followFragment`), which carry the `READ_ONLY_RENDER` meta.
 */
import { Plugin, PluginKey, type EditorState, type Transaction } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';

const refuseEditsKey = new PluginKey('refuse-edits');

/** Meta on a transaction that re-renders a read-only body from its Y document. */
export const READ_ONLY_RENDER = 'meridian-read-only-render';

/** Marks `tr` as a re-render of a read-only body, the one document change refuseEdits lets pass. */
export function readOnlyRender(tr: Transaction): Transaction {
	return tr.setMeta(READ_ONLY_RENDER, true);
}

export function refuseEdits(): Plugin {
	return new Plugin({
		key: refuseEditsKey,
		filterTransaction: (tr) => !tr.docChanged || tr.getMeta(READ_ONLY_RENDER) === true,
		props: {
			attributes: { 'aria-readonly': 'true' },
			handleDOMEvents: {
				// Stop the browser changing the DOM at all where it lets us (composition input is not
				// cancelable: the filter and ProseMirror's redraw handle that). Returning true also keeps
				// ProseMirror's own beforeinput handling (Android Backspace) from dispatching.
				beforeinput(_view, event) {
					if (event.cancelable) event.preventDefault();
					return true;
				}
			}
		}
	});
}

/** Whether this state's view refuses document changes (a commenter's read-only body). */
export function refusesEdits(state: EditorState): boolean {
	return refuseEditsKey.get(state) !== undefined;
}

/** Whether the member may change this view's document: editable, and not a commenter's read-only body. */
export function mayEdit(view: EditorView): boolean {
	return view.editable && !refusesEdits(view.state);
}
