/**
 * Cutting a text at its highlighted ranges, for the one Highlighted component that both the search
 * page (the engine's marks) and the quick switcher (its title matches) render with. Pure, so it is
 * unit-tested without a browser (tests/unit/search-url.test.ts).
 */

/** Ranges of a text, `[from, to)` in UTF-16 offsets. */
export type Ranges = readonly (readonly [number, number])[];

export interface Part {
	readonly text: string;
	readonly marked: boolean;
}

/**
 * Splits `text` at the highlighted ranges, to render as text nodes and <mark>s (never as HTML:
 * titles and snippets are teammates' input). Ranges out of order, overlapping, empty or past the
 * end are sorted, merged and clipped, so the parts always join back to `text`.
 */
export function markedParts(text: string, ranges: Ranges): Part[] {
	const clipped = ranges
		.map(([from, to]) => [Math.max(0, Math.min(from, text.length)), Math.max(0, Math.min(to, text.length))] as const)
		.filter(([from, to]) => to > from)
		.sort((a, b) => a[0] - b[0]);
	const parts: Part[] = [];
	let at = 0;
	for (const [from, to] of clipped) {
		if (to <= at) continue;
		const start = Math.max(from, at);
		if (start > at) parts.push({ text: text.slice(at, start), marked: false });
		const last = parts.at(-1);
		// Overlapping or touching ranges read as one highlight.
		if (last?.marked && start === at) parts[parts.length - 1] = { text: last.text + text.slice(start, to), marked: true };
		else parts.push({ text: text.slice(start, to), marked: true });
		at = to;
	}
	if (at < text.length) parts.push({ text: text.slice(at), marked: false });
	return parts;
}
