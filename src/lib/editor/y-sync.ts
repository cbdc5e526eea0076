/**
 * y-prosemirror's binding writes the ProseMirror document to Yjs from its plugin view's `update`,
 * which ProseMirror calls after every transaction — also those that leave the document as it was:
 * a selection move, a plugin re-reading its decorations (editor/refresh.ts), a batch of remote
 * cursors. Each such call diffs every top-level block of the page against the Y.XmlFragment to
 * find that nothing changed: ~1.4 ms on the 1,173-paragraph benchmark page, once or twice a
 * keystroke. Only a document the binding has not seen can hold something to write, so `update`
 * is passed on only when the document differs from the one it last saw (the first always is).
 *
 * Nothing else in that `update` depends on an unchanged document: it stops the undo manager's
 * capturing only around a write, and renders nothing while a snapshot is shown. One thing does
 * depend on it: a write the binding drops because it is busy applying a teammate's change (its
 * mutex) is made by its next update, whatever changed — so an update made while the binding was
 * busy does not count as seen.
 */
import { Plugin, type EditorState, type PluginSpec, type PluginView } from 'prosemirror-state';
import type { Node } from 'prosemirror-model';
import { ySyncPlugin, ySyncPluginKey } from 'y-prosemirror';
import type * as Y from 'yjs';

/**
 * `plugin` with its view's `update` called only when the view's document changed since the last
 * call that `wrote` (by default every call does). A call that could not write — y-prosemirror's
 * binding busy applying a remote change, so it drops the write — leaves the document unseen, and
 * the next update of any kind tries again, as without this wrapper.
 */
export function onlyWhenDocChanges<T>(plugin: Plugin<T>, wrote: (state: EditorState) => boolean = () => true): Plugin<T> {
	const makeView = plugin.spec.view;
	if (!makeView) return plugin;
	const spec: PluginSpec<T> = {
		...plugin.spec,
		view(view) {
			const inner: PluginView = makeView(view);
			let seen: Node | null = null;
			return {
				update(view, previous) {
					if (view.state.doc === seen) return;
					const writes = wrote(view.state);
					inner.update?.(view, previous);
					seen = writes ? view.state.doc : null;
				},
				destroy: () => inner.destroy?.()
			};
		}
	};
	return new Plugin(spec);
}

/** y-prosemirror's sync plugin for `fragment`, writing to Yjs only after a change of document. */
export function syncPlugin(fragment: Y.XmlFragment): Plugin {
	return onlyWhenDocChanges(ySyncPlugin(fragment), bindingFree);
}

/** Whether y-prosemirror's binding would write now: its mutex is free (not inside a remote change). */
function bindingFree(state: EditorState): boolean {
	const binding = (ySyncPluginKey.getState(state) as { binding?: { mux: (run: () => void, otherwise?: () => void) => void } } | undefined)?.binding;
	if (!binding) return true;
	let free = false;
	binding.mux(
		() => (free = true),
		() => (free = false)
	);
	return free;
}
