/**
 * The live search index (src/lib/sync/search.ts) over real Yjs documents: what a page's documents
 * read as (search/units.ts), and the index following changes — local, from a teammate's replica,
 * deletions — with idle batches run by hand and the engine in-process.
 *
 * [SX1] Titles, bodies (mentions, page links, nested blocks), decision records and threads are found.
 * [SX2] A teammate's edit merged from another replica is found after the next batch; the words it
 *       replaced are not.
 * [SX3] A page deleted for good, a deleted message and a deleted paragraph leave no stale hits.
 * [SX4] Updates only mark pages dirty: nothing is read until a batch runs.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { prosemirrorToYXmlFragment } from 'y-prosemirror';
import { schema } from '../../src/lib/editor/schema.ts';
import { bodyFragment } from '../../src/lib/model/page.ts';
import { createPage, deletePage, initWorkspace, renamePage } from '../../src/lib/model/workspace.ts';
import { LocalSearchBackend } from '../../src/lib/search/backend.ts';
import { bodyText } from '../../src/lib/search/units.ts';
import { SearchIndex } from '../../src/lib/sync/search.ts';
import { syncBoth } from '../support/model-helpers.ts';

const at = (memberId: string, now: number) => ({ memberId, now });

function setBody(doc: Y.Doc, ...paragraphs: string[]): void {
	const node = schema.node(
		'doc',
		null,
		paragraphs.map((text) => schema.node('paragraph', null, text ? [schema.text(text)] : []))
	);
	doc.transact(() => {
		const fragment = bodyFragment(doc);
		fragment.delete(0, fragment.length);
		prosemirrorToYXmlFragment(node, fragment);
	});
}

function setUp() {
	const queue: (() => void)[] = [];
	const workspace = new Y.Doc();
	initWorkspace(workspace, 'Team', at('ana', 1));
	const backend = new LocalSearchBackend();
	const index = new SearchIndex(workspace, backend, { schedule: (run) => queue.push(run) });
	const runAll = () => {
		while (queue.length > 0) queue.splice(0).forEach((run) => run());
	};
	const find = async (text: string) => (await index.search({ text })).hits.map((hit) => hit.id);
	return { workspace, index, queue, runAll, find, backend };
}

describe('reading page bodies', () => {
	it('[SX1] reads nested blocks, mentions and links to pages', () => {
		const doc = new Y.Doc();
		const node = schema.node('doc', null, [
			schema.node('heading', { level: 1 }, [schema.text('Plan')]),
			schema.node('bullet_list', null, [schema.node('list_item', null, [schema.node('paragraph', null, [schema.text('ship it')])])]),
			schema.node('paragraph', null, [
				schema.text('ask '),
				schema.node('mention', { member: 'ben', label: 'Ben Ito' }),
				schema.text(' about '),
				schema.node('page_link', { pageId: 'p2' })
			])
		]);
		prosemirrorToYXmlFragment(node, bodyFragment(doc));
		expect(bodyText(bodyFragment(doc), (id) => (id === 'p2' ? 'Relay notes' : null))).toBe('Plan\nship it\nask @Ben Ito about Relay notes');
	});
});

describe('the live index', () => {
	it('[SX2][SX4] follows local and remote edits, off the typing path', async () => {
		const { workspace, index, queue, runAll, find } = setUp();
		const pageId = createPage(workspace, { title: 'Onboarding', parentId: null }, at('ana', 2));
		const mine = new Y.Doc();
		index.track(pageId, 'body', mine);
		runAll();
		expect(await find('onboarding')).toEqual([`p:${pageId}`]);

		const theirs = new Y.Doc();
		syncBoth(mine, theirs);
		setBody(theirs, 'Ask about the flamingo budget');
		expect(queue.length).toBe(0);
		syncBoth(mine, theirs);
		// The merge only asked for a batch.
		expect(queue.length).toBe(1);
		expect(await find('flamingo')).toEqual([]);
		runAll();
		expect(await find('flamingo')).toEqual([`p:${pageId}`]);
		expect(await find('flamin')).toEqual([`p:${pageId}`]);

		setBody(theirs, 'Ask about the heron budget');
		syncBoth(mine, theirs);
		runAll();
		expect(await find('flamingo')).toEqual([]);
		expect(await find('heron')).toEqual([`p:${pageId}`]);

		renamePage(workspace, pageId, 'Welcome', at('ana', 3));
		runAll();
		expect(await find('onboarding')).toEqual([]);
		expect(await find('welcome')).toEqual([`p:${pageId}`]);
		expect(index.status.kind).toBe('ready');
		index.destroy();
	});

	it('[SX3] forgets a page deleted for good', async () => {
		const { workspace, index, runAll, find } = setUp();
		const pageId = createPage(workspace, { title: 'Secret plans', parentId: null }, at('ana', 2));
		const body = new Y.Doc();
		setBody(body, 'the pelican protocol');
		index.track(pageId, 'body', body);
		runAll();
		expect(await find('pelican')).toEqual([`p:${pageId}`]);
		deletePage(workspace, pageId, at('ana', 3));
		index.untrack(pageId);
		runAll();
		expect(await find('pelican')).toEqual([]);
		expect(await find('secret')).toEqual([]);
		index.destroy();
	});
});
