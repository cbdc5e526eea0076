/**
 * The quick switcher's title matcher: fuzzy, on the main thread, per keystroke. Titles only, so it
 * stays small and fast next to full-text search (src/lib/search/), which runs in a worker.
 *
 * Titles are folded once, each character as full-text search folds words (tokens.ts
 * `normalizeWord`: lower case, NFKD, marks dropped, so "Résumé" is found by "resume" and "ﬁnance"
 * by "finance"), and kept with a map back to the original characters, so highlights land on what
 * the member sees even where one character folds to two. A query
 * matches in tiers, best first: the title starts with it, a word starts with it, it is inside a
 * word, the query's runs each start a word ("qr" in "Q3 Roadmap"), and last the query's characters
 * appear in order anywhere ("rdmp"). Within a tier a score (word starts, runs, short gaps) decides.
 */
import { normalizeWord } from '$lib/search/tokens.ts';

/** How well a title matched, best first. */
export const MatchTier = { prefix: 5, wordStart: 4, substring: 3, initials: 2, scattered: 1 } as const;
export type MatchTier = (typeof MatchTier)[keyof typeof MatchTier];

/** A title ready to match: its folded form and, per folded character, the original's index. */
export interface PreparedTitle {
	readonly text: string;
	readonly folded: string;
	/** `origin[i]` is where folded character i starts in `text`; `origin[folded.length]` is `text.length`. */
	readonly origin: Int32Array;
	/** `wordStart[i]` is 1 where folded character i begins a word. */
	readonly wordStart: Uint8Array;
}

export interface TitleMatch {
	readonly tier: MatchTier;
	/** Orders matches within a tier; higher is better. */
	readonly score: number;
	/** Matched ranges of the original text, `[from, to)`, in order and not touching. */
	readonly ranges: ReadonlyArray<readonly [number, number]>;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * One character folded as search folds words: "É" → "e", "ﬁ" → "fi", a combining mark → "".
 * Per character, so every folded character knows which original one it came from.
 */
const foldChar = normalizeWord;

/** A query (or any text) folded the way titles are, spaces collapsed and trimmed. */
export function foldQuery(query: string): string {
	let out = '';
	for (const char of query) out += foldChar(char);
	return out.replace(/\s+/g, ' ').trim();
}

/** Folds a title once, for every keystroke after. */
export function prepareTitle(text: string): PreparedTitle {
	let folded = '';
	const origin: number[] = [];
	let at = 0;
	for (const char of text) {
		const f = foldChar(char);
		for (let k = 0; k < f.length; k++) origin.push(at);
		folded += f;
		at += char.length;
	}
	origin.push(text.length);
	const wordStart = new Uint8Array(folded.length);
	for (let i = 0; i < folded.length; i++) {
		const isWord = WORD_CHAR.test(folded[i]!);
		wordStart[i] = isWord && (i === 0 || !WORD_CHAR.test(folded[i - 1]!)) ? 1 : 0;
	}
	return { text, folded, origin: Int32Array.from(origin), wordStart };
}

// Scratch space for the subsequence scoring, grown as needed and reused: no allocation per title.
let best = new Float64Array(0);
let from = new Int32Array(0);

const BONUS_WORD_START = 8;
const BONUS_RUN = 6;
const PENALTY_GAP = 1;
const NONE = -1e9;

/**
 * Matches a folded query (see foldQuery) against a prepared title; null when it does not match.
 * An empty query matches nothing: the caller shows its own default list.
 */
export function matchTitle(query: string, title: PreparedTitle): TitleMatch | null {
	const q = query;
	const t = title.folded;
	// Spaces in the query only separate its parts: "a b" may match "ab", so lengths count without them.
	const chars = withoutSpaces(q);
	if (chars.length === 0 || chars.length > t.length) return null;
	const at = t.indexOf(q);
	if (at >= 0) return substringMatch(q, title, at);
	// Cheap rejection before any scoring: the characters in order, spaces in the query skipped.
	let j = 0;
	for (let i = 0; i < chars.length; i++) {
		j = t.indexOf(chars[i]!, j);
		if (j < 0) return null;
		j++;
	}
	return subsequenceMatch(chars, title);
}

// The last query without its spaces: one query is matched against every title in a row.
let lastQuery = '';
let lastChars = '';
function withoutSpaces(query: string): string {
	if (query !== lastQuery) {
		lastQuery = query;
		lastChars = query.replace(/ /g, '');
	}
	return lastChars;
}

function substringMatch(q: string, title: PreparedTitle, first: number): TitleMatch {
	const t = title.folded;
	// A later occurrence at a word start beats an earlier one inside a word.
	let at = first;
	for (let i = first; i >= 0; i = t.indexOf(q, i + 1)) {
		if (title.wordStart[i] !== 1) continue;
		at = i;
		break;
	}
	const tier = at === 0 ? MatchTier.prefix : title.wordStart[at] === 1 ? MatchTier.wordStart : MatchTier.substring;
	// Shorter titles (more of the title matched) and earlier matches first.
	const score = -t.length - at / 100;
	return { tier, score, ranges: toOriginal(title, [[at, at + q.length]]) };
}

/**
 * The best placement of the query's characters in order (a small dynamic programme over query ×
 * title, like fzf's): word starts and runs score, gaps cost.
 */
function subsequenceMatch(q: string, title: PreparedTitle): TitleMatch {
	const t = title.folded;
	const m = q.length;
	const n = t.length;
	if (best.length < m * n) {
		best = new Float64Array(m * n * 2);
		from = new Int32Array(m * n * 2);
	}
	for (let i = 0; i < m; i++) {
		const row = i * n;
		const prev = row - n;
		// Best score of the previous row ending strictly before j-1, less the gap since.
		let carry = NONE;
		let carryAt = -1;
		for (let j = 0; j < n; j++) {
			best[row + j] = NONE;
			from[row + j] = -1;
			if (i > 0 && j >= 2) {
				carry -= PENALTY_GAP;
				const candidate = best[prev + j - 2]!;
				if (candidate > carry) {
					carry = candidate;
					carryAt = j - 2;
				}
			}
			if (t[j] !== q[i]) continue;
			const own = 1 + (title.wordStart[j] === 1 ? BONUS_WORD_START : 0);
			if (i === 0) {
				best[row + j] = own - j * 0.01;
				continue;
			}
			const run = j >= 1 ? best[prev + j - 1]! + BONUS_RUN : NONE;
			if (run >= carry && run > NONE / 2) {
				best[row + j] = run + own;
				from[row + j] = j - 1;
			} else if (carry > NONE / 2) {
				best[row + j] = carry + own;
				from[row + j] = carryAt;
			}
		}
	}
	// The last query character's best place, then back along the chosen path.
	const last = (m - 1) * n;
	let end = -1;
	for (let j = 0; j < n; j++) if (best[last + j]! > NONE / 2 && (end < 0 || best[last + j]! > best[last + end]!)) end = j;
	const positions: number[] = new Array<number>(m);
	for (let i = m - 1, j = end; i >= 0; i--) {
		positions[i] = j;
		j = from[i * n + j]!;
	}
	// Initials: every run of matched characters starts a word.
	let initials = true;
	for (let i = 0; i < m && initials; i++) {
		const j = positions[i]!;
		const continues = i > 0 && positions[i - 1] === j - 1;
		if (!continues && title.wordStart[j] !== 1) initials = false;
	}
	const ranges: Array<[number, number]> = [];
	for (const j of positions) {
		const open = ranges.at(-1);
		if (open && open[1] === j) open[1] = j + 1;
		else ranges.push([j, j + 1]);
	}
	return { tier: initials ? MatchTier.initials : MatchTier.scattered, score: best[last + end]!, ranges: toOriginal(title, ranges) };
}

/** Folded ranges as ranges of the original text, merged where they touch. */
function toOriginal(title: PreparedTitle, ranges: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
	const out: Array<[number, number]> = [];
	for (const [a, b] of ranges) {
		const start = title.origin[a]!;
		// The end of the original character folded character b-1 came from (one may fold to two).
		let k = b;
		while (title.origin[k]! <= title.origin[b - 1]! && k < title.folded.length) k++;
		const end = title.origin[k]!;
		const open = out.at(-1);
		if (open && open[1] >= start) open[1] = Math.max(open[1], end);
		else out.push([start, end]);
	}
	return out;
}

/** Orders two matches: tier, then score. Negative when `a` is better. */
export function compareMatches(a: TitleMatch, b: TitleMatch): number {
	return b.tier - a.tier || b.score - a.score;
}
