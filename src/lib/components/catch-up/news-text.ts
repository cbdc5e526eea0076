/**
 * How catch-up reads in words: the highlight's title, each "What's new" entry, the page banner.
 * Everything said by colour (the highlights) is also said here, as text.
 */
import { stanceLabels } from '$lib/model/decision-records.ts';
import type { Deletion, NewsEntry } from '$lib/model/catch-up.ts';
import type { DecisionStatus } from '$lib/model/decision-records.ts';
import { formatWhen, viewerTimeZone } from '$lib/components/decisions/decision-time.ts';

const QUOTE_LENGTH = 60;

/** "Added by Ben · 21 Nov 2026, 10:02" (the viewer's zone); without the time when it is unknown. */
export function changedTitle(name: string, at: number | null, timeZone = viewerTimeZone()): string {
	return at === null ? `Added by ${name}` : `Added by ${name} · ${formatWhen(at, timeZone)}`;
}

/** Text shortened for a quote: whitespace collapsed, at most QUOTE_LENGTH characters. */
export function quote(text: string): string {
	const line = text.replace(/\s+/g, ' ').trim();
	return line.length > QUOTE_LENGTH ? `${line.slice(0, QUOTE_LENGTH - 1)}…` : line;
}

const statusVerbs: Readonly<Record<DecisionStatus, string>> = {
	proposed: 'reopened the decision',
	accepted: 'accepted the decision',
	rejected: 'rejected the decision',
	superseded: 'marked the decision superseded',
	deprecated: 'deprecated the decision'
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What an entry says after the member's name: "edited (12 words added, 3 removed)". */
export function entryText(entry: NewsEntry): string {
	switch (entry.kind) {
		case 'created':
			return 'created this page';
		case 'edited': {
			const parts = [entry.added > 0 ? `${plural(entry.added, 'word')} added` : '', entry.removed > 0 ? `${plural(entry.removed, 'word')} removed` : ''].filter(Boolean);
			return `edited (${parts.join(', ')})`;
		}
		case 'comment':
			return `${entry.newThread ? 'commented' : 'replied'}: “${quote(entry.text)}”`;
		case 'position':
			return `recorded a position: ${stanceLabels[entry.stance]}`;
		case 'status':
			return `${statusVerbs[entry.to]}${entry.note ? `: “${quote(entry.note)}”` : ''}`;
	}
}

/** The banner's summary: "3 changes by Ben and Ana". */
export function bannerSummary(count: number, names: readonly string[]): string {
	const who = names.length <= 1 ? (names[0] ?? 'someone') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
	return `${plural(count, 'change')} by ${who}`;
}

/** "Ben deleted “old words”". */
export function deletionText(deletion: Deletion, name: string): string {
	return `${name} deleted “${quote(deletion.text)}”`;
}
