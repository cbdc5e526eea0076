/**
 * A page body shown to someone who may not write (src/lib/editor/read-only.ts).
 *   [R1] content this schema does not know (a newer version's node or mark) is shown as text and
 *        the Y document is left exactly as it was — y-prosemirror's own render would delete it
 *   [R2] ordinary content renders exactly as y-prosemirror renders it
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { prosemirrorToYXmlFragment, yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror';
import { readOnlyDoc } from '../../src/lib/editor/read-only.ts';
import { fromMarkdown } from '../../src/lib/editor/markdown.ts';
import { schema } from '../../src/lib/editor/schema.ts';

function newerDocument(): Y.Doc {
	const doc = new Y.Doc({ gc: false });
	const fragment = doc.getXmlFragment('prosemirror');
	doc.transact(() => {
		const para = new Y.XmlElement('paragraph');
		const text = new Y.XmlText();
		text.insert(0, 'known ');
		text.insert(6, 'highlighted', { highlight: { color: 'yellow' } });
		para.insert(0, [text]);
		const mystery = new Y.XmlElement('kanban_board');
		const inner = new Y.XmlElement('paragraph');
		const innerText = new Y.XmlText();
		innerText.insert(0, 'card text');
		inner.insert(0, [innerText]);
		mystery.insert(0, [inner]);
		const code = new Y.XmlElement('code_block');
		const codeText = new Y.XmlText();
		codeText.insert(0, 'x = 1', { strong: true });
		code.insert(0, [codeText]);
		fragment.insert(0, [para, mystery, code]);
	});
	return doc;
}

describe('read-only rendering', () => {
	it('[R1] unknown nodes and marks are shown, and nothing is written', () => {
		const doc = newerDocument();
		const before = Y.encodeStateAsUpdate(doc);
		const rendered = readOnlyDoc(doc.getXmlFragment('prosemirror'));
		expect(() => rendered.check()).not.toThrow();
		expect(rendered.textContent).toBe('known highlightedcard textx = 1');
		expect(Y.encodeStateAsUpdate(doc)).toEqual(before);

		// What y-prosemirror itself does with the same document: it deletes what it cannot build.
		const other = newerDocument();
		const stateBefore = Y.encodeStateAsUpdate(other);
		yXmlFragmentToProseMirrorRootNode(other.getXmlFragment('prosemirror'), schema);
		expect(Y.encodeStateAsUpdate(other)).not.toEqual(stateBefore);
	});

	it('[R2] known content renders as the binding renders it', () => {
		const page = fromMarkdown('# Title\n\n- [x] done\n  - [ ] nested\n\n> [!WARNING]\n> careful\n\n| a | b |\n| - | - |\n| 1 | **2** |\n\n```ts\nconst x = 1;\n```\n');
		const doc = new Y.Doc();
		prosemirrorToYXmlFragment(page, doc.getXmlFragment('prosemirror'));
		expect(readOnlyDoc(doc.getXmlFragment('prosemirror')).eq(page)).toBe(true);
		expect(yXmlFragmentToProseMirrorRootNode(doc.getXmlFragment('prosemirror'), schema).eq(page)).toBe(true);
	});
});
