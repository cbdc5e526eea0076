/**
 * Rendering versions and comparisons (src/lib/editor/history-render.ts).
 *
 * [HR1] versionDoc shows the body as it was at a snapshot, after later edits and deletions.
 * [HR2] compareDoc marks text inserted since the version `inserted` and text deleted since
 *       `removed`, each with the member who did it, from two replicas' concurrent edits.
 * [HR3] Unknown nodes from a newer schema are shown as text, in both views; nothing is written.
 * [HR4] A restore written as the editor writes it (y-prosemirror) is a new edit: it merges with a
 *       teammate's concurrent edit, every earlier version still reads as it was, and the state it
 *       replaced is kept as a version that restores it back.
 * [HR5] The static rendering of either view (components/history/render.ts) puts the document's
 *       text and attributes in as text, never as markup, and its links lead nowhere: a version
 *       holding `<img onerror>`-looking text under a `javascript:` link renders as inert text.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Origin, bodyFragment, newPageDoc, seedPageBody, trackAuthorship } from '../../src/lib/model/index.ts';
import { Attribution, bodyAt, readSnapshot, takeSnapshot } from '../../src/lib/model/history.ts';
import { changeRuns, compareDoc, historySchema, versionDoc } from '../../src/lib/editor/history-render.ts';
import { schema } from '../../src/lib/editor/schema.ts';
import { EditorState } from 'prosemirror-state';
import { initProseMirrorDoc, updateYFragment } from 'y-prosemirror';
import { autoVersion, listVersions, nameVersion } from '../../src/lib/model/versions.ts';
import { readOnlyDoc } from '../../src/lib/editor/read-only.ts';
import { syncBoth } from '../support/model-helpers.ts';
import { renderHistoryDoc } from '../../src/lib/components/history/render.ts';

/**
 * Just enough of a DOM for DOMSerializer, with no parser at all (no innerHTML): whatever reaches
 * it arrives through createElement, setAttribute and createTextNode, and the test reads it back.
 */
class FakeNode {
	readonly childNodes: FakeNode[] = [];
	readonly attributes = new Map<string, string>();
	constructor(
		readonly nodeType: number,
		readonly tagName: string,
		readonly data = ''
	) {}
	appendChild(child: FakeNode): FakeNode {
		this.childNodes.push(child);
		return child;
	}
	setAttribute(name: string, value: string): void {
		this.attributes.set(name, String(value));
	}
	getAttribute(name: string): string | null {
		return this.attributes.get(name) ?? null;
	}
	removeAttribute(name: string): void {
		this.attributes.delete(name);
	}
	get textContent(): string {
		return this.nodeType === 3 ? this.data : this.childNodes.map((c) => c.textContent).join('');
	}
	*elements(): Generator<FakeNode> {
		for (const child of this.childNodes) {
			if (child.nodeType !== 1) continue;
			yield child;
			yield* child.elements();
		}
	}
}

const fakeDocument = {
	createElement: (tag: string) => new FakeNode(1, tag.toUpperCase()),
	createTextNode: (text: string) => new FakeNode(3, '#text', text),
	createDocumentFragment: () => new FakeNode(11, '#document-fragment')
} as unknown as Document;

/** What restore.ts dispatches, written to Yjs the way y-prosemirror's binding does. */
function restore(doc: Y.Doc, snapshot: Y.Snapshot): void {
	const fragment = bodyFragment(doc);
	const { doc: current, meta } = initProseMirrorDoc(fragment, schema);
	const state = EditorState.create({ schema, doc: current });
	const tr = state.tr.replaceWith(0, state.doc.content.size, versionDoc(fragment, snapshot).content);
	updateYFragment(doc, fragment, tr.doc, meta);
}

function texts(doc: Y.Doc): string[] {
	const rendered = readOnlyDoc(bodyFragment(doc));
	const out: string[] = [];
	rendered.forEach((block) => out.push(block.textContent));
	return out;
}

function paragraph(doc: Y.Doc, index = 0): Y.XmlText {
	const element = bodyFragment(doc).get(index) as Y.XmlElement;
	if (element.length === 0) doc.transact(() => element.insert(0, [new Y.XmlText()]), Origin.seed);
	return element.get(0) as Y.XmlText;
}

function addParagraph(doc: Y.Doc, text: string): void {
	const element = new Y.XmlElement('paragraph');
	element.insert(0, [new Y.XmlText(text)]);
	bodyFragment(doc).push([element]);
}

describe('versionDoc', () => {
	it('[HR1] shows the body as it was', () => {
		const doc = newPageDoc();
		seedPageBody(doc, 'page');
		paragraph(doc).insert(0, 'Hello world');
		paragraph(doc).format(0, 5, { strong: true });
		addParagraph(doc, 'Second');
		const then = readSnapshot(takeSnapshot(doc))!;
		paragraph(doc).delete(0, 6);
		paragraph(doc).insert(0, 'Goodbye ');
		bodyFragment(doc).delete(1, 1);
		addParagraph(doc, 'Third');

		const old = versionDoc(bodyFragment(doc), then);
		expect(old.type.schema).toBe(schema);
		expect(old.childCount).toBe(2);
		expect(old.child(0).textContent).toBe('Hello world');
		expect(old.child(0).firstChild!.marks.map((m) => m.type.name)).toEqual(['strong']);
		expect(old.child(1).textContent).toBe('Second');
		expect(versionDoc(bodyFragment(doc), then, historySchema).type.schema).toBe(historySchema);
	});
});

describe('compareDoc', () => {
	it('[HR2] marks insertions and deletions with who made them', () => {
		const ana = newPageDoc();
		seedPageBody(ana, 'page');
		const ben = newPageDoc();
		let now = 1_000_000;
		trackAuthorship(ana, 'ana', () => now);
		trackAuthorship(ben, 'ben', () => now);
		paragraph(ana).insert(0, 'The plan is simple.');
		syncBoth(ana, ben);
		const version = readSnapshot(takeSnapshot(ana))!;

		// Concurrent edits: Ana appends, Ben deletes "simple" and adds a paragraph.
		now += 120_000;
		paragraph(ana).insert(paragraph(ana).length, ' Ship it.');
		paragraph(ben).delete(12, 7);
		paragraph(ben).insert(12, 'bold.');
		addParagraph(ben, 'Ben was here');
		syncBoth(ana, ben);

		for (const replica of [ana, ben]) {
			const compared = compareDoc(bodyFragment(replica), version, null, new Attribution(replica));
			expect(compared.type.schema).toBe(historySchema);
			expect(compared.child(0).textContent).toContain('simple.');
			const runs = changeRuns(compared).map(({ kind, text, member }) => ({ kind, text, member }));
			expect(runs).toContainEqual({ kind: 'removed', text: 'simple.', member: 'ben' });
			expect(runs).toContainEqual({ kind: 'inserted', text: 'bold.', member: 'ben' });
			expect(runs).toContainEqual({ kind: 'inserted', text: ' Ship it.', member: 'ana' });
			expect(runs).toContainEqual({ kind: 'inserted', text: 'Ben was here', member: 'ben' });
			// Unchanged text carries no mark.
			expect(runs.some((r) => r.text.includes('The plan'))).toBe(false);
			const inserted = changeRuns(compared).find((r) => r.text === ' Ship it.')!;
			expect(inserted.at).toBe(1_120_000);
		}
	});
});

describe('tolerance', () => {
	it('[HR3] unknown nodes show as text and nothing is written', () => {
		const doc = newPageDoc();
		seedPageBody(doc, 'page');
		paragraph(doc).insert(0, 'Known');
		const future = new Y.XmlElement('hologram');
		future.insert(0, [new Y.XmlText('From the future')]);
		bodyFragment(doc).push([future]);
		const version = readSnapshot(takeSnapshot(doc))!;
		(future.get(0) as Y.XmlText).insert(0, 'Still ');
		// Reads at a snapshot split structs in a transaction of their own; on the live document the
		// editor and the trackers would see one, so none may happen there (the state itself would not
		// show it: a split changes no encoded update).
		// (Attribution is built first: its first read of a record array never written defines the type,
		// an empty transaction of Yjs's own.)
		const attribution = new Attribution(doc);
		let transactions = 0;
		doc.on('beforeTransaction', () => transactions++);

		expect(versionDoc(bodyFragment(doc), version).textContent).toBe('KnownFrom the future');
		const compared = compareDoc(bodyFragment(doc), version, null, attribution);
		expect(compared.child(1).type.name).toBe('paragraph');
		expect(compared.child(1).textContent).toBe('Still From the future');
		expect(changeRuns(compared)).toEqual([{ kind: 'inserted', text: 'Still ', member: null, at: null }]);
		expect(bodyAt(doc, version)).not.toBeNull();
		expect(transactions).toBe(0);
	});
});

describe('restoring', () => {
	it('[HR4] is a new edit that merges, keeps history, and can be restored back', () => {
		const ana = newPageDoc();
		seedPageBody(ana, 'page');
		const ben = newPageDoc();
		paragraph(ana).insert(0, 'Draft one');
		syncBoth(ana, ben);
		const actor = { memberId: 'ana', now: 1_000 };
		nameVersion(ana, 'Sent to client', actor);
		paragraph(ana).delete(6, 3);
		paragraph(ana).insert(6, 'two');
		addParagraph(ana, 'Appendix');
		syncBoth(ana, ben);
		expect(texts(ana)).toEqual(['Draft two', 'Appendix']);

		// Ana restores the named version while Ben adds a paragraph apart.
		const named = listVersions(ana).find((v) => v.name === 'Sent to client')!;
		autoVersion(ana, actor, { name: 'Before restoring “Sent to client”' });
		restore(ana, named.snapshot);
		expect(texts(ana)).toEqual(['Draft one']);
		addParagraph(ben, 'Ben’s note');
		syncBoth(ana, ben);
		expect(texts(ana)).toEqual(texts(ben));
		expect(texts(ana)).toEqual(['Draft one', 'Ben’s note']);

		// History is intact: the named version reads as it was, and so does the state it replaced.
		const before = listVersions(ben).find((v) => v.name?.startsWith('Before restoring'))!;
		expect(versionDoc(bodyFragment(ben), named.snapshot).textContent).toBe('Draft one');
		expect(versionDoc(bodyFragment(ben), before.snapshot).textContent).toBe('Draft twoAppendix');
		restore(ben, before.snapshot);
		syncBoth(ana, ben);
		expect(texts(ana)).toEqual(['Draft two', 'Appendix']);
		expect(texts(ben)).toEqual(texts(ana));
	});
});

describe('static rendering', () => {
	it('[HR5] text and attributes stay text; links are inert', () => {
		const hostile = '<img src=x onerror="alert(1)">';
		const doc = newPageDoc();
		seedPageBody(doc, 'page');
		const ana = 'ana"><img src=x onerror=alert(2)>';
		trackAuthorship(doc, ana, () => 1_000);
		paragraph(doc).insert(0, hostile, { link: { href: 'javascript:alert(1)', title: '"><script>alert(3)</script>' } });
		paragraph(doc).insert(paragraph(doc).length, ' and ', { link: null });
		paragraph(doc).insert(paragraph(doc).length, 'a real one', { link: { href: 'https://example.com/?q=<b>', title: null } });
		const version = readSnapshot(takeSnapshot(doc))!;
		paragraph(doc).insert(0, hostile);

		const titles: string[] = [];
		const describe = (what: string, member: string) => {
			titles.push(member);
			return `${what} by ${member}`;
		};
		for (const shown of [versionDoc(bodyFragment(doc), version, historySchema), compareDoc(bodyFragment(doc), version, null, new Attribution(doc))]) {
			const rendered = renderHistoryDoc(shown, describe, fakeDocument) as unknown as FakeNode;
			const elements = [...rendered.elements()];
			// Only the schema's own elements, and no attribute that runs or leads anywhere.
			for (const element of elements) expect(['P', 'A', 'INS', 'DEL']).toContain(element.tagName);
			for (const element of elements) {
				for (const name of element.attributes.keys()) expect(name).not.toMatch(/^(on|href$|target$|src$)/);
			}
			const links = elements.filter((e) => e.tagName === 'A');
			expect(links.map((a) => a.textContent)).toEqual([hostile, 'a real one']);
			expect(links.map((a) => a.getAttribute('title'))).toEqual(['"><script>alert(3)</script>', 'https://example.com/?q=<b>']);
			expect(rendered.textContent).toContain(`${hostile} and a real one`);
		}
		// The comparison's insertion says who, as an attribute value (text), from the record as is.
		expect(titles).toEqual([ana]);
	});
});
