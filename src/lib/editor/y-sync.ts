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
 * capturing only around a write, and renders nothing while a snapshot is shown.
 */
import { Plugin, type PluginSpec, type PluginView } from 'prosemirror-state';
import type { Node } from 'prosemirror-model';
import { ySyncPlugin } from 'y-prosemirror';
import type * as Y from 'yjs';

/** `plugin` with its view's `update` called only when the view's document changed since the last call. */
export function onlyWhenDocChanges<T>(plugin: Plugin<T>): Plugin<T> {
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
					seen = view.state.doc;
					inner.update?.(view, previous);
				},
				destroy: () => inner.destroy?.()
			};
		}
	};
	return new Plugin(spec);
}

/** y-prosemirror's sync plugin for `fragment`, writing to Yjs only after a change of document. */
export function syncPlugin(fragment: Y.XmlFragment): Plugin {
	return onlyWhenDocChanges(ySyncPlugin(fragment));
}
