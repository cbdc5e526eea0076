/**
 * A page body's history (src/lib/model/history.ts).
 *
 * [H1] A snapshot rebuilds the body as it was, after later inserts and deletes; stored bytes that
 *      are not a snapshot read as null; a snapshot naming changes this copy lacks rebuilds nothing.
 * [H2] Attribution says who inserted each struct and when (the client's last edit mark at or
 *      before it), who deleted it and when, on a replica that got both members' changes; content
 *      nobody recorded (a seed) is unknown.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Origin, bodyFragment, newPageDoc, seedPageBody, trackAuthorship } from '../../src/lib/model/index.ts';
import { Attribution, bodyAt, readSnapshot, takeSnapshot } from '../../src/lib/model/history.ts';
import { syncBoth } from '../support/model-helpers.ts';

/** The first paragraph's text, created as nobody's edit (like a seed). */
function textOf(doc: Y.Doc): Y.XmlText {
	seedPageBody(doc, 'page');
	const paragraph = bodyFragment(doc).get(0) as Y.XmlElement;
	if (paragraph.length === 0) doc.transact(() => paragraph.insert(0, [new Y.XmlText()]), Origin.seed);
	return paragraph.get(0) as Y.XmlText;
}

function plain(doc: Y.Doc): string {
	return ((bodyFragment(doc).get(0) as Y.XmlElement).get(0) as Y.XmlText).toString();
}

describe('snapshots', () => {
	it('[H1] rebuild the body as it was', () => {
		const doc = newPageDoc();
		const text = textOf(doc);
		text.insert(0, 'Hello world');
		const before = takeSnapshot(doc);
		text.delete(0, 6);
		text.insert(text.length, '!');
		expect(plain(doc)).toBe('world!');
		const old = bodyAt(doc, readSnapshot(before)!)!;
		expect(plain(old)).toBe('Hello world');
		expect(readSnapshot(new Uint8Array([1, 2, 3]))).toBeNull();
		expect(readSnapshot('nope')).toBeNull();
		expect(readSnapshot(new Uint8Array())).toBeNull();

		// A snapshot taken on a replica whose changes this copy has not received yet.
		const other = newPageDoc();
		Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
		textOf(other).insert(0, 'More ');
		expect(bodyAt(doc, readSnapshot(takeSnapshot(other))!)).toBeNull();
	});
});

describe('attribution', () => {
	it('[H2] who inserted and who deleted, and when', () => {
		// The first text comes from a client no member is recorded for (as a seed's does).
		const seed = newPageDoc();
		textOf(seed).insert(0, 'Seed. ');
		const ana = newPageDoc();
		const ben = newPageDoc();
		Y.applyUpdate(ana, Y.encodeStateAsUpdate(seed));
		syncBoth(ana, ben);
		let now = 1_000;
		trackAuthorship(ana, 'ana', () => now);
		trackAuthorship(ben, 'ben', () => now);
		textOf(ana).insert(6, 'Ana wrote this.');
		syncBoth(ana, ben);
		now = 200_000;
		textOf(ben).delete(6, 4);
		textOf(ben).insert(textOf(ben).length, ' Ben added.');
		syncBoth(ana, ben);
		expect(plain(ana)).toBe('Seed. wrote this. Ben added.');

		const attribution = new Attribution(ana);
		const items: { text: string; id: Y.ID; deleted: boolean }[] = [];
		for (let item = textOf(ana)._start; item; item = item.right) {
			if (item.content instanceof Y.ContentString) items.push({ text: item.content.str, id: item.id, deleted: item.deleted });
		}
		const find = (text: string) => items.find((i) => i.text === text)!;
		expect(attribution.inserted(find('Seed. ').id)).toEqual({ member: null, at: null });
		expect(attribution.deleted(find('Seed. ').id)).toBeNull();
		expect(find('Ana ').deleted).toBe(true);
		expect(attribution.inserted(find('Ana ').id)).toEqual({ member: 'ana', at: 1_000 });
		expect(attribution.deleted(find('Ana ').id)).toEqual({ member: 'ben', at: 200_000 });
		expect(attribution.inserted(find('wrote this.').id)).toEqual({ member: 'ana', at: 1_000 });
		expect(attribution.deleted(find('wrote this.').id)).toBeNull();
		expect(attribution.inserted(find(' Ben added.').id)).toEqual({ member: 'ben', at: 200_000 });
	});
});
