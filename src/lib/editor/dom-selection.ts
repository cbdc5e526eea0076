/**
 * A key that acts on the selection, pressed right after Shift+arrows, can arrive before the last
 * arrow's `selectionchange`, which ProseMirror reads asynchronously: the state's selection is then
 * shorter than what the member sees (or empty). Shared by the keys that depend on it: Mod-Alt-m
 * (comments.ts) and Mod-K (keymap.ts, where an empty selection would open the quick switcher
 * instead of linking the text).
 */
import { TextSelection } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';

/**
 * Brings the state's selection up to the DOM's. ProseMirror reads the DOM selection on
 * `selectionchange`, which the browser fires asynchronously: a Mod-Alt-m pressed right after
 * Shift+arrows can arrive before the last arrow's `selectionchange`, and the thread would be
 * anchored on a stale, shorter selection ("Updat" for "Update").
 */
export function takeDOMSelection(view: EditorView): void {
	const selection = view.dom.ownerDocument.getSelection();
	const { anchorNode, focusNode } = selection ?? {};
	if (!selection || !anchorNode || !focusNode || !view.dom.contains(anchorNode) || !view.dom.contains(focusNode)) return;
	let anchor: number;
	let head: number;
	try {
		anchor = view.posAtDOM(anchorNode, selection.anchorOffset);
		head = view.posAtDOM(focusNode, selection.focusOffset);
	} catch {
		return;
	}
	const current = view.state.selection;
	if (current.anchor === anchor && current.head === head) return;
	const { doc } = view.state;
	view.dispatch(view.state.tr.setSelection(TextSelection.between(doc.resolve(anchor), doc.resolve(head))));
}
