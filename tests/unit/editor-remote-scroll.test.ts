/**
 * [RS1] A teammate's change (y-prosemirror's transaction asking to scroll) does not scroll the view;
 *       this member's own changes, and their undo and redo, still do (src/lib/editor/remote-scroll.ts).
 */
import { describe, expect, it } from 'vitest';
import { EditorState, type Transaction } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import { ySyncPluginKey } from 'y-prosemirror';
import { schema } from '../../src/lib/editor/schema.ts';
import { remoteChangesDoNotScroll } from '../../src/lib/editor/remote-scroll.ts';

describe('remote changes and scrolling', () => {
	it('[RS1] only the latest transaction that asked to scroll decides, and only a teammate\'s is kept from scrolling', () => {
		const plugin = remoteChangesDoNotScroll();
		let state = EditorState.create({ schema, plugins: [plugin], doc: schema.node('doc', null, [schema.node('paragraph')]) });
		/** What ProseMirror asks the plugin before scrolling to the selection: true means "do not scroll". */
		const skipsScroll = () => plugin.props.handleScrollToSelection!.call(plugin, { state } as EditorView);
		const apply = (make: (tr: Transaction) => Transaction) => {
			state = state.apply(make(state.tr));
		};
		const remote = (tr: Transaction) => tr.insertText('x', 1).setMeta(ySyncPluginKey, { isChangeOrigin: true, isUndoRedoOperation: false }).scrollIntoView();
		const undo = (tr: Transaction) => tr.insertText('u', 1).setMeta(ySyncPluginKey, { isChangeOrigin: true, isUndoRedoOperation: true }).scrollIntoView();
		const typed = (tr: Transaction) => tr.insertText('t', 1).scrollIntoView();

		expect(skipsScroll()).toBe(false);
		apply(remote);
		expect(skipsScroll()).toBe(true);
		apply(typed);
		expect(skipsScroll()).toBe(false);
		apply(remote);
		// A change that does not ask to scroll leaves the answer as it was.
		apply((tr) => tr.insertText('n', 1));
		expect(skipsScroll()).toBe(true);
		apply(undo);
		expect(skipsScroll()).toBe(false);
	});
});
