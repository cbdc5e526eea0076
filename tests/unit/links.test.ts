/**
 * Links between pages.
 *   [L1] page_link survives JSON and a y-prosemirror round trip (its pageId stored on the Y.XmlElement),
 *        and renders read-only without the binding
 *   [L2] links are extracted from a page body by target id (nested, each once, malformed skipped)
 *   [L3] the backlinks index follows inserts, deletes and remote updates, in batches off the edit
 *   [L4] Markdown: page links export as [Title](/w/<ws>/p/<id>), deleted ones as text; import keeps a normal link
 *   [L5] the `[[` menu: opens on `[[`, filters by title, ends with "Create page", inserts a link
 *   [L6] copied plain text shows a page link's current title
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { EditorState, TextSelection } from 'prosemirror-state';
import { Node, Slice } from 'prosemirror-model';
import { prosemirrorToYXmlFragment, yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror';
import { schema } from '../../src/lib/editor/schema.ts';
import { readOnlyDoc } from '../../src/lib/editor/read-only.ts';
import { fromMarkdown, pageMarkdown, toMarkdown } from '../../src/lib/editor/markdown.ts';
import { pageLinkTargets } from '../../src/lib/model/links.ts';
import { BacklinkIndex } from '../../src/lib/sync/backlinks.ts';
import { OWN_EDIT_QUIET_MS } from '../../src/lib/sync/pace.ts';
import { Origin } from '../../src/lib/model/origins.ts';
import { createPage, deletePage, renamePage } from '../../src/lib/model/workspace.ts';
import { pageLinkClipboardText, pageLinkLabel, pagePath } from '../../src/lib/editor/page-link.ts';
import { pageLinkItems, pageLinkMenuPlugin, pageLinkMenuState, searchPages } from '../../src/lib/editor/page-link-menu.ts';

const n = schema.nodes;
const link = (pageId: string) => n['page_link']!.create({ pageId });
const p = (...content: (Node | string)[]) => n['paragraph']!.create(null, content.map((c) => (typeof c === 'string' ? schema.text(c) : c)));
const doc = (...blocks: Node[]) => n['doc']!.create(null, blocks);
const actor = { memberId: 'm1', now: 1 };

function bodyWith(node: Node): Y.Doc {
	const ydoc = new Y.Doc({ gc: false });
	prosemirrorToYXmlFragment(node, ydoc.getXmlFragment('prosemirror'));
	return ydoc;
}

/** Inserts a link to `pageId` at position 1 of the body's first paragraph, as the editor writes one; returns the paragraph. */
function linkFirstParagraph(body: Y.Doc, pageId: string): Y.XmlElement {
	const para = body.getXmlFragment('prosemirror').get(0) as Y.XmlElement;
	const el = new Y.XmlElement('page_link');
	el.setAttribute('pageId', pageId);
	para.insert(1, [el]);
	return para;
}

describe('[L1] the page_link node', () => {
	it('round-trips through JSON and through Yjs with its pageId', () => {
		const original = doc(p('see ', link('abc123'), ' here'));
		expect(Node.fromJSON(schema, original.toJSON()).eq(original)).toBe(true);
		const ydoc = bodyWith(original);
		const element = ydoc.getXmlFragment('prosemirror').get(0) as Y.XmlElement;
		const stored = element.toArray().find((c) => c instanceof Y.XmlElement) as Y.XmlElement;
		expect(stored.nodeName).toBe('page_link');
		expect(stored.getAttribute('pageId')).toBe('abc123');
		// A second replica renders it back identically, and nothing is deleted on the way.
		const other = new Y.Doc({ gc: false });
		Y.applyUpdate(other, Y.encodeStateAsUpdate(ydoc));
		const before = Y.encodeStateVector(other);
		expect(yXmlFragmentToProseMirrorRootNode(other.getXmlFragment('prosemirror'), schema).eq(original)).toBe(true);
		expect(Y.encodeStateVector(other)).toEqual(before);
		expect(readOnlyDoc(other.getXmlFragment('prosemirror')).eq(original)).toBe(true);
	});

	it('keeps a node with a malformed id from another client (read as no target) rather than dropping it', () => {
		const ydoc = bodyWith(doc(p('x', link('ok'))));
		const para = ydoc.getXmlFragment('prosemirror').get(0) as Y.XmlElement;
		(para.toArray()[1] as Y.XmlElement).setAttribute('pageId', 42 as unknown as string);
		const rendered = yXmlFragmentToProseMirrorRootNode(ydoc.getXmlFragment('prosemirror'), schema);
		expect(rendered.firstChild!.childCount).toBe(2);
		expect(pageLinkTargets(ydoc.getXmlFragment('prosemirror')).size).toBe(0);
	});
});

describe('[L2] extracting links', () => {
	it('finds every target once, nested in lists and tables, and skips malformed ids', () => {
		const body = doc(
			p(link('a'), ' and ', link('b'), link('a')),
			n['bullet_list']!.create(null, n['list_item']!.create(null, p(link('c')))),
			n['table']!.create(null, n['table_row']!.create(null, n['table_cell']!.create(null, p(link('d'))))),
			p(link('bad id!'))
		);
		expect([...pageLinkTargets(bodyWith(body).getXmlFragment('prosemirror'))].sort()).toEqual(['a', 'b', 'c', 'd']);
		expect(pageLinkTargets(bodyWith(doc(p('no links'))).getXmlFragment('prosemirror')).size).toBe(0);
	});
});

describe('[L3] the backlinks index', () => {
	function manual() {
		const queue: (() => void)[] = [];
		// A clock that stands still: every read takes no time, so nothing is paced.
		const index = new BacklinkIndex((run) => queue.push(run), () => 0);
		const runAll = () => queue.splice(0).forEach((run) => run());
		return { index, queue, runAll };
	}

	it('adds and removes backlinks as links are inserted and deleted, in one batch per burst of edits', () => {
		const { index, queue, runAll } = manual();
		const source = bodyWith(doc(p('start')));
		index.track('S', source);
		const changes: string[][] = [];
		index.onChange((changed) => changes.push([...changed].sort()));
		runAll();
		expect(index.backlinks('T')).toEqual([]);

		const para = linkFirstParagraph(source, 'T');
		const text = new Y.XmlText('typing');
		para.insert(2, [text]);
		text.insert(6, ' more');
		// Nothing computed on the edit itself; one batch queued for the whole burst.
		expect(index.backlinks('T')).toEqual([]);
		expect(queue.length).toBe(1);
		runAll();
		expect(index.backlinks('T')).toEqual(['S']);
		expect(changes).toEqual([['T']]);

		para.delete(1, 1);
		runAll();
		expect(index.backlinks('T')).toEqual([]);
		expect(changes.at(-1)).toEqual(['T']);
	});

	/**
	 * An index following page S, read once, on a clock that every look moves 5 ms on: a read "takes"
	 * 5 ms, so the page may be read again 100 ms (20 × 5) after it.
	 */
	function pacedIndex() {
		const queue: (() => void)[] = [];
		const time = { clock: 0 };
		const index = new BacklinkIndex((run) => queue.push(run), () => (time.clock += 5));
		const runAll = () => queue.splice(0).forEach((run) => run());
		const source = bodyWith(doc(p('start')));
		index.track('S', source);
		runAll();
		return { queue, time, index, runAll, source };
	}

	it('paces a page that takes long to read: read again only after PACE × its read time, then on a timer', async () => {
		const { queue, time, index, runAll, source } = pacedIndex();
		// A teammate's edit (the member's own are held for a pause: the next test).
		const para = source.transact(() => linkFirstParagraph(source, 'T'), Origin.relay);
		runAll();
		// Too soon after the last read: left dirty, not read.
		expect(index.backlinks('T')).toEqual([]);
		expect(queue).toHaveLength(0);
		// Once due, a timer asks for a batch, and that batch reads it.
		time.clock += 200;
		await new Promise((resolve) => setTimeout(resolve, 150));
		expect(queue).toHaveLength(1);
		runAll();
		expect(index.backlinks('T')).toEqual(['S']);
		// flush() settles the index whatever the pace.
		para.delete(1, 1);
		index.flush();
		expect(index.backlinks('T')).toEqual([]);
		index.destroy();
	});

	it('the member typing in a long page: its links are read once they pause; a teammate’s edit keeps the pace', async () => {
		const { time, index, runAll, source } = pacedIndex();
		// Typing (the member's own origin), 100 ms a key, past the page's pace (100 ms): not read.
		const para = linkFirstParagraph(source, 'T');
		for (let key = 0; key < 4; key++) {
			time.clock += 100;
			source.getXmlFragment('prosemirror').insert(1, [new Y.XmlElement('paragraph')]);
			runAll();
			expect(index.backlinks('T')).toEqual([]);
		}
		// A pause: read.
		time.clock += OWN_EDIT_QUIET_MS;
		await new Promise((resolve) => setTimeout(resolve, OWN_EDIT_QUIET_MS + 50));
		runAll();
		expect(index.backlinks('T')).toEqual(['S']);
		// A teammate's change is read at the page's pace, not held for a pause.
		time.clock += 200;
		source.transact(() => para.delete(1, 1), Origin.relay);
		runAll();
		expect(index.backlinks('T')).toEqual([]);
		index.destroy();
	});

	it('follows a teammate’s edit arriving as a remote update, and forgets an untracked page', () => {
		const { index, runAll } = manual();
		const mine = bodyWith(doc(p('hello')));
		const theirs = new Y.Doc({ gc: false });
		Y.applyUpdate(theirs, Y.encodeStateAsUpdate(mine));
		index.track('P', mine);
		runAll();
		const para = linkFirstParagraph(theirs, 'X');
		Y.applyUpdate(mine, Y.encodeStateAsUpdate(theirs, Y.encodeStateVector(mine)), 'relay');
		runAll();
		expect(index.backlinks('X')).toEqual(['P']);
		expect(index.outgoing('P')).toEqual(['X']);
		index.untrack('P');
		expect(index.backlinks('X')).toEqual([]);
	});

	it('does not list a page as its own backlink', () => {
		const { index, runAll } = manual();
		index.track('A', bodyWith(doc(p(link('A'), link('B')))));
		runAll();
		expect(index.backlinks('A')).toEqual([]);
		expect(index.backlinks('B')).toEqual(['A']);
	});
});

describe('[L4] Markdown', () => {
	const workspace = new Y.Doc();
	const target = createPage(workspace, { title: 'Road [map]' }, actor);
	const gone = createPage(workspace, { title: 'Gone' }, actor);
	deletePage(workspace, gone, actor);
	const resolve = (id: string) => {
		const title = pageLinkLabel(workspace, id);
		return title === null ? null : { title, href: pagePath('ws1', id) };
	};

	it('exports a page link with the target’s current title and path; a deleted one as text', () => {
		const body = doc(p('See ', link(target), ' and ', link(gone), '.'));
		expect(toMarkdown(body, resolve)).toBe(`See [Road \\[map\\]](/w/ws1/p/${target}) and (deleted page).\n`);
		renamePage(workspace, target, 'Roadmap', actor);
		expect(pageMarkdown('Home', body, resolve)).toBe(`# Home\n\nSee [Roadmap](/w/ws1/p/${target}) and (deleted page).\n`);
	});

	it('imports such a link as an ordinary link', () => {
		const parsed = fromMarkdown(`See [Roadmap](/w/ws1/p/${target}).`);
		const text = parsed.firstChild!.child(1);
		expect(text.text).toBe('Roadmap');
		expect(text.marks[0]!.type.name).toBe('link');
		expect(text.marks[0]!.attrs['href']).toBe(`/w/ws1/p/${target}`);
	});
});

describe('[L5] the [[ menu', () => {
	const workspace = new Y.Doc();
	const roadmap = createPage(workspace, { title: 'Roadmap 2027' }, actor);
	const notes = createPage(workspace, { title: 'Meeting notes' }, actor);
	const here = createPage(workspace, { title: 'Road trip (this page)' }, actor);

	it('filters by title (prefix first), leaves out the current page, and ends with "Create page"', () => {
		const items = pageLinkItems(workspace, 'road', here);
		expect(items).toEqual([
			{ kind: 'page', id: roadmap, title: 'Roadmap 2027' },
			{ kind: 'create', title: 'road' }
		]);
		expect(searchPages([], 'x')).toEqual([]);
		expect(pageLinkItems(workspace, 'notes').map((i) => i.kind === 'page' && i.id)).toEqual([notes, false]);
	});

	it('opens on [[, and choosing inserts a page_link in place of [[query', () => {
		let created: string | null = null;
		const context = { workspaceDoc: workspace, pageId: here, createPage: (title: string) => (created = createPage(workspace, { title }, actor)) };
		let state = EditorState.create({ schema, doc: doc(p('go ')), plugins: [pageLinkMenuPlugin(context)] });
		state = state.apply(state.tr.setSelection(TextSelection.create(state.doc, 4)));
		for (const ch of '[[Meet') state = state.apply(state.tr.insertText(ch));
		const menu = pageLinkMenuState(state)!;
		expect(menu.query).toBe('Meet');
		expect(menu.items[0]).toEqual({ kind: 'page', id: notes, title: 'Meeting notes' });
		expect(menu.items.at(-1)).toEqual({ kind: 'create', title: 'Meet' });
		const tr = state.tr.replaceWith(menu.from, menu.to, link(notes));
		state = state.apply(tr);
		expect(state.doc.eq(doc(p('go ', link(notes))))).toBe(true);
		expect(created).toBeNull();
	});
});

describe('[L6] copying page links', () => {
	it('copies a page link as its current title in plain text', () => {
		const workspace = new Y.Doc();
		const target = createPage(workspace, { title: 'Specs' }, actor);
		const body = doc(p('See ', link(target), ' and ', link('gone1')), p('next'));
		expect(pageLinkClipboardText(new Slice(body.content, 0, 0), workspace)).toBe('See Specs and (deleted page)\n\nnext');
	});
});
