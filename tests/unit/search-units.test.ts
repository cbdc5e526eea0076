/**
 * What each document of a workspace reads as for the search index (src/lib/search/units.ts): the
 * text a page body holds, who wrote in it, what a decision record adds, one unit per comment thread,
 * and which pages count as archived. The engine only ever sees these units, so a word left out here
 * can never be found, and a word read here that the page no longer shows is a stale hit.
 *
 * [SU1] Every block type of the schema reads as its text, each block on a line of its own: headings,
 *       lists, task lists, tables, code blocks, callouts, blockquotes; a hard break breaks the line;
 *       a mention reads as "@label"; a horizontal rule reads as nothing.
 * [SU2] A link to a page reads as that page's title now; a link to a page that is gone reads as nothing.
 * [SU3] Formatting marks never split a word, whether written with the text or added later.
 * [SU4] Deleted text, deleted blocks and deleted atoms are not read (with and without garbage collection).
 * [SU5] A page's authors are its creator and every member in the body's authorship records; it
 *       changed last at its latest edit mark.
 * [SU6] A decision record reads as kind 'decision' with its status and tags, and its status-log
 *       notes and members' position rationales in its text (their writers among its authors).
 * [SU7] A discussion reads as one unit per thread: deleted messages left out, a thread whose every
 *       message was deleted absent, open or resolved, its writers as authors, its page's title as context.
 * [SU8] A page is archived when it or a page above it is; a parent loop made apart on two devices
 *       is read the way the tree breaks it.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { prosemirrorToYXmlFragment } from 'y-prosemirror';
import type { Node } from 'prosemirror-model';
import { schema } from '../../src/lib/editor/schema.ts';
import { trackAuthorship } from '../../src/lib/model/authorship.ts';
import { deleteMessage, readThreads, reply, resolveThread, startThread, type Anchor } from '../../src/lib/model/comments.ts';
import { changeStatus, createDecision, readDecision, recordPosition } from '../../src/lib/model/decisions.ts';
import { bodyFragment } from '../../src/lib/model/page.ts';
import { buildTree } from '../../src/lib/model/tree.ts';
import {
	archivePage,
	createPage,
	deletePage,
	getPage,
	initWorkspace,
	listPages,
	movePage,
	renamePage,
	restorePage,
	type PageEntry
} from '../../src/lib/model/workspace.ts';
import { words } from '../../src/lib/search/tokens.ts';
import { archivedPages, bodyText, pageUnit, threadUnits } from '../../src/lib/search/units.ts';
import { syncBoth } from '../support/model-helpers.ts';

const n = schema.nodes;
const m = schema.marks;
const at = (memberId: string, now: number) => ({ memberId, now });
const p = (...content: (string | Node)[]) => n['paragraph']!.create(null, content.map((part) => (typeof part === 'string' ? schema.text(part) : part)));

function body(blocks: Node[], gc = true): Y.Doc {
	const doc = new Y.Doc({ gc });
	prosemirrorToYXmlFragment(n['doc']!.create(null, blocks), bodyFragment(doc));
	return doc;
}

/** The Y.XmlText of the `index`-th top-level block's first run of text. */
function textOf(doc: Y.Doc, index: number): Y.XmlText {
	return (bodyFragment(doc).get(index) as Y.XmlElement).get(0) as Y.XmlText;
}

function anchorOn(doc: Y.Doc, quote: string): Anchor {
	const position = (index: number) => Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(textOf(doc, 0), index));
	return { start: position(0), end: position(quote.length), quote };
}

function workspace(): Y.Doc {
	const doc = new Y.Doc();
	initWorkspace(doc, 'Team', at('ana', 1));
	return doc;
}

function page(ws: Y.Doc, id: string): PageEntry {
	const entry = getPage(ws, id);
	if (!entry) throw new Error(`no page ${id}`);
	return entry;
}

describe('page bodies', () => {
	it('[SU1] reads every block type, each block on its own line', () => {
		const cell = (type: 'table_cell' | 'table_header', text: string) => n[type]!.create(null, p(text));
		const doc = body([
			n['heading']!.create({ level: 2 }, schema.text('Relay runbook')),
			p('Start here.'),
			n['bullet_list']!.create(null, [
				n['list_item']!.create(null, p('bullet one')),
				n['list_item']!.create(null, [p('bullet two'), n['bullet_list']!.create(null, n['list_item']!.create(null, p('nested bullet')))])
			]),
			n['ordered_list']!.create({ order: 3 }, n['list_item']!.create(null, p('ordered item'))),
			n['task_list']!.create(null, [
				n['task_item']!.create({ checked: true }, p('done task')),
				n['task_item']!.create({ checked: false }, p('open task'))
			]),
			n['table']!.create(null, [
				n['table_row']!.create(null, [cell('table_header', 'Region'), cell('table_header', 'Owner')]),
				n['table_row']!.create(null, [cell('table_cell', 'Frankfurt'), cell('table_cell', 'Cleo')])
			]),
			n['code_block']!.create({ language: 'sh' }, schema.text('npm run relay\nnpm test')),
			n['callout']!.create({ tone: 'warning' }, p('Backups first')),
			n['blockquote']!.create(null, p('Quoted wisdom')),
			n['horizontal_rule']!.create(),
			p('line one', n['hard_break']!.create(), 'line two'),
			p('ask ', n['mention']!.create({ member: 'ben', label: 'Ben Ito' }), ' today')
		]);
		expect(bodyText(bodyFragment(doc)).split('\n')).toEqual([
			'Relay runbook',
			'Start here.',
			'bullet one',
			'bullet two',
			'nested bullet',
			'ordered item',
			'done task',
			'open task',
			'Region',
			'Owner',
			'Frankfurt',
			'Cleo',
			'npm run relay',
			'npm test',
			'Backups first',
			'Quoted wisdom',
			'line one',
			'line two',
			'ask @Ben Ito today'
		]);
	});

	it('[SU1] keeps the words of neighbouring blocks apart, however deeply nested', () => {
		const doc = body([
			n['table']!.create(null, n['table_row']!.create(null, [n['table_cell']!.create(null, p('left')), n['table_cell']!.create(null, p('right'))])),
			n['callout']!.create(null, [p('first'), n['blockquote']!.create(null, p('second'))]),
			p('third')
		]);
		expect(words(bodyText(bodyFragment(doc)))).toEqual(['left', 'right', 'first', 'second', 'third']);
	});

	it('[SU2] reads a link to a page as its title now, and a link to a page that is gone as nothing', () => {
		const ws = workspace();
		const target = createPage(ws, { title: 'Relay notes' }, at('ana', 2));
		const doc = body([p('see ', n['page_link']!.create({ pageId: target }), ' and ', n['page_link']!.create({ pageId: 'gone' }), '.')]);
		const titleOf = (id: string) => getPage(ws, id)?.title ?? null;
		expect(bodyText(bodyFragment(doc), titleOf)).toBe('see Relay notes and .');
		renamePage(ws, target, 'Relay handbook', at('ana', 3));
		expect(bodyText(bodyFragment(doc), titleOf)).toBe('see Relay handbook and .');
		deletePage(ws, target, at('ana', 4));
		expect(bodyText(bodyFragment(doc), titleOf)).toBe('see  and .');
		// Without a way to look titles up, links read as nothing rather than as ids.
		expect(bodyText(bodyFragment(doc))).toBe('see  and .');
	});

	it('[SU3] formatting marks never split a word', () => {
		const link = m['link']!.create({ href: 'https://example.com' });
		const doc = body([p(schema.text('deci'), schema.text('sion', [m['strong']!.create()]), schema.text(' log', [m['em']!.create(), link]))]);
		expect(words(bodyText(bodyFragment(doc)))).toEqual(['decision', 'log']);
		// Formatting added later, as the editor does it: format items land inside the run of text.
		textOf(doc, 0).format(2, 5, { code: {} });
		textOf(doc, 0).format(0, 1, { strike: {} });
		expect(bodyText(bodyFragment(doc))).toBe('decision log');
	});

	for (const gc of [true, false]) {
		it(`[SU4] leaves deleted text, blocks and atoms out (gc ${gc})`, () => {
			const mention = n['mention']!.create({ member: 'ben', label: 'Ben' });
			const doc = body([p('keep the pelican here'), p('drop this paragraph'), p('atom ', mention, ' end')], gc);
			textOf(doc, 0).delete(9, 8);
			bodyFragment(doc).delete(1, 1);
			const last = bodyFragment(doc).get(1) as Y.XmlElement;
			// The paragraph holds: text "atom ", the mention, text " end".
			last.delete(1, 1);
			expect(bodyText(bodyFragment(doc))).toBe('keep the here\natom  end');
		});
	}
});

describe('pages and decision records', () => {
	it('[SU5] a page is written by its creator and by every member in its authorship records', () => {
		const ws = workspace();
		const id = createPage(ws, { title: 'Plan' }, at('ana', 2));
		const mine = body([p('Hello')], false);
		const theirs = new Y.Doc({ gc: false });
		syncBoth(mine, theirs);
		trackAuthorship(mine, 'cleo', () => 500);
		trackAuthorship(theirs, 'ben', () => 900);
		textOf(theirs, 0).insert(5, ' from Ben');
		textOf(mine, 0).insert(0, 'Cleo says: ');
		syncBoth(mine, theirs);
		const unit = pageUnit({ workspace: ws, page: page(ws, id), archived: false, body: mine, talk: null });
		expect(unit).toMatchObject({ id: `p:${id}`, kind: 'page', pageId: id, threadId: null, title: 'Plan', context: '', tags: [] });
		expect(unit).toMatchObject({ status: 'active', archived: false });
		expect(unit.authors).toEqual(['ana', 'ben', 'cleo']);
		expect(unit.at).toBe(900);
		expect(words(unit.text)).toEqual(words('Cleo says: Hello from Ben'));
	});

	for (const laterFirst of [true, false]) {
		it(`[SU5] changed last at its latest edit mark, whichever way the marks merged (later first: ${laterFirst})`, () => {
			const ws = workspace();
			const id = createPage(ws, { title: 'Plan' }, at('ana', 2));
			const mine = body([p('Hello')], false);
			const theirs = new Y.Doc({ gc: false });
			syncBoth(mine, theirs);
			// Concurrent appends to the edit marks merge in client-id order, not in time order.
			mine.clientID = laterFirst ? 2 : 1;
			theirs.clientID = laterFirst ? 1 : 2;
			trackAuthorship(mine, 'cleo', () => 500);
			trackAuthorship(theirs, 'ben', () => 900);
			textOf(theirs, 0).insert(5, '!');
			textOf(mine, 0).insert(0, '¡');
			syncBoth(mine, theirs);
			expect(pageUnit({ workspace: ws, page: page(ws, id), archived: false, body: mine, talk: null }).at).toBe(900);
		});
	}

	it('[SU5] a page whose body is not open yet reads as its title, by its creator', () => {
		const ws = workspace();
		const id = createPage(ws, { title: 'Later' }, at('ben', 7));
		expect(pageUnit({ workspace: ws, page: page(ws, id), archived: true, body: null, talk: null })).toMatchObject({
			title: 'Later',
			text: '',
			authors: ['ben'],
			at: 7,
			archived: true
		});
	});

	it('[SU6] a decision record reads with its status, tags, notes and rationales', () => {
		const ws = workspace();
		const id = createDecision(ws, { title: 'Use SQLite', owner: 'ana', decideBy: 100_000, tags: ['storage', 'relay'] }, at('ana', 2));
		const talk = new Y.Doc();
		const proposed = pageUnit({ workspace: ws, page: page(ws, id), archived: false, body: null, talk });
		expect(proposed).toMatchObject({ kind: 'decision', status: 'proposed', tags: ['relay', 'storage'], text: '' });

		recordPosition(talk, readDecision(ws, id)!, { stance: 'agree', rationale: 'One file is easy to back up', name: 'Ben' }, at('ben', 30));
		recordPosition(talk, readDecision(ws, id)!, { stance: 'abstain', rationale: '', name: 'Dev' }, at('dev', 31));
		changeStatus(ws, id, 'accepted', 'Agreed at the weekly sync', at('cleo', 40));
		const accepted = pageUnit({ workspace: ws, page: page(ws, id), archived: false, body: null, talk });
		expect(accepted.kind).toBe('decision');
		expect(accepted.status).toBe('accepted');
		expect(accepted.text.split('\n').sort()).toEqual(['Agreed at the weekly sync', 'One file is easy to back up']);
		// A position without a rationale adds nothing to find, nor an author.
		expect(accepted.authors).toEqual(['ana', 'ben', 'cleo']);
		expect(accepted.at).toBe(40);
	});

	it('[SU6] a status change without a note adds no text and no author', () => {
		const ws = workspace();
		const id = createDecision(ws, { title: 'Drop Heroku', owner: 'ana', decideBy: 100_000 }, at('ana', 2));
		changeStatus(ws, id, 'rejected', '', at('ben', 9));
		expect(pageUnit({ workspace: ws, page: page(ws, id), archived: false, body: null, talk: null })).toMatchObject({
			status: 'rejected',
			text: '',
			authors: ['ana']
		});
	});
});

describe('comment threads', () => {
	it('[SU7] one unit per thread, deleted messages left out, empty threads absent', () => {
		const ws = workspace();
		const id = createPage(ws, { title: 'Launch plan' }, at('ana', 2));
		const doc = body([p('Hello world')]);
		const talk = new Y.Doc();
		const open = startThread(talk, anchorOn(doc, 'Hello'), { text: 'Which pelican?', name: 'Ben' }, at('ben', 10));
		const answer = reply(talk, open, { text: 'The grey one', name: 'Cleo' }, at('cleo', 20));
		reply(talk, open, { text: 'Noted', name: 'Ana' }, at('ana', 25));
		deleteMessage(talk, open, answer, at('cleo', 30));
		const closed = startThread(talk, anchorOn(doc, 'Hello'), { text: 'Typo in heading', name: 'Dev' }, at('dev', 40));
		resolveThread(talk, closed, 'Ana', at('ana', 50));
		const emptied = startThread(talk, anchorOn(doc, 'Hello'), { text: 'Ignore me', name: 'Dev' }, at('dev', 60));
		const only = readThreads(talk).find((thread) => thread.id === emptied)!.messages[0]!.id;
		deleteMessage(talk, emptied, only, at('dev', 70));

		const units = threadUnits(page(ws, id), false, talk);
		expect(units.map((unit) => unit.id)).toEqual([`c:${id}:${open}`, `c:${id}:${closed}`]);
		expect(units[0]).toMatchObject({
			kind: 'comment',
			pageId: id,
			threadId: open,
			title: '',
			context: 'Launch plan',
			text: 'Which pelican?\nNoted',
			status: 'open',
			archived: false,
			// Cleo's only message was deleted: she no longer wrote in it.
			authors: ['ana', 'ben'],
			tags: []
		});
		expect(units[1]).toMatchObject({ text: 'Typo in heading', status: 'resolved', authors: ['dev'], at: 50 });
		expect(threadUnits(page(ws, id), true, talk).every((unit) => unit.archived)).toBe(true);
	});
});

describe('archived pages', () => {
	it('[SU8] an archived page hides its subtree; restoring it shows them again', () => {
		const ws = workspace();
		const top = createPage(ws, { title: 'Top' }, at('ana', 2));
		const child = createPage(ws, { title: 'Child', parentId: top }, at('ana', 3));
		const grandchild = createPage(ws, { title: 'Grandchild', parentId: child }, at('ana', 4));
		const other = createPage(ws, { title: 'Other' }, at('ana', 5));
		expect(archivedPages(listPages(ws))).toEqual(new Set());
		archivePage(ws, child, at('ana', 6));
		expect(archivedPages(listPages(ws))).toEqual(new Set([child, grandchild]));
		archivePage(ws, top, at('ana', 7));
		expect(archivedPages(listPages(ws))).toEqual(new Set([top, child, grandchild]));
		restorePage(ws, child, at('ana', 8));
		expect(archivedPages(listPages(ws))).toEqual(new Set([top, child, grandchild]));
		restorePage(ws, top, at('ana', 9));
		expect(archivedPages(listPages(ws))).toEqual(new Set());
		movePage(ws, other, { parentId: grandchild }, at('ana', 10));
		archivePage(ws, top, at('ana', 11));
		expect(archivedPages(listPages(ws))).toEqual(new Set([top, child, grandchild, other]));
	});

	it('[SU8] a parent loop made apart is read the way the tree breaks it', () => {
		const one = workspace();
		// Ids fixed so the page the tree lifts out of the loop (the smallest id) is known.
		createPage(one, { id: 'page-a', title: 'A' }, at('ana', 2));
		createPage(one, { id: 'page-b', title: 'B' }, at('ana', 3));
		const two = new Y.Doc();
		syncBoth(one, two);
		movePage(one, 'page-a', { parentId: 'page-b' }, at('ana', 4));
		movePage(two, 'page-b', { parentId: 'page-a' }, at('ben', 4));
		syncBoth(one, two);
		expect(getPage(one, 'page-a')?.parentId).toBe('page-b');
		expect(getPage(one, 'page-b')?.parentId).toBe('page-a');
		expect(archivedPages(listPages(one))).toEqual(new Set());

		// The tree shows B under A: archiving B hides B only, archiving A hides both.
		expect(buildTree(listPages(one))[0]?.children.map((node) => node.page.id)).toEqual(['page-b']);
		archivePage(one, 'page-b', at('ana', 5));
		expect(archivedPages(listPages(one))).toEqual(new Set(['page-b']));
		restorePage(one, 'page-b', at('ana', 6));
		archivePage(one, 'page-a', at('ana', 7));
		expect(archivedPages(listPages(one))).toEqual(new Set(['page-a', 'page-b']));
		expect(buildTree(listPages(one))).toEqual([]);
	});
});
