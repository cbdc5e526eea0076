/**
 * Who wrote what in a page body (src/lib/model/authorship.ts).
 *
 * [A1] The first local change by a client records client id → { member, at }, once.
 * [A2] A local insertion records an edit mark { client, clock, at } where `clock` is the first
 *      clock of the insertion; at most one mark per client per minute of editing.
 * [A3] A local deletion records { member, at, ds } whose `ds` decodes (Y.decodeSnapshot(ds).ds)
 *      to exactly the deleted ranges.
 * [A4] Changes from elsewhere are never recorded as the local member's: updates applied with a
 *      remote origin ('relay', 'tab', 'indexeddb'), whether as their own transaction or inside one.
 * [A5] Two devices of one member each record their own client id; merging loses neither.
 * [A6] The bookkeeping is its own transaction (origin 'authorship'), in the same turn as the edit
 *      (one update for the edit, one for its record); the returned function stops tracking.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	Origin,
	authorsMap,
	bodyFragment,
	deletionsArray,
	editsArray,
	memberOfClient,
	newPageDoc,
	seedPageBody,
	trackAuthorship
} from '../../src/lib/model/index.ts';
import { syncBoth } from '../support/model-helpers.ts';

/** A page body whose first paragraph holds `text`; the returned Y.XmlText is that text. */
function pageWithText(doc: Y.Doc, text: string): Y.XmlText {
	seedPageBody(doc, 'page');
	const paragraph = bodyFragment(doc).get(0) as Y.XmlElement;
	const yText = new Y.XmlText();
	// Written with the seed origin so that it counts as nobody's edit in these tests.
	doc.transact(() => {
		paragraph.insert(0, [yText]);
		yText.insert(0, text);
	}, Origin.seed);
	return yText;
}

/** A controllable clock. */
function clock(start = 0): { now: () => number; advance: (ms: number) => void } {
	let t = start;
	return { now: () => t, advance: (ms) => (t += ms) };
}

describe('local edits', () => {
	it('[A1] records the client id as the member’s, once', () => {
		const doc = newPageDoc();
		const text = pageWithText(doc, '');
		const time = clock(100);
		trackAuthorship(doc, 'alice', time.now);
		text.insert(0, 'hi', undefined);
		time.advance(500);
		text.insert(2, '!', undefined);
		expect(authorsMap(doc).toJSON()).toEqual({ [String(doc.clientID)]: { member: 'alice', at: 100 } });
		expect(memberOfClient(doc, doc.clientID)).toBe('alice');
		expect(memberOfClient(doc, 12345)).toBeNull();
	});

	it('[A2] an insertion records an edit mark at its first clock, at most one per minute', () => {
		const doc = newPageDoc();
		const text = pageWithText(doc, '');
		const time = clock(0);
		trackAuthorship(doc, 'alice', time.now);
		const firstClock = Y.getState(doc.store, doc.clientID);
		text.insert(0, 'a');
		time.advance(59_999);
		text.insert(1, 'b');
		expect(editsArray(doc).toArray()).toEqual([{ client: doc.clientID, clock: firstClock, at: 0 }]);
		time.advance(1);
		const laterClock = Y.getState(doc.store, doc.clientID);
		text.insert(2, 'c');
		expect(editsArray(doc).toArray()).toEqual([
			{ client: doc.clientID, clock: firstClock, at: 0 },
			{ client: doc.clientID, clock: laterClock, at: 60_000 }
		]);
		// The mark's clock is the clock of the member's own first character (Yjs may have merged
		// it into one item with earlier characters, hence the offset).
		const item = Y.getItem(doc.store, Y.createID(doc.clientID, laterClock));
		expect(item.content.getContent()[laterClock - item.id.clock]).toBe('c');
	});

	it('[A3] a deletion records a delete set that decodes to exactly the deleted range', () => {
		const doc = newPageDoc();
		const text = pageWithText(doc, 'Hello, world');
		trackAuthorship(doc, 'alice', () => 42);
		text.delete(5, 7);
		const deletions = deletionsArray(doc).toArray();
		expect(deletions).toHaveLength(1);
		const [deletion] = deletions;
		expect(deletion?.member).toBe('alice');
		expect(deletion?.at).toBe(42);
		const ds = Y.decodeSnapshot(deletion?.ds ?? new Uint8Array()).ds;
		const deleted: string[] = [];
		Y.iterateDeletedStructs(new Y.Transaction(doc, null, false), ds, (struct) => {
			if (struct instanceof Y.Item) deleted.push(...(struct.content.getContent() as string[]));
		});
		expect(deleted.join('')).toBe(', world');
		expect(text.toString()).toBe('Hello');
		// A deletion alone is not an insertion: no edit mark.
		expect(editsArray(doc).length).toBe(0);
	});

	it('[A3] the record travels with the edit and decodes the same on a peer', () => {
		const a = newPageDoc();
		const text = pageWithText(a, 'abc');
		const b = newPageDoc();
		syncBoth(a, b);
		trackAuthorship(a, 'alice', () => 1);
		text.delete(0, 1);
		syncBoth(a, b);
		const [onA] = deletionsArray(a).toArray();
		const [onB] = deletionsArray(b).toArray();
		expect(onB?.ds).toEqual(onA?.ds);
		expect(Y.equalDeleteSets(Y.decodeSnapshot(onB?.ds ?? new Uint8Array()).ds, Y.decodeSnapshot(onA?.ds ?? new Uint8Array()).ds)).toBe(true);
	});
});

describe('remote changes', () => {
	it('[A4] updates applied with origin relay are not recorded as the local member’s', () => {
		const local = newPageDoc();
		const remote = newPageDoc();
		const remoteText = pageWithText(remote, 'shared text');
		syncBoth(remote, local);
		trackAuthorship(local, 'alice', () => 1);
		trackAuthorship(remote, 'bob', () => 2);
		remoteText.insert(0, 'bob: ');
		remoteText.delete(5, 6);
		Y.applyUpdate(local, Y.encodeStateAsUpdate(remote, Y.encodeStateVector(local)), Origin.relay);
		expect(memberOfClient(local, remote.clientID)).toBe('bob');
		expect(memberOfClient(local, local.clientID)).toBeNull();
		expect(deletionsArray(local).toArray().map((d) => d.member)).toEqual(['bob']);
		expect(editsArray(local).toArray().map((e) => e.client)).toEqual([remote.clientID]);
	});

	for (const origin of [Origin.relay, Origin.tab, Origin.indexeddb]) {
		it(`[A4] remote updates batched inside one transaction with origin ${origin} are not recorded either`, () => {
			const local = newPageDoc();
			const remote = newPageDoc();
			const remoteText = pageWithText(remote, 'shared text');
			syncBoth(remote, local);
			trackAuthorship(local, 'alice', () => 1);
			remoteText.delete(0, 7);
			const update = Y.encodeStateAsUpdate(remote, Y.encodeStateVector(local));
			// A provider replaying several updates in one transaction (Yjs then marks it non-local).
			local.transact(() => Y.applyUpdate(local, update), origin);
			expect(authorsMap(local).size).toBe(0);
			expect(deletionsArray(local).length).toBe(0);
		});
	}
});

describe('one member, several devices', () => {
	it('[A5] both devices’ client ids are kept after merging', () => {
		const laptop = newPageDoc();
		const phone = newPageDoc();
		const laptopText = pageWithText(laptop, '');
		const phoneText = pageWithText(phone, '');
		trackAuthorship(laptop, 'alice', () => 10);
		trackAuthorship(phone, 'alice', () => 20);
		// Offline on both devices, then merged.
		laptopText.insert(0, 'from laptop');
		phoneText.insert(0, 'from phone');
		phoneText.delete(0, 5);
		syncBoth(laptop, phone);
		for (const doc of [laptop, phone]) {
			expect(authorsMap(doc).toJSON()).toEqual({
				[String(laptop.clientID)]: { member: 'alice', at: 10 },
				[String(phone.clientID)]: { member: 'alice', at: 20 }
			});
			expect(new Set(editsArray(doc).toArray().map((e) => e.client))).toEqual(new Set([laptop.clientID, phone.clientID]));
			expect(deletionsArray(doc).toArray().map((d) => d.at)).toEqual([20]);
		}
	});
});

describe('bookkeeping transactions', () => {
	it('[A6] the record is a separate transaction right after the edit, and stop() ends tracking', () => {
		const doc = newPageDoc();
		const text = pageWithText(doc, '');
		const stop = trackAuthorship(doc, 'alice', () => 1);
		const origins: unknown[] = [];
		doc.on('update', (_update: Uint8Array, origin: unknown) => origins.push(origin));
		doc.transact(() => text.insert(0, 'x'), Origin.local);
		expect(origins).toEqual([Origin.local, Origin.authorship]);
		stop();
		text.insert(1, 'y');
		text.delete(0, 1);
		expect(origins).toEqual([Origin.local, Origin.authorship, null, null]);
		expect(editsArray(doc).length).toBe(1);
		expect(deletionsArray(doc).length).toBe(0);
	});
});
