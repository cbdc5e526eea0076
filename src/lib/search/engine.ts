/**
 * The full-text search index: an inverted index over a workspace's pages, decision records and
 * comment threads, ranked by BM25, with prefix and typo-tolerant matching, filters and snippets.
 *
 * It runs in a Web Worker in the app (search.worker.ts) and in-process in tests and benchmarks: it
 * is plain data and arithmetic, no DOM and no Yjs. What goes in is a `SearchUnit` — the text the
 * main thread read from a page's documents (units.ts) — and every unit can be replaced or removed at
 * any time, so the index follows edits from this device and from teammates alike.
 *
 * Matching. A query is split into words the way the text was (tokens.ts). A unit matches when it
 * has every word, each one either exactly, as the beginning of a longer word (from two letters:
 * "deci" finds "decision"), or with typos (one from four letters, two from seven: "desicion" finds
 * "decision"). When no unit has every word, the units with some of them are shown, marked `partial`.
 * A query word stands for at most its 64 most frequent completions and its 32 nearest misspellings
 * (fewest edits, then most frequent): "co" in a big workspace reaches "company" and "code" but not
 * a rare "coelacanth", which a longer prefix finds. That bounds the work per query word whatever
 * the vocabulary; `total` counts what those words match.
 *
 * Ranking. BM25 (k1 1.2, b 0.75) per field, summed with weights: title 4, tags 2, text 1. For each
 * query word a unit scores by its best-matching indexed word, weighted by how it matched: exactly 1,
 * by prefix 0.5–0.8 (closer to the whole word scores higher), with one typo 0.45, with two 0.3.
 * Ties go to the unit changed last.
 *
 * Postings are `word → (unit numbers, term frequencies)`, two parallel arrays with the three
 * fields' counts packed in one number: appended to and swap-removed, they build and scan several
 * times faster than a Map per word, which matters most when a workspace is indexed from scratch.
 * Unit numbers are reused, so the index does not grow while a page is edited. The sorted
 * vocabulary that prefix and typo matching scan is brought up to date when a query needs it, by
 * merging the words added since (dropping those removed), not by sorting everything again.
 */
import { Pattern, MAX_PATTERN, typosAllowed } from './fuzzy.ts';
import { words, wordsAt } from './tokens.ts';

export type UnitKind = 'page' | 'decision' | 'comment';
export const unitKinds: readonly UnitKind[] = ['page', 'decision', 'comment'];

/** One searchable thing: a page or decision record with its body, or one comment thread. */
export interface SearchUnit {
	/** 'p:<page>' for a page or record, 'c:<page>:<thread>' for a thread (units.ts). */
	readonly id: string;
	readonly kind: UnitKind;
	readonly pageId: string;
	readonly threadId: string | null;
	/** Indexed with the most weight: a page's title ('' for a thread). */
	readonly title: string;
	/** Shown beside a hit, never indexed: the page a thread is on. */
	readonly context: string;
	readonly tags: readonly string[];
	readonly text: string;
	/** 'active' for a page, the record's status for a decision, 'open' or 'resolved' for a thread. */
	readonly status: string;
	/** On an archived page: found only when archived units are asked for. */
	readonly archived: boolean;
	/** Member ids: who wrote in it. */
	readonly authors: readonly string[];
	/** When it last changed (ms since the epoch): ties, and the order of a query without words. */
	readonly at: number;
}

export interface SearchFilters {
	/** Only these kinds (absent or empty: every kind). */
	readonly kinds?: readonly UnitKind[];
	/** Only units with this status. */
	readonly status?: string | null;
	/** Only units this member wrote in. */
	readonly author?: string | null;
	/** Archived pages too (their records and threads with them). */
	readonly archived?: boolean;
}

export interface SearchQuery extends SearchFilters {
	readonly text: string;
	/** How many hits to return (default 20, at most 200); `total` counts them all. */
	readonly limit?: number;
}

/** Ranges [from, to) of a string to highlight. */
export type Marks = readonly (readonly [number, number])[];

export interface SearchHit {
	readonly id: string;
	readonly kind: UnitKind;
	readonly pageId: string;
	readonly threadId: string | null;
	readonly title: string;
	readonly context: string;
	readonly status: string;
	readonly archived: boolean;
	readonly authors: readonly string[];
	readonly at: number;
	readonly score: number;
	/** Matched words in `title`. */
	readonly titleMarks: Marks;
	/** A stretch of the text around the best cluster of matched words ('…' where it was cut). */
	readonly snippet: string;
	readonly snippetMarks: Marks;
}

export interface SearchResults {
	readonly hits: readonly SearchHit[];
	/** How many units matched in all. */
	readonly total: number;
	/** No unit had every word; these have some of them. */
	readonly partial: boolean;
	/** The query's words, normalized. */
	readonly words: readonly string[];
}

export interface SearchStats {
	readonly units: number;
	readonly words: number;
	readonly postings: number;
	readonly characters: number;
	/** Words in the sorted vocabulary prefix and typo matching scan (as of the last query). */
	readonly sortedWords: number;
}

const DEFAULT_LIMIT = 20;
const HAS_WORD_CHARACTER = /[\p{L}\p{N}]/u;
const MAX_LIMIT = 200;
/** Query words beyond this many are ignored (a pasted paragraph is not a query). */
const MAX_QUERY_WORDS = 12;
const K1 = 1.2;
const B = 0.75;
const FIELD_WEIGHTS = [4, 2, 1] as const;
const TITLE = 0;
const TAGS = 1;
const TEXT = 2;
const MAX_PREFIX_EXPANSIONS = 64;
const MAX_TYPO_EXPANSIONS = 32;
const TYPO_WEIGHTS = [1, 0.45, 0.3] as const;
const SNIPPET_LENGTH = 180;
const SNIPPET_LEAD = 40;

/**
 * Term frequencies of the three fields in one number: text in the low 16 bits, title the next 8,
 * tags 6 (at most 2^30 − 1, a small integer to V8). Per field (TITLE, TAGS, TEXT): what one more
 * occurrence adds, and the bits that hold the count, which stops at their maximum.
 */
const FIELD_ONE = [0x10000, 0x1000000, 1] as const;
const FIELD_BITS = [0xff0000, 0x3f000000, 0xffff] as const;

interface QueryContext {
	readonly units: number;
	/** 1 for the unit numbers that pass the filters. */
	readonly eligible: Uint8Array;
	/** BM25's k1 · (1 − b + b · length / average length), three per unit number. */
	readonly norms: Float64Array;
}

/** The units a word is in: unit numbers and packed term frequencies, in no particular order. */
class Postings {
	readonly nums: number[] = [];
	readonly tfs: number[] = [];

	get size(): number {
		return this.nums.length;
	}

	/** Counts one more occurrence in `field` of unit `num`: the last one added, or a new one. */
	count(num: number, field: number): boolean {
		let last = this.nums.length - 1;
		const added = last < 0 || this.nums[last] !== num;
		if (added) {
			this.nums.push(num);
			this.tfs.push(0);
			last++;
		}
		const tf = this.tfs[last]!;
		if ((tf & FIELD_BITS[field]!) !== FIELD_BITS[field]) this.tfs[last] = tf + FIELD_ONE[field]!;
		return added;
	}

	/** Removes a unit (the last one takes its place). */
	delete(num: number): void {
		const at = this.nums.indexOf(num);
		if (at < 0) return;
		const last = this.nums.length - 1;
		this.nums[at] = this.nums[last]!;
		this.tfs[at] = this.tfs[last]!;
		this.nums.pop();
		this.tfs.pop();
	}
}

interface Stored {
	readonly num: number;
	unit: SearchUnit;
	/** Words per field. */
	readonly lengths: [number, number, number];
	/** The distinct words it was indexed under. */
	terms: string[];
}

/** An indexed word a query word matched, and how much that kind of match counts. */
interface Expansion {
	readonly term: string;
	readonly weight: number;
}

export class SearchEngine {
	readonly #units = new Map<string, Stored>();
	readonly #byNum: (Stored | undefined)[] = [];
	readonly #freeNums: number[] = [];
	readonly #postings = new Map<string, Postings>();
	readonly #totalLengths = [0, 0, 0];
	#characters = 0;
	/** The vocabulary in code-unit order, for prefix ranges; may still hold words since removed. */
	#sorted: string[] = [];
	/** `letterMask` of each word of `#sorted`, made when a typo first needs them after a change. */
	#masks: Int32Array | null = null;
	/** Words added since `#sorted` was brought up to date. */
	#added: string[] = [];
	/** Words removed from the vocabulary that `#sorted` still holds. */
	#removedSinceSort = 0;

	get size(): number {
		return this.#units.size;
	}

	stats(): SearchStats {
		let postings = 0;
		for (const units of this.#postings.values()) postings += units.size;
		return { units: this.#units.size, words: this.#postings.size, postings, characters: this.#characters, sortedWords: this.#sorted.length };
	}

	has(id: string): boolean {
		return this.#units.has(id);
	}

	/** Adds a unit, or replaces the one with its id. */
	put(unit: SearchUnit): void {
		const known = this.#units.get(unit.id);
		if (known && sameText(known.unit, unit)) {
			known.unit = unit;
			return;
		}
		if (known) this.#unindex(known);
		const stored: Stored = known ?? { num: this.#freeNums.pop() ?? this.#byNum.length, unit, lengths: [0, 0, 0], terms: [] };
		stored.unit = unit;
		this.#units.set(unit.id, stored);
		this.#byNum[stored.num] = stored;
		this.#index(stored);
	}

	remove(id: string): void {
		const stored = this.#units.get(id);
		if (!stored) return;
		this.#unindex(stored);
		this.#units.delete(id);
		this.#byNum[stored.num] = undefined;
		this.#freeNums.push(stored.num);
	}

	/** Every unit id (tests, and the worker's "what do you hold"). */
	ids(): string[] {
		return [...this.#units.keys()];
	}

	search(query: SearchQuery): SearchResults {
		const asked = Number.isFinite(query.limit) ? Math.floor(query.limit!) : DEFAULT_LIMIT;
		const limit = Math.max(1, Math.min(MAX_LIMIT, asked));
		const queryWords = [...new Set(words(query.text))].slice(0, MAX_QUERY_WORDS);
		if (queryWords.length === 0) {
			// Only a query of nothing searchable lists everything; one whose only words are too long to
			// be indexed (a pasted hash) matches nothing.
			return HAS_WORD_CHARACTER.test(query.text) ? { hits: [], total: 0, partial: false, words: [] } : this.#recent(query, limit);
		}

		this.#sortVocabulary();
		const context = this.#queryContext(query);
		const perWord = queryWords.map((word) => this.#scores(word, context));
		let partial = false;
		let matched = intersect(perWord.map((scores) => scores.best));
		if (matched.size === 0 && queryWords.length > 1) {
			partial = true;
			matched = union(perWord.map((scores) => scores.best));
		}
		const ranked = [...matched].sort((a, b) => b[1] - a[1] || this.#byNum[b[0]]!.unit.at - this.#byNum[a[0]]!.unit.at);
		const contributing = [...new Set(perWord.flatMap((scores) => [...scores.used]))];
		const top = ranked.slice(0, limit);
		const here = this.#termsIn(top.map(([num]) => num), contributing);
		const hits = top.map(([num, score], i) => hit(this.#byNum[num]!.unit, score, here[i]!));
		return { hits, total: ranked.length, partial, words: queryWords };
	}

	/**
	 * Which of `terms` each of the units `nums` has (the words to mark in its snippet: a prefix may
	 * stand for dozens of words, a unit has few of them). One pass over the terms' postings.
	 */
	#termsIn(nums: readonly number[], terms: readonly string[]): Set<string>[] {
		const sets = nums.map(() => new Set<string>());
		const slot = new Int32Array(this.#byNum.length).fill(-1);
		nums.forEach((num, i) => (slot[num] = i));
		for (const term of terms) {
			for (const num of this.#postings.get(term)?.nums ?? []) {
				const at = slot[num]!;
				if (at >= 0) sets[at]!.add(term);
			}
		}
		return sets;
	}

	/** What every posting of a query needs, computed once per query: who passes the filters, and BM25's length norms. */
	#queryContext(filters: SearchFilters): QueryContext {
		const count = this.#byNum.length;
		const units = this.#units.size;
		const eligible = new Uint8Array(count);
		const norms = new Float64Array(count * 3);
		const averages = this.#totalLengths.map((total) => (units === 0 ? 1 : Math.max(1, total / units)));
		for (let num = 0; num < count; num++) {
			const stored = this.#byNum[num];
			if (!stored || !matchesFilters(stored.unit, filters)) continue;
			eligible[num] = 1;
			for (let field = 0; field < 3; field++) norms[num * 3 + field] = K1 * (1 - B + (B * stored.lengths[field]!) / averages[field]!);
		}
		return { units, eligible, norms };
	}

	/** The best score of each eligible unit for one query word, and the indexed words that gave one. */
	#scores(word: string, context: QueryContext): { best: Map<number, number>; used: Set<string> } {
		const best = new Map<number, number>();
		const used = new Set<string>();
		const { units, eligible, norms } = context;
		for (const { term, weight } of this.#expand(word)) {
			const postings = this.#postings.get(term);
			if (!postings) continue;
			const idf = Math.log(1 + (units - postings.size + 0.5) / (postings.size + 0.5));
			let any = false;
			const { nums, tfs } = postings;
			for (let i = 0; i < nums.length; i++) {
				const num = nums[i]!;
				if (eligible[num] === 0) continue;
				const packed = tfs[i]!;
				const text = packed & 0xffff;
				const title = (packed >>> 16) & 0xff;
				const tags = (packed >>> 24) & 0x3f;
				let score = 0;
				if (text > 0) score += (FIELD_WEIGHTS[TEXT] * text * (K1 + 1)) / (text + norms[num * 3 + TEXT]!);
				if (title > 0) score += (FIELD_WEIGHTS[TITLE] * title * (K1 + 1)) / (title + norms[num * 3 + TITLE]!);
				if (tags > 0) score += (FIELD_WEIGHTS[TAGS] * tags * (K1 + 1)) / (tags + norms[num * 3 + TAGS]!);
				score *= idf * weight;
				any = true;
				if (score > (best.get(num) ?? 0)) best.set(num, score);
			}
			if (any) used.add(term);
		}
		return { best, used };
	}

	/** The indexed words a query word matches: itself, longer words it begins, and near misses. */
	#expand(word: string): Expansion[] {
		const out: Expansion[] = [];
		if (this.#postings.has(word)) out.push({ term: word, weight: 1 });
		const seen = new Set([word]);
		if (word.length >= 2) {
			const prefixed: string[] = [];
			for (let i = lowerBound(this.#sorted, word); i < this.#sorted.length; i++) {
				const term = this.#sorted[i]!;
				if (!term.startsWith(word)) break;
				if (term !== word && this.#postings.has(term)) prefixed.push(term);
			}
			prefixed.sort((a, b) => this.#postings.get(b)!.size - this.#postings.get(a)!.size);
			for (const term of prefixed.slice(0, MAX_PREFIX_EXPANSIONS)) {
				seen.add(term);
				out.push({ term, weight: 0.5 + (0.3 * word.length) / term.length });
			}
		}
		const typos = typosAllowed(word.length);
		if (typos > 0 && word.length <= MAX_PATTERN) {
			const pattern = new Pattern(word);
			const near: { term: string; distance: number }[] = [];
			const sorted = this.#sorted;
			const masks = (this.#masks ??= Int32Array.from(sorted, letterMask));
			const mask = letterMask(word);
			for (let i = 0; i < sorted.length; i++) {
				// Each edit adds or removes at most one distinct letter: words more letters apart than
				// the typos allowed cannot be near, and most of the vocabulary is rejected here cheaply.
				if (bitCount(mask & ~masks[i]!) > typos || bitCount(masks[i]! & ~mask) > typos) continue;
				const term = sorted[i]!;
				// The distance before the set lookup: it rejects most of the rest on length alone.
				const distance = pattern.distance(term, typos);
				if (distance <= typos && !seen.has(term) && this.#postings.has(term)) near.push({ term, distance });
			}
			near.sort((a, b) => a.distance - b.distance || this.#postings.get(b.term)!.size - this.#postings.get(a.term)!.size);
			for (const { term, distance } of near.slice(0, MAX_TYPO_EXPANSIONS)) out.push({ term, weight: TYPO_WEIGHTS[distance]! });
		}
		return out;
	}

	/** A query without words: the eligible units, last changed first. */
	#recent(filters: SearchFilters, limit: number): SearchResults {
		const all = [...this.#units.values()].filter((stored) => matchesFilters(stored.unit, filters)).sort((a, b) => b.unit.at - a.unit.at);
		return { hits: all.slice(0, limit).map((stored) => hit(stored.unit, 0, new Set())), total: all.length, partial: false, words: [] };
	}

	#index(stored: Stored): void {
		const { unit } = stored;
		const fields = [words(unit.title), words(unit.tags.join(' ')), words(unit.text)];
		const terms: string[] = [];
		// Counted straight into the postings: the unit was unindexed first, so where it has a posting
		// it is the last one, and one lookup per word does both counting and indexing.
		for (let field = 0; field < 3; field++) {
			const list = fields[field]!;
			stored.lengths[field] = list.length;
			this.#totalLengths[field]! += list.length;
			for (const word of list) {
				let postings = this.#postings.get(word);
				if (!postings) {
					this.#postings.set(word, (postings = new Postings()));
					this.#added.push(word);
				}
				if (postings.count(stored.num, field)) terms.push(word);
			}
		}
		stored.terms = terms;
		this.#characters += unit.title.length + unit.text.length;
	}

	#unindex(stored: Stored): void {
		for (const word of stored.terms) {
			const postings = this.#postings.get(word);
			if (!postings) continue;
			postings.delete(stored.num);
			if (postings.size === 0) {
				this.#postings.delete(word);
				this.#removedSinceSort++;
			}
		}
		for (let field = 0; field < 3; field++) this.#totalLengths[field]! -= stored.lengths[field]!;
		this.#characters -= stored.unit.title.length + stored.unit.text.length;
		stored.terms = [];
	}

	/** Brings the sorted vocabulary up to date: merges the words added since, or sorts anew when many changed. */
	#sortVocabulary(): void {
		if (this.#added.length === 0 && this.#removedSinceSort * 4 < this.#sorted.length) return;
		if (this.#added.length > this.#sorted.length / 2 || this.#removedSinceSort * 4 >= this.#sorted.length) {
			this.#sorted = [...this.#postings.keys()].sort(compareCodeUnits);
			this.#masks = null;
		} else {
			const added = [...new Set(this.#added)].filter((word) => this.#postings.has(word)).sort(compareCodeUnits);
			const merged: string[] = [];
			let i = 0;
			let j = 0;
			while (i < this.#sorted.length || j < added.length) {
				const a = this.#sorted[i];
				const b = added[j];
				if (b === undefined || (a !== undefined && a <= b)) {
					// Words removed since the last sort go now: a page edited between queries would
					// otherwise grow the list (and every typo scan) for the whole session.
					if (a !== b && this.#postings.has(a!)) merged.push(a!);
					i++;
				} else {
					merged.push(b);
					j++;
				}
			}
			this.#sorted = merged;
			this.#masks = null;
		}
		this.#added = [];
		this.#removedSinceSort = 0;
	}
}

function sameText(a: SearchUnit, b: SearchUnit): boolean {
	return a.title === b.title && a.text === b.text && a.tags.length === b.tags.length && a.tags.every((tag, i) => tag === b.tags[i]);
}

function matchesFilters(unit: SearchUnit, filters: SearchFilters): boolean {
	if (filters.kinds && filters.kinds.length > 0 && !filters.kinds.includes(unit.kind)) return false;
	if (filters.status && unit.status !== filters.status) return false;
	if (filters.author && !unit.authors.includes(filters.author)) return false;
	if (unit.archived && !filters.archived) return false;
	return true;
}

/**
 * The letters of a word as bits (a character's code modulo 32). Different characters may share a
 * bit, which only makes two words look closer than they are: a filter on these never rejects a word
 * that is near.
 */
function letterMask(word: string): number {
	let mask = 0;
	for (let i = 0; i < word.length; i++) mask |= 1 << (word.charCodeAt(i) & 31);
	return mask;
}

function bitCount(bits: number): number {
	let n = bits - ((bits >>> 1) & 0x55555555);
	n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
	return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function compareCodeUnits(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

function lowerBound(sorted: readonly string[], word: string): number {
	let low = 0;
	let high = sorted.length;
	while (low < high) {
		const mid = (low + high) >>> 1;
		if (sorted[mid]! < word) low = mid + 1;
		else high = mid;
	}
	return low;
}

/** Units in every map, with their scores summed. */
function intersect(maps: readonly Map<number, number>[]): Map<number, number> {
	const [smallest, ...rest] = [...maps].sort((a, b) => a.size - b.size);
	const out = new Map<number, number>();
	if (!smallest) return out;
	for (const [num, score] of smallest) {
		let total = score;
		let everywhere = true;
		for (const other of rest) {
			const more = other.get(num);
			if (more === undefined) {
				everywhere = false;
				break;
			}
			total += more;
		}
		if (everywhere) out.set(num, total);
	}
	return out;
}

/** Units in any map: those with more of the words first, then by summed score. */
function union(maps: readonly Map<number, number>[]): Map<number, number> {
	const counts = new Map<number, number>();
	const totals = new Map<number, number>();
	for (const map of maps) {
		for (const [num, score] of map) {
			counts.set(num, (counts.get(num) ?? 0) + 1);
			totals.set(num, (totals.get(num) ?? 0) + score);
		}
	}
	// A unit with one more word always ranks above: the count leads, the score only breaks ties.
	const out = new Map<number, number>();
	for (const [num, count] of counts) out.set(num, count * 1e6 + totals.get(num)!);
	return out;
}

function hit(unit: SearchUnit, score: number, matched: ReadonlySet<string>): SearchHit {
	const snippet = snippetOf(unit.text, matched);
	return {
		id: unit.id,
		kind: unit.kind,
		pageId: unit.pageId,
		threadId: unit.threadId,
		title: unit.title,
		context: unit.context,
		status: unit.status,
		archived: unit.archived,
		authors: unit.authors,
		at: unit.at,
		score,
		titleMarks: marksIn(unit.title, matched),
		snippet: snippet.text,
		snippetMarks: snippet.marks
	};
}

function marksIn(text: string, matched: ReadonlySet<string>): Marks {
	if (matched.size === 0) return [];
	return wordsAt(text)
		.filter(({ word }) => matched.has(word))
		.map(({ from, to }) => [from, to] as const);
}

/**
 * The stretch of `text` with the most distinct matched words within SNIPPET_LENGTH characters
 * (the first such), starting a little before the first of them, cut at spaces, with the matched
 * words marked. Without a match in the text: its beginning.
 */
export function snippetOf(text: string, matched: ReadonlySet<string>): { text: string; marks: Marks } {
	const found = matched.size === 0 ? [] : occurrences(text, matched);
	let start = 0;
	if (found.length > 0) {
		let bestCount = 0;
		let bestFirst = 0;
		for (let first = 0; first < found.length; first++) {
			const distinct = new Set<string>();
			for (let last = first; last < found.length && found[last]!.to - found[first]!.from <= SNIPPET_LENGTH - SNIPPET_LEAD; last++) {
				distinct.add(found[last]!.word);
			}
			if (distinct.size > bestCount) {
				bestCount = distinct.size;
				bestFirst = first;
			}
		}
		start = Math.max(0, found[bestFirst]!.from - SNIPPET_LEAD);
		if (start > 0) {
			const space = text.indexOf(' ', start);
			if (space >= 0 && space < found[bestFirst]!.from) start = space + 1;
		}
	}
	let end = Math.min(text.length, start + SNIPPET_LENGTH);
	if (end < text.length) {
		const space = text.lastIndexOf(' ', end);
		if (space > start + SNIPPET_LENGTH / 2) end = space;
	}
	// Never cut a character written as two code units (an emoji, a rare Han character) in half.
	if (isLowSurrogate(text, start)) start--;
	if (isLowSurrogate(text, end)) end++;
	const lead = start > 0 ? '…' : '';
	const body = text.slice(start, end).replace(/\s/g, ' ');
	const marks = found
		.filter(({ from, to }) => from >= start && to <= end)
		.map(({ from, to }) => [from - start + lead.length, to - start + lead.length] as const);
	return { text: `${lead}${body}${end < text.length ? '…' : ''}`, marks };
}

function isLowSurrogate(text: string, index: number): boolean {
	const code = text.charCodeAt(index);
	return code >= 0xdc00 && code <= 0xdfff;
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;
const ASCII_WORD_CHAR = /[a-z0-9]/;

/**
 * Where the matched words are in `text`, in order. For ASCII text each word is looked for with
 * indexOf (and checked to be whole), which is several times faster on a long page than splitting
 * it all into words; other text is split (tokens.ts `wordsAt`).
 */
function occurrences(text: string, matched: ReadonlySet<string>): { word: string; from: number; to: number }[] {
	if (!ASCII_ONLY.test(text)) return wordsAt(text).filter(({ word }) => matched.has(word));
	const lower = text.toLowerCase();
	const out: { word: string; from: number; to: number }[] = [];
	for (const word of matched) {
		if (!ASCII_ONLY.test(word)) continue;
		for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + word.length)) {
			const before = at > 0 && ASCII_WORD_CHAR.test(lower[at - 1]!);
			const after = at + word.length < lower.length && ASCII_WORD_CHAR.test(lower[at + word.length]!);
			if (!before && !after) out.push({ word, from: at, to: at + word.length });
		}
	}
	return out.sort((a, b) => a.from - b.from);
}
