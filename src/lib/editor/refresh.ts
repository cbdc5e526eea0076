/**
 * Re-reading a plugin's decorations after the view has settled: comment anchors, author colours
 * and "changed since" highlights read the Y document and the binding's mapping, which are only
 * consistent once the transaction that changed them has been applied everywhere — never inside a
 * plugin's `apply`. So a change queues one microtask, however many arrive meanwhile, and that
 * dispatches a transaction carrying `meta` for the plugin to re-read on.
 */
import type { PluginKey } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';

/**
 * A function that asks for one re-read of `key`'s plugin (meta `meta`) after the view settles;
 * `wanted` is asked first (a plugin switched off needs none).
 */
export function refreshLater(view: EditorView, key: PluginKey, meta: unknown, wanted: () => boolean = () => true): () => void {
	let queued = false;
	return () => {
		if (queued || !wanted()) return;
		queued = true;
		queueMicrotask(() => {
			queued = false;
			// No 'addToHistory' meta: y-prosemirror would stop the undo manager's capturing, and
			// every keystroke would become an undo step of its own.
			if (!view.isDestroyed) view.dispatch(view.state.tr.setMeta(key, meta));
		});
	};
}
