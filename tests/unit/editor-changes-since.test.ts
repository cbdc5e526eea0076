/**
 * "Changed since you last looked" highlights through a teammate's change (editor/changes-since.ts):
 * y-prosemirror applies every remote change as one replacement of the whole document, and the
 * highlights are re-read only every REMOTE_REFRESH_MS, so in between they must be mapped by what
 * actually changed, not dropped.
 *
 * [CS-R] A change from elsewhere is re-read REMOTE_REFRESH_MS after it, later ones joining it, and
 *        not while the member types: then once they have paused OWN_EDIT_QUIET_MS (RemoteRefresh).
 */
import { describe, expect, it } from 'vitest';
import { EditorState } from 'prosemirror-state';
import { Decoration, DecorationSet } from 'prosemirror-view';
import { Fragment, Slice } from 'prosemirror-model';
import { ySyncPluginKey } from 'y-prosemirror';
import { schema } from '../../src/lib/editor/schema.ts';
import { mapSync, REMOTE_REFRESH_MS, RemoteRefresh } from '../../src/lib/editor/changes-since.ts';
import { OWN_EDIT_QUIET_MS } from '../../src/lib/sync/pace.ts';
import { fakeClock } from '../support/fake-clock.ts';

const p = (text: string) => schema.node('paragraph', null, text ? [schema.text(text)] : []);

describe('changes-since highlights through a sync transaction', () => {
	it('keep their text when a teammate types in an earlier paragraph', () => {
		const first = p('alpha');
		const second = p('beta gamma');
		const state = EditorState.create({ schema, doc: schema.node('doc', null, [first, second]) });
		// "gamma" (in the second paragraph) is highlighted.
		const from = first.nodeSize + 1 + 'beta '.length;
		const set = DecorationSet.create(state.doc, [Decoration.inline(from, from + 'gamma'.length, { class: 'changed-since' })]);
		// As y-prosemirror writes it: the whole document replaced, unchanged nodes shared.
		const replaced = Fragment.from([p('alpha and more'), second]);
		const tr = state.tr.replace(0, state.doc.content.size, new Slice(replaced, 0, 0)).setMeta(ySyncPluginKey, { isChangeOrigin: true });

		const mapped = mapSync(set, tr).find();
		expect(mapped).toHaveLength(1);
		expect(tr.doc.textBetween(mapped[0]!.from, mapped[0]!.to)).toBe('gamma');
		// Mapped through the step itself, the highlight would be gone.
		expect(set.map(tr.mapping, tr.doc).find()).toHaveLength(0);
	});

	it('are kept as they are when the replacement changed nothing', () => {
		const state = EditorState.create({ schema, doc: schema.node('doc', null, [p('one'), p('two')]) });
		const set = DecorationSet.create(state.doc, [Decoration.inline(1, 4, { class: 'changed-since' })]);
		const tr = state.tr.replace(0, state.doc.content.size, new Slice(state.doc.content, 0, 0)).setMeta(ySyncPluginKey, { isChangeOrigin: true });
		expect(mapSync(set, tr).find().map((d) => [d.from, d.to])).toEqual([[1, 4]]);
	});
});

describe('when a change from elsewhere is re-read', () => {
	function harness() {
		const clock = fakeClock();
		let reads = 0;
		const refresh = new RemoteRefresh(() => reads++, { now: clock.now, schedule: clock.schedule });
		return { refresh, advance: clock.advance, reads: () => reads, pending: clock.pending };
	}


	it('[CS-R] once, REMOTE_REFRESH_MS after a change, and not while the member types', () => {
		const h = harness();
		h.refresh.changed();
		h.advance(100);
		h.refresh.changed();
		h.advance(REMOTE_REFRESH_MS - 101);
		expect(h.reads()).toBe(0);
		h.advance(1);
		expect(h.reads()).toBe(1);
		// The member types a key every 100 ms while the teammate's changes keep coming: no re-read.
		for (let key = 0; key < 30; key++) {
			h.refresh.typed();
			h.refresh.changed();
			h.advance(100);
		}
		expect(h.reads()).toBe(1);
		// They pause: read once they have been quiet OWN_EDIT_QUIET_MS.
		h.advance(OWN_EDIT_QUIET_MS - 100 - 1);
		expect(h.reads()).toBe(1);
		h.advance(1);
		expect(h.reads()).toBe(2);
		h.refresh.changed();
		h.refresh.stop();
		h.advance(10 * REMOTE_REFRESH_MS);
		expect(h.reads()).toBe(2);
		expect(h.pending()).toBe(0);
	});
});
