/**
 * A commenter's read-only body (src/lib/editor/refuse-edits.ts) and the comment shortcut.
 *   [RE1] every document change is refused: typing, deleting, replacing, a mark, a node attribute
 *   [RE2] selection changes and meta-only transactions pass (Shift+arrows, comment highlights)
 *   [RE3] the read-only re-render from the Y document passes
 *   [RE4] mayEdit/refusesEdits tell a refusing state from an ordinary one
 *   [RE5] Ctrl+Alt+M starts a thread; AltGr+M (reported as Ctrl+Alt on Windows) does not
 */
import { describe, expect, it } from 'vitest';
import { EditorState, TextSelection } from 'prosemirror-state';
import { schema } from '../../src/lib/editor/schema.ts';
import { readOnlyRender, refuseEdits, refusesEdits } from '../../src/lib/editor/refuse-edits.ts';
import { isStartShortcut } from '../../src/lib/editor/comments.ts';

function paragraphs(...texts: string[]) {
	return schema.node('doc', null, texts.map((text) => schema.node('paragraph', null, text ? [schema.text(text)] : [])));
}

function refusing(): EditorState {
	return EditorState.create({ schema, doc: paragraphs('Hello world'), plugins: [refuseEdits()] });
}

describe('refuseEdits', () => {
	it('[RE1] refuses every change to the document', () => {
		const state = refusing();
		const changes = [
			state.tr.insertText('x', 1),
			state.tr.delete(1, 3),
			state.tr.replaceWith(0, state.doc.content.size, paragraphs('Other').content),
			state.tr.addMark(1, 6, schema.marks['strong']!.create()),
			state.tr.setNodeMarkup(0, schema.nodes['heading'], { level: 1 }),
			state.tr.insertText('pasted', 1, 12)
		];
		for (const tr of changes) {
			expect(tr.docChanged).toBe(true);
			expect(state.applyTransaction(tr).state.doc.eq(state.doc)).toBe(true);
		}
	});

	it('[RE2] lets selection changes and meta-only transactions through', () => {
		const state = refusing();
		const selected = state.apply(state.tr.setSelection(TextSelection.create(state.doc, 1, 6)));
		expect(selected.selection.from).toBe(1);
		expect(selected.selection.to).toBe(6);
		expect(state.applyTransaction(state.tr.setMeta('comments', 'refresh')).transactions).toHaveLength(1);
	});

	it('[RE3] lets the read-only re-render from the Y document through', () => {
		const state = refusing();
		const rendered = state.apply(readOnlyRender(state.tr.replaceWith(0, state.doc.content.size, paragraphs('A teammate wrote this').content)));
		expect(rendered.doc.textContent).toBe('A teammate wrote this');
	});

	it('[RE4] tells a refusing state from an ordinary one', () => {
		expect(refusesEdits(refusing())).toBe(true);
		expect(refusesEdits(EditorState.create({ schema, doc: paragraphs('x') }))).toBe(false);
		const ordinary = EditorState.create({ schema, doc: paragraphs('x') });
		expect(ordinary.apply(ordinary.tr.insertText('y', 1)).doc.textContent).toBe('yx');
	});
});

describe('the comment shortcut', () => {
	const key = (init: { ctrl?: boolean; alt?: boolean; meta?: boolean; shift?: boolean; altGraph?: boolean; code?: string }) => ({
		ctrlKey: init.ctrl ?? false,
		altKey: init.alt ?? false,
		metaKey: init.meta ?? false,
		shiftKey: init.shift ?? false,
		code: init.code ?? 'KeyM',
		getModifierState: (name: string) => name === 'AltGraph' && (init.altGraph ?? false)
	});

	it('[RE5] Ctrl+Alt+M (Cmd+Alt+M on a Mac) starts a thread, AltGr+M does not', () => {
		expect(isStartShortcut(key({ ctrl: true, alt: true }), false)).toBe(true);
		expect(isStartShortcut(key({ meta: true, alt: true }), true)).toBe(true);
		// Windows reports AltGr as Ctrl+Alt, with the AltGraph modifier state set: that types µ.
		expect(isStartShortcut(key({ ctrl: true, alt: true, altGraph: true }), false)).toBe(false);
		expect(isStartShortcut(key({ ctrl: true, alt: true, shift: true }), false)).toBe(false);
		expect(isStartShortcut(key({ ctrl: true, alt: true, code: 'KeyN' }), false)).toBe(false);
		expect(isStartShortcut(key({ ctrl: true, alt: true }), true)).toBe(false);
	});
});
