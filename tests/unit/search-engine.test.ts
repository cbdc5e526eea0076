import { describe, expect, it } from 'vitest';
import { SearchEngine, snippetOf, type SearchUnit } from '../../src/lib/search/engine.ts';
import { Pattern, typosAllowed } from '../../src/lib/search/fuzzy.ts';
import { words, wordsAt } from '../../src/lib/search/tokens.ts';

function unit(id: string, fields: Partial<SearchUnit> = {}): SearchUnit {
	return {
		id,
		kind: 'page',
		pageId: id.replace(/^p:/, ''),
		threadId: null,
		title: '',
		context: '',
		tags: [],
		text: '',
		status: 'active',
		archived: false,
		authors: ['ana'],
		at: 0,
		...fields
	};
}

/** A fixed corpus: a small wiki with pages, a decision record and a thread. */
function corpus(): SearchEngine {
	const engine = new SearchEngine();
	engine.put(unit('p:relay', { title: 'Relay operations', text: 'How to run the relay behind a TLS proxy.\nBackups of the relay storage run nightly.', at: 10 }));
	engine.put(unit('p:onboarding', { title: 'Onboarding', text: 'Welcome! Read the handbook, then ask Ben about the relay.', at: 20, authors: ['ben'] }));
	engine.put(
		unit('p:db', {
			kind: 'decision',
			title: 'Use SQLite for relay storage',
			tags: ['storage', 'relay'],
			text: 'We decided on SQLite: one file, online backups.\nPostgres was considered.',
			status: 'accepted',
			at: 30,
			authors: ['ana', 'ben']
		})
	);
	engine.put(
		unit('c:db:t1', { kind: 'comment', pageId: 'db', threadId: 't1', context: 'Use SQLite for relay storage', text: 'What about Postgres replication?', status: 'open', at: 40, authors: ['cleo'] })
	);
	engine.put(unit('p:old', { title: 'Old relay notes', text: 'The relay used to run on Heroku.', archived: true, at: 50 }));
	return engine;
}

const ids = (engine: SearchEngine, text: string, filters: object = {}) => engine.search({ text, ...filters }).hits.map((hit) => hit.id);

describe('words', () => {
	it('splits on anything but letters and digits, lower-cased, without diacritics', () => {
		expect(words('Décision: über-fast, v2.1 — naïve CAFÉ')).toEqual(['decision', 'uber', 'fast', 'v2', '1', 'naive', 'cafe']);
	});

	it('makes each Han and Kana character a word, and drops overlong runs', () => {
		expect(words('会议 notes カタ')).toEqual(['会', '议', 'notes', 'カ', 'タ']);
		expect(words(`a ${'x'.repeat(60)} b`)).toEqual(['a', 'b']);
	});

	it('says where each word is in the original text', () => {
		const text = 'Ünïcode and 🎉 emoji';
		expect(wordsAt(text).map(({ word, from, to }) => [word, text.slice(from, to)])).toEqual([
			['unicode', 'Ünïcode'],
			['and', 'and'],
			['emoji', 'emoji']
		]);
	});
});

describe('edit distance', () => {
	it('counts insertions, deletions and substitutions', () => {
		const pattern = new Pattern('decision');
		expect(pattern.distance('decision', 2)).toBe(0);
		expect(pattern.distance('decisions', 2)).toBe(1);
		expect(pattern.distance('desicion', 2)).toBe(2);
		expect(pattern.distance('decisive', 2)).toBe(2);
		expect(pattern.distance('vision', 2)).toBe(3);
		expect(new Pattern('über').distance('uber', 1)).toBe(1);
	});

	it('agrees with a plain dynamic-programming distance on random words', () => {
		let seed = 7;
		const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
		const word = () => Array.from({ length: 1 + Math.floor(random() * 12) }, () => 'abcde'[Math.floor(random() * 5)]).join('');
		for (let i = 0; i < 2000; i++) {
			const a = word();
			const b = word();
			expect(new Pattern(a).distance(b, 20), `${a} ${b}`).toBe(levenshtein(a, b));
		}
	});

	it('allows one typo from four letters and two from seven', () => {
		expect([3, 4, 6, 7, 12].map(typosAllowed)).toEqual([0, 1, 1, 2, 2]);
	});
});

describe('ranking on a fixed corpus', () => {
	it('ranks a title match above a match in the text', () => {
		expect(ids(corpus(), 'onboarding')).toEqual(['p:onboarding']);
		const hits = ids(corpus(), 'relay');
		expect(hits[0]).toBe('p:relay');
		expect(hits).toEqual(expect.arrayContaining(['p:db', 'p:onboarding']));
		expect(hits).not.toContain('p:old');
	});

	it('needs every word, and says when it shows pages with only some of them', () => {
		const engine = corpus();
		expect(ids(engine, 'relay backups')).toEqual(['p:relay', 'p:db']);
		const some = engine.search({ text: 'postgres handbook' });
		expect(some.partial).toBe(true);
		expect(some.hits.map((hit) => hit.id).sort()).toEqual(['c:db:t1', 'p:db', 'p:onboarding']);
	});

	it('matches prefixes and typos, exact words first', () => {
		const engine = corpus();
		expect(ids(engine, 'onboa')).toEqual(['p:onboarding']);
		expect(ids(engine, 'postgr')).toEqual(['c:db:t1', 'p:db']);
		expect(ids(engine, 'desided')).toEqual(['p:db']);
		expect(ids(engine, 'sqlit')).toEqual(['p:db']);
		// "run" exactly beats "running"-like prefixes: the page with "run" twice comes first.
		expect(ids(engine, 'run')[0]).toBe('p:relay');
	});

	it('filters by kind, status, author and archive', () => {
		const engine = corpus();
		expect(ids(engine, 'relay', { kinds: ['decision'] })).toEqual(['p:db']);
		expect(ids(engine, 'postgres', { kinds: ['comment'] })).toEqual(['c:db:t1']);
		expect(ids(engine, 'postgres', { status: 'open' })).toEqual(['c:db:t1']);
		expect(ids(engine, 'relay', { author: 'ben' }).sort()).toEqual(['p:db', 'p:onboarding']);
		expect(ids(engine, 'heroku')).toEqual([]);
		expect(ids(engine, 'heroku', { archived: true })).toEqual(['p:old']);
	});

	it('matches nothing for a query whose only word is too long to be indexed, and reads a bad limit as the default', () => {
		const engine = corpus();
		expect(engine.search({ text: 'x'.repeat(60) })).toEqual({ hits: [], total: 0, partial: false, words: [] });
		expect(engine.search({ text: 'relay', limit: Number.NaN }).hits.length).toBe(3);
		expect(engine.search({ text: '', limit: Number.POSITIVE_INFINITY }).hits.length).toBe(4);
		expect(engine.search({ text: '', limit: -5 }).hits.length).toBe(1);
	});

	it('lists the newest first for filters without words', () => {
		expect(ids(corpus(), '', { kinds: ['page', 'decision'] })).toEqual(['p:db', 'p:onboarding', 'p:relay']);
		expect(corpus().search({ text: '  ', limit: 2 }).total).toBe(4);
	});

	it('highlights the matched words in the title and a snippet', () => {
		const [hit] = corpus().search({ text: 'sqlite backup' }).hits;
		expect(hit!.id).toBe('p:db');
		expect(hit!.titleMarks.map(([from, to]) => hit!.title.slice(from, to))).toEqual(['SQLite']);
		expect(hit!.snippetMarks.map(([from, to]) => hit!.snippet.slice(from, to))).toEqual(['SQLite', 'backups']);
	});
});

describe('incremental changes', () => {
	it('finds new words and forgets removed ones when a unit is replaced', () => {
		const engine = corpus();
		engine.put(unit('p:relay', { title: 'Relay operations', text: 'Run it with systemd.' }));
		expect(ids(engine, 'systemd')).toEqual(['p:relay']);
		expect(ids(engine, 'proxy')).toEqual([]);
		expect(ids(engine, 'nightly')).toEqual([]);
	});

	it('leaves no stale hits, prefixes or typos after a removal', () => {
		const engine = corpus();
		engine.remove('p:onboarding');
		engine.remove('c:db:t1');
		expect(ids(engine, 'handbook')).toEqual([]);
		expect(ids(engine, 'handb')).toEqual([]);
		expect(ids(engine, 'handbok')).toEqual([]);
		expect(ids(engine, 'replication')).toEqual([]);
		expect(engine.stats().units).toBe(3);
	});

	it('reuses unit numbers and keeps the vocabulary bounded while a page is edited', () => {
		const engine = new SearchEngine();
		// A hundred words elsewhere, so one word edited away per query stays far below a re-sort.
		engine.put(unit('p:b', { text: Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ') }));
		for (let i = 0; i < 300; i++) {
			engine.put(unit('p:a', { text: `draft number${i} of the plan` }));
			// A query between edits sorts the vocabulary: the words edited away must leave it too.
			expect(ids(engine, 'plam')).toEqual(['p:a']);
		}
		expect(engine.stats()).toMatchObject({ units: 2, words: 105, sortedWords: 105 });
		expect(ids(engine, 'number150')).toEqual([]);
		expect(ids(engine, 'number299')).toEqual(['p:a']);
		expect(ids(engine, 'numb')).toEqual(['p:a']);
	});

	it('lets a short prefix stand for its 64 most frequent completions; a longer one reaches the rare ones', () => {
		const engine = new SearchEngine();
		// 70 words starting "co", each in three units, and one rare "coelacanth" in a unit of its own.
		for (let i = 0; i < 70; i++) {
			const word = `co${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}x`;
			for (let copy = 0; copy < 3; copy++) engine.put(unit(`p:${word}${copy}`, { text: word }));
		}
		engine.put(unit('p:fish', { text: 'coelacanth' }));
		expect(engine.search({ text: 'co', limit: 200 }).total).toBe(64 * 3);
		expect(ids(engine, 'co', { limit: 200 })).not.toContain('p:fish');
		expect(ids(engine, 'coel')).toEqual(['p:fish']);
	});

	it('finds words added after a query sorted the vocabulary', () => {
		const engine = corpus();
		expect(ids(engine, 'zebra')).toEqual([]);
		engine.put(unit('p:z', { text: 'zebras and zebrafish' }));
		expect(ids(engine, 'zebr')).toEqual(['p:z']);
	});
});

describe('snippets', () => {
	it('shows the stretch with the most matched words, cut at spaces and marked with ellipses', () => {
		const text = `${'filler words here '.repeat(20)}the alpha and the beta meet ${'more filler text '.repeat(20)}alpha alone`;
		const snippet = snippetOf(text, new Set(['alpha', 'beta']));
		expect(snippet.text.startsWith('…')).toBe(true);
		expect(snippet.text.endsWith('…')).toBe(true);
		expect(snippet.marks.map(([from, to]) => snippet.text.slice(from, to))).toEqual(['alpha', 'beta']);
	});

	it('never cuts a character of two code units in half', () => {
		for (let lead = 0; lead < 4; lead++) {
			const text = `${'東'.repeat(11 + lead)}${'𠀀'.repeat(200)}`;
			const snippet = snippetOf(text, new Set(['東']));
			expect(snippet.text.endsWith('…')).toBe(true);
			expect([...snippet.text.slice(0, -1)].every((char) => char === '東' || char === '𠀀'), snippet.text).toBe(true);
		}
		const late = `${'𠀀'.repeat(120)} 東`;
		expect([...snippetOf(late, new Set(['東'])).text.slice(1)].every((char) => char === '𠀀' || char === ' ' || char === '東')).toBe(true);
	});

	it('marks whole words only, and the beginning when nothing matched in the text', () => {
		expect(snippetOf('alphabet alpha', new Set(['alpha'])).marks).toEqual([[9, 14]]);
		expect(snippetOf('short text', new Set(['missing']))).toEqual({ text: 'short text', marks: [] });
	});
});

function levenshtein(a: string, b: string): number {
	const row = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		let previous = row[0]!;
		row[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const current = row[j]!;
			row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
			previous = current;
		}
	}
	return row[b.length]!;
}
