/**
 * The body's shared attribution (src/lib/model/history.ts `attributionOf`), read by author colours,
 * "changed since" highlights and the catch-up index.
 *
 * [H3] It is kept while the authorship records do not change, and answers like a fresh
 *      `Attribution` after new authors, edit marks or deletion records arrive (local or synced),
 *      even inside the transaction that wrote them; so do catch-up's body changes read with it.
 * [H4] Two records deleting one struct (devices that had not synced): the later entry wins, in
 *      `deleted` and in `deletedStretches` alike; stretches nobody recorded read as null.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Origin, bodyFragment, newPageDoc, seedPageBody, trackAuthorship } from '../../src/lib/model/index.ts';
import { Attribution, attributionOf } from '../../src/lib/model/history.ts';
import { bodyChangesSince } from '../../src/lib/model/catch-up.ts';
import { syncBoth } from '../support/model-helpers.ts';

const MINUTE = 60_000;

function textOf(doc: Y.Doc): Y.XmlText {
	return (bodyFragment(doc).get(0) as Y.XmlElement).get(0) as Y.XmlText;
}

/** Two replicas of one page reading "seed ", Ana's and Ben's, tracking edits at `clock.now`. */
function team() {
	const a = newPageDoc();
	seedPageBody(a, 'page');
	const paragraph = bodyFragment(a).get(0) as Y.XmlElement;
	if (paragraph.length === 0) a.transact(() => paragraph.insert(0, [new Y.XmlText('seed ')]), Origin.seed);
	const b = newPageDoc();
	syncBoth(a, b);
	const clock = { now: Date.UTC(2026, 10, 21, 10, 0) };
	trackAuthorship(a, 'ana', () => clock.now);
	trackAuthorship(b, 'ben', () => clock.now);
	return { a, b, clock };
}

/** Every character's answers, for comparing two attributions. */
function answers(doc: Y.Doc, attribution: Attribution) {
	const out: unknown[] = [];
	for (const [client, structs] of doc.store.clients) {
		for (const struct of structs) {
			for (let i = 0; i < struct.length; i++) {
				const id = Y.createID(client, struct.id.clock + i);
				out.push([client, id.clock, attribution.inserted(id), attribution.deleted(id)]);
			}
		}
	}
	return out;
}

describe('attributionOf', () => {
	it('[H3] is kept while no record changes, and matches a fresh reading after new records', () => {
		const { a, b, clock } = team();
		a.transact(() => textOf(a).insert(5, 'hello'), 'local');
		const first = attributionOf(a);
		expect(answers(a, first)).toEqual(answers(a, new Attribution(a)));
		// Typing on in the same minute writes no record: the same attribution is kept.
		a.transact(() => textOf(a).insert(10, '!'), 'local');
		expect(attributionOf(a)).toBe(first);
		const seen = Y.snapshot(a);

		// A new minute (an edit mark), a new author (Ben's client), and deletions by both, synced.
		clock.now += 2 * MINUTE;
		syncBoth(a, b);
		b.transact(() => textOf(b).insert(0, 'Ben wrote '), 'local');
		b.transact(() => textOf(b).delete(10, 2), 'local');
		a.transact(() => textOf(a).delete(textOf(a).length - 3, 2), 'local');
		syncBoth(a, b);
		const later = attributionOf(a);
		expect(later).not.toBe(first);
		expect(answers(a, later)).toEqual(answers(a, new Attribution(a)));

		// Only an edit mark changes: the deletion index is carried over and still answers the same.
		clock.now += 2 * MINUTE;
		b.transact(() => textOf(b).insert(0, 'x'), 'local');
		syncBoth(a, b);
		const marked = attributionOf(a);
		expect(marked).not.toBe(later);
		expect(answers(a, marked)).toEqual(answers(a, new Attribution(a)));

		// Catch-up's changes, read through the shared attribution, are those of a fresh one.
		const changes = bodyChangesSince(a, seen, 'ana');
		expect(changes).toEqual(bodyChangesSince(a, seen, 'ana', new Attribution(a)));
		expect(changes.deletions.map((d) => [d.member, d.text])).toEqual([['ben', 'se']]);
		expect(changes.insertions.map((i) => [i.member, i.text])).toEqual([['ben', 'xBen wrote ']]);

		// A deletion record alone (no new mark): the next reading sees it.
		a.transact(() => textOf(a).delete(0, 1), 'local');
		const deleted = attributionOf(a);
		expect(deleted).not.toBe(marked);
		expect(deleted.deleted(textOf(a)._start!.id)).toMatchObject({ member: 'ana' });
		expect(answers(a, deleted)).toEqual(answers(a, new Attribution(a)));
	});

	it('[H3] sees records written in the transaction being read (before observers run)', () => {
		const { a } = team();
		attributionOf(a);
		let inside: Attribution | null = null;
		a.transact(() => {
			a.getArray('edits').push([{ client: 12345, clock: 0, at: Date.UTC(2026, 0, 1) }]);
			inside = attributionOf(a);
		}, Origin.authorship);
		expect(inside!.inserted(Y.createID(12345, 3)).at).toBe(Date.UTC(2026, 0, 1));
	});
});

describe('deletion records', () => {
	it('[H4] the later record wins where two delete one struct; unrecorded stretches are null', () => {
		const { a, b, clock } = team();
		const base = Y.decodeStateVector(Y.encodeStateVector(a)).get(a.clientID) ?? 0;
		a.transact(() => textOf(a).insert(5, 'abcdef'), 'local');
		syncBoth(a, b);
		clock.now += MINUTE;
		// "seed abcdef": both delete "cd"; Ana also deletes "b", Ben "e".
		a.transact(() => textOf(a).delete(6, 3), 'local');
		b.transact(() => textOf(b).delete(7, 3), 'local');
		syncBoth(a, b);
		const attribution = new Attribution(a);
		const last = a.getArray<{ member: string }>('deletions').toArray().at(-1)?.member;
		// "abcdef" is Ana's client from `base` on.
		const id = (offset: number) => Y.createID(a.clientID, base + offset);
		expect(attribution.deleted(id(0))).toBeNull();
		expect(attribution.deleted(id(1))?.member).toBe('ana');
		expect(attribution.deleted(id(2))?.member).toBe(last);
		expect(attribution.deleted(id(3))?.member).toBe(last);
		expect(attribution.deleted(id(4))?.member).toBe('ben');
		expect(attribution.deleted(id(5))).toBeNull();
		const stretches = attribution.deletedStretches(a.clientID, base, base + 6);
		expect(stretches.map((s) => [s.from - base, s.to - base, s.by?.member ?? null])).toEqual(
			last === 'ana'
				? [[0, 1, null], [1, 4, 'ana'], [4, 5, 'ben'], [5, 6, null]]
				: [[0, 1, null], [1, 2, 'ana'], [2, 5, 'ben'], [5, 6, null]]
		);
	});
});
