/**
 * Versions of a page body (src/lib/model/versions.ts).
 *
 * [V1] An automatic version is recorded before a member's first change of the day, holding the
 *      body as it was just before it; once per member per day, also across that member's devices.
 * [V2] Seeds, received updates and bookkeeping never record one.
 * [V5] An editing session (the body opened and tracked anew) records one before its first change
 *      too, unless the member's latest automatic version is under SESSION_GAP_MS old.
 * [V3] A named version needs 1–100 characters; bad input throws VersionError and writes nothing.
 * [V4] Versions recorded apart on two replicas are both kept; junk entries are skipped, and a stored
 *      name is read capped at 100 characters (another client may have stored a megabyte).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Origin, bodyFragment, newPageDoc, seedPageBody, trackAuthorship } from '../../src/lib/model/index.ts';
import { bodyAt, takeSnapshot } from '../../src/lib/model/history.ts';
import { SESSION_GAP_MS, VersionError, listVersions, nameVersion, trackAutoVersions, versionsArray } from '../../src/lib/model/versions.ts';
import { syncBoth } from '../support/model-helpers.ts';

const DAY = 24 * 60 * 60_000;
/** Noon on a local day, so adding hours stays within it. */
const NOON = new Date(2026, 2, 3, 12, 0).getTime();

function paragraphText(doc: Y.Doc): Y.XmlText {
	const paragraph = bodyFragment(doc).get(0) as Y.XmlElement;
	if (paragraph.length === 0) doc.transact(() => paragraph.insert(0, [new Y.XmlText()]), Origin.seed);
	return paragraph.get(0) as Y.XmlText;
}

function plain(doc: Y.Doc): string {
	return ((bodyFragment(doc).get(0) as Y.XmlElement).get(0) as Y.XmlText | undefined)?.toString() ?? '';
}

function seeded(): Y.Doc {
	const doc = newPageDoc();
	seedPageBody(doc, 'page');
	return doc;
}

describe('automatic versions', () => {
	it('[V1] before the first change of the day, holding the body as it was', () => {
		const doc = seeded();
		paragraphText(doc);
		let now = NOON;
		// As the app does it: authorship first, whose bookkeeping runs a transaction of its own.
		trackAuthorship(doc, 'ana', () => now);
		const stop = trackAutoVersions(doc, 'ana', () => now);
		paragraphText(doc).insert(0, 'Hello');
		paragraphText(doc).insert(5, ' world');
		expect(listVersions(doc)).toHaveLength(1);
		const first = listVersions(doc)[0]!;
		expect(first).toMatchObject({ auto: true, name: null, by: 'ana', at: NOON });
		expect(plain(bodyAt(doc, first.snapshot)!)).toBe('');

		// The next day: the body as it was at the end of yesterday.
		now = NOON + DAY;
		paragraphText(doc).insert(0, '¡');
		const versions = listVersions(doc);
		expect(versions).toHaveLength(2);
		expect(plain(bodyAt(doc, versions[0]!.snapshot)!)).toBe('Hello world');
		stop();
	});

	it('[V1] a first change that deletes: the version still holds the deleted text; transactions that change nothing record nothing', () => {
		const doc = seeded();
		paragraphText(doc).insert(0, 'Hello world');
		let now = NOON;
		trackAuthorship(doc, 'ana', () => now);
		trackAutoVersions(doc, 'ana', () => now);
		// y-prosemirror opens a local transaction for every selection change: none of them counts.
		for (let i = 0; i < 3; i++) doc.transact(() => undefined, 'selection');
		expect(listVersions(doc)).toHaveLength(0);
		doc.transact(() => {
			paragraphText(doc).delete(0, 6);
			paragraphText(doc).insert(5, '!');
		});
		expect(plain(doc)).toBe('world!');
		const [version] = listVersions(doc);
		expect(plain(bodyAt(doc, version!.snapshot)!)).toBe('Hello world');
		now = NOON + 60_000;
		paragraphText(doc).delete(0, 1);
		expect(listVersions(doc)).toHaveLength(1);
	});

	it('[V1] once per member per day across devices', () => {
		const laptop = seeded();
		const phone = newPageDoc();
		paragraphText(laptop);
		syncBoth(laptop, phone);
		const now = () => NOON;
		trackAutoVersions(laptop, 'ana', now);
		trackAutoVersions(phone, 'ana', () => NOON + 60_000);
		paragraphText(laptop).insert(0, 'From the laptop. ');
		syncBoth(laptop, phone);
		paragraphText(phone).insert(0, 'From the phone. ');
		expect(listVersions(phone)).toHaveLength(1);

		// Another member on the same day gets their own.
		const ben = newPageDoc();
		syncBoth(phone, ben);
		trackAutoVersions(ben, 'ben', now);
		paragraphText(ben).insert(0, 'Ben. ');
		expect(listVersions(ben).map((v) => v.by).sort()).toEqual(['ana', 'ben']);
	});

	it('[V5] one per editing session unless the last one is recent', () => {
		const doc = seeded();
		paragraphText(doc);
		let now = NOON - 3 * 60 * 60_000;
		const autos = () => listVersions(doc).filter((v) => v.auto);
		const session = (work: () => void): void => {
			const stop = trackAutoVersions(doc, 'ana', () => now);
			work();
			stop();
		};
		session(() => paragraphText(doc).insert(0, 'Morning.'));
		expect(autos()).toHaveLength(1);

		// The afternoon's session: a version of the morning's result, then none while typing on.
		now = NOON + 2 * 60 * 60_000;
		session(() => {
			paragraphText(doc).insert(paragraphText(doc).length, ' Afternoon.');
			now += 60_000;
			paragraphText(doc).insert(paragraphText(doc).length, ' More.');
		});
		expect(autos()).toHaveLength(2);
		expect(plain(bodyAt(doc, autos()[0]!.snapshot)!)).toBe('Morning.');

		// Reopened within the gap: nothing new.
		now += SESSION_GAP_MS - 120_000;
		session(() => paragraphText(doc).insert(0, '¡'));
		expect(autos()).toHaveLength(2);
	});

	it('[V2] seeds, received updates and bookkeeping never record one', () => {
		const doc = newPageDoc();
		trackAutoVersions(doc, 'ana', () => NOON);
		seedPageBody(doc, 'page');
		const other = newPageDoc();
		syncBoth(doc, other);
		paragraphText(other).insert(0, 'A teammate typed this.');
		syncBoth(other, doc, Origin.relay);
		doc.transact(() => doc.getMap('authors').set('1', { member: 'ana', at: NOON }), Origin.authorship);
		// A local change outside the body (naming a version is one) is not a change to the body.
		nameVersion(doc, 'Draft', { memberId: 'ana', now: NOON });
		expect(listVersions(doc).filter((v) => v.auto)).toHaveLength(0);
		expect(plain(doc)).toBe('A teammate typed this.');
	});
});

describe('named versions', () => {
	it('[V3] a name of 1–100 characters; bad input writes nothing', () => {
		const doc = seeded();
		paragraphText(doc).insert(0, 'Proposal');
		const actor = { memberId: 'ana', now: NOON };
		const id = nameVersion(doc, '  Sent\nto client ', actor);
		const [version] = listVersions(doc);
		expect(version).toMatchObject({ id, name: 'Sent to client', auto: false, by: 'ana', at: NOON });
		expect(plain(bodyAt(doc, version!.snapshot)!)).toBe('Proposal');

		const before = Y.encodeStateVector(doc);
		expect(() => nameVersion(doc, '   ', actor)).toThrow(VersionError);
		expect(() => nameVersion(doc, 'x'.repeat(101), actor)).toThrow(/at most 100/);
		expect(Y.encodeStateVector(doc)).toEqual(before);
		expect(nameVersion(doc, 'x'.repeat(100), actor)).toBeTypeOf('string');
	});

	it('[V4] recorded apart on two replicas, both are kept; junk is skipped', () => {
		const ana = seeded();
		const ben = newPageDoc();
		syncBoth(ana, ben);
		nameVersion(ana, 'Ana’s', { memberId: 'ana', now: NOON });
		nameVersion(ben, 'Ben’s', { memberId: 'ben', now: NOON + 1 });
		versionsArray(ben).push([null, 'junk', { id: 'x', by: 'ben', at: NOON, snapshot: new Uint8Array([9]), auto: true }, { id: 'y', by: 'ben', at: NOON, snapshot: new Uint8Array([0, 0]), auto: false, name: '' }]);
		syncBoth(ana, ben);
		expect(listVersions(ana).map((v) => v.name)).toEqual(['Ben’s', 'Ana’s']);
		expect(listVersions(ben).map((v) => v.name)).toEqual(['Ben’s', 'Ana’s']);

		versionsArray(ana).push([{ id: 'z', by: 'ben', at: NOON + 2, snapshot: takeSnapshot(ana), auto: false, name: 'n'.repeat(1_000_000) }]);
		expect(listVersions(ana)[0]).toMatchObject({ id: 'z', name: 'n'.repeat(100) });
	});
});
