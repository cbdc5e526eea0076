/**
 * Mentions in a page body as the inbox reads them (src/lib/model/mentions.ts).
 *   [MB1] `mentionsIn` lists every mention node in document order, nested blocks included; a
 *         malformed member id is skipped, an empty label reads as "Member"; each mention's own
 *         id, writer and time as the node records them (null when missing or malformed: written
 *         before mentions had ids, or by a client that wrote them badly)
 *   [MB2] `mentionedAt` says who wrote a mention and when, from the body's authorship records:
 *         the member of the client that inserted it and the time of that client's edit mark at or
 *         before it; nulls for seed content, which no member wrote
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { bodyFragment, newPageDoc, seedPageBodyWith, trackAuthorship } from '../../src/lib/model/index.ts';
import { mentionedAt, mentionsIn } from '../../src/lib/model/mentions.ts';
import { syncBoth } from '../support/model-helpers.ts';

function mentionElement(member: unknown, label: unknown, identity: Record<string, unknown> = {}): Y.XmlElement {
	const element = new Y.XmlElement('mention');
	element.setAttribute('member', member as string);
	element.setAttribute('label', label as string);
	for (const [name, value] of Object.entries(identity)) element.setAttribute(name, value as string);
	return element;
}

/** A block of `name` holding `children` (text as Y.XmlText). */
function block(name: string, ...children: (Y.XmlElement | string)[]): Y.XmlElement {
	const element = new Y.XmlElement(name);
	element.insert(
		0,
		children.map((child) => (typeof child === 'string' ? new Y.XmlText(child) : child))
	);
	return element;
}

describe('[MB1] mentionsIn', () => {
	it('finds every mention in order, nested in lists, quotes and tables, and skips malformed ids', () => {
		const doc = newPageDoc();
		bodyFragment(doc).insert(0, [
			block('paragraph', 'Ask ', mentionElement('ben', 'Ben'), ' and ', mentionElement('ana', 'Ana Lima')),
			block('bullet_list', block('list_item', block('paragraph', mentionElement('kenji', '  Kenji\n  T. ')))),
			block('paragraph', mentionElement('bad id!', 'Bad'), mentionElement(42, 'Number'), mentionElement('', 'Empty')),
			block('blockquote', block('table', block('table_row', block('table_cell', block('paragraph', mentionElement('ben', '')))))),
			block('paragraph', 'no mentions @here')
		]);
		const found = mentionsIn(bodyFragment(doc));
		expect(found.map((m) => [m.member, m.label])).toEqual([
			['ben', 'Ben'],
			['ana', 'Ana Lima'],
			['kenji', 'Kenji T.'],
			['ben', 'Member']
		]);
		expect(found[0]!.element.getAttribute('label')).toBe('Ben');
		expect(found.map((m) => [m.id, m.by, m.at])).toEqual([
			[null, null, null],
			[null, null, null],
			[null, null, null],
			[null, null, null]
		]);
		expect(mentionsIn(bodyFragment(newPageDoc()))).toEqual([]);
	});

	it('reads each mention’s own id, writer and time; malformed ones as null', () => {
		const doc = newPageDoc();
		bodyFragment(doc).insert(0, [
			block(
				'paragraph',
				mentionElement('ben', 'Ben', { id: 'm1', by: 'ana', at: 5_000 }),
				mentionElement('ben', 'Ben', { id: 'bad id!', by: 42, at: '5000' }),
				mentionElement('ben', 'Ben', { id: 'm3', by: 'ana', at: Number.POSITIVE_INFINITY })
			)
		]);
		expect(mentionsIn(bodyFragment(doc)).map((m) => [m.id, m.by, m.at])).toEqual([
			['m1', 'ana', 5_000],
			[null, null, null],
			['m3', 'ana', null]
		]);
	});
});

describe('[MB2] mentionedAt', () => {
	it('gives the writer and the time of their edit mark at or before the mention', () => {
		const doc = newPageDoc();
		let now = 1_000;
		trackAuthorship(doc, 'ana', () => now);
		bodyFragment(doc).insert(0, [block('paragraph', 'Ask ', mentionElement('ben', 'Ben'))]);
		// Within the minute: no new mark, so the time is the first mark's.
		now = 31_000;
		const para = bodyFragment(doc).get(0) as Y.XmlElement;
		para.insert(para.length, [mentionElement('kenji', 'Kenji')]);
		// Past the minute: a new mark.
		now = 200_000;
		para.insert(para.length, [mentionElement('lea', 'Lea')]);
		const [ben, kenji, lea] = mentionsIn(bodyFragment(doc));
		expect(mentionedAt(doc, ben!.element)).toEqual({ by: 'ana', at: 1_000 });
		expect(mentionedAt(doc, kenji!.element)).toEqual({ by: 'ana', at: 1_000 });
		expect(mentionedAt(doc, lea!.element)).toEqual({ by: 'ana', at: 200_000 });
	});

	it('tells two writers apart after a merge', () => {
		const a = newPageDoc();
		const b = newPageDoc();
		trackAuthorship(a, 'ana', () => 5_000);
		trackAuthorship(b, 'ben', () => 9_000);
		bodyFragment(a).insert(0, [block('paragraph', mentionElement('ben', 'Ben'))]);
		syncBoth(a, b);
		bodyFragment(b).insert(1, [block('paragraph', mentionElement('ana', 'Ana'))]);
		syncBoth(a, b);
		const [toBen, toAna] = mentionsIn(bodyFragment(a));
		expect(mentionedAt(a, toBen!.element)).toEqual({ by: 'ana', at: 5_000 });
		expect(mentionedAt(a, toAna!.element)).toEqual({ by: 'ben', at: 9_000 });
	});

	it('is null for seed content and for an element not in a document', () => {
		const doc = newPageDoc();
		trackAuthorship(doc, 'ana', () => 1);
		seedPageBodyWith(doc, 'page1', 'with-mention', () => [block('paragraph', 'Hi ', mentionElement('ana', 'Ana'))]);
		const [seeded] = mentionsIn(bodyFragment(doc));
		expect(seeded!.member).toBe('ana');
		expect(mentionedAt(doc, seeded!.element)).toEqual({ by: null, at: null });
		expect(mentionedAt(doc, mentionElement('ana', 'Ana'))).toEqual({ by: null, at: null });
	});
});
