/**
 * The live inbox index's status (src/lib/sync/inbox.ts): when an empty list may be called an empty
 * inbox. Relay links are stand-ins with the RoomLink surface the index reads (`synced`,
 * `storedStateVector`, `onChange`); batches run by hand.
 *
 * [IX1] `loading` until the member's state is open and every page asked for has had its body and
 *       discussion arrive and read once; a failed open does not hold it back; it never goes back.
 * [IX2] With links, `syncing` until each followed document has synced once (a later disconnect
 *       does not bring it back), and while pages the relay brought are still opening.
 * [IX3] A decision asks for no position while its discussion has a link that never synced and
 *       nothing stored on this device; it is read again when the link first syncs. A discussion
 *       stored on this device is trusted offline.
 * [IX4] The member's state failing to open is `failed`, with the reason, until `retryState` opens it.
 * [IX5] Destroyed, the index follows nothing and tells nobody.
 * [IX6] A long body's mentions are read at the pace of the other indexes (pace.ts): while the
 *       member types in it, once they pause; a teammate's change at the page's pace.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createDecision, DecisionStatus, recordPosition, Stance } from '../../src/lib/model/decisions.ts';
import { sharePage } from '../../src/lib/model/shares.ts';
import { createPage, initWorkspace } from '../../src/lib/model/workspace.ts';
import { InboxIndex } from '../../src/lib/sync/inbox.ts';
import { OWN_EDIT_QUIET_MS } from '../../src/lib/sync/pace.ts';
import { bodyFragment } from '../../src/lib/model/page.ts';
import { Origin } from '../../src/lib/model/origins.ts';
import { FakeLink } from '../support/fake-link.ts';

const at = (memberId: string, now: number) => ({ memberId, now });

function manual(workspaceLink: FakeLink | null = null) {
	const queue: (() => void)[] = [];
	const workspace = new Y.Doc();
	initWorkspace(workspace, 'Team', at('ana', 1));
	const index = new InboxIndex(workspace, 'ben', (run) => queue.push(run), workspaceLink);
	const runAll = () => {
		while (queue.length > 0) queue.splice(0).forEach((run) => run());
	};
	let statusHeard = 0;
	index.onStatus(() => statusHeard++);
	return { index, workspace, queue, runAll, statusHeard: () => statusHeard };
}

describe('the inbox index status', () => {
	it('[IX1] is loading until the state and every page asked for have arrived and been read', () => {
		const { index, workspace, runAll, statusHeard } = manual();
		const first = createPage(workspace, { title: 'Q3', parentId: null }, at('ana', 2));
		const second = createPage(workspace, { title: 'Q4', parentId: null }, at('ana', 3));
		index.expect(first);
		index.expect(second);
		runAll();
		expect(index.status.kind).toBe('loading');

		index.setState(new Y.Doc());
		index.trackBody(first, new Y.Doc());
		const talk = new Y.Doc();
		sharePage(talk, { to: ['ben'], note: '', name: 'Ana' }, at('ana', 10));
		index.trackTalk(first, talk);
		index.trackBody(second, new Y.Doc());
		runAll();
		// The second page's discussion is still on its way: the share found so far is not shown as all.
		expect(index.status.kind).toBe('loading');

		// Its open failed (asked for again later): nothing more to wait for.
		index.missed(second, 'talk');
		expect(index.status.kind).toBe('loading');
		runAll();
		expect(index.status.kind).toBe('ready');
		expect(index.entries.map((e) => e.reason)).toEqual(['share']);
		expect(statusHeard()).toBe(1);

		// A page created later does not send the list back to loading.
		const third = createPage(workspace, { title: 'Q5', parentId: null }, at('ana', 4));
		index.expect(third);
		runAll();
		expect(index.status.kind).toBe('ready');
	});

	it('[IX1] an empty workspace settles once the state is open', () => {
		const { index, runAll } = manual();
		runAll();
		expect(index.status.kind).toBe('loading');
		index.setState(new Y.Doc());
		expect(index.status.kind).toBe('loading');
		runAll();
		expect(index.status.kind).toBe('ready');
		expect(index.entries).toEqual([]);
	});

	it('[IX2] is syncing until each followed document has synced once', () => {
		const workspaceLink = new FakeLink();
		const { index, workspace, runAll } = manual(workspaceLink);
		const page = createPage(workspace, { title: 'Q3', parentId: null }, at('ana', 2));
		const stateLink = new FakeLink();
		const bodyLink = new FakeLink();
		const talkLink = new FakeLink();
		index.expect(page);
		index.setState(new Y.Doc(), stateLink);
		index.trackBody(page, new Y.Doc(), bodyLink);
		index.trackTalk(page, new Y.Doc(), talkLink);
		runAll();
		expect(index.status.kind).toBe('syncing');
		for (const link of [workspaceLink, stateLink, bodyLink]) link.set(true);
		expect(index.status.kind).toBe('syncing');
		talkLink.set(true);
		expect(index.status.kind).toBe('ready');
		// Synced once is enough: offline afterwards, what is here is what was on the relay.
		talkLink.set(false);
		expect(index.status.kind).toBe('ready');
		expect(talkLink.listeners).toBe(0);

		// A page the relay brought is opened from the device before its links are known.
		const later = createPage(workspace, { title: 'Q4', parentId: null }, at('ana', 3));
		index.expect(later);
		expect(index.status.kind).toBe('syncing');
		index.trackBody(later, new Y.Doc(), new FakeLink());
		index.trackTalk(later, new Y.Doc(), Object.assign(new FakeLink(), { synced: true }));
		runAll();
		expect(index.status.kind).toBe('syncing');
	});

	it('[IX3] a decision asks for no position before its discussion first syncs on a new device', () => {
		const { index, workspace, runAll } = manual();
		const id = createDecision(workspace, { title: 'Adopt Postgres', owner: 'ana', decideBy: 1e12, deciders: ['ben'] }, at('ana', 10));
		index.setState(new Y.Doc());
		const talk = new Y.Doc();
		const link = new FakeLink();
		index.trackTalk(id, talk, link);
		runAll();
		expect(index.entries).toEqual([]);

		// Ben's position, recorded on his other device, arrives with the first sync: never an item.
		const elsewhere = new Y.Doc();
		recordPosition(elsewhere, { status: DecisionStatus.proposed }, { stance: Stance.agree, rationale: '', name: 'Ben' }, at('ben', 20));
		Y.applyUpdate(talk, Y.encodeStateAsUpdate(elsewhere));
		link.set(true);
		runAll();
		expect(index.entries).toEqual([]);

		// Another decision's discussion syncs empty: now it is known that Ben has no position.
		const other = createDecision(workspace, { title: 'Drop MySQL', owner: 'ana', decideBy: 1e12, deciders: ['ben'] }, at('ana', 30));
		const otherLink = new FakeLink();
		index.trackTalk(other, new Y.Doc(), otherLink);
		runAll();
		expect(index.entries).toEqual([]);
		otherLink.set(true);
		runAll();
		expect(index.entries.map((e) => e.key)).toEqual([`decision:${other}`]);
	});

	it('[IX3] a discussion stored on this device is trusted before it syncs', () => {
		const { index, workspace, runAll } = manual();
		const id = createDecision(workspace, { title: 'Adopt Postgres', owner: 'ana', decideBy: 1e12, deciders: ['ben'] }, at('ana', 10));
		index.setState(new Y.Doc());
		const talk = new Y.Doc();
		sharePage(talk, { to: ['ana'], note: '', name: 'Carla' }, at('carla', 5));
		index.trackTalk(id, talk, new FakeLink());
		runAll();
		expect(index.entries.map((e) => e.key)).toEqual([`decision:${id}`]);

		// So is one whose link remembers what the relay stored, and one without a relay at all.
		const remembered = createDecision(workspace, { title: 'Drop MySQL', owner: 'ana', decideBy: 1e12, deciders: ['ben'] }, at('ana', 20));
		index.trackTalk(remembered, new Y.Doc(), Object.assign(new FakeLink(), { storedStateVector: new Uint8Array([0]) }));
		const local = createDecision(workspace, { title: 'Use tabs', owner: 'ana', decideBy: 1e12, deciders: ['ben'] }, at('ana', 30));
		index.trackTalk(local, new Y.Doc());
		runAll();
		expect(index.entries.map((e) => e.key).sort()).toEqual([`decision:${id}`, `decision:${remembered}`, `decision:${local}`].sort());
	});

	it('[IX4] a state that fails to open is reported until a retry opens it', async () => {
		const { index, runAll } = manual();
		const state = new Y.Doc();
		let attempts = 0;
		index.loadState(async () => {
			attempts++;
			if (attempts === 1) throw new Error('The device storage is full');
			return { doc: state, link: null };
		});
		await Promise.resolve();
		await Promise.resolve();
		runAll();
		expect(index.status).toEqual({ kind: 'failed', reason: 'The device storage is full' });
		expect(index.ready).toBe(false);

		index.retryState();
		expect(index.status.kind).toBe('loading');
		// One attempt at a time.
		index.retryState();
		await Promise.resolve();
		await Promise.resolve();
		expect(attempts).toBe(2);
		expect(index.ready).toBe(true);
		runAll();
		expect(index.status.kind).toBe('ready');
	});

	it('[IX5] destroyed, it follows nothing and tells nobody', () => {
		const { index, workspace, queue, runAll } = manual();
		const page = createPage(workspace, { title: 'Q3', parentId: null }, at('ana', 2));
		const talk = new Y.Doc();
		const link = new FakeLink();
		index.setState(new Y.Doc());
		index.trackTalk(page, talk, link);
		runAll();
		let heard = 0;
		index.onChange(() => heard++);
		index.onStatus(() => heard++);
		index.destroy();
		expect(link.listeners).toBe(0);

		sharePage(talk, { to: ['ben'], note: '', name: 'Ana' }, at('ana', 10));
		createPage(workspace, { title: 'Q4', parentId: null }, at('ana', 3));
		index.trackBody(page, new Y.Doc());
		index.expect('another');
		expect(queue).toEqual([]);
		index.flush();
		expect(heard).toBe(0);
		expect(index.entries).toEqual([]);
	});
});

describe('the inbox index pace', () => {
	/** A mention of Ben, written by Ana, at the end of the body's first paragraph, with `origin`. */
	function mentionBen(doc: Y.Doc, id: string, origin: unknown): void {
		const paragraph = bodyFragment(doc).get(0) as Y.XmlElement;
		doc.transact(() => {
			const mention = new Y.XmlElement('mention');
			for (const [name, value] of Object.entries({ member: 'ben', label: 'Ben', id, by: 'ana', at: 5_000 })) mention.setAttribute(name, value as string);
			paragraph.insert(paragraph.length, [mention]);
		}, origin);
	}

	it('[IX6] a long body the member types in is read once they pause; a teammate’s change keeps the pace', async () => {
		const queue: (() => void)[] = [];
		// Every look at the clock moves it 5 ms on: a read "takes" 5 ms, so the body may be read
		// again 100 ms (20 × 5) after it.
		const time = { clock: 0 };
		const workspace = new Y.Doc();
		initWorkspace(workspace, 'Team', at('ana', 1));
		const index = new InboxIndex(workspace, 'ben', (run) => queue.push(run), null, () => (time.clock += 5));
		const runAll = () => {
			while (queue.length > 0) queue.splice(0).forEach((run) => run());
		};
		index.setState(new Y.Doc());
		const page = createPage(workspace, { title: 'Long', parentId: null }, at('ana', 2));
		const body = new Y.Doc({ gc: false });
		bodyFragment(body).insert(0, [new Y.XmlElement('paragraph')]);
		index.trackBody(page, body);
		runAll();
		expect(index.entries).toHaveLength(0);

		// Edits made on this device (not from the relay or another tab), 100 ms apart, past the pace.
		mentionBen(body, 'm1', Origin.local);
		for (let key = 0; key < 4; key++) {
			time.clock += 100;
			body.transact(() => bodyFragment(body).insert(1, [new Y.XmlElement('paragraph')]), Origin.local);
			runAll();
			expect(index.entries).toHaveLength(0);
		}
		// A pause: read.
		time.clock += OWN_EDIT_QUIET_MS;
		await new Promise((resolve) => setTimeout(resolve, OWN_EDIT_QUIET_MS + 50));
		runAll();
		expect(index.entries.map((entry) => entry.key)).toEqual([`mention:${page}:m1`]);
		// A teammate's mention is read at the page's pace, not held for a pause.
		time.clock += 200;
		mentionBen(body, 'm2', Origin.relay);
		runAll();
		expect(index.entries.map((entry) => entry.key).sort()).toEqual([`mention:${page}:m1`, `mention:${page}:m2`]);
		index.destroy();
	});
});
