/**
 * [YS1] The sync plugin's view `update` is passed on for the first call and for every new
 *       document, and skipped while the document is the one it last saw (src/lib/editor/y-sync.ts).
 * [YS2] The wrapped plugin keeps its key, state and props; `destroy` reaches the inner view.
 * [YS3] An update made while the binding could not write (busy with a remote change) does not
 *       count as seen: the next update, even with the same document, is passed on.
 */
import { describe, expect, it } from 'vitest';
import { EditorState, Plugin, PluginKey, type PluginView } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import { schema } from '../../src/lib/editor/schema.ts';
import { onlyWhenDocChanges } from '../../src/lib/editor/y-sync.ts';

function counting() {
	const calls = { update: 0, destroy: 0 };
	const key = new PluginKey<number>('counting');
	const plugin = new Plugin<number>({
		key,
		state: { init: () => 0, apply: (_tr, n) => n + 1 },
		props: { attributes: { 'data-x': '1' } },
		view: () => ({ update: () => void calls.update++, destroy: () => void calls.destroy++ })
	});
	return { calls, key, plugin };
}

describe('the sync plugin writes only after a change of document', () => {
	it('[YS1] skips updates that leave the document as it was', () => {
		const { calls, plugin } = counting();
		const wrapped = onlyWhenDocChanges(plugin);
		let state = EditorState.create({ schema, plugins: [wrapped], doc: schema.node('doc', null, [schema.node('paragraph')]) });
		const view = { get state() { return state; } } as unknown as EditorView;
		const inner = wrapped.spec.view!(view) as PluginView;
		const update = (previous: EditorState) => inner.update!(view, previous);

		let previous = state;
		update(previous);
		expect(calls.update).toBe(1);
		// Meta-only and selection-only transactions keep the document.
		previous = state;
		state = state.apply(state.tr.setMeta('refresh', true));
		update(previous);
		previous = state;
		state = state.apply(state.tr.setSelection(state.selection));
		update(previous);
		expect(calls.update).toBe(1);
		previous = state;
		state = state.apply(state.tr.insertText('a', 1));
		update(previous);
		expect(calls.update).toBe(2);
		update(previous);
		expect(calls.update).toBe(2);
	});

	it('[YS2] keeps the plugin as it was otherwise', () => {
		const { calls, key, plugin } = counting();
		const wrapped = onlyWhenDocChanges(plugin);
		expect(wrapped.spec.key).toBe(key);
		const state = EditorState.create({ schema, plugins: [wrapped] });
		expect(key.getState(state)).toBe(0);
		expect(key.getState(state.apply(state.tr))).toBe(1);
		expect(wrapped.props.attributes).toEqual({ 'data-x': '1' });
		const view = { state } as unknown as EditorView;
		(wrapped.spec.view!(view) as PluginView).destroy!();
		expect(calls.destroy).toBe(1);
	});

	it('[YS3] an update the binding could not write is tried again by the next one', () => {
		const { calls, plugin } = counting();
		let free = true;
		const wrapped = onlyWhenDocChanges(plugin, () => free);
		let state = EditorState.create({ schema, plugins: [wrapped], doc: schema.node('doc', null, [schema.node('paragraph')]) });
		const view = { get state() { return state; } } as unknown as EditorView;
		const inner = wrapped.spec.view!(view) as PluginView;
		inner.update!(view, state);
		const previous = state;
		state = state.apply(state.tr.insertText('a', 1));
		free = false;
		inner.update!(view, previous);
		expect(calls.update).toBe(2);
		free = true;
		// Same document, but the last update could not write: passed on.
		inner.update!(view, state);
		expect(calls.update).toBe(3);
		inner.update!(view, state);
		expect(calls.update).toBe(3);
	});
});
