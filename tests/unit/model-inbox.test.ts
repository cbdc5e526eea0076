/**
 * The inbox (src/lib/model/inbox.ts) and its live index (src/lib/sync/inbox.ts); item 3 of issue 5.
 *
 * [IB1] A thread waits for me while its last message is someone else's and I started it, wrote in
 *       it or was mentioned in it; not when the last message is mine, nor when I am not involved.
 * [IB2] A mention since my last message makes the reason `mention`, from whoever mentioned me, even
 *       in a resolved thread; a resolved thread without one is not waiting; deleted messages count
 *       for nothing (a deleted mention, a deleted last reply); self-mentions are not mentions.
 * [IB3] Mentions of me in page text: one item per mention id (a copy in the same page is one), from
 *       the writer and at the time the node records; mentions of myself and of others are not
 *       items. A block moved the way y-prosemirror moves it (a new element, under the mover's
 *       client) keeps its items' keys, senders and state. Mentions written before ids are keyed
 *       by their Y item, with writer and time from the authorship records.
 * [IB4] Shares with me are items; shares by me (even to myself) are not.
 * [IB5] A proposed decision listing me as decider or consulted without my position is an item; not
 *       once I recorded one, not archived or decided records, not while positions are unknown; a
 *       reopened decision asks again.
 * [IB6] State: items start unread; read and done hold until something new happens (a new
 *       `version`), whatever any device's clock says: a reply from a writer whose clock is behind,
 *       and an edit that adds a mention, bring a cleared thread back (my own edit does not).
 *       Writes happen only when the stored version differs; markNotDone brings an item back, read;
 *       counts; state from before versions (numbers) and garbage read as nothing stored.
 * [IB7] The live index recomputes a page only after its documents change, in one batch, follows
 *       bodies, discussions, decisions and the member's state, and drops an untracked page's items.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Fragment, type Node } from 'prosemirror-model';
import { initProseMirrorDoc, prosemirrorToYXmlFragment, updateYFragment } from 'y-prosemirror';
import { schema } from '../../src/lib/editor/schema.ts';
import { anchorSelection, deleteMessage, editMessage, reply, resolveThread, startThread, type Anchor } from '../../src/lib/model/comments.ts';
import { changeStatus, createDecision, DecisionStatus, listPositions, recordPosition, Stance } from '../../src/lib/model/decisions.ts';
import {
	decisionItems,
	inboxCounts,
	inboxItemsMap,
	InboxReason,
	markDone,
	markNotDone,
	markRead,
	pageMentionItems,
	shareItems,
	threadItems,
	withState,
	type InboxItem
} from '../../src/lib/model/inbox.ts';
import { trackAuthorship } from '../../src/lib/model/authorship.ts';
import { mentionedAt, mentionsIn } from '../../src/lib/model/mentions.ts';
import { bodyFragment } from '../../src/lib/model/page.ts';
import { sharePage } from '../../src/lib/model/shares.ts';
import { archivePage, createPage, initWorkspace } from '../../src/lib/model/workspace.ts';
import { Origin } from '../../src/lib/model/origins.ts';
import { InboxIndex } from '../../src/lib/sync/inbox.ts';
import { syncBoth } from '../support/model-helpers.ts';

const n = schema.nodes;
const p = (text: string) => n['paragraph']!.create(null, schema.text(text));

const at = (memberId: string, now: number) => ({ memberId, now });
const ben = (text: string) => ({ text, name: 'Ben', mentions: [] });

/** A page body holding `blocks`, written by nobody (as a seed would be). */
function body(...blocks: Node[]): Y.Doc {
	const ydoc = new Y.Doc({ gc: false });
	prosemirrorToYXmlFragment(n['doc']!.create(null, blocks), bodyFragment(ydoc));
	return ydoc;
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

/** A discussion with one thread on "numbers", started by `by` with `text`; returns the doc and the thread id. */
function threadBy(by: string, text: string, mentions: { id: string; label: string }[] = [], now = 1_000): { talk: Y.Doc; thread: string } {
	const talk = new Y.Doc();
	const thread = startThread(talk, anchorOn(body(p('The numbers are in')), 'numbers'), { text, name: by, mentions }, at(by, now));
	return { talk, thread };
}

/** The identity the editor writes into a mention it inserts (editor/mention-stamp.ts). */
interface Stamp {
	readonly id: string;
	readonly by: string;
	readonly at: number;
}

/**
 * Inserts a mention of `member` at the end of the body's first paragraph, as `doc`'s member types
 * it: with `stamp` as today's editor writes it, without as an editor from before mention ids did.
 */
function typeMention(doc: Y.Doc, member: string, label: string, stamp?: Stamp): void {
	const paragraph = bodyFragment(doc).get(0) as Y.XmlElement;
	const mention = new Y.XmlElement('mention');
	doc.transact(() => {
		mention.setAttribute('member', member);
		mention.setAttribute('label', label);
		// y-prosemirror stores attributes as they are; Yjs types them as strings but keeps any JSON value.
		for (const [name, value] of Object.entries(stamp ?? {})) mention.setAttribute(name, value as string);
		paragraph.insert(paragraph.length, [mention]);
	}, Origin.local);
}

function item(key: string, version: string, when = 0): InboxItem {
	return { key, reason: InboxReason.reply, pageId: 'P', threadId: 't', version, from: 'ana', fromName: 'Ana', at: when, text: '' };
}

const MINUTE = 60_000;

describe('threads waiting for my reply', () => {
	it('[IB1] waits while the last message is someone else’s in a thread I started or wrote in', () => {
		const { talk, thread } = threadBy('ben', 'Are these final?');
		expect(threadItems('P', talk, 'ben')).toEqual([]);
		// Not involved: Cleo is neither starter, writer nor mentioned.
		expect(threadItems('P', talk, 'cleo')).toEqual([]);
		reply(talk, thread, { text: 'Yes,   signed\noff.', name: 'Ana' }, at('ana', 2_000));
		expect(threadItems('P', talk, 'ben')).toEqual([
			{ key: `thread:P:${thread}`, reason: 'reply', pageId: 'P', threadId: thread, version: expect.stringMatching(/^[0-9a-f]{8}$/), from: 'ana', fromName: 'Ana', at: 2_000, text: 'Yes, signed off.' }
		]);
		// Ana wrote last: nothing waits for her; and Ben answers: nothing waits for him.
		expect(threadItems('P', talk, 'ana')).toEqual([]);
		reply(talk, thread, ben('Thanks'), at('ben', 3_000));
		expect(threadItems('P', talk, 'ben')).toEqual([]);
		expect(threadItems('P', talk, 'ana').map((i) => [i.reason, i.from, i.at])).toEqual([['reply', 'ben', 3_000]]);
	});

	it('[IB2] a mention since my last message is the reason, from whoever mentioned me, even resolved', () => {
		const { talk, thread } = threadBy('ana', 'Can @Ben check?', [{ id: 'ben', label: 'Ben' }]);
		expect(threadItems('P', talk, 'ben').map((i) => [i.reason, i.from, i.text])).toEqual([['mention', 'ana', 'Can @Ben check?']]);
		// Someone else answers after the mention: still a mention from Ana, at the latest time.
		reply(talk, thread, { text: 'I can too', name: 'Cleo' }, at('cleo', 2_000));
		expect(threadItems('P', talk, 'ben').map((i) => [i.reason, i.from, i.fromName, i.text, i.at])).toEqual([['mention', 'ana', 'ana', 'Can @Ben check?', 2_000]]);
		resolveThread(talk, thread, 'Ana', at('ana', 2_500));
		expect(threadItems('P', talk, 'ben').map((i) => i.reason)).toEqual(['mention']);
		// Once I answered, a resolved thread waits for nobody, though I am involved.
		reply(talk, thread, ben('Checked'), at('ben', 3_000));
		reply(talk, thread, { text: 'Great', name: 'Ana' }, at('ana', 4_000));
		expect(threadItems('P', talk, 'ben').map((i) => i.reason)).toEqual(['reply']);
		resolveThread(talk, thread, 'Ana', at('ana', 4_500));
		expect(threadItems('P', talk, 'ben')).toEqual([]);
	});

	it('[IB2] deleted messages count for nothing; mentioning yourself is not a mention', () => {
		const { talk, thread } = threadBy('ana', 'Can @Ben check?', [{ id: 'ben', label: 'Ben' }]);
		const mention = talk.getMap('threads').get(thread) as Y.Map<unknown>;
		const first = ((mention.get('messages') as Y.Array<Y.Map<unknown>>).get(0).get('id')) as string;
		deleteMessage(talk, thread, first, at('ana', 1_500));
		expect(threadItems('P', talk, 'ben')).toEqual([]);

		const other = threadBy('ben', 'Note to @Ben', [{ id: 'ben', label: 'Ben' }]);
		expect(threadItems('P', other.talk, 'ben')).toEqual([]);
		reply(other.talk, other.thread, { text: 'ok', name: 'Ana' }, at('ana', 2_000));
		const answer = reply(other.talk, other.thread, ben('Done'), at('ben', 3_000));
		expect(threadItems('P', other.talk, 'ben')).toEqual([]);
		// Ben deletes his answer: Ana's message is the last again, waiting for him.
		deleteMessage(other.talk, other.thread, answer, at('ben', 4_000));
		expect(threadItems('P', other.talk, 'ben').map((i) => [i.reason, i.from, i.at])).toEqual([['reply', 'ana', 2_000]]);
	});
});

describe('mentions in page text', () => {
	it('[IB3] one item per mention, from its writer at its time; self-mentions and others’ are not items', () => {
		const ana = body(p('Plan for Q3 '));
		const cleo = new Y.Doc({ gc: false });
		syncBoth(ana, cleo);
		expect(pageMentionItems('P', ana, 'ben')).toEqual([]);

		typeMention(ana, 'ben', 'Ben', { id: 'm1', by: 'ana', at: 5_000 });
		typeMention(ana, 'cleo', 'Cleo', { id: 'm2', by: 'ana', at: 5_000 });
		const [first] = pageMentionItems('P', ana, 'ben');
		expect(pageMentionItems('P', ana, 'ben')).toEqual([
			{ key: 'mention:P:m1', reason: 'mention', pageId: 'P', threadId: null, version: first!.version, from: 'ana', fromName: '', at: 5_000, text: 'Plan for Q3 @Ben@Cleo' }
		]);
		// Cleo mentions Ben too, on her device: once synced, a second item; the first is as it was.
		syncBoth(ana, cleo);
		typeMention(cleo, 'ben', 'Ben', { id: 'm3', by: 'cleo', at: 9_000 });
		syncBoth(ana, cleo);
		expect(pageMentionItems('P', ana, 'ben').map((i) => [i.key, i.from, i.at, i.version])).toEqual([
			['mention:P:m1', 'ana', 5_000, first!.version],
			['mention:P:m3', 'cleo', 9_000, first!.version]
		]);
		// A copy of a mention in the same page is that mention: still one item.
		typeMention(ana, 'ben', 'Ben', { id: 'm1', by: 'ana', at: 5_000 });
		expect(pageMentionItems('P', ana, 'ben').map((i) => i.key)).toEqual(['mention:P:m1', 'mention:P:m3']);
		// Cleo's mention of herself is a note to self; Ana's of Cleo still counts.
		typeMention(ana, 'cleo', 'Cleo', { id: 'm4', by: 'cleo', at: 9_500 });
		expect(pageMentionItems('P', ana, 'cleo').map((i) => [i.key, i.from])).toEqual([['mention:P:m2', 'ana']]);
	});

	it('[IB3] a block moved the way y-prosemirror moves it keeps its mention’s key, sender and state', () => {
		const ana = new Y.Doc({ gc: false });
		trackAuthorship(ana, 'ana', () => 5_000);
		const mention = n['mention']!.create({ member: 'ben', label: 'Ben', id: 'm1', by: 'ana', at: 5_000 });
		prosemirrorToYXmlFragment(n['doc']!.create(null, [p('Intro'), n['heading']!.create({ level: 2 }, [schema.text('Ask '), mention])]), bodyFragment(ana));
		const carl = new Y.Doc({ gc: false });
		syncBoth(ana, carl);
		trackAuthorship(carl, 'carl', () => 9_000);
		const before = pageMentionItems('P', carl, 'ben');
		expect(before.map((i) => [i.key, i.from, i.at])).toEqual([['mention:P:m1', 'ana', 5_000]]);
		const inbox = new Y.Doc();
		markDone(inbox, before);

		// Carl moves the heading above the intro; the sync plugin writes that with updateYFragment.
		const { doc: current, meta } = initProseMirrorDoc(bodyFragment(carl), schema);
		updateYFragment(carl, bodyFragment(carl), current.copy(Fragment.from([current.child(1), current.child(0)])), meta);
		syncBoth(ana, carl);
		const [moved] = mentionsIn(bodyFragment(ana));
		// The element is a new one, by Carl: its Y item would credit him (the bug this guards against).
		expect(mentionedAt(ana, moved!.element).by).toBe('carl');
		expect(pageMentionItems('P', ana, 'ben')).toEqual(before);
		expect(withState(pageMentionItems('P', ana, 'ben'), inbox)).toMatchObject([{ key: 'mention:P:m1', from: 'ana', unread: false, done: true }]);
		// Moved by Ben himself: still Ana's mention of him.
		const ben = new Y.Doc({ gc: false });
		syncBoth(ana, ben);
		trackAuthorship(ben, 'ben', () => 12_000);
		const again = initProseMirrorDoc(bodyFragment(ben), schema);
		updateYFragment(ben, bodyFragment(ben), again.doc.copy(Fragment.from([again.doc.child(1), again.doc.child(0)])), again.meta);
		expect(mentionedAt(ben, mentionsIn(bodyFragment(ben))[0]!.element).by).toBe('ben');
		expect(pageMentionItems('P', ben, 'ben')).toEqual(before);
	});

	it('[IB3] mentions written before ids: one item each by Y item, writer and time from the authorship records', () => {
		const ana = body(p('Plan for Q3 '));
		const cleo = new Y.Doc({ gc: false });
		syncBoth(ana, cleo);
		trackAuthorship(ana, 'ana', () => 5_000);
		trackAuthorship(cleo, 'cleo', () => 9_000);
		typeMention(ana, 'ben', 'Ben');
		typeMention(ana, 'cleo', 'Cleo');
		syncBoth(ana, cleo);
		typeMention(cleo, 'ben', 'Ben');
		syncBoth(ana, cleo);
		const [toBen, , byCleo] = mentionsIn(bodyFragment(ana));
		const key = (element: Y.XmlElement) => `mention:P:${element._item!.id.client}.${element._item!.id.clock}`;
		expect(pageMentionItems('P', ana, 'ben').map((i) => [i.key, i.from, i.at, i.text])).toEqual([
			[key(toBen!.element), 'ana', 5_000, 'Plan for Q3 @Ben@Cleo@Ben'],
			[key(byCleo!.element), 'cleo', 9_000, 'Plan for Q3 @Ben@Cleo@Ben']
		]);
		expect(pageMentionItems('P', ana, 'cleo').map((i) => i.from)).toEqual(['ana']);
		typeMention(ana, 'ana', 'Ana');
		expect(pageMentionItems('P', ana, 'ana')).toEqual([]);
	});
});

describe('shares', () => {
	it('[IB4] shares with me are items, shares by me are not', () => {
		const talk = new Y.Doc();
		const id = sharePage(talk, { to: ['ben', 'cleo'], note: 'Have a look', name: 'Ana' }, at('ana', 1_000));
		sharePage(talk, { to: ['ana'], note: 'Back at you', name: 'Ben' }, at('ben', 2_000));
		expect(shareItems('P', talk, 'ben')).toEqual([{ key: `share:P:${id}`, reason: 'share', pageId: 'P', threadId: null, version: expect.any(String), from: 'ana', fromName: 'Ana', at: 1_000, text: 'Have a look' }]);
		expect(shareItems('P', talk, 'ana').map((i) => i.text)).toEqual(['Back at you']);
		expect(shareItems('P', talk, 'dan')).toEqual([]);
	});
});

describe('decisions waiting for my position', () => {
	function workspace() {
		const doc = new Y.Doc();
		initWorkspace(doc, 'Team', at('ana', 1));
		const id = createDecision(doc, { title: 'Adopt Postgres', owner: 'ana', decideBy: 1e12, deciders: ['ana', 'ben'], consulted: ['cleo'] }, at('ana', 10));
		return { doc, id };
	}

	it('[IB5] a proposed record listing me, without my position; gone once I weigh in', () => {
		const { doc, id } = workspace();
		const talk = new Y.Doc();
		const positions = (pageId: string) => (pageId === id ? listPositions(talk) : null);
		expect(decisionItems(doc, positions, 'ben')).toEqual([{ key: `decision:${id}`, reason: 'decision', pageId: id, threadId: null, version: expect.any(String), from: 'ana', fromName: '', at: 10, text: '' }]);
		expect(decisionItems(doc, positions, 'cleo').map((i) => i.key)).toEqual([`decision:${id}`]);
		expect(decisionItems(doc, positions, 'dan')).toEqual([]);
		recordPosition(talk, { status: DecisionStatus.proposed }, { stance: Stance.agree, rationale: '', name: 'Ben' }, at('ben', 20));
		expect(decisionItems(doc, positions, 'ben')).toEqual([]);
		// Positions not loaded yet: no item (they may well hold mine).
		expect(decisionItems(doc, () => null, 'cleo')).toEqual([]);
	});

	it('[IB5] not for archived or decided records', () => {
		const archived = workspace();
		archivePage(archived.doc, archived.id, at('ana', 30));
		expect(decisionItems(archived.doc, () => [], 'ben')).toEqual([]);
		const decided = workspace();
		changeStatus(decided.doc, decided.id, DecisionStatus.accepted, '', at('ana', 40));
		expect(decisionItems(decided.doc, () => [], 'ben')).toEqual([]);
	});

	it('[IB5] a reopened decision asks again, though Ben cleared it when it was first proposed', () => {
		const { doc, id } = workspace();
		const inbox = new Y.Doc();
		markDone(inbox, decisionItems(doc, () => [], 'ben'));
		expect(inboxCounts(withState(decisionItems(doc, () => [], 'ben'), inbox))).toEqual({ open: 0, unread: 0 });
		changeStatus(doc, id, DecisionStatus.accepted, '', at('ana', 40));
		// Reopened by a device whose clock is far behind: the log grew, so it is a new question.
		changeStatus(doc, id, DecisionStatus.proposed, 'Numbers changed', at('ana', 5));
		expect(withState(decisionItems(doc, () => [], 'ben'), inbox)).toMatchObject([{ unread: true, done: false }]);
	});
});

describe('the member’s state', () => {
	it('[IB6] unread until read; done until the version changes, whatever its time says', () => {
		const inbox = new Y.Doc();
		const first = item('thread:P:t', 'v1', 100);
		expect(withState([first], null)).toEqual([{ ...first, unread: true, done: false }]);
		expect(withState([first], inbox)).toEqual([{ ...first, unread: true, done: false }]);
		markRead(inbox, [first]);
		expect(withState([first], inbox)[0]).toMatchObject({ unread: false, done: false });
		markDone(inbox, [first]);
		expect(withState([first], inbox)[0]).toMatchObject({ unread: false, done: true });
		// Something new, stamped earlier by a clock that is behind: unread and back in the inbox.
		const next = item('thread:P:t', 'v2', 50);
		expect(withState([next], inbox)[0]).toMatchObject({ unread: true, done: false });
	});

	it('[IB6] a reply from a writer whose clock is behind brings a cleared thread back', () => {
		const { talk, thread } = threadBy('ben', 'Are these final?', [], 9 * 60 * MINUTE);
		reply(talk, thread, { text: 'Yes', name: 'Ana' }, at('ana', 10 * 60 * MINUTE));
		const inbox = new Y.Doc();
		markDone(inbox, threadItems('P', talk, 'ben'));
		expect(inboxCounts(withState(threadItems('P', talk, 'ben'), inbox))).toEqual({ open: 0, unread: 0 });
		// Dan replies at 10:02 by a clock five minutes slow: stamped 09:57, before Ben cleared it.
		reply(talk, thread, { text: 'One more thing', name: 'Dan' }, at('dan', 9 * 60 * MINUTE + 57 * MINUTE));
		expect(withState(threadItems('P', talk, 'ben'), inbox)).toMatchObject([{ from: 'dan', text: 'One more thing', unread: true, done: false }]);
	});

	it('[IB6] an edit that adds a mention of me brings a cleared thread back', () => {
		const { talk, thread } = threadBy('ben', 'Are these final?');
		const answer = reply(talk, thread, { text: 'Yes', name: 'Ana' }, at('ana', 2_000));
		const inbox = new Y.Doc();
		markDone(inbox, threadItems('P', talk, 'ben'));
		// Ben's own edit is no news to him.
		const question = ((talk.getMap('threads').get(thread) as Y.Map<unknown>).get('messages') as Y.Array<Y.Map<unknown>>).get(0).get('id') as string;
		editMessage(talk, thread, question, 'Are these final now?', at('ben', 2_500));
		expect(withState(threadItems('P', talk, 'ben'), inbox)).toMatchObject([{ unread: false, done: true }]);
		editMessage(talk, thread, answer, 'Yes, @Ben see row 4', at('ana', 1_500), [{ id: 'ben', label: 'Ben' }]);
		expect(withState(threadItems('P', talk, 'ben'), inbox)).toMatchObject([{ reason: 'mention', text: 'Yes, @Ben see row 4', unread: true, done: false }]);
	});

	it('[IB6] writes only when the stored version differs; markNotDone brings an item back, read', () => {
		const inbox = new Y.Doc();
		markDone(inbox, [item('k', 'v1')]);
		expect(inboxItemsMap(inbox).get('k')).toEqual({ read: 'v1', done: 'v1' });
		// Nothing to write: no update at all.
		let updates = 0;
		inbox.on('update', () => updates++);
		markRead(inbox, [item('k', 'v1')]);
		markDone(inbox, [item('k', 'v1')]);
		expect(updates).toBe(0);
		markRead(inbox, [item('k', 'v2')]);
		expect(inboxItemsMap(inbox).get('k')).toEqual({ read: 'v2', done: 'v1' });
		expect(withState([item('k', 'v2')], inbox)[0]).toMatchObject({ unread: false, done: false });
		markDone(inbox, [item('k', 'v2')]);
		markNotDone(inbox, [item('k', 'v2')]);
		expect(inboxItemsMap(inbox).get('k')).toEqual({ read: 'v2', done: null });
		expect(withState([item('k', 'v2')], inbox)[0]).toMatchObject({ unread: false, done: false });
		markNotDone(inbox, [item('k', 'v2')]);
		expect(updates).toBe(3);
	});

	it('[IB6] stores the version, not a clock reading; counts and order; old and garbage state is nothing', () => {
		const inbox = new Y.Doc();
		const realNow = Date.now;
		Date.now = () => 42;
		try {
			markRead(inbox, [item('a', 'va', 5_000)]);
		} finally {
			Date.now = realNow;
		}
		expect(inboxItemsMap(inbox).get('a')).toEqual({ read: 'va', done: null });
		const items = [item('a', 'va', 5_000), item('b', 'vb', 7_000), item('c', 'vc', 6_000), item('d', 'vd', 1_000)];
		markDone(inbox, [item('d', 'vd', 1_000)]);
		const entries = withState(items, inbox);
		expect(entries.map((e) => e.key)).toEqual(['b', 'c', 'a', 'd']);
		expect(inboxCounts(entries)).toEqual({ open: 3, unread: 2 });
		// Stored garbage from another client, and state from before versions (the item's time), read
		// as nothing stored: unread, not cleared.
		inboxItemsMap(inbox).set('b', 'read');
		inboxItemsMap(inbox).set('c', { read: 'yes', done: Number.NaN });
		inboxItemsMap(inbox).set('a', { read: 5_000, done: 5_000 });
		expect(withState(items, inbox).map((e) => [e.key, e.unread, e.done])).toEqual([
			['b', true, false],
			['c', true, false],
			['a', true, false],
			['d', false, true]
		]);
	});
});

describe('the live index', () => {
	function manual() {
		const queue: (() => void)[] = [];
		const workspace = new Y.Doc();
		initWorkspace(workspace, 'Team', at('ana', 1));
		const index = new InboxIndex(workspace, 'ben', (run) => queue.push(run));
		const runAll = () => {
			while (queue.length > 0) queue.splice(0).forEach((run) => run());
		};
		return { index, workspace, queue, runAll };
	}

	it('[IB7] recomputes in one batch after a source changes, and emits only when items change', () => {
		const { index, workspace, queue, runAll } = manual();
		const page = createPage(workspace, { title: 'Q3', parentId: null }, at('ana', 2));
		const { talk, thread } = threadBy('ben', 'Are these final?');
		const pageBody = body(p('Plan '));
		index.trackTalk(page, talk);
		index.trackBody(page, pageBody);
		const state = new Y.Doc();
		index.setState(state);
		let changes = 0;
		index.onChange(() => changes++);
		runAll();
		expect(index.entries).toEqual([]);

		reply(talk, thread, { text: 'Yes', name: 'Ana' }, at('ana', 2_000));
		reply(talk, thread, { text: 'Really', name: 'Ana' }, at('ana', 2_100));
		// Nothing read on the change itself; one batch for the burst.
		expect(index.entries).toEqual([]);
		expect(queue.length).toBe(1);
		runAll();
		expect(index.entries.map((e) => [e.key, e.text, e.unread])).toEqual([[`thread:${page}:${thread}`, 'Really', true]]);
		expect(index.counts).toEqual({ open: 1, unread: 1 });
		expect(changes).toBe(1);

		// A body edit without a mention of Ben changes no item: no change heard.
		(bodyFragment(pageBody).get(0) as Y.XmlElement).insert(1, [new Y.XmlText('more')]);
		runAll();
		expect(changes).toBe(1);

		// The member's state is heard at once.
		expect(index.markDone(index.entries)).toBe(true);
		expect(changes).toBe(2);
		expect(index.counts).toEqual({ open: 0, unread: 0 });
		expect(index.entries[0]).toMatchObject({ done: true, unread: false });
	});

	it('[IB7] follows decisions through the workspace and positions, and drops an untracked page', () => {
		const { index, workspace, runAll } = manual();
		expect(index.ready).toBe(false);
		expect(index.markRead([item('k', 'v1')])).toBe(false);
		const id = createDecision(workspace, { title: 'Adopt Postgres', owner: 'ana', decideBy: 1e12, deciders: ['ben'] }, at('ana', 10));
		runAll();
		// Its discussion is not followed yet: positions unknown, no item.
		expect(index.entries).toEqual([]);
		const talk = new Y.Doc();
		index.trackTalk(id, talk);
		sharePage(talk, { to: ['ben'], note: 'Please weigh in', name: 'Ana' }, at('ana', 20));
		runAll();
		expect(index.entries.map((e) => e.reason).sort()).toEqual(['decision', 'share']);
		recordPosition(talk, { status: DecisionStatus.proposed }, { stance: Stance.agree, rationale: '', name: 'Ben' }, at('ben', 30));
		runAll();
		expect(index.entries.map((e) => e.reason)).toEqual(['share']);
		index.untrack(id);
		expect(index.entries).toEqual([]);
	});
});
