/**
 * The live catch-up index (src/lib/sync/catch-up.ts) with the member's private room, and the page's
 * catch-up (components/catch-up/page-catch-up.svelte.ts). Relay links are stand-ins with the
 * RoomLink surface the index reads; the DOM is the two event targets PageCatchUp listens to.
 *
 * [CU-I1] An open page records no look while a teammate types on it; only when the member hides
 *         the tab or leaves the page (every look is a snapshot the relay keeps for good).
 * [CU-I2] No baseline is captured and nothing is recorded before the member's room has synced
 *         once (a new device): then the real last look is the baseline.
 * [CU-I3] Opening the member's room failing makes the status `failed`, with the reason; "Try
 *         again" opens it.
 * [CU-I4] "Mark all read" records what was displayed: a comment that arrived after that batch
 *         stays news.
 * [CU-I5] A page that takes long to read is read again by a batch only PACE × its last read's time
 *         after that read (sync/pace.ts), then on a timer; `flush()` reads it at once.
 * [CU-I6] The member typing in a long page holds its re-read until they pause (OWN_EDIT_QUIET_MS):
 *         their own edits bring them no news. A teammate's change arriving while they type waits
 *         for the pause with it (search's [SX16] checks that one after the pause keeps the pace).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { prosemirrorToYXmlFragment } from 'y-prosemirror';
import type { Node } from 'prosemirror-model';
import { schema } from '../../src/lib/editor/schema.ts';
import { startThread, type Anchor } from '../../src/lib/model/comments.ts';
import { lastSeen, markSeen, startCatchUp } from '../../src/lib/model/catch-up.ts';
import { trackAuthorship } from '../../src/lib/model/authorship.ts';
import { Origin } from '../../src/lib/model/origins.ts';
import { bodyFragment } from '../../src/lib/model/page.ts';
import { createPage, initWorkspace } from '../../src/lib/model/workspace.ts';
import { CatchUpIndex } from '../../src/lib/sync/catch-up.ts';
import { OWN_EDIT_QUIET_MS } from '../../src/lib/sync/pace.ts';
import type { Schedule } from '../../src/lib/sync/backlinks.ts';
import type { Source } from '../../src/lib/sync/state-room.ts';
import { PageCatchUp } from '../../src/lib/components/catch-up/page-catch-up.svelte.ts';
import { syncBoth } from '../support/model-helpers.ts';
import { FakeLink } from '../support/fake-link.ts';

const n = schema.nodes;
const p = (text: string) => n['paragraph']!.create(null, schema.text(text));
const at = (memberId: string, now: number) => ({ memberId, now });

function body(...blocks: Node[]): Y.Doc {
	const ydoc = new Y.Doc({ gc: false });
	prosemirrorToYXmlFragment(n['doc']!.create(null, blocks), bodyFragment(ydoc));
	return ydoc;
}

function firstText(doc: Y.Doc): Y.XmlText {
	return (bodyFragment(doc).get(0) as Y.XmlElement).get(0) as Y.XmlText;
}

/** "Hello" in a body: where a comment sits does not matter here. */
function hello(doc: Y.Doc): Anchor {
	const position = (index: number) => Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(firstText(doc), index));
	return { start: position(0), end: position(5), quote: 'Hello' };
}

/** Writes made on this device to the member's room. */
function countWrites(inbox: Y.Doc): () => number {
	let writes = 0;
	inbox.on('update', (_update: Uint8Array, origin: unknown) => {
		if (origin === Origin.local) writes++;
	});
	return () => writes;
}

/**
 * A workspace with one page by Ana, its body and discussion followed by an index for Ana. Batches
 * are never run unless `schedule` runs them; `clock` paces reads (performance.now by default).
 */
function setUp(now: () => number = () => 100, schedule: Schedule = () => undefined, clock?: () => number) {
	const ws = new Y.Doc();
	initWorkspace(ws, 'Team', at('ana', 0));
	const pageId = createPage(ws, { title: 'Plan' }, at('ana', 1));
	const doc = body(p('Hello'));
	const talk = new Y.Doc();
	const index = new CatchUpIndex(ws, 'ana', schedule, now, clock);
	index.expect(pageId);
	index.track(pageId, 'body', doc);
	index.track(pageId, 'talk', talk);
	return { ws, pageId, doc, talk, index };
}

/** Ben's copy of a body, typing with authorship. */
function teammate(doc: Y.Doc): Y.Doc {
	const ben = new Y.Doc({ gc: false });
	Y.applyUpdate(ben, Y.encodeStateAsUpdate(doc));
	trackAuthorship(ben, 'ben', () => 200);
	return ben;
}

const realDocument = (globalThis as { document?: unknown }).document;
const realWindow = (globalThis as { window?: unknown }).window;
let page: EventTarget & { visibilityState: DocumentVisibilityState };

beforeEach(() => {
	page = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState });
	Object.assign(globalThis, { document: page, window: new EventTarget() });
});

afterEach(() => {
	Object.assign(globalThis, { document: realDocument, window: realWindow });
});

function hide(hidden: boolean): void {
	page.visibilityState = hidden ? 'hidden' : 'visible';
	page.dispatchEvent(new Event('visibilitychange'));
}

describe('looks on an open page', () => {
	it('[CU-I1] records nothing while a teammate types, only on hide and leave', () => {
		vi.useFakeTimers();
		const { pageId, doc, index } = setUp();
		const inbox = new Y.Doc();
		index.setState(inbox);
		index.flush();
		expect(index.see(pageId)).toBe(true);
		const writes = countWrites(inbox);
		const catchUp = new PageCatchUp(index, pageId, 'ana', () => 'Ben');
		const ben = teammate(doc);
		for (let i = 0; i < 20; i++) {
			firstText(ben).insert(0, 'x');
			syncBoth(doc, ben);
			index.flush();
			vi.advanceTimersByTime(30_000);
		}
		expect(writes()).toBe(0);
		hide(true);
		expect(writes()).toBe(1);
		hide(false);
		firstText(ben).insert(0, 'y');
		syncBoth(doc, ben);
		expect(writes()).toBe(1);
		catchUp.destroy();
		expect(writes()).toBe(2);
		index.destroy();
		vi.useRealTimers();
	});
});

describe("the member's room", () => {
	it('[CU-I2] no baseline and no look before the room has synced once; then the real last look', () => {
		const { ws, pageId, doc, talk, index } = setUp();
		// The look Ana recorded on another device, before Ben's edit.
		const elsewhere = new Y.Doc();
		startCatchUp(elsewhere, 50);
		markSeen(elsewhere, pageId, { body: doc, talk }, ws, 60);
		const ben = teammate(doc);
		firstText(ben).insert(0, 'Ben: ');
		syncBoth(doc, ben);

		const inbox = new Y.Doc();
		const link = new FakeLink();
		const writes = countWrites(inbox);
		let heard = 0;
		index.onChange(() => heard++);
		index.setState(inbox, link);
		index.flush();
		expect(index.status).toBe('syncing');
		expect(index.state).toBeNull();
		expect(index.news).toEqual([]);
		const catchUp = new PageCatchUp(index, pageId, 'ana', () => 'Ben');
		expect(index.see(pageId)).toBe(false);
		hide(true);
		hide(false);
		expect(writes()).toBe(0);

		Y.applyUpdate(inbox, Y.encodeStateAsUpdate(elsewhere), 'relay');
		const before = heard;
		link.set(true);
		expect(heard).toBeGreaterThan(before);
		index.flush();
		expect(index.state).toBe(inbox);
		expect(index.status).toBe('ready');
		expect(catchUp.seenAt).toBe(60);
		expect(index.news.map((news) => news.entries.map((e) => e.kind))).toEqual([['edited']]);
		catchUp.destroy();
		expect(lastSeen(inbox, pageId)?.at).toBe(100);
		index.destroy();
	});

	it('[CU-I2] a room this device has synced before is read at once, syncing until the link syncs', () => {
		const { index } = setUp();
		const link = Object.assign(new FakeLink(), { storedStateVector: new Uint8Array([0]) });
		const inbox = new Y.Doc();
		index.setState(inbox, link);
		index.flush();
		expect(index.state).toBe(inbox);
		expect(index.status).toBe('syncing');
		link.set(true);
		expect(index.status).toBe('ready');
		index.destroy();
	});

	it('[CU-I3] a failed open is reported, and "Try again" opens it', async () => {
		const { index } = setUp();
		const inbox = new Y.Doc();
		let attempts = 0;
		let heard = 0;
		index.onChange(() => heard++);
		index.loadState(() => (attempts++ === 0 ? Promise.reject(new Error('IndexedDB refused')) : Promise.resolve<Source>({ doc: inbox, link: null })));
		expect(index.status).toBe('loading');
		await Promise.resolve();
		await Promise.resolve();
		expect(index.status).toBe('failed');
		expect(index.failure).toBe('IndexedDB refused');
		expect(heard).toBeGreaterThan(0);
		index.retryState();
		expect(index.status).toBe('loading');
		await Promise.resolve();
		await Promise.resolve();
		index.flush();
		expect(attempts).toBe(2);
		expect(index.failure).toBeNull();
		expect(index.status).toBe('ready');
		index.destroy();
	});
});

describe('mark all read', () => {
	it('[CU-I4] records the displayed batch, so a later comment stays news', () => {
		const { pageId, doc, talk, index } = setUp();
		const anchor = hello(doc);
		const inbox = new Y.Doc();
		index.setState(inbox);
		index.flush();
		expect(index.see(pageId)).toBe(true);
		startThread(talk, anchor, { text: 'First', name: 'Ben' }, at('ben', 201));
		index.flush();
		const shown = index.news;
		expect(shown.map((news) => news.entries.map((e) => e.kind))).toEqual([['comment']]);
		// Arrives before the next idle batch: the member never saw it listed.
		startThread(talk, anchor, { text: 'Second', name: 'Ben' }, at('ben', 202));
		expect(index.seeAll(shown)).toBe(true);
		expect(index.news.map((news) => news.entries.map((e) => (e.kind === 'comment' ? e.text : e.kind)))).toEqual([['Second']]);
		index.destroy();
	});
});

describe('pace', () => {
	/**
	 * An index whose batches run when `runAll` says, and whose pace clock moves 5 ms on at every
	 * look: a read "takes" 5 ms, so the page may be read again 100 ms (20 × 5) after it.
	 */
	function paced() {
		const queue: (() => void)[] = [];
		const runAll = () => {
			while (queue.length > 0) queue.splice(0).forEach((run) => run());
		};
		const pace = { clock: 0 };
		const { pageId, doc, index } = setUp(() => 100, (run) => queue.push(run), () => (pace.clock += 5));
		index.setState(new Y.Doc());
		expect(index.see(pageId)).toBe(true);
		runAll();
		return { queue, runAll, pace, pageId, doc, index };
	}

	it('[CU-I5] a long page is read again only PACE × its read time after the last read, then on a timer; flush() at once', async () => {
		const { queue, runAll, pace, pageId, doc, index } = paced();
		expect(index.news).toEqual([]);
		const added = () => index.news.flatMap((news) => news.entries).reduce((sum, entry) => sum + (entry.kind === 'edited' ? entry.added : 0), 0);

		const ben = teammate(doc);
		firstText(ben).insert(0, 'x');
		syncBoth(doc, ben);
		runAll();
		// Too soon after the last read: left dirty, not read, and no batch asked for meanwhile.
		expect(index.news).toEqual([]);
		expect(queue).toHaveLength(0);
		// Once due, a timer asks for a batch, and that batch reads it.
		pace.clock += 200;
		await new Promise((resolve) => setTimeout(resolve, 150));
		expect(queue).toHaveLength(1);
		runAll();
		expect(index.news.map((news) => news.page.id)).toEqual([pageId]);
		expect(added()).toBe(1);

		// Read just now: a batch holds the next change back, flush() does not. (Counted in words.)
		firstText(ben).insert(firstText(ben).length, ' there');
		syncBoth(doc, ben);
		runAll();
		expect(added()).toBe(1);
		index.flush();
		expect(added()).toBe(2);
		index.destroy();
	});

	it('[CU-I6] the member typing in a long page: re-read once they pause', async () => {
		const { runAll, pace, pageId, doc, index } = paced();
		const reads = () => index.news.length;
		const ben = teammate(doc);
		firstText(ben).insert(0, 'x');
		// The member types (no origin: their editor's own transactions), 100 ms a key, past the pace.
		for (let key = 0; key < 4; key++) {
			firstText(doc).insert(0, 'm');
			pace.clock += 100;
			await new Promise((resolve) => setTimeout(resolve, 120));
			runAll();
		}
		// Ben's change arrives while the member still types: it waits for the pause too.
		syncBoth(doc, ben);
		firstText(doc).insert(0, 'm');
		pace.clock += 100;
		await new Promise((resolve) => setTimeout(resolve, 120));
		runAll();
		expect(reads()).toBe(0);
		pace.clock += OWN_EDIT_QUIET_MS;
		await new Promise((resolve) => setTimeout(resolve, OWN_EDIT_QUIET_MS + 50));
		runAll();
		expect(index.news.map((news) => news.page.id)).toEqual([pageId]);
		index.destroy();
	});
});
