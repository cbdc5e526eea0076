/**
 * Words, as the search index and its queries see them: runs of letters and digits, lower-cased and
 * without diacritics ("Décision" and "decision" are one word). Han, Hiragana and Katakana are written
 * without spaces, so each of those characters is a word of its own, and a query of several matches
 * where all of them occur.
 *
 * The index needs only the words (`words`); snippets need where each word is in the original text
 * (`wordsAt`). Both split with the one scanner, so a word the index matched is found again in the
 * text. The scanner is a loop over character codes, not a regular expression: it reads the 5 MB of a
 * thousand-page workspace about four times faster, which is most of building the index.
 */

/** Longer runs (hashes, base64, URLs without separators) are not words anyone searches for. */
export const MAX_WORD_LENGTH = 48;

const SEPARATOR = 0;
const WORD_CHAR = 1;
/** A character that is a word by itself (Han, Hiragana, Katakana). */
const SINGLE = 2;

/** Kinds of the ASCII characters: letters and digits are word characters. */
const ASCII_KIND = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
	const isDigit = c >= 48 && c <= 57;
	const isLetter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
	ASCII_KIND[c] = isDigit || isLetter ? WORD_CHAR : SEPARATOR;
}

const SINGLE_CHAR = /^[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]$/u;
const WORD_CHARACTER = /^[\p{L}\p{N}\p{M}]$/u;
const NON_ASCII = /[^\x00-\x7f]/;
const MARKS = /\p{M}+/gu;

/** Kinds of the non-ASCII code points met so far (a text uses few distinct ones). */
const kinds = new Map<number, number>();

function kindOf(codePoint: number): number {
	if (codePoint < 128) return ASCII_KIND[codePoint]!;
	let kind = kinds.get(codePoint);
	if (kind === undefined) {
		const char = String.fromCodePoint(codePoint);
		kind = SINGLE_CHAR.test(char) ? SINGLE : WORD_CHARACTER.test(char) ? WORD_CHAR : SEPARATOR;
		if (kinds.size > 20_000) kinds.clear();
		kinds.set(codePoint, kind);
	}
	return kind;
}

/** Calls `word(from, to)` for every word of `text`, in order. */
function scan(text: string, word: (from: number, to: number) => void): void {
	let start = -1;
	const length = text.length;
	for (let i = 0; i < length; i++) {
		let code = text.charCodeAt(i);
		let width = 1;
		if (code >= 0xd800 && code <= 0xdbff && i + 1 < length) {
			const low = text.charCodeAt(i + 1);
			if (low >= 0xdc00 && low <= 0xdfff) {
				code = (code - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
				width = 2;
			}
		}
		const kind = code < 128 ? ASCII_KIND[code]! : kindOf(code);
		if (kind === WORD_CHAR) {
			if (start < 0) start = i;
		} else {
			if (start >= 0) word(start, i);
			start = -1;
			if (kind === SINGLE) word(i, i + width);
		}
		i += width - 1;
	}
	if (start >= 0) word(start, length);
}

/** One word as indexed: lower case, diacritics removed (NFKD, marks dropped). */
export function normalizeWord(word: string): string {
	const lower = word.toLowerCase();
	return NON_ASCII.test(lower) ? lower.normalize('NFKD').replace(MARKS, '') : lower;
}

/** Every word of `text`, normalized, in order (repeats kept). */
export function words(text: string): string[] {
	const out: string[] = [];
	if (!NON_ASCII.test(text)) {
		// Lower-casing ASCII keeps every offset: once for the whole text, not once per word.
		const lower = text.toLowerCase();
		scan(lower, (from, to) => {
			if (to - from <= MAX_WORD_LENGTH) out.push(lower.slice(from, to));
		});
		return out;
	}
	scan(text, (from, to) => {
		if (to - from > MAX_WORD_LENGTH * 2) return;
		const word = normalizeWord(text.slice(from, to));
		if (word.length > 0 && word.length <= MAX_WORD_LENGTH) out.push(word);
	});
	return out;
}

export interface WordAt {
	/** Normalized, as in `words`. */
	readonly word: string;
	/** Where it is in the original text (UTF-16 offsets). */
	readonly from: number;
	readonly to: number;
}

/** Every word of `text` with where it is. */
export function wordsAt(text: string): WordAt[] {
	const out: WordAt[] = [];
	scan(text, (from, to) => {
		if (to - from > MAX_WORD_LENGTH * 2) return;
		const word = normalizeWord(text.slice(from, to));
		if (word.length > 0 && word.length <= MAX_WORD_LENGTH) out.push({ word, from, to });
	});
	return out;
}
