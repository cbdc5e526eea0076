/**
 * Mentions in comments (src/lib/model/mentions.ts, item 2 of issue 5), and what the comment field
 * does with them (components/comments/mention-field.ts). Mentions in page text (`mentionsIn`,
 * `mentionedAt`) are tested with the editor's mention nodes.
 *
 * [MN1] cleanMentions keeps a member once, only when their `@label` is in the text, with a valid
 *       id and a clean label (one line, no invisible direction marks), at most MAX_MENTIONS;
 *       readMentions reads anything as that.
 * [MN2] splitMentions cuts text into plain runs and mentions: the longest label first, without
 *       regard to case, whole mentions only ("@Ana" is not in "@Anaïs" or "a@Ana"), labels with
 *       spaces; text that looks like HTML stays text.
 * [MN3] mentionsByName finds members by a name nobody else has; a longer name wins over one it
 *       starts with, also when the longer one is not unique.
 * [MN4] mentionQuery finds the mention being typed: `@` at the start, after a space or a bracket,
 *       never inside a word; two spaces or a new line end it.
 * [MN5] matchPeople ranks names starting with the query, then a word starting with it, then
 *       containing it.
 * [MN6] The comment field puts a picked member into the text as `@Name ` and sends the picked
 *       mentions still in the text plus unique names typed by hand.
 */
import { describe, expect, it } from 'vitest';
import { cleanLabel, cleanMentions, findMention, matchPeople, MAX_MENTIONS, mentionQuery, mentionsByName, readMentions, splitMentions } from '../../src/lib/model/mentions.ts';
import { insertMention, messageMentions } from '../../src/lib/components/comments/mention-field.ts';
import { mentionLabel } from '../../src/lib/editor/schema.ts';

const ana = { id: 'ana', label: 'Ana' };
const anaLima = { id: 'ana-lima', label: 'Ana Lima' };
const ben = { id: 'ben', label: 'Ben' };

describe('[MN1] cleanMentions', () => {
	it('keeps only members whose @label is in the text', () => {
		expect(cleanMentions('Ask @Ben about it', [ben, ana])).toEqual([ben]);
		expect(cleanMentions('Ask Ben about it', [ben])).toEqual([]);
		// Without regard to case; the label as given.
		expect(cleanMentions('ask @ben', [ben])).toEqual([ben]);
		// Not a whole mention: "@Bennett" is not "@Ben".
		expect(cleanMentions('ask @Bennett', [ben])).toEqual([]);
	});

	it('each member once; bad entries are dropped; labels are cleaned', () => {
		const text = '@Ben and @Ana Lima';
		expect(cleanMentions(text, [ben, { id: 'ben', label: 'Ana Lima' }, ben])).toEqual([ben]);
		expect(cleanMentions(text, [null, 'ben', 42, { id: 'ben' }, { label: 'Ben' }, { id: '', label: 'Ben' }, { id: '../ben', label: 'Ben' }, { id: 'x'.repeat(65), label: 'Ben' }, { id: 7, label: 'Ben' }, { id: 'ben', label: 7 }, { id: 'ben', label: ' \n ' }])).toEqual([]);
		expect(cleanMentions(text, [{ id: 'ana-lima', label: '  Ana \n\t Lima ' }])).toEqual([anaLima]);
		expect(cleanMentions(`@${'a'.repeat(100)}`, [{ id: 'long', label: 'a'.repeat(100) }])).toEqual([]);
	});

	it('a label loses invisible direction and joiner marks, which could make one name look like another', () => {
		expect(cleanLabel('Ana\u202e Lima\u200b')).toBe('Ana Lima');
		expect(cleanLabel('\u2066\u2069')).toBe('');
		expect(mentionLabel('\u200f')).toBe('Member');
		expect(mentionLabel(' Ben\u0007 Okafor ')).toBe('Ben Okafor');
	});

	it(`keeps at most ${MAX_MENTIONS}`, () => {
		const refs = Array.from({ length: MAX_MENTIONS + 5 }, (_, i) => ({ id: `m${i}`, label: `Member${i}` }));
		const text = refs.map((r) => `@${r.label}`).join(' ');
		expect(cleanMentions(text, refs)).toEqual(refs.slice(0, MAX_MENTIONS));
	});

	it('readMentions reads anything stored', () => {
		expect(readMentions('@Ben', [ben])).toEqual([ben]);
		for (const junk of [undefined, null, 'ben', { 0: ben }, 42]) expect(readMentions('@Ben', junk)).toEqual([]);
	});
});

describe('[MN2] splitMentions', () => {
	it('the longest label first, without regard to case', () => {
		expect(splitMentions('@Ana Lima and @ana, hi', [ana, anaLima])).toEqual([
			{ kind: 'mention', id: 'ana-lima', label: 'Ana Lima' },
			{ kind: 'text', text: ' and ' },
			{ kind: 'mention', id: 'ana', label: 'ana' },
			{ kind: 'text', text: ', hi' }
		]);
	});

	it('whole mentions only', () => {
		expect(splitMentions('@Anaïs and a@Ana and @Ana_x', [ana])).toEqual([{ kind: 'text', text: '@Anaïs and a@Ana and @Ana_x' }]);
		expect(splitMentions('(@Ana) "@Ana" @Ana.', [ana]).filter((part) => part.kind === 'mention')).toHaveLength(3);
		expect(splitMentions('no one here', [ana])).toEqual([{ kind: 'text', text: 'no one here' }]);
		expect(splitMentions('', [ana])).toEqual([]);
	});

	it('text that looks like HTML stays text', () => {
		const text = '<img src=x onerror=alert(1)> @Ana <b>bold</b>';
		expect(splitMentions(text, [ana])).toEqual([
			{ kind: 'text', text: '<img src=x onerror=alert(1)> ' },
			{ kind: 'mention', id: 'ana', label: 'Ana' },
			{ kind: 'text', text: ' <b>bold</b>' }
		]);
		// "<b>@Ana": no space before the @, so no mention.
		expect(splitMentions('<b>@Ana</b>', [ana])).toEqual([{ kind: 'text', text: '<b>@Ana</b>' }]);
	});

	it('findMention finds the whole mention from a position on', () => {
		expect(findMention('@Ana and @Ana', 'Ana', 1)).toBe(9);
		expect(findMention('@Ana', '', 0)).toBe(-1);
	});
});

describe('[MN3] mentionsByName', () => {
	const people = [
		{ id: 'ana', name: 'Ana' },
		{ id: 'ana-lima', name: 'Ana Lima' },
		{ id: 'ben', name: 'Ben' }
	];

	it('finds unique names, as typed, each member once', () => {
		// Longest names first (and in the list's order among names as long).
		expect(mentionsByName('@ben, @Ben and @Ana', people)).toEqual([
			{ id: 'ana', label: 'Ana' },
			{ id: 'ben', label: 'ben' }
		]);
		expect(mentionsByName('Ben and Ana', people)).toEqual([]);
	});

	it('a longer name wins over the one it starts with', () => {
		expect(mentionsByName('@Ana Lima', people)).toEqual([anaLima]);
		expect(mentionsByName('@Ana Lima and @Ana', people)).toEqual([anaLima, ana]);
	});

	it('two members by one name are mentioned by neither; a shorter name inside it is not either', () => {
		const twins = [...people, { id: 'ana-lima-2', name: 'ana lima' }];
		expect(mentionsByName('@Ana Lima, @Ben', twins)).toEqual([ben]);
	});
});

describe('[MN4] mentionQuery', () => {
	it('at the start, after a space or a bracket', () => {
		expect(mentionQuery('@', 1)).toEqual({ from: 0, query: '' });
		expect(mentionQuery('@Be', 3)).toEqual({ from: 0, query: 'Be' });
		expect(mentionQuery('hi @Ben Ok', 10)).toEqual({ from: 3, query: 'Ben Ok' });
		expect(mentionQuery('(@Be', 4)).toEqual({ from: 1, query: 'Be' });
		// The caret in the middle of the text: what is before it counts.
		expect(mentionQuery('hi @Be there', 6)).toEqual({ from: 3, query: 'Be' });
	});

	it('not inside a word, and ended by two spaces, a new line or a second @', () => {
		expect(mentionQuery('a@b', 3)).toBeNull();
		expect(mentionQuery('@Ben  ', 6)).toBeNull();
		expect(mentionQuery('@ Ben', 5)).toBeNull();
		expect(mentionQuery('@Ben\nx', 6)).toBeNull();
		expect(mentionQuery('@Ben@x', 6)).toBeNull();
		expect(mentionQuery(`@${'x'.repeat(41)}`, 42)).toBeNull();
		expect(mentionQuery('no at', 5)).toBeNull();
	});
});

describe('[MN5] matchPeople', () => {
	const people = [
		{ id: 'z', name: 'Zed' },
		{ id: 'abe', name: 'Abe Lincoln' },
		{ id: 'rob', name: 'Rob Bennett' },
		{ id: 'ben', name: 'Ben Okafor' },
		{ id: 'bea', name: 'Bea' }
	];

	it('name starts, then word starts, then anywhere; by name within each', () => {
		expect(matchPeople(people, 'be').map((p) => p.id)).toEqual(['bea', 'ben', 'rob', 'abe']);
		expect(matchPeople(people, ' BE ').map((p) => p.id)).toEqual(['bea', 'ben', 'rob', 'abe']);
		expect(matchPeople(people, 'ok').map((p) => p.id)).toEqual(['ben']);
		expect(matchPeople(people, 'qq')).toEqual([]);
	});

	it('an empty query lists everyone, up to the limit', () => {
		expect(matchPeople(people, '').map((p) => p.id)).toEqual(people.map((p) => p.id));
		expect(matchPeople(people, '', 2).map((p) => p.id)).toEqual(['z', 'abe']);
		expect(matchPeople(people, 'be', 2).map((p) => p.id)).toEqual(['bea', 'ben']);
	});
});

describe('[MN6] the comment field', () => {
	it('puts the picked member in place of the query, with a space after it', () => {
		expect(insertMention('Ask @Be', 4, 7, 'Ben Okafor')).toEqual({ text: 'Ask @Ben Okafor ', caret: 16 });
		// A space after the caret already: none added, the caret after it.
		expect(insertMention('Ask @Be about it', 4, 7, 'Ben Okafor')).toEqual({ text: 'Ask @Ben Okafor about it', caret: 16 });
	});

	it('sends the picked mentions still in the text, and unique names typed by hand', () => {
		const people = [
			{ id: 'ana', name: 'Ana' },
			{ id: 'ana-lima', name: 'Ana Lima' },
			{ id: 'ana-lima-2', name: 'Ana Lima' },
			{ id: 'ben', name: 'Ben' },
			{ id: 'cy', name: 'Cy' }
		];
		// Picked: one of the two Ana Limas (the name alone could not tell which), and Cy, since deleted from the text.
		const picked = [anaLima, { id: 'cy', label: 'Cy' }];
		expect(messageMentions('@Ana Lima, @Ben and @Ana', picked, people)).toEqual([anaLima, ana, ben]);
		// Typed by hand, the ambiguous name mentions nobody (and not Ana).
		expect(messageMentions('@Ana Lima', [], people)).toEqual([]);
		// A picked member whose name is typed again is sent once.
		expect(messageMentions('@Ben @Ben', [ben], people)).toEqual([ben]);
		// In the order picked: editing a message without changing it sends its mentions as they were.
		expect(messageMentions('@Cy, @Ben and @Ana Lima', [{ id: 'cy', label: 'Cy' }, ben, anaLima], people)).toEqual([{ id: 'cy', label: 'Cy' }, ben, anaLima]);
		// A picked shorter name inside a longer one typed by hand keeps its place.
		expect(messageMentions('@Ana Lima', [ana], [{ id: 'ana', name: 'Ana' }, { id: 'al', name: 'Ana Lima' }])).toEqual([ana]);
	});
});
