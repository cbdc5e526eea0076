/**
 * Reading decision records (the layout of the documents is described in decisions.ts): the types,
 * the status as the log gives it, supersede links and positions, and the lock a closed record puts
 * on its page. Apart from the writing side so that a page, which needs only whether its record is
 * locked, does not load the forms' validation and writes.
 */
import * as Y from 'yjs';
import { isTime } from './time.ts';
import { getPage, listPages, PageKind, type PageEntry } from './workspace.ts';
import { effectiveParents } from './tree.ts';

export const DecisionStatus = {
	proposed: 'proposed',
	accepted: 'accepted',
	rejected: 'rejected',
	superseded: 'superseded',
	deprecated: 'deprecated'
} as const;

export type DecisionStatus = (typeof DecisionStatus)[keyof typeof DecisionStatus];

export const decisionStatuses: readonly DecisionStatus[] = Object.values(DecisionStatus);

export const Stance = { agree: 'agree', concerns: 'agree-with-concerns', disagree: 'disagree', abstain: 'abstain' } as const;

export type Stance = (typeof Stance)[keyof typeof Stance];

export const stances: readonly Stance[] = Object.values(Stance);

export const stanceLabels: Readonly<Record<Stance, string>> = {
	agree: 'Agree',
	'agree-with-concerns': 'Agree with concerns',
	disagree: 'Disagree',
	abstain: 'Abstain'
};

/** One entry of the status log, as stored. */
export interface StatusChange {
	readonly id: string;
	readonly from: DecisionStatus;
	readonly to: DecisionStatus;
	/** When, by the changing device's clock (shown). */
	readonly at: number;
	/**
	 * Where the change sorts: its clock, but later than every change that device had seen (see the
	 * top of decisions.ts). Kept apart from `at` so one device with a clock running ahead does not
	 * make every later change look as if it happened in the future.
	 */
	readonly order: number;
	/**
	 * The last change of this record the device had seen (null: none). Absent in entries from
	 * before it was recorded; those read as made apart when their `from` does not match.
	 */
	readonly after?: string | null;
	readonly by: string;
	readonly note: string;
	/** Set when the change was made by accepting the record that supersedes this one. */
	readonly supersededBy?: string | null;
}

/** A log entry as read: `concurrent` when it was made without seeing the change before it in the log. */
export interface LoggedChange extends StatusChange {
	readonly concurrent: boolean;
}

export interface Decision {
	readonly id: string;
	readonly owner: string | null;
	readonly decideBy: number | null;
	readonly deciders: readonly string[];
	readonly consulted: readonly string[];
	readonly tags: readonly string[];
	/** The record this one replaces, after loops from concurrent links are broken (supersedeLinks). */
	readonly supersedes: string | null;
	/** Records that replace this one (usually one; two if members superseded it apart). */
	readonly supersededBy: readonly string[];
	readonly status: DecisionStatus;
	/** Oldest first, in the order every device agrees on. */
	readonly log: readonly LoggedChange[];
	/** When the current status was set (null while it is the first 'proposed'). */
	readonly statusSince: number | null;
}

export interface Position {
	readonly memberId: string;
	/** The member's name when they recorded it (commenters may not be in the members list). */
	readonly name: string;
	readonly stance: Stance;
	readonly rationale: string;
	readonly at: number;
}

/** Bad input to a decision: shown to the member as is, and nothing was changed. */
export class DecisionError extends Error {
	override name = 'DecisionError';
}

export function decisionsMap(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
	return doc.getMap('decisions');
}

export function positionsMap(talk: Y.Doc): Y.Map<unknown> {
	return talk.getMap('positions');
}

/** Whether a record's body and fields (all but tags) are closed to edits: anything but proposed. */
export function isLocked(decision: Pick<Decision, 'status'>): boolean {
	return decision.status !== DecisionStatus.proposed;
}

/** Whether members may still record or change positions. */
export function isOpenForPositions(decision: Pick<Decision, 'status'>): boolean {
	return decision.status === DecisionStatus.proposed;
}

/**
 * Refuses a title change to a closed decision record (its body and title are locked until it is
 * reopened); any other page passes. Call before renamePage on every path that renames.
 */
export function assertTitleEditable(doc: Y.Doc, pageId: string): void {
	const decision = getPage(doc, pageId)?.kind === PageKind.decision ? readDecision(doc, pageId) : null;
	if (decision && isLocked(decision)) throw new DecisionError(`This decision is ${decision.status}: reopen it to change its title.`);
}

export function readDecision(doc: Y.Doc, id: string): Decision | null {
	const record = decisionsMap(doc).get(id);
	if (!(record instanceof Y.Map)) return null;
	return readRecord(id, record, supersedeLinks(doc));
}

export interface DecisionListing {
	readonly page: PageEntry;
	readonly decision: Decision;
}

/** Every decision record whose page is in the index (archived ones included), with its page. */
export function listDecisions(doc: Y.Doc): DecisionListing[] {
	const links = supersedeLinks(doc);
	const out: DecisionListing[] = [];
	for (const page of listPages(doc)) {
		if (page.kind !== PageKind.decision) continue;
		const record = decisionsMap(doc).get(page.id);
		if (record instanceof Y.Map) out.push({ page, decision: readRecord(page.id, record, links) });
	}
	return out;
}

/**
 * The supersede links every device shows: `supersedes` per record, with links to records that
 * do not exist dropped and loops (two members linking apart) broken at the smallest id, as the
 * page tree does (tree.ts).
 */
export function supersedeLinks(doc: Y.Doc): { supersedes: Map<string, string | null>; supersededBy: Map<string, string[]> } {
	const entries: { id: string; parentId: string | null }[] = [];
	decisionsMap(doc).forEach((record, id) => {
		if (!(record instanceof Y.Map)) return;
		const target = record.get('supersedes');
		entries.push({ id, parentId: typeof target === 'string' && target !== id ? target : null });
	});
	const supersedes = effectiveParents(entries);
	const supersededBy = new Map<string, string[]>();
	for (const [id, old] of supersedes) {
		if (old === null) continue;
		const list = supersededBy.get(old) ?? [];
		list.push(id);
		supersededBy.set(old, list.sort());
	}
	return { supersedes, supersededBy };
}

/**
 * The chain a record belongs to: the records it replaces, oldest first, and those replacing it,
 * nearest first (following the first of several successors; `Decision.supersededBy` lists all).
 */
export function supersedeChain(doc: Y.Doc, id: string): { earlier: string[]; later: string[] } {
	const { supersedes, supersededBy } = supersedeLinks(doc);
	const earlier: string[] = [];
	for (let at = supersedes.get(id) ?? null; at !== null; at = supersedes.get(at) ?? null) earlier.unshift(at);
	const later: string[] = [];
	for (let at = supersededBy.get(id)?.[0]; at !== undefined; at = supersededBy.get(at)?.[0]) later.push(at);
	return { earlier, later };
}

export function listPositions(talk: Y.Doc): Position[] {
	const out: Position[] = [];
	positionsMap(talk).forEach((value, memberId) => {
		const position = readPosition(memberId, value);
		if (position) out.push(position);
	});
	return out.sort((a, b) => a.at - b.at || (a.memberId < b.memberId ? -1 : 1));
}

/** A decide-by time in a time zone: "Tue 24 Nov 2026, 17:00 (Europe/Berlin)". */
export function formatDeadline(decideBy: number, timeZone: string, locale?: string): string {
	const formatted = new Intl.DateTimeFormat(locale ?? 'en-GB', {
		weekday: 'short',
		day: 'numeric',
		month: 'short',
		year: 'numeric',
		hour: '2-digit',
		minute: '2-digit',
		timeZone
	}).format(decideBy);
	return `${formatted} (${timeZone})`;
}

/** The members (or tags) of a stored set: keys written true, sorted. */
export function readSet(value: unknown): string[] {
	if (!(value instanceof Y.Map)) return [];
	const out: string[] = [];
	value.forEach((present, key) => {
		if (present === true) out.push(key);
	});
	return out.sort();
}

function readRecord(id: string, record: Y.Map<unknown>, links: ReturnType<typeof supersedeLinks>): Decision {
	const owner = record.get('owner');
	const decideBy = record.get('decideBy');
	const rawLog = record.get('log');
	const entries: StatusChange[] = [];
	if (rawLog instanceof Y.Array) for (const value of rawLog) {
		const change = readChange(value);
		if (change) entries.push(change);
	}
	entries.sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	let status: DecisionStatus = DecisionStatus.proposed;
	let previous: string | null = null;
	const log: LoggedChange[] = entries.map((change) => {
		const concurrent = change.after === undefined ? change.from !== status : change.after !== previous;
		status = change.to;
		previous = change.id;
		return { ...change, concurrent };
	});
	return {
		id,
		owner: typeof owner === 'string' && owner !== '' ? owner : null,
		decideBy: isTime(decideBy) ? decideBy : null,
		deciders: readSet(record.get('deciders')),
		consulted: readSet(record.get('consulted')),
		tags: readSet(record.get('tags')),
		supersedes: links.supersedes.get(id) ?? null,
		supersededBy: links.supersededBy.get(id) ?? [],
		status,
		log,
		statusSince: log.at(-1)?.at ?? null
	};
}

/** One stored log entry, or null when it is not one (another client's bug): also for decisions.ts' ordering. */
export function readChange(value: unknown): StatusChange | null {
	if (typeof value !== 'object' || value === null) return null;
	const v = value as Record<string, unknown>;
	const from = v['from'];
	const to = v['to'];
	if (!decisionStatuses.includes(from as DecisionStatus) || !decisionStatuses.includes(to as DecisionStatus)) return null;
	if (!isTime(v['at']) || typeof v['id'] !== 'string') return null;
	// Not finite (NaN, ±Infinity: another client's bug) is no place in the order: such an entry
	// would decide the status for ever, and stamp every later change NaN or Infinity.
	const order = v['order'] === undefined ? v['at'] : v['order'];
	if (typeof order !== 'number' || !Number.isFinite(order)) return null;
	const after = v['after'];
	return {
		id: v['id'],
		from: from as DecisionStatus,
		to: to as DecisionStatus,
		at: v['at'],
		order,
		...(after === null || typeof after === 'string' ? { after } : {}),
		by: typeof v['by'] === 'string' ? v['by'] : '',
		note: typeof v['note'] === 'string' ? v['note'] : '',
		supersededBy: typeof v['supersededBy'] === 'string' ? v['supersededBy'] : null
	};
}

function readPosition(memberId: string, value: unknown): Position | null {
	if (typeof value !== 'object' || value === null) return null;
	const v = value as Record<string, unknown>;
	if (!stances.includes(v['stance'] as Stance)) return null;
	// Commenters write this document: a time no date can show (another client's bug) would break
	// every screen that lists positions, so such a position reads as not there.
	if (v['at'] !== undefined && !isTime(v['at'])) return null;
	return {
		memberId,
		name: typeof v['name'] === 'string' ? v['name'] : 'Member',
		stance: v['stance'] as Stance,
		rationale: typeof v['rationale'] === 'string' ? v['rationale'] : '',
		at: isTime(v['at']) ? v['at'] : 0
	};
}
