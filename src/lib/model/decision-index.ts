/**
 * The decision log as a reader sees it: rows built from the decision listings, each record's
 * positions and the members; filters, sorting, the supersede chain of each row, and the timeline
 * of accepted decisions grouped by month in the viewer's time zone. Pure: the clock, the viewer
 * and the zone are arguments, so every function here gives the same answer on every device.
 *
 * Filter semantics (the URL keeps them, see `filterFromQuery`):
 * - statuses widen each other (proposed or accepted), as do the two deadline filters (due this
 *   week or overdue: "what needs deciding"); every other filter narrows.
 * - "due this week": proposed, decide-by after now and within the next 7 days.
 * - "overdue": proposed and decide-by passed.
 * - "waiting for my position": proposed, I am a decider or consulted, and I have no position.
 * - archived records are left out unless asked for.
 */
import { decisionStatuses, summarizePositions, DecisionStatus, type Decision, type DecisionListing, type Position, type PositionSummary } from './decisions.ts';
import type { Member, PageEntry } from './workspace.ts';

export const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** A link in a supersede chain: a record by id, with its title and status when it is in the index. */
export interface ChainLink {
	readonly id: string;
	/** Null when the record's page is gone (deleted for good). */
	readonly title: string | null;
	readonly status: DecisionStatus | null;
}

export interface SupersedeChain {
	/** Records this one replaces, oldest first. */
	readonly earlier: readonly ChainLink[];
	/** Records replacing this one, nearest first (the first successor of each, as decisions.ts does). */
	readonly later: readonly ChainLink[];
}

export interface IndexRow {
	readonly id: string;
	readonly title: string;
	readonly page: PageEntry;
	readonly decision: Decision;
	readonly archived: boolean;
	/** The owner's name from the members list; the id itself when they are not in it; null without an owner. */
	readonly ownerName: string | null;
	readonly positions: readonly Position[];
	readonly summary: PositionSummary;
	/** Whether the viewer is a decider or consulted on this record. */
	readonly expectsMe: boolean;
	/** The viewer's own position, if they recorded one. */
	readonly mine: Position | null;
	/** The latest of: the page's last update, the last status change, the last position. */
	readonly lastChange: number;
	/** Null when the record neither replaces nor is replaced by another. */
	readonly chain: SupersedeChain | null;
}

export interface IndexInput {
	readonly listings: readonly DecisionListing[];
	/** Positions per decision page id; a record missing here has none (yet, on this device). */
	readonly positions: ReadonlyMap<string, readonly Position[]>;
	readonly members: readonly Member[];
	/** The viewer's member id. */
	readonly me: string;
}

/** One row per decision record (archived ones included: filtering leaves them out). */
export function buildIndexRows(input: IndexInput): IndexRow[] {
	const names = new Map(input.members.map((m) => [m.id, m.name]));
	const byId = new Map(input.listings.map((l) => [l.decision.id, l]));
	return input.listings.map(({ page, decision }) => {
		const positions = input.positions.get(decision.id) ?? [];
		const mine = positions.find((p) => p.memberId === input.me) ?? null;
		const lastPosition = positions.reduce((latest, p) => Math.max(latest, p.at), -Infinity);
		return {
			id: decision.id,
			title: page.title,
			page,
			decision,
			archived: page.archivedAt !== null,
			ownerName: decision.owner === null ? null : (names.get(decision.owner) ?? decision.owner),
			positions,
			summary: summarizePositions(decision, positions),
			expectsMe: decision.deciders.includes(input.me) || decision.consulted.includes(input.me),
			mine,
			lastChange: Math.max(page.updatedAt, page.createdAt, decision.statusSince ?? -Infinity, lastPosition),
			chain: chainOf(decision, byId)
		};
	});
}

function chainOf(decision: Decision, byId: ReadonlyMap<string, DecisionListing>): SupersedeChain | null {
	if (decision.supersedes === null && decision.supersededBy.length === 0) return null;
	const link = (id: string): ChainLink => {
		const listing = byId.get(id);
		return { id, title: listing?.page.title ?? null, status: listing?.decision.status ?? null };
	};
	// supersedeLinks already breaks loops; `seen` only guards against a listing that disagrees.
	const seen = new Set([decision.id]);
	const earlier: ChainLink[] = [];
	for (let at = decision.supersedes; at !== null && !seen.has(at); at = byId.get(at)?.decision.supersedes ?? null) {
		seen.add(at);
		earlier.unshift(link(at));
	}
	const later: ChainLink[] = [];
	for (let at = decision.supersededBy[0]; at !== undefined && !seen.has(at); at = byId.get(at)?.decision.supersededBy[0]) {
		seen.add(at);
		later.push(link(at));
	}
	return { earlier, later };
}

// ---- filters ----

export interface IndexFilter {
	/** Empty: every status. */
	readonly statuses: readonly DecisionStatus[];
	readonly owner: string | null;
	readonly tag: string | null;
	readonly dueThisWeek: boolean;
	readonly overdue: boolean;
	readonly waitingForMe: boolean;
	readonly showArchived: boolean;
}

export const noFilter: IndexFilter = {
	statuses: [],
	owner: null,
	tag: null,
	dueThisWeek: false,
	overdue: false,
	waitingForMe: false,
	showArchived: false
};

/** Whether a filter narrows anything beyond hiding archived records. */
export function isFiltering(filter: IndexFilter): boolean {
	return filter.statuses.length > 0 || filter.owner !== null || filter.tag !== null || filter.dueThisWeek || filter.overdue || filter.waitingForMe;
}

export function isOverdue(decision: Pick<Decision, 'status' | 'decideBy'>, now: number): boolean {
	return decision.status === DecisionStatus.proposed && decision.decideBy !== null && decision.decideBy < now;
}

export function isDueThisWeek(decision: Pick<Decision, 'status' | 'decideBy'>, now: number): boolean {
	return decision.status === DecisionStatus.proposed && decision.decideBy !== null && decision.decideBy >= now && decision.decideBy <= now + WEEK_MS;
}

/** Proposed, the viewer is a decider or consulted, and has not weighed in. */
export function isWaitingForMe(row: Pick<IndexRow, 'decision' | 'expectsMe' | 'mine'>): boolean {
	return row.decision.status === DecisionStatus.proposed && row.expectsMe && row.mine === null;
}

export function matchesFilter(row: IndexRow, filter: IndexFilter, now: number): boolean {
	if (row.archived && !filter.showArchived) return false;
	if (filter.statuses.length > 0 && !filter.statuses.includes(row.decision.status)) return false;
	if (filter.owner !== null && row.decision.owner !== filter.owner) return false;
	if (filter.tag !== null && !row.decision.tags.includes(filter.tag)) return false;
	if (filter.dueThisWeek || filter.overdue) {
		const due = (filter.dueThisWeek && isDueThisWeek(row.decision, now)) || (filter.overdue && isOverdue(row.decision, now));
		if (!due) return false;
	}
	if (filter.waitingForMe && !isWaitingForMe(row)) return false;
	return true;
}

export function filterRows(rows: readonly IndexRow[], filter: IndexFilter, now: number): IndexRow[] {
	return rows.filter((row) => matchesFilter(row, filter, now));
}

/** The owners and tags the filter controls offer: those of the records shown when archived ones are (or not). */
export function filterChoices(rows: readonly IndexRow[], showArchived: boolean): { owners: { id: string; name: string }[]; tags: string[] } {
	const owners = new Map<string, string>();
	const tags = new Set<string>();
	for (const row of rows) {
		if (row.archived && !showArchived) continue;
		if (row.decision.owner !== null) owners.set(row.decision.owner, row.ownerName ?? row.decision.owner);
		for (const tag of row.decision.tags) tags.add(tag);
	}
	return {
		owners: [...owners].map(([id, name]) => ({ id, name })).sort((a, b) => compareText(a.name, b.name) || compareText(a.id, b.id)),
		tags: [...tags].sort(compareText)
	};
}

// ---- sorting ----

export const SortKey = {
	title: 'title',
	status: 'status',
	owner: 'owner',
	decideBy: 'decide-by',
	lastChange: 'last-change',
	positions: 'positions'
} as const;
export type SortKey = (typeof SortKey)[keyof typeof SortKey];
export const sortKeys: readonly SortKey[] = Object.values(SortKey);

export type SortDirection = 'asc' | 'desc';

export interface IndexSort {
	readonly key: SortKey;
	readonly direction: SortDirection;
}

/** Soonest deadline first: what needs deciding next. */
export const defaultSort: IndexSort = { key: SortKey.decideBy, direction: 'asc' };

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
function compareText(a: string, b: string): number {
	return collator.compare(a, b);
}

/** The value a row sorts by; null sorts last in either direction (no owner, no deadline, nobody expected). */
function sortValue(row: IndexRow, key: SortKey): string | number | null {
	switch (key) {
		case SortKey.title:
			return row.title;
		case SortKey.status:
			return decisionStatuses.indexOf(row.decision.status);
		case SortKey.owner:
			return row.ownerName;
		case SortKey.decideBy:
			return row.decision.decideBy;
		case SortKey.lastChange:
			return row.lastChange;
		case SortKey.positions:
			return row.summary.expected === 0 ? null : row.summary.weighedIn / row.summary.expected;
		default:
			return exhaustive(key);
	}
}

function exhaustive(value: never): never {
	throw new Error(`Unexpected sort key ${String(value)}`);
}

/**
 * Sorted by `sort`, rows without a value last; ties keep the order of title, then id — so the
 * order is the same on every device and across re-renders (stable, whatever the input order).
 */
export function sortRows(rows: readonly IndexRow[], sort: IndexSort): IndexRow[] {
	const sign = sort.direction === 'asc' ? 1 : -1;
	const tieBreak = (a: IndexRow, b: IndexRow) => compareText(a.title, b.title) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
	return rows
		.map((row) => ({ row, value: sortValue(row, sort.key) }))
		.sort((a, b) => {
			if (a.value === null || b.value === null) {
				if (a.value === null && b.value === null) return tieBreak(a.row, b.row);
				return a.value === null ? 1 : -1;
			}
			const order = typeof a.value === 'string' && typeof b.value === 'string' ? compareText(a.value, b.value) : (a.value as number) - (b.value as number);
			return sign * order || tieBreak(a.row, b.row);
		})
		.map(({ row }) => row);
}

// ---- the timeline ----

export interface TimelineEntry {
	readonly id: string;
	readonly title: string;
	/** When it was (last) accepted: the log's last change to accepted. */
	readonly acceptedAt: number;
	readonly acceptedBy: string;
	/** accepted, or what it became since: superseded or deprecated. */
	readonly status: DecisionStatus;
	readonly archived: boolean;
	readonly chain: SupersedeChain | null;
}

export interface TimelineMonth {
	/** 'YYYY-MM' in the viewer's zone. */
	readonly key: string;
	/** 'March 2026'. */
	readonly label: string;
	readonly entries: readonly TimelineEntry[];
}

const acceptedSince: readonly DecisionStatus[] = [DecisionStatus.accepted, DecisionStatus.superseded, DecisionStatus.deprecated];

/**
 * Decisions that were accepted and still stand as made (accepted, or since superseded or
 * deprecated), newest acceptance first, grouped by the month of acceptance in `timeZone`.
 * A record reopened (proposed again) or rejected after being accepted is not in it.
 */
export function acceptedTimeline(rows: readonly IndexRow[], timeZone: string, options: { showArchived?: boolean } = {}): TimelineMonth[] {
	const names = new Map<string, string>();
	const entries: TimelineEntry[] = [];
	for (const row of rows) {
		if (row.archived && !options.showArchived) continue;
		if (!acceptedSince.includes(row.decision.status)) continue;
		const accepted = row.decision.log.findLast((change) => change.to === DecisionStatus.accepted);
		if (!accepted) continue;
		names.set(row.id, row.title);
		entries.push({
			id: row.id,
			title: row.title,
			acceptedAt: accepted.at,
			acceptedBy: accepted.by,
			status: row.decision.status,
			archived: row.archived,
			chain: row.chain
		});
	}
	entries.sort((a, b) => b.acceptedAt - a.acceptedAt || compareText(a.title, b.title) || (a.id < b.id ? -1 : 1));
	const months: { key: string; label: string; entries: TimelineEntry[] }[] = [];
	for (const entry of entries) {
		const { key, label } = monthOf(entry.acceptedAt, timeZone);
		const last = months.at(-1);
		if (last?.key === key) last.entries.push(entry);
		else months.push({ key, label, entries: [entry] });
	}
	return months;
}

/** The calendar month a moment falls in, in a time zone: { key: '2026-03', label: 'March 2026' }. */
export function monthOf(at: number, timeZone: string): { key: string; label: string } {
	const parts = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: '2-digit', timeZone }).formatToParts(at);
	const year = parts.find((p) => p.type === 'year')?.value ?? '';
	const month = parts.find((p) => p.type === 'month')?.value ?? '';
	const label = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'long', timeZone }).format(at);
	return { key: `${year}-${month}`, label };
}

// ---- the URL ----

/**
 * The view's state as URL query parameters, so a filtered view can be linked:
 * `?status=proposed,accepted&owner=<id>&tag=<tag>&due=week&overdue=1&waiting=me&archived=1&sort=title&dir=desc`.
 * Defaults are left out; unknown or malformed values are ignored.
 */
export function viewFromQuery(query: URLSearchParams): { filter: IndexFilter; sort: IndexSort } {
	const statuses = query
		.getAll('status')
		.flatMap((value) => value.split(','))
		.filter((value): value is DecisionStatus => decisionStatuses.includes(value as DecisionStatus));
	const text = (name: string) => {
		const value = query.get(name)?.trim();
		return value ? value : null;
	};
	const key = query.get('sort');
	const dir = query.get('dir');
	const sortKey = sortKeys.includes(key as SortKey) ? (key as SortKey) : defaultSort.key;
	return {
		filter: {
			// In the order of the workflow, once each, whatever the link said.
			statuses: decisionStatuses.filter((s) => statuses.includes(s)),
			owner: text('owner'),
			tag: text('tag'),
			dueThisWeek: query.get('due') === 'week',
			overdue: query.get('overdue') === '1',
			waitingForMe: query.get('waiting') === 'me',
			showArchived: query.get('archived') === '1'
		},
		sort: { key: sortKey, direction: dir === 'asc' || dir === 'desc' ? dir : key === null ? defaultSort.direction : 'asc' }
	};
}

export function queryFromView(filter: IndexFilter, sort: IndexSort): URLSearchParams {
	const query = new URLSearchParams();
	if (filter.statuses.length > 0) query.set('status', decisionStatuses.filter((s) => filter.statuses.includes(s)).join(','));
	if (filter.owner !== null) query.set('owner', filter.owner);
	if (filter.tag !== null) query.set('tag', filter.tag);
	if (filter.dueThisWeek) query.set('due', 'week');
	if (filter.overdue) query.set('overdue', '1');
	if (filter.waitingForMe) query.set('waiting', 'me');
	if (filter.showArchived) query.set('archived', '1');
	if (sort.key !== defaultSort.key || sort.direction !== defaultSort.direction) {
		query.set('sort', sort.key);
		query.set('dir', sort.direction);
	}
	return query;
}

// ---- words ----

/** "3 of 5 weighed in · 2 agree · 1 disagree" (stances with none left out; "No one asked yet" without deciders or consulted). */
export function positionsText(summary: PositionSummary, positionCount: number): string {
	const parts: string[] = [];
	parts.push(summary.expected === 0 ? (positionCount === 0 ? 'No one asked yet' : `${positionCount} weighed in`) : `${summary.weighedIn} of ${summary.expected} weighed in`);
	const c = summary.counts;
	if (c.agree > 0) parts.push(`${c.agree} agree`);
	if (c['agree-with-concerns'] > 0) parts.push(`${c['agree-with-concerns']} with concerns`);
	if (c.disagree > 0) parts.push(`${c.disagree} disagree`);
	if (c.abstain > 0) parts.push(`${c.abstain} abstain`);
	return parts.join(' · ');
}
