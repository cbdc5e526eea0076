/**
 * Edit distance between a query word and the words of the index, for typo-tolerant search.
 *
 * Levenshtein distance by Myers' bit-parallel algorithm (Hyyrö's formulation): the query word's
 * characters are bit masks, and each character of the other word costs a handful of 32-bit
 * operations, so checking a word against a vocabulary of 50,000 takes about a millisecond.
 * A transposition ("teh") counts as two edits.
 */

/** The longest query word the bit masks hold (longer ones are matched exactly or by prefix only). */
export const MAX_PATTERN = 32;

export class Pattern {
	readonly word: string;
	readonly #ascii = new Int32Array(128);
	readonly #other = new Map<number, number>();
	readonly #last: number;

	constructor(word: string) {
		if (word.length === 0 || word.length > MAX_PATTERN) throw new RangeError(`a pattern is 1 to ${MAX_PATTERN} characters`);
		this.word = word;
		for (let i = 0; i < word.length; i++) {
			const code = word.charCodeAt(i);
			if (code < 128) this.#ascii[code]! |= 1 << i;
			else this.#other.set(code, (this.#other.get(code) ?? 0) | (1 << i));
		}
		this.#last = 1 << (word.length - 1);
	}

	/** The edit distance to `text`, or `max + 1` when it is more than `max`. */
	distance(text: string, max: number): number {
		const m = this.word.length;
		if (Math.abs(text.length - m) > max) return max + 1;
		let pv = -1;
		let mv = 0;
		let score = m;
		const last = this.#last;
		for (let j = 0; j < text.length; j++) {
			const code = text.charCodeAt(j);
			const eq = code < 128 ? this.#ascii[code]! : (this.#other.get(code) ?? 0);
			const xv = eq | mv;
			const xh = ((((eq & pv) + pv) | 0) ^ pv) | eq;
			let ph = mv | ~(xh | pv);
			let mh = pv & xh;
			if (ph & last) score++;
			else if (mh & last) score--;
			// Whatever the rest of the text, the distance cannot drop below what is left to match.
			if (score - (text.length - j - 1) > max) return max + 1;
			ph = (ph << 1) | 1;
			mh = mh << 1;
			pv = mh | ~(xv | ph);
			mv = ph & xv;
		}
		return score <= max ? score : max + 1;
	}
}

/** How many typos a query word of this length may have: Typesense's defaults (4 letters: 1, 7: 2). */
export function typosAllowed(length: number): number {
	if (length >= 7) return 2;
	if (length >= 4) return 1;
	return 0;
}
