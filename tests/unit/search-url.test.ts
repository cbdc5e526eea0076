/**
 * The search page's view in the URL, its words (src/lib/components/search/search-url.ts) and the
 * highlighting it shares with the quick switcher (src/lib/components/highlight.ts).
 *
 * [SU1] A view written to the URL reads back the same; only what differs from the defaults is written.
 * [SU2] Unknown or out-of-place URL values are ignored: a kind nobody has, a status of another kind
 *       (or with no kind), `archived` other than 1, an empty author.
 * [SU3] Changing the kind keeps a status the new kind has and drops one it does not.
 * [SU8] A query with no letter or digit ("#", "-", "…") is no query: the hint shows, not everything.
 * [SU4] Highlighting splits the text into parts that join back to it, whatever the marks: out of
 *       order, overlapping, touching, empty, past the end.
 * [SU5] The status sentence never says "no results" as final before the index has read every page.
 * [SU6] A throttled re-run runs at once, then once at the end of a burst, never more often.
 * [SU7] Of answers arriving out of order, only the newest question's is kept (a result or a
 *       failure); an older one settling later, or any after `cancel`, is dropped.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
	emptyView,
	hasSearch,
	latestOnly,
	namesText,
	queryFromView,
	resultsText,
	statusLabel,
	throttle,
	toSearchQuery,
	viewFromQuery,
	withKind,
	type SearchView
} from '../../src/lib/components/search/search-url.ts';
import { markedParts } from '../../src/lib/components/highlight.ts';
import type { SearchResults } from '../../src/lib/search/engine.ts';

const read = (query: string) => viewFromQuery(new URLSearchParams(query));

describe('the search view in the URL', () => {
	it('[SU1] round-trips every filter, writing only what differs from the defaults', () => {
		const views: SearchView[] = [
			emptyView,
			{ q: 'relay backups', kind: null, status: null, author: null, archived: false },
			{ q: 'sqlite', kind: 'decision', status: 'accepted', author: 'ana', archived: true },
			{ q: '', kind: 'comment', status: 'resolved', author: null, archived: false },
			{ q: 'a&b=c ?#', kind: 'page', status: null, author: 'member with spaces', archived: false }
		];
		for (const view of views) expect(read(queryFromView(view).toString())).toEqual(view);
		expect(queryFromView(emptyView).toString()).toBe('');
		expect(queryFromView({ q: 'x', kind: 'decision', status: 'proposed', author: 'ben', archived: true }).toString()).toBe(
			'q=x&kind=decisions&status=proposed&author=ben&archived=1'
		);
	});

	it('[SU2] ignores values it does not know instead of failing', () => {
		expect(read('kind=widgets&status=open&archived=yes&author=')).toEqual(emptyView);
		// A decision status with comments, a thread status with decisions, any status without a kind.
		expect(read('kind=comments&status=accepted')).toEqual({ ...emptyView, kind: 'comment' });
		expect(read('kind=decisions&status=resolved')).toEqual({ ...emptyView, kind: 'decision' });
		expect(read('status=accepted')).toEqual(emptyView);
		expect(read('kind=pages&status=active')).toEqual({ ...emptyView, kind: 'page' });
		// The singular is not the URL's word either.
		expect(read('kind=decision').kind).toBeNull();
		expect(read('q=x&q=y').q).toBe('x');
		expect(read(`q=${'a'.repeat(2000)}`).q).toHaveLength(500);
		expect(queryFromView({ ...emptyView, kind: 'page', status: 'accepted' }).has('status')).toBe(false);
	});

	it('[SU3] changing the kind keeps only a status the new kind has', () => {
		const accepted: SearchView = { ...emptyView, kind: 'decision', status: 'accepted' };
		expect(withKind(accepted, 'decision').status).toBe('accepted');
		expect(withKind(accepted, 'comment')).toEqual({ ...emptyView, kind: 'comment' });
		expect(withKind(accepted, null)).toEqual(emptyView);
	});

	it('searches only with words or filters, and asks the engine for what the view says', () => {
		expect(hasSearch(emptyView)).toBe(false);
		expect(hasSearch({ ...emptyView, q: '   ' })).toBe(false);
		expect(hasSearch({ ...emptyView, q: 'x' })).toBe(true);
		expect(hasSearch({ ...emptyView, archived: true })).toBe(true);
		expect(toSearchQuery({ q: 'x', kind: 'comment', status: 'open', author: 'ana', archived: true }, 40)).toEqual({
			text: 'x',
			kinds: ['comment'],
			status: 'open',
			author: 'ana',
			archived: true,
			limit: 40
		});
		expect(toSearchQuery(emptyView, 20).kinds).toBeUndefined();
	});

	it('[SU8] treats a query of only punctuation or symbols as no query, and keeps it in the URL', () => {
		for (const q of ['#', '-', '…', ' -- ', '!?', '“”', '→', '👍']) {
			expect(hasSearch({ ...emptyView, q }), q).toBe(false);
		}
		for (const q of ['#1', 'a', 'é', 'Ω', '漢', '٣', '-x-']) {
			expect(hasSearch({ ...emptyView, q }), q).toBe(true);
		}
		// With filters it lists what they match, as an empty query does, and says so.
		expect(hasSearch({ ...emptyView, q: '#', kind: 'page' })).toBe(true);
		expect(toSearchQuery({ ...emptyView, q: '#', kind: 'page' }, 20).text).toBe('');
		expect(resultsText({ ...emptyView, q: '#', kind: 'page' }, { hits: [], total: 0, partial: false, words: [] }, true)).toBe('Nothing matches these filters');
		// The URL still holds what was typed.
		expect(read('q=%23').q).toBe('#');
		expect(queryFromView({ ...emptyView, q: '#' }).toString()).toBe('q=%23');
	});
});

describe('highlighting', () => {
	const joined = (parts: { text: string }[]) => parts.map((p) => p.text).join('');

	it('[SU4] marks the ranges and keeps every character', () => {
		expect(markedParts('Use SQLite for relay storage', [[4, 10], [21, 28]])).toEqual([
			{ text: 'Use ', marked: false },
			{ text: 'SQLite', marked: true },
			{ text: ' for relay ', marked: false },
			{ text: 'storage', marked: true }
		]);
		expect(markedParts('relay', [[0, 5]])).toEqual([{ text: 'relay', marked: true }]);
		expect(markedParts('relay', [])).toEqual([{ text: 'relay', marked: false }]);
		expect(markedParts('', [[0, 3]])).toEqual([]);
	});

	it('[SU4] sorts, merges and clips marks that are out of order, overlap, touch, are empty or run past the end', () => {
		const text = 'abcdefghij';
		expect(markedParts(text, [[6, 8], [1, 3]])).toEqual([
			{ text: 'a', marked: false },
			{ text: 'bc', marked: true },
			{ text: 'def', marked: false },
			{ text: 'gh', marked: true },
			{ text: 'ij', marked: false }
		]);
		expect(markedParts(text, [[1, 5], [3, 7]])).toEqual([
			{ text: 'a', marked: false },
			{ text: 'bcdefg', marked: true },
			{ text: 'hij', marked: false }
		]);
		expect(markedParts(text, [[0, 2], [2, 4]])).toEqual([
			{ text: 'abcd', marked: true },
			{ text: 'efghij', marked: false }
		]);
		expect(markedParts(text, [[2, 4], [3, 3], [5, 4]])).toEqual([
			{ text: 'ab', marked: false },
			{ text: 'cd', marked: true },
			{ text: 'efghij', marked: false }
		]);
		expect(markedParts(text, [[8, 40], [-3, 1]])).toEqual([
			{ text: 'a', marked: true },
			{ text: 'bcdefgh', marked: false },
			{ text: 'ij', marked: true }
		]);
		expect(markedParts(text, [[1, 9], [2, 4]])).toEqual([
			{ text: 'a', marked: false },
			{ text: 'bcdefghi', marked: true },
			{ text: 'j', marked: false }
		]);
	});

	it('[SU4] joins back to the text for any marks (seeded)', () => {
		let seed = 7;
		const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
		for (let round = 0; round < 500; round++) {
			const text = 'x'.repeat(Math.floor(random() * 30));
			const marks = Array.from({ length: Math.floor(random() * 5) }, () => [Math.floor(random() * 40) - 5, Math.floor(random() * 40) - 5] as const);
			const parts = markedParts(text, marks);
			expect(joined(parts), `round ${round}`).toBe(text);
			// Never two marked (or two plain) parts in a row, never an empty part.
			parts.forEach((part, i) => {
				expect(part.text).not.toBe('');
				if (i > 0) expect(part.marked).not.toBe(parts[i - 1]!.marked);
			});
		}
	});
});

describe('words', () => {
	const results = (total: number, partial = false): SearchResults => ({ hits: [], total, partial, words: [] });
	const view = { ...emptyView, q: ' quorum ' };

	it('[SU5] says how many, or none only once the index is complete', () => {
		expect(resultsText(view, results(1), true)).toBe('1 result');
		expect(resultsText(view, results(12), true)).toBe('12 results');
		expect(resultsText(view, results(12), false)).toBe('12 results so far');
		expect(resultsText(view, results(0), true)).toBe('No results for “quorum”');
		expect(resultsText(view, results(0), false)).toBe('No results for “quorum” yet');
		expect(resultsText({ ...emptyView, kind: 'comment' }, results(0), true)).toBe('Nothing matches these filters');
		expect(resultsText(view, results(3, true), true)).toBe('Nothing has all of these words; showing 3 results with some of them');
	});

	it('names statuses that say something, and people', () => {
		expect(statusLabel('decision', 'superseded')).toBe('Superseded');
		expect(statusLabel('comment', 'resolved')).toBe('Resolved');
		expect(statusLabel('comment', 'open')).toBeNull();
		expect(statusLabel('page', 'active')).toBeNull();
		expect(statusLabel('decision', 'nonsense')).toBeNull();
		expect(namesText([])).toBe('');
		expect(namesText(['Ana'])).toBe('Ana');
		expect(namesText(['Ana', 'Ben'])).toBe('Ana and Ben');
		expect(namesText(['Ana', 'Ben', 'Chi'])).toBe('Ana, Ben and Chi');
		expect(namesText(['Ana', 'Ben', 'Chi', 'Dee'])).toBe('Ana, Ben and 2 others');
	});
});

describe('throttle', () => {
	afterEach(() => vi.useRealTimers());

	it('[SU6] runs at once, then once after a burst, then at once again after a quiet spell', () => {
		vi.useFakeTimers();
		const run = vi.fn();
		const live = throttle(run, 300);
		live.call();
		expect(run).toHaveBeenCalledTimes(1);
		for (let i = 0; i < 10; i++) live.call();
		expect(run).toHaveBeenCalledTimes(1);
		vi.advanceTimersByTime(300);
		expect(run).toHaveBeenCalledTimes(2);
		vi.advanceTimersByTime(300);
		expect(run).toHaveBeenCalledTimes(2);
		vi.advanceTimersByTime(1000);
		live.call();
		expect(run).toHaveBeenCalledTimes(3);
		live.call();
		live.stop();
		vi.advanceTimersByTime(1000);
		expect(run).toHaveBeenCalledTimes(3);
	});
});

describe('latest answer only', () => {
	/** A promise settled by hand. */
	function later<T>() {
		let resolve!: (value: T) => void;
		let reject!: (error: Error) => void;
		const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
		return { promise, resolve, reject };
	}

	it('[SU7] drops an older answer that arrives after a newer one, results and failures alike', async () => {
		const latest = latestOnly<string>();
		const slow = later<string>();
		const quick = later<string>();
		const first = latest.ask(slow.promise);
		const second = latest.ask(quick.promise);
		quick.resolve('new');
		expect(await second).toEqual({ ok: true, value: 'new' });
		slow.resolve('old');
		expect(await first).toBeNull();

		const failing = later<string>();
		const third = latest.ask(failing.promise);
		const fourth = latest.ask(Promise.resolve('newest'));
		failing.reject(new Error('worker stopped'));
		expect(await third).toBeNull();
		expect(await fourth).toEqual({ ok: true, value: 'newest' });
		const fifth = latest.ask(Promise.reject(new Error('worker stopped')));
		expect(await fifth).toEqual({ ok: false, error: new Error('worker stopped') });
	});

	it('[SU7] drops every answer asked before a cancel (the query was cleared)', async () => {
		const latest = latestOnly<number>();
		const pending = later<number>();
		const asked = latest.ask(pending.promise);
		latest.cancel();
		pending.resolve(1);
		expect(await asked).toBeNull();
		expect(await latest.ask(Promise.resolve(2))).toEqual({ ok: true, value: 2 });
	});
});
