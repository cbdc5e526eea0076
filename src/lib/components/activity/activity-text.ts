/**
 * The words of the activity feed: what each entry says ("renamed ‘Old’ to ‘New’") and the day it
 * falls on in the viewer's zone. Pure, so the wording is tested without a browser.
 *
 * A sentence is a list of parts: plain text, or a page (linked by the feed when the page still
 * exists, plain text when it was deleted). Titles are always parts, never spliced into markup.
 */
import type { ActivityEntry } from '$lib/model/activity.ts';

export type Part = { readonly text: string } | { readonly pageId: string; readonly title: string };

/** What the sentence needs to know about the workspace now. */
export interface FeedContext {
	/** A page's current title, or null when it is not in the workspace (deleted, or not synced yet). */
	titleOf(pageId: string): string | null;
}

const statusWords: Readonly<Record<string, string>> = {
	proposed: 'proposed',
	accepted: 'accepted',
	rejected: 'rejected',
	superseded: 'superseded',
	deprecated: 'deprecated'
};

/** What a status change did, as a verb: "accepted", "reopened". */
const statusVerbs: Readonly<Record<string, string>> = {
	proposed: 'reopened',
	accepted: 'accepted',
	rejected: 'rejected',
	deprecated: 'deprecated'
};

const named = (title: string) => (title.trim() === '' ? 'Untitled' : title);

/** The sentence after the member's name: "renamed ‘Old’ to ‘New’". */
export function describeEntry(entry: ActivityEntry, context: FeedContext): Part[] {
	const page: Part = { pageId: entry.pageId, title: named(entry.title) };
	const text = (t: string): Part => ({ text: t });
	switch (entry.kind) {
		case 'page-created':
			return [text(entry.pageKind === 'decision' ? 'proposed the decision ' : 'created '), page];
		case 'page-renamed':
			return [text(`renamed ‘${named(entry.from)}’ to `), { pageId: entry.pageId, title: named(entry.to) }];
		case 'page-moved': {
			if (entry.toParent === null) return [text('moved '), page, text(' to the top level')];
			const parent = context.titleOf(entry.toParent);
			return [text('moved '), page, text(' into '), parent === null ? text('a deleted page') : { pageId: entry.toParent, title: named(parent) }];
		}
		case 'page-archived':
			return [text('archived '), page];
		case 'page-restored':
			return [text('restored '), page];
		case 'page-deleted':
			return [text('deleted '), page, ...(entry.removed > 0 ? [text(` and ${entry.removed} ${entry.removed === 1 ? 'subpage' : 'subpages'}`)] : [])];
		case 'decision-status': {
			const was = text(` (was ${statusWords[entry.from] ?? entry.from})`);
			if (entry.to === 'superseded') {
				const by = entry.supersededBy ? context.titleOf(entry.supersededBy) : null;
				return [
					text('marked the decision '),
					page,
					text(' superseded'),
					...(entry.supersededBy && by !== null ? [text(' by '), { pageId: entry.supersededBy, title: named(by) }] : []),
					was
				];
			}
			const verb = statusVerbs[entry.to];
			return verb ? [text(`${verb} the decision `), page, was] : [text('set the decision '), page, text(` to ${entry.to}`), was];
		}
		case 'version-named':
			return [text(`named a version of `), page, text(`: “${entry.name}”`)];
	}
}

/** The whole sentence as plain text (for tests and announcements): "Ana renamed ‘Old’ to ‘New’". */
export function entryText(name: string, parts: readonly Part[]): string {
	return `${name} ${parts.map((p) => ('text' in p ? p.text : `‘${p.title}’`)).join('')}`;
}

/** The day a time falls on in `timeZone`, as "YYYY-MM-DD": what the feed groups by. */
export function dayKey(at: number, timeZone: string): string {
	// en-CA writes dates as YYYY-MM-DD.
	return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone }).format(at);
}

/** A day's heading: "Today", "Yesterday", or "Friday 20 November 2026". */
export function dayLabel(at: number, timeZone: string, now: number): string {
	const key = dayKey(at, timeZone);
	const today = dayKey(now, timeZone);
	if (key === today) return 'Today';
	// Yesterday by the calendar, not "now minus 24 hours": a day is 23 or 25 hours long when the
	// clocks change.
	const [y, m, d] = today.split('-').map(Number) as [number, number, number];
	if (key === new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10)) return 'Yesterday';
	return new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone }).format(at);
}

/** Entries grouped by day in the viewer's zone, keeping their order (newest first). */
export function groupByDay<T extends { readonly at: number }>(entries: readonly T[], timeZone: string): { key: string; at: number; entries: T[] }[] {
	const groups: { key: string; at: number; entries: T[] }[] = [];
	for (const entry of entries) {
		const key = dayKey(entry.at, timeZone);
		const last = groups.at(-1);
		if (last && last.key === key) last.entries.push(entry);
		else groups.push({ key, at: entry.at, entries: [entry] });
	}
	return groups;
}
