/**
 * Page bodies (src/lib/model/page.ts).
 *
 * [P1] Page documents keep their whole history (gc: false): deleted content stays in the store,
 *      so a snapshot taken before a deletion can rebuild the deleted text.
 * [P2] seedPageBody gives a page its starting content exactly once, however many replicas seed it
 *      at the same time and in whichever order their updates merge: a blank page has one paragraph.
 * [P3] Seeding a document that already holds the seed, or any content, does nothing and says so.
 * [P4] The seed's client id comes from the page id and the seed name (31 bits, stable); another
 *      page or another seed name gets another one. Seeds may carry attributes and nested blocks.
 * [P5] The seed is nobody's edit: the authorship tracker does not record it.
 * [V2] seedPageBody, like every writer, throws NewerSchemaError on a document from a newer
 *      version and leaves it unchanged (the seed writes meta.schemaVersion, and could otherwise
 *      even win over the newer version).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	NewerSchemaError,
	BASE_SCHEMA_VERSION,
	SCHEMA_VERSION,
	authorsMap,
	bodyFragment,
	editsArray,
	metaMap,
	newPageDoc,
	readSchemaVersion,
	seedClientId,
	seedPageBody,
	trackAuthorship,
	type SeedBlock
} from '../../src/lib/model/index.ts';
import { bodyNodes, expectRefusedWithoutChange, pageBodyContent, syncBoth } from '../support/model-helpers.ts';

const emptyParagraph = { element: 'paragraph', attrs: {}, children: [] };

function firstText(doc: Y.Doc): Y.XmlText {
	const paragraph = bodyFragment(doc).get(0);
	if (!(paragraph instanceof Y.XmlElement)) throw new Error('no first paragraph');
	let text = paragraph.get(0);
	if (!(text instanceof Y.XmlText)) {
		text = new Y.XmlText();
		paragraph.insert(0, [text]);
	}
	return text as Y.XmlText;
}

describe('history is kept', () => {
	it('[P1] page docs are created with gc disabled', () => {
		expect(newPageDoc().gc).toBe(false);
	});

	it('[P1] a snapshot from before a deletion restores the deleted text, on the writer and on a peer', () => {
		const writer = newPageDoc();
		seedPageBody(writer, 'page-1');
		firstText(writer).insert(0, 'Decision: ship on Friday');
		bodyFragment(writer).insert(1, [new Y.XmlElement('paragraph')]);
		const before = Y.snapshot(writer);
		const contentBefore = bodyNodes(bodyFragment(writer));

		firstText(writer).delete(0, 10);
		bodyFragment(writer).delete(1, 1);
		const peer = newPageDoc();
		syncBoth(writer, peer);
		expect(firstText(peer).toString()).toBe('ship on Friday');

		for (const doc of [writer, peer]) {
			const restored = Y.createDocFromSnapshot(doc, before);
			expect(bodyNodes(bodyFragment(restored))).toEqual(contentBefore);
			expect(Y.snapshotContainsUpdate(Y.snapshot(doc), Y.encodeStateAsUpdate(restored))).toBe(true);
		}
	});

	it('[P1] the same restore is impossible on a garbage-collected document (why page docs are gc:false)', () => {
		const doc = new Y.Doc();
		bodyFragment(doc).insert(0, [new Y.XmlText('gone')]);
		const before = Y.snapshot(doc);
		bodyFragment(doc).delete(0, 1);
		expect(() => Y.createDocFromSnapshot(doc, before)).toThrow(/Garbage-collection must be disabled/);
	});
});

describe('seeding exactly once', () => {
	it('[P2] two replicas seeding at once end with exactly one paragraph, merged either way', () => {
		for (const direction of ['a→b first', 'b→a first'] as const) {
			const a = newPageDoc();
			const b = newPageDoc();
			expect(seedPageBody(a, 'page-7')).toBe(true);
			expect(seedPageBody(b, 'page-7')).toBe(true);
			if (direction === 'a→b first') syncBoth(a, b);
			else syncBoth(b, a);
			for (const doc of [a, b]) expect(bodyNodes(bodyFragment(doc)), direction).toEqual([emptyParagraph]);
			expect(pageBodyContent(a)).toEqual(pageBodyContent(b));
		}
	});

	it('[P2] seeding concurrently with typing on one replica still gives one paragraph, with the text in it', () => {
		const a = newPageDoc();
		const b = newPageDoc();
		const c = newPageDoc();
		seedPageBody(a, 'p');
		firstText(a).insert(0, 'hello');
		seedPageBody(b, 'p');
		seedPageBody(c, 'p');
		syncBoth(b, c);
		syncBoth(a, b);
		syncBoth(b, c);
		for (const doc of [a, b, c]) {
			expect(bodyFragment(doc).length).toBe(1);
			expect(bodyFragment(doc).toString()).toBe('<paragraph>hello</paragraph>');
		}
	});
});

describe('seeding does nothing on a document with content', () => {
	it('[P3] a second seed, or a seed that already arrived from a peer, is not applied', () => {
		const a = newPageDoc();
		expect(seedPageBody(a, 'p')).toBe(true);
		expectNoUpdate(a, () => expect(seedPageBody(a, 'p')).toBe(false));
		const b = newPageDoc();
		syncBoth(a, b);
		expectNoUpdate(b, () => expect(seedPageBody(b, 'p')).toBe(false));
	});

	it('[P3] a document with content is not seeded, even by a seed it never saw', () => {
		const doc = newPageDoc();
		bodyFragment(doc).insert(0, [new Y.XmlElement('heading')]);
		expectNoUpdate(doc, () => expect(seedPageBody(doc, 'p')).toBe(false));
		expect(bodyFragment(doc).toString()).toBe('<heading></heading>');
	});

	it('[P3] a seeded page emptied by its members stays empty', () => {
		const doc = newPageDoc();
		seedPageBody(doc, 'p');
		bodyFragment(doc).delete(0, 1);
		expect(seedPageBody(doc, 'p')).toBe(false);
		expect(bodyFragment(doc).length).toBe(0);
	});
});

describe('seed identity and content', () => {
	it('[P4] the seed client id is stable, 31 bits, and differs per page and per seed name', () => {
		const id = seedClientId(`page-1\u0000blank\u0000${BASE_SCHEMA_VERSION}`);
		expect(id).toBe(seedClientId(`page-1\u0000blank\u0000${BASE_SCHEMA_VERSION}`));
		expect(id).toBeGreaterThanOrEqual(0);
		expect(id).toBeLessThan(2 ** 31);
		expect(seedClientId(`page-2\u0000blank\u0000${BASE_SCHEMA_VERSION}`)).not.toBe(id);
		expect(seedClientId(`page-1\u0000meeting\u0000${BASE_SCHEMA_VERSION}`)).not.toBe(id);
		const doc = newPageDoc();
		seedPageBody(doc, 'page-1');
		expect([...doc.store.clients.keys()]).toEqual([id]);
		expect(readSchemaVersion(doc)).toBe(BASE_SCHEMA_VERSION);
	});

	it('[P4] seeds are keyed and stamped by the base schema, pinned at 1: a stale tab and an updated one seed a page identically', () => {
		expect(BASE_SCHEMA_VERSION).toBe(1);
		const older = newPageDoc();
		// What the first release wrote: the seed key and the stamp said version 1.
		const seedClient = seedClientId('page-1\u0000blank\u00001');
		const seed = new Y.Doc({ gc: false });
		seed.clientID = seedClient;
		seed.transact(() => {
			seed.getMap('meta').set('schemaVersion', 1);
			bodyFragment(seed).insert(0, [new Y.XmlElement('paragraph')]);
		});
		Y.applyUpdate(older, Y.encodeStateAsUpdate(seed));
		const current = newPageDoc();
		seedPageBody(current, 'page-1');
		expect(Y.encodeStateAsUpdate(current)).toEqual(Y.encodeStateAsUpdate(older));
		Y.applyUpdate(current, Y.encodeStateAsUpdate(older));
		expect(bodyFragment(current).length).toBe(1);
	});

	it('[P4] a template seed with attributes and nested blocks arrives whole and once', () => {
		const template: SeedBlock[] = [
			{ type: 'heading', attrs: { level: 2 }, text: 'Decision' },
			{ type: 'bullet_list', content: [{ type: 'list_item', content: [{ type: 'paragraph', text: 'Option A' }] }] },
			{ type: 'paragraph' }
		];
		const a = newPageDoc();
		const b = newPageDoc();
		seedPageBody(a, 'd1', 'decision', template);
		seedPageBody(b, 'd1', 'decision', template);
		syncBoth(a, b);
		const expected = [
			{ element: 'heading', attrs: { level: 2 }, children: [{ text: [{ insert: 'Decision' }] }] },
			{
				element: 'bullet_list',
				attrs: {},
				children: [
					{
						element: 'list_item',
						attrs: {},
						children: [{ element: 'paragraph', attrs: {}, children: [{ text: [{ insert: 'Option A' }] }] }]
					}
				]
			},
			emptyParagraph
		];
		expect(bodyNodes(bodyFragment(a))).toEqual(expected);
		expect(bodyNodes(bodyFragment(b))).toEqual(expected);
	});
});

describe('seeding and authorship', () => {
	it('[P5] the seed is not recorded as the member’s edit', () => {
		const doc = newPageDoc();
		trackAuthorship(doc, 'alice', () => 1);
		seedPageBody(doc, 'p');
		expect(authorsMap(doc).size).toBe(0);
		expect(editsArray(doc).length).toBe(0);
		firstText(doc).insert(0, 'x');
		expect(authorsMap(doc).toJSON()).toEqual({ [String(doc.clientID)]: { member: 'alice', at: 1 } });
	});
});

describe('schema version', () => {
	it('[V2] seedPageBody throws NewerSchemaError on a newer document and leaves it unchanged', () => {
		// Many page ids: the old seed would sometimes have won the schemaVersion key and downgraded it.
		for (let i = 0; i < 20; i++) {
			const doc = newPageDoc();
			doc.transact(() => metaMap(doc).set('schemaVersion', SCHEMA_VERSION + 1));
			expectRefusedWithoutChange(doc, () => seedPageBody(doc, `page-${i}`), NewerSchemaError);
			expect(readSchemaVersion(doc)).toBe(SCHEMA_VERSION + 1);
		}
	});
});

function expectNoUpdate(doc: Y.Doc, act: () => void): void {
	const before = Y.encodeStateAsUpdate(doc);
	let updates = 0;
	const count = (): void => {
		updates++;
	};
	doc.on('update', count);
	act();
	doc.off('update', count);
	expect(updates).toBe(0);
	expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
}
