/**
 * The page schema and link command, on plain ProseMirror states (no DOM needed).
 *   [E1] links to other members' addresses render only http(s), mailto and relative targets
 *   [E2] Mod-K links the selection, and removes a link from a linked selection
 *   [E3] Mod-K refuses a javascript: address and changes nothing
 *   [E4] an emptied document stays valid for y-prosemirror: the schema has no `paragraph block*` items
 *   [E5] link targets with control characters are cleaned, huge ones refused; titles are capped
 *   [E6] attributes another client stored badly are read safely, never rejected (rejecting drops the node)
 */
import { describe, expect, it } from 'vitest';
import { EditorState, TextSelection } from 'prosemirror-state';
import { schema, safeHref, cleanHref, cleanTitle, calloutTone, codeLanguage, MAX_HREF_LENGTH } from '../../src/lib/editor/schema.ts';
import { toggleLink } from '../../src/lib/editor/link.ts';

function stateWith(text: string, from: number, to: number): EditorState {
	const doc = schema.node('doc', null, [schema.node('paragraph', null, [schema.text(text)])]);
	const state = EditorState.create({ schema, doc });
	return state.apply(state.tr.setSelection(TextSelection.create(state.doc, from, to)));
}

function run(state: EditorState, answer: string | null): EditorState {
	let next = state;
	toggleLink(() => answer)(state, (tr) => (next = state.apply(tr)));
	return next;
}

describe('editor schema', () => {
	it('[E1] only safe link targets are clickable', () => {
		expect(safeHref('https://example.com/a')).toBe('https://example.com/a');
		expect(safeHref('mailto:a@example.com')).toBe('mailto:a@example.com');
		expect(safeHref('/w/abc')).toBe('/w/abc');
		expect(safeHref('example.com')).toBe('https://example.com');
		expect(safeHref('javascript:alert(1)')).toBe('#');
		expect(safeHref('data:text/html,x')).toBe('#');
	});

	it('[E2] Mod-K links the selection and unlinks a linked one', () => {
		const linked = run(stateWith('hello world', 1, 6), 'https://example.com');
		const marks = linked.doc.nodeAt(1)?.marks ?? [];
		expect(marks.map((m) => [m.type.name, m.attrs['href']])).toEqual([['link', 'https://example.com']]);
		expect(linked.doc.textContent).toBe('hello world');
		const unlinked = run(linked.apply(linked.tr.setSelection(TextSelection.create(linked.doc, 1, 6))), null);
		expect(unlinked.doc.nodeAt(1)?.marks ?? []).toEqual([]);
	});

	it('[E3] a javascript: address is refused and nothing changes', () => {
		const state = stateWith('hello', 1, 6);
		const after = run(state, 'javascript:alert(1)');
		expect(after.doc.eq(state.doc)).toBe(true);
	});

	it('[E4] list items accept any blocks, so a merge that removes their first paragraph keeps the rest', () => {
		const item = schema.nodes['list_item']!;
		const list = schema.node('bullet_list', null, [item.create(null, [schema.node('bullet_list', null, [item.create(null, [schema.node('paragraph')])])])]);
		expect(() => list.check()).not.toThrow();
	});

	it('[E5] control characters are stripped from link targets and huge targets are refused', () => {
		expect(cleanHref('https://exa\u0000mple.com/\u202Ea')).toBe('https://example.com/a');
		expect(cleanHref('java\nscript:alert(1)')).toBeNull();
		expect(cleanHref('  ')).toBeNull();
		expect(cleanHref(`https://example.com/${'a'.repeat(MAX_HREF_LENGTH)}`)).toBeNull();
		expect(safeHref(`https://example.com/${'a'.repeat(MAX_HREF_LENGTH)}`)).toBe('#');
		expect(cleanTitle('a\u0007b  c')).toBe('a b c');
		expect(cleanTitle('x'.repeat(10_000))!.length).toBe(500);
		expect(cleanTitle('\u0000')).toBeNull();
	});

	it('[E6] badly stored attributes read as safe values', () => {
		expect(calloutTone('warning')).toBe('warning');
		expect(calloutTone('<script>')).toBe('info');
		expect(calloutTone(7)).toBe('info');
		expect(codeLanguage(' TypeScript ')).toBe('typescript');
		expect(codeLanguage('js" onload="x')).toBe('jsonloadx');
		expect(codeLanguage(null)).toBe('');
		const callout = schema.node('callout', { tone: 'bogus' }, [schema.node('paragraph')]);
		expect(() => callout.check()).not.toThrow();
		const link = schema.marks['link']!.create({ href: 42 });
		expect(link.attrs['href']).toBe(42);
	});
});
