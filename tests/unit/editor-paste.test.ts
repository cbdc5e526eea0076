/**
 * Paste decisions as pure functions (the DOM sanitiser itself runs in the browser test
 * tests/e2e/editor.test.ts, where a real inert document exists).
 *   [P1] only a single web or mail address (clean, not huge) links a selection
 *   [P2] plain text with Markdown blocks is parsed as Markdown; ordinary text is not
 *   [P3] a code editor's coloured HTML does not win over the Markdown source next to it
 *   [P4] pasted Markdown becomes a slice that joins the surrounding paragraph, valid for the schema
 *   [P5] Mod-K with a huge or control-laden address stores a clean one, or nothing
 *   [P6] Mod-click opens a link (through safeHref); a plain click only places the caret
 *   [P7] the link under the caret can be found, re-pointed (cleaned) and removed, keeping its text
 */
import { describe, expect, it } from 'vitest';
import { EditorState, TextSelection } from 'prosemirror-state';
import { hasStructuredHtml, looksLikeMarkdown, pastedLink } from '../../src/lib/editor/paste.ts';
import { markdownSlice } from '../../src/lib/editor/markdown.ts';
import { schema, MAX_HREF_LENGTH } from '../../src/lib/editor/schema.ts';
import { toggleLink, linkClickPlugin, linkAt, editLink, removeLink } from '../../src/lib/editor/link.ts';
import type { EditorView } from 'prosemirror-view';

describe('paste', () => {
	it('[P1] a single address links the selection', () => {
		expect(pastedLink('https://example.com/a?b=1')).toBe('https://example.com/a?b=1');
		expect(pastedLink('  http://example.com  ')).toBe('http://example.com');
		expect(pastedLink('mailto:ana@example.com')).toBe('mailto:ana@example.com');
		expect(pastedLink('www.example.com/x')).toBe('https://www.example.com/x');
		expect(pastedLink('javascript:alert(1)')).toBeNull();
		expect(pastedLink('data:text/html,<b>x</b>')).toBeNull();
		expect(pastedLink('see https://example.com')).toBeNull();
		expect(pastedLink('example')).toBeNull();
		expect(pastedLink(`https://example.com/${'a'.repeat(MAX_HREF_LENGTH)}`)).toBeNull();
		expect(pastedLink('https://exam\u0000ple.com')).toBe('https://example.com');
	});

	it('[P2] Markdown-looking text is recognised', () => {
		expect(looksLikeMarkdown('# Title\n\nSome text')).toBe(true);
		expect(looksLikeMarkdown('# Title')).toBe(true);
		expect(looksLikeMarkdown('Shopping:\n- milk\n- bread')).toBe(true);
		expect(looksLikeMarkdown('1. one\n2. two')).toBe(true);
		expect(looksLikeMarkdown('- [ ] a task')).toBe(true);
		expect(looksLikeMarkdown('```js\nx()\n```')).toBe(true);
		expect(looksLikeMarkdown('| a | b |\n| --- | --- |\n| 1 | 2 |')).toBe(true);
		expect(looksLikeMarkdown('> quoted\n> more')).toBe(true);
		expect(looksLikeMarkdown('Just a sentence.')).toBe(false);
		expect(looksLikeMarkdown('- 5 °C tonight')).toBe(false);
		expect(looksLikeMarkdown('a * b * c\nnext line')).toBe(false);
		expect(looksLikeMarkdown('#hashtag and more')).toBe(false);
	});

	it('[P3] coloured code-editor HTML loses to the Markdown text; real documents do not', () => {
		const vscode = `<meta charset='utf-8'><div style="color: #d4d4d4;white-space: pre;"><div><span style="color: #569cd6;"># Title</span></div></div>`;
		expect(hasStructuredHtml(vscode)).toBe(false);
		expect(hasStructuredHtml('<p>Hello <strong>there</strong></p>')).toBe(true);
		expect(hasStructuredHtml('<ul><li>one</li></ul>')).toBe(true);
		expect(hasStructuredHtml('<span>plain</span>')).toBe(false);
	});

	it('[P4] pasted Markdown is a valid slice that opens into the paragraph', () => {
		const slice = markdownSlice('**bold** and [a link](https://example.com)');
		expect(slice.openStart).toBe(1);
		expect(slice.content.firstChild?.type.name).toBe('paragraph');
		const doc = schema.node('doc', null, [schema.node('paragraph', null, [schema.text('Start: ')])]);
		const state = EditorState.create({ schema, doc, selection: TextSelection.create(doc, 8) });
		const pasted = state.apply(state.tr.replaceSelection(slice));
		expect(pasted.doc.childCount).toBe(1);
		expect(pasted.doc.textContent).toBe('Start: bold and a link');
		expect(() => pasted.doc.check()).not.toThrow();

		const blocks = markdownSlice('## Heading\n\n- [ ] task\n\n| a | b |\n| - | - |\n| 1 | 2 |\n');
		const into = state.apply(state.tr.replaceSelection(blocks));
		expect(() => into.doc.check()).not.toThrow();
		const names: string[] = [];
		into.doc.forEach((node) => names.push(node.type.name));
		expect(names).toContain('task_list');
		expect(names).toContain('table');
	});

	it('[P5] Mod-K cleans the address and refuses what it cannot clean', () => {
		const doc = schema.node('doc', null, [schema.node('paragraph')]);
		const state = EditorState.create({ schema, doc });
		let next = state;
		toggleLink(() => 'https://exa\u0007mple.com/\u202Ex')(state, (tr) => (next = state.apply(tr)));
		expect(next.doc.textContent).toBe('https://example.com/x');
		expect(next.doc.firstChild?.firstChild?.marks[0]?.attrs['href']).toBe('https://example.com/x');
		const refused = toggleLink(() => `https://example.com/${'a'.repeat(5000)}`)(state, () => {
			throw new Error('must not dispatch');
		});
		expect(refused).toBe(false);
	});

	it('[P6] Mod-click opens a link; a plain click does not', () => {
		const opened: string[] = [];
		const plugin = linkClickPlugin((href) => opened.push(href));
		const linked = (href: string) => schema.text('go', [schema.marks['link']!.create({ href })]);
		const doc = schema.node('doc', null, [schema.node('paragraph', null, [linked('https://example.com'), schema.text(' '), linked('javascript:alert(1)')])]);
		const view = { state: EditorState.create({ schema, doc }) } as unknown as EditorView;
		const click = (pos: number, mods: Partial<MouseEvent>) => plugin.props.handleClick!.call(plugin, view, pos, { button: 0, ...mods } as MouseEvent);
		expect(click(2, {})).toBe(false);
		expect(click(2, { ctrlKey: true })).toBe(true);
		expect(click(2, { metaKey: true })).toBe(true);
		expect(click(6, { ctrlKey: true })).toBe(false);
		expect(opened).toEqual(['https://example.com', 'https://example.com']);
	});

	it('[P7] edit and remove the link under the caret', () => {
		const mark = schema.marks['link']!.create({ href: 'https://old.example' });
		const doc = schema.node('doc', null, [schema.node('paragraph', null, [schema.text('see '), schema.text('the ', [mark]), schema.text('docs', [mark, schema.marks['strong']!.create()]), schema.text(' now')])]);
		const at = (pos: number) => EditorState.create({ schema, doc, selection: TextSelection.create(doc, pos) });
		expect(linkAt(at(2))).toBeNull();
		expect(linkAt(at(7))).toMatchObject({ from: 5, to: 13 });
		expect(linkAt(at(13))).toMatchObject({ from: 5, to: 13 }); // right after it
		let next = at(7);
		editLink((_q, current) => (current === 'https://old.example' ? 'new.example\u0000' : null))(next, (tr) => (next = next.apply(tr)));
		const hrefs = new Set<string>();
		next.doc.descendants((node) => {
			for (const m of node.marks) if (m.type.name === 'link') hrefs.add(m.attrs['href'] as string);
		});
		expect([...hrefs]).toEqual(['https://new.example']);
		expect(editLink(() => 'javascript:x')(next, () => {})).toBe(false);
		removeLink(next, (tr) => (next = next.apply(tr)));
		expect(linkAt(next)).toBeNull();
		expect(next.doc.textContent).toBe('see the docs now');
	});
});
