/**
 * Catch-up: what changed since the member last looked (src/lib/model/catch-up.ts).
 *
 * [CU-M1] Text inserted and deleted on another replica while the member was away is found since
 *         their last look, attributed to the member who did it; their own edits are left out.
 * [CU-M2] A page never seen is a new page (not every word inserted) when made by someone else after
 *         catch-up started; no news when made by the member or before catch-up started.
 * [CU-M3] Discussion: new threads, replies and positions since the last look; the member's own are
 *         left out.
 * [CU-M4] Decisions: status changes not seen, the member's own left out.
 * [CU-M5] Marking seen is idempotent (no write when nothing changed) and clears the news.
 * [CU-M6] A malformed stored entry reads as never seen.
 * [CU-M7] Inserted text is placed in the document an editor renders (editor/y-ranges.ts).
 * [CU-M8] The live index (sync/catch-up.ts) starts catch-up once, records a look only when the page
 *         was never seen or has news by someone else (typing alone writes nothing), and "Mark all
 *         read" empties it.
 * [CU-M9] Entries read as sentences (components/catch-up/news-text.ts).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { initProseMirrorDoc, prosemirrorToYXmlFragment } from 'y-prosemirror';
import type { Node } from 'prosemirror-model';
import { schema } from '../../src/lib/editor/schema.ts';
import { anchorSelection, reply, startThread, type Anchor } from '../../src/lib/model/comments.ts';
import { changeStatus, createDecision, DecisionStatus, recordPosition, Stance } from '../../src/lib/model/decisions.ts';
import {
	bodyChangesSince,
	catchUpSince,
	decisionChangesSince,
	lastSeen,
	markSeen,
	seenMap,
	startCatchUp,
	talkChangesSince,
	whatsNew
} from '../../src/lib/model/catch-up.ts';
import { trackAuthorship } from '../../src/lib/model/authorship.ts';
import { bodyFragment } from '../../src/lib/model/page.ts';
import { createPage, initWorkspace, renamePage } from '../../src/lib/model/workspace.ts';
import { ItemPositions } from '../../src/lib/editor/y-ranges.ts';
import { CatchUpIndex } from '../../src/lib/sync/catch-up.ts';
import { bannerSummary, changedTitle, deletionText, entryText } from '../../src/lib/components/catch-up/news-text.ts';
import { syncBoth } from '../support/model-helpers.ts';

const n = schema.nodes;
const p = (text: string) => n['paragraph']!.create(null, schema.text(text));
const at = (memberId: string, now: number) => ({ memberId, now });

/** A page body holding `blocks`, written by nobody (as a seed would be). */
function body(...blocks: Node[]): Y.Doc {
	const ydoc = new Y.Doc({ gc: false });
	prosemirrorToYXmlFragment(n['doc']!.create(null, blocks), bodyFragment(ydoc));
	return ydoc;
}

function replica(of: Y.Doc): Y.Doc {
	const copy = new Y.Doc({ gc: false });
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(of));
	return copy;
}

function firstText(doc: Y.Doc): Y.XmlText {
	return (bodyFragment(doc).get(0) as Y.XmlElement).get(0) as Y.XmlText;
}

function anchorOn(ydoc: Y.Doc, text: string): Anchor {
	const fragment = bodyFragment(ydoc);
	const { doc, mapping } = initProseMirrorDoc(fragment, schema);
	let from = -1;
	doc.descendants((node, pos) => {
		if (from < 0 && node.isText && node.text!.includes(text)) from = pos + node.text!.indexOf(text);
		return from < 0;
	});
	return anchorSelection({ fragment, doc, mapping }, from, from + text.length);
}

describe('page bodies', () => {
	it('[CU-M1] finds what a teammate inserted and deleted offline, and leaves out my own edits', () => {
		const ana = body(p('The old words stay here'));
		const ben = replica(ana);
		let now = 1_000;
		trackAuthorship(ana, 'ana', () => now);
		trackAuthorship(ben, 'ben', () => now);
		const inbox = new Y.Doc();
		markSeen(inbox, 'page', { body: ana, talk: null }, null, now);
		const seen = lastSeen(inbox, 'page')!;

		// Apart: Ben inserts and deletes, Ana types too.
		now = 100_000;
		firstText(ben).insert(firstText(ben).length, ' and new ones');
		firstText(ben).delete(4, 4); // "old "
		firstText(ana).insert(0, 'Mine: ');
		syncBoth(ana, ben);
		expect(firstText(ana).toString()).toBe('Mine: The words stay here and new ones');

		const changes = bodyChangesSince(ana, seen.body!, 'ana');
		expect(changes.insertions.map((i) => [i.member, i.text, i.at])).toEqual([['ben', ' and new ones', 100_000]]);
		expect(changes.deletions.map((d) => [d.member, d.text, d.at])).toEqual([['ben', 'old ', 100_000]]);
		// From Ben's side, Ana's insertion is the news.
		expect(bodyChangesSince(ben, seen.body!, 'ben').insertions.map((i) => [i.member, i.text])).toEqual([['ana', 'Mine: ']]);
		// Pieces say where the text is: a piece of an item that was extended after the look starts at its new part.
		const piece = changes.insertions[0]!.pieces[0]!;
		expect((piece.item.content as Y.ContentString).str.slice(piece.offset, piece.offset + piece.length)).toBe(' and new ones');
	});

	it('[CU-M1] a run typed on top of what was seen, merged into one item, counts only its new part', () => {
		const doc = body(p('x'));
		let now = 1;
		trackAuthorship(doc, 'ben', () => now);
		firstText(doc).insert(1, 'ab');
		const inbox = new Y.Doc();
		markSeen(inbox, 'page', { body: doc, talk: null }, null, now);
		now = 2;
		firstText(doc).insert(3, 'cd');
		const changes = bodyChangesSince(doc, lastSeen(inbox, 'page')!.body!, 'ana');
		expect(changes.insertions.map((i) => i.text)).toEqual(['cd']);
		expect(changes.deletions).toEqual([]);
	});
});

describe('placing changes in the editor', () => {
	it('[CU-M7] each inserted run is found where the editor shows it, also in a later block', () => {
		const doc = body(p('First block'), p('Second block'));
		const inbox = new Y.Doc();
		markSeen(inbox, 'page', { body: doc, talk: null }, null, 1);
		trackAuthorship(doc, 'ben', () => 2);
		const second = (bodyFragment(doc).get(1) as Y.XmlElement).get(0) as Y.XmlText;
		second.insert(7, 'new ');
		firstText(doc).insert(5, '!');
		const changes = bodyChangesSince(doc, lastSeen(inbox, 'page')!.body!, 'ana');
		const { doc: rendered, mapping } = initProseMirrorDoc(bodyFragment(doc), schema);
		const positions = new ItemPositions({ fragment: bodyFragment(doc), doc: rendered, mapping });
		const texts = changes.insertions.flatMap((run) => positions.ranges(run.pieces).map((r) => rendered.textBetween(r.from, r.to)));
		expect(texts).toEqual(['!', 'new ']);
	});
});

describe("what's new", () => {
	function workspaceWith(pageBy: string, createdAt: number): { ws: Y.Doc; pageId: string } {
		const ws = new Y.Doc();
		initWorkspace(ws, 'Team', at('ana', 0));
		const pageId = createPage(ws, { title: 'Plan' }, at(pageBy, createdAt));
		return { ws, pageId };
	}

	it('[CU-M2] a page never seen is a new page, not every word inserted', () => {
		const { ws, pageId } = workspaceWith('ben', 5_000);
		const doc = body(p('Lots of words written by Ben'));
		const inbox = new Y.Doc();
		// Catch-up not started: nothing is news yet.
		expect(whatsNew(ws, new Map([[pageId, { body: doc, talk: null }]]), inbox, 'ana')).toEqual([]);
		startCatchUp(inbox, 1_000);
		const news = whatsNew(ws, new Map([[pageId, { body: doc, talk: null }]]), inbox, 'ana');
		expect(news).toHaveLength(1);
		expect(news[0]!.isNewPage).toBe(true);
		expect(news[0]!.entries).toEqual([{ kind: 'created', member: 'ben', at: 5_000 }]);
		// Made by me, or before catch-up started: no news.
		expect(whatsNew(ws, new Map([[pageId, { body: doc, talk: null }]]), inbox, 'ben')).toEqual([]);
		const old = workspaceWith('ben', 500);
		expect(whatsNew(old.ws, new Map([[old.pageId, { body: doc, talk: null }]]), inbox, 'ana')).toEqual([]);
	});

	it('[CU-M5] marking seen is idempotent and clears the news', () => {
		const { ws, pageId } = workspaceWith('ana', 5_000);
		const doc = body(p('Hello'));
		const talk = new Y.Doc();
		const inbox = new Y.Doc();
		startCatchUp(inbox, 0);
		markSeen(inbox, pageId, { body: doc, talk }, ws, 10);
		let writes = 0;
		inbox.on('update', () => writes++);
		markSeen(inbox, pageId, { body: doc, talk }, ws, 20);
		expect(writes).toBe(0);
		trackAuthorship(doc, 'ben', () => 30);
		firstText(doc).insert(5, ' there');
		const pages = new Map([[pageId, { body: doc, talk }]]);
		expect(whatsNew(ws, pages, inbox, 'ana')[0]!.entries).toEqual([{ kind: 'edited', member: 'ben', at: 30, added: 1, removed: 0 }]);
		markSeen(inbox, pageId, { body: doc, talk }, ws, 40);
		expect(writes).toBe(1);
		expect(whatsNew(ws, pages, inbox, 'ana')).toEqual([]);
		// A document not loaded keeps what was stored for it.
		markSeen(inbox, pageId, { body: null, talk: null }, ws, 50);
		expect(writes).toBe(1);
	});

	it('[CU-M6] a malformed stored entry reads as never seen', () => {
		const inbox = new Y.Doc();
		for (const junk of ['x', 3, null, { at: 'soon' }, { at: 1, body: new Uint8Array([1, 2, 3]) }, { at: 1, talk: 'vector' }, { at: 1, log: [1] }]) {
			seenMap(inbox).set('page', junk);
			expect(lastSeen(inbox, 'page')).toBeNull();
		}
		seenMap(inbox).set('page', { at: 1 });
		expect(lastSeen(inbox, 'page')).toEqual({ body: null, talk: null, log: new Set(), at: 1 });
	});
});

describe('discussions and decisions', () => {
	it('[CU-M3] new threads, replies and positions since the last look; mine left out', () => {
		const page = body(p('The numbers are in'));
		const talk = new Y.Doc();
		const thread = startThread(talk, anchorOn(page, 'numbers'), { text: 'Old question', name: 'Ben' }, at('ben', 1));
		const inbox = new Y.Doc();
		markSeen(inbox, 'page', { body: page, talk }, null, 2);
		const away = new Y.Doc();
		Y.applyUpdate(away, Y.encodeStateAsUpdate(talk));
		reply(away, thread, { text: 'Any news?', name: 'Ben' }, at('ben', 10));
		reply(away, thread, { text: 'My own reply', name: 'Ana' }, at('ana', 11));
		startThread(away, anchorOn(page, 'in'), { text: 'A new thread', name: 'Cleo' }, at('cleo', 12));
		recordPosition(away, { status: DecisionStatus.proposed }, { stance: Stance.agree, rationale: '', name: 'Cleo' }, at('cleo', 13));
		recordPosition(away, { status: DecisionStatus.proposed }, { stance: Stance.disagree, rationale: '', name: 'Ana' }, at('ana', 14));
		Y.applyUpdate(talk, Y.encodeStateAsUpdate(away));

		const changes = talkChangesSince(talk, lastSeen(inbox, 'page')!.talk, 'ana');
		expect(changes.map((c) => [c.kind, c.member, c.kind === 'comment' ? c.text : c.stance, c.kind === 'comment' ? c.newThread : null])).toEqual([
			['comment', 'ben', 'Any news?', false],
			['comment', 'cleo', 'A new thread', true],
			['position', 'cleo', Stance.agree, null]
		]);
	});

	it('[CU-M4] status changes not seen; mine left out', () => {
		const ws = new Y.Doc();
		initWorkspace(ws, 'Team', at('ana', 0));
		const id = createDecision(ws, { title: 'Use SQLite', owner: 'ben', decideBy: 1e12 }, at('ben', 1));
		const inbox = new Y.Doc();
		markSeen(inbox, id, { body: null, talk: null }, ws, 2);
		changeStatus(ws, id, DecisionStatus.accepted, 'Agreed', at('ben', 3));
		expect(decisionChangesSince(ws, id, lastSeen(inbox, id)!.log, 'ana').map((c) => [c.member, c.from, c.to, c.note])).toEqual([['ben', 'proposed', 'accepted', 'Agreed']]);
		markSeen(inbox, id, { body: null, talk: null }, ws, 4);
		changeStatus(ws, id, DecisionStatus.proposed, '', at('ana', 5));
		expect(decisionChangesSince(ws, id, lastSeen(inbox, id)!.log, 'ana')).toEqual([]);
		expect(decisionChangesSince(ws, id, lastSeen(inbox, id)!.log, 'ben')).toHaveLength(1);
	});
});

describe('the live index', () => {
	it('[CU-M8] records looks only when they change something, and marks all read', () => {
		const ws = new Y.Doc();
		initWorkspace(ws, 'Team', at('ana', 0));
		const pageId = createPage(ws, { title: 'Plan' }, at('ana', 1));
		const doc = body(p('Hello'));
		const talk = new Y.Doc();
		let now = 100;
		const index = new CatchUpIndex(ws, 'ana', () => undefined, () => now);
		const inbox = new Y.Doc();
		index.setState(inbox);
		expect(catchUpSince(inbox)).toBe(100);
		expect(index.see(pageId)).toBe(false); // its documents are not followed yet
		index.expect(pageId);
		index.track(pageId, 'body', doc);
		index.track(pageId, 'talk', talk);
		index.flush();
		expect(index.status).toBe('ready');
		let writes = 0;
		inbox.on('update', () => writes++);
		expect(index.see(pageId)).toBe(true); // never seen: recorded
		expect(writes).toBe(1);
		trackAuthorship(doc, 'ana', () => now);
		firstText(doc).insert(5, ' from me');
		expect(index.see(pageId)).toBe(true);
		expect(writes).toBe(1); // my own typing is no news

		// A teammate's comment on a page I made and never looked at again is news; so is their edit.
		const ben = replica(doc);
		trackAuthorship(ben, 'ben', () => 200);
		firstText(ben).insert(0, 'Ben says: ');
		syncBoth(doc, ben);
		startThread(talk, anchorOn(doc, 'Hello'), { text: 'Nice', name: 'Ben' }, at('ben', 201));
		index.flush();
		expect(index.news.map((n) => n.entries.map((e) => e.kind))).toEqual([['comment', 'edited']]);
		expect(index.seeAll()).toBe(true);
		expect(index.news).toEqual([]);
		expect(writes).toBe(2);
		index.destroy();
	});

	it('[CU-M8] re-reads decision records and titles when the workspace document changes', () => {
		const ws = new Y.Doc();
		initWorkspace(ws, 'Team', at('ana', 0));
		const id = createDecision(ws, { title: 'Use SQLite', owner: 'ben', decideBy: 1e12 }, at('ben', 1));
		const index = new CatchUpIndex(ws, 'ana', () => undefined, () => 10);
		const inbox = new Y.Doc();
		index.setState(inbox);
		const talk = new Y.Doc();
		index.track(id, 'body', body(p('Context')));
		index.track(id, 'talk', talk);
		index.flush();
		expect(index.see(id)).toBe(true);
		index.flush();
		expect(index.news).toEqual([]);
		changeStatus(ws, id, DecisionStatus.accepted, '', at('ben', 20));
		index.flush();
		expect(index.news.map((n) => [n.page.title, n.entries.map((e) => e.kind)])).toEqual([['Use SQLite', ['status']]]);
		renamePage(ws, id, 'Use SQLite for storage', at('ben', 21));
		index.flush();
		expect(index.news.map((n) => n.page.title)).toEqual(['Use SQLite for storage']);
		index.destroy();
	});
});

describe('in words', () => {
	it('[CU-M9] every kind of entry reads as a sentence', () => {
		expect(entryText({ kind: 'edited', member: 'ben', at: 1, added: 12, removed: 1 })).toBe('edited (12 words added, 1 word removed)');
		expect(entryText({ kind: 'edited', member: 'ben', at: 1, added: 0, removed: 3 })).toBe('edited (3 words removed)');
		expect(entryText({ kind: 'comment', member: 'ben', name: 'Ben', at: 1, text: 'Is   Monday firm?', threadId: 't', newThread: true })).toBe('commented: “Is Monday firm?”');
		expect(entryText({ kind: 'comment', member: 'ben', name: 'Ben', at: 1, text: 'x'.repeat(100), threadId: 't', newThread: false })).toMatch(/^replied: “x{59}…”$/);
		expect(entryText({ kind: 'position', member: 'cleo', name: 'Cleo', at: 1, stance: Stance.concerns })).toBe('recorded a position: Agree with concerns');
		expect(entryText({ kind: 'status', id: 's', member: 'ana', at: 1, from: 'proposed', to: 'accepted', note: '' })).toBe('accepted the decision');
		expect(entryText({ kind: 'status', id: 's', member: 'ana', at: 1, from: 'accepted', to: 'proposed', note: 'New facts' })).toBe('reopened the decision: “New facts”');
		expect(entryText({ kind: 'created', member: 'ben', at: 1 })).toBe('created this page');
		expect(bannerSummary(3, ['Ben'])).toBe('3 changes by Ben');
		expect(bannerSummary(1, ['Ana', 'Ben', 'Cleo'])).toBe('1 change by Ana, Ben and Cleo');
		expect(deletionText({ member: 'ben', at: 1, text: 'old words ' }, 'Ben')).toBe('Ben deleted “old words”');
		expect(changedTitle('Ben', null)).toBe('Added by Ben');
		expect(changedTitle('Ben', Date.UTC(2026, 10, 20, 18, 2), 'UTC')).toBe('Added by Ben · 20 Nov 2026, 18:02');
	});
});
