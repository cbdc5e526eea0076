/**
 * Decision records: pages of kind 'decision' with a status, an owner, deciders and consulted
 * members, tags and a decide-by time, a status log, supersede links, and each member's position.
 *
 * In the workspace document (written by editors and admins):
 *
 *   decisions: pageId → Y.Map {
 *     owner: memberId, decideBy: ms since the epoch (UTC),
 *     deciders, consulted, tags: Y.Map<boolean>   (a set: true = in it; removing writes false)
 *     supersedes: pageId | null                    (this record replaces that one)
 *     log: Y.Array<StatusChange>                  (append only)
 *   }
 *
 * In each record's discussion document `<ws>/<page>/talk` (written by commenters too):
 *
 *   positions: memberId → Position               (one per member, last write wins)
 *
 * The status is not stored: it is read from the log, in a total order every device agrees on
 * (`order`, then `id`), starting from 'proposed'. A change's `order` is its device's clock, but
 * later than every change that device has seen, so a change made after seeing another always
 * counts as later; two changes made apart are ordered by their clocks. The last change gives the
 * status and both stay in the log; each entry names the change it followed (`after`), so one made
 * without seeing the entry before it in the log reads as made apart (`concurrent`).
 *
 * The design started with the log in the discussion document; it lives here instead, beside the
 * rest of the record, because a commenter may write the discussion document and must not be able
 * to accept a decision (the relay enforces roles per document, never inside one), and because one
 * transaction then changes a record and its log (accepting a record marks the one it supersedes).
 *
 * Sets are maps to booleans and removal writes false: a bare map delete creates no structs, and
 * the sync status relies on every local change creating some (see workspace.ts deletePage).
 */
import * as Y from 'yjs';
import { cleanText } from './text.ts';
import { isTime } from './time.ts';
import { newId } from './ids.ts';
import { Origin } from './origins.ts';
import { assertWritable, stampSchemaVersion } from './version.ts';
import { createPage, getPage, listPages, PageKind, type Actor } from './workspace.ts';
import { effectiveParents } from './tree.ts';
import { builtinSeed, decisionTemplate } from './templates.ts';
import { ActivityKind, logActivity } from './activity.ts';
import {
	decisionsMap,
	decisionStatuses,
	DecisionError,
	DecisionStatus,
	isLocked,
	isOpenForPositions,
	positionsMap,
	readChange,
	readDecision,
	readSet,
	stances,
	supersedeLinks,
	type Decision,
	type Position,
	type Stance,
	type StatusChange
} from './decision-records.ts';

export * from './decision-records.ts';

/**
 * Which status changes a member may make by hand. 'superseded' is never chosen: a record becomes
 * superseded when a record that supersedes it is accepted.
 */
const transitions: Readonly<Record<DecisionStatus, readonly DecisionStatus[]>> = {
	proposed: ['accepted', 'rejected'],
	accepted: ['proposed', 'deprecated'],
	rejected: ['proposed'],
	superseded: ['proposed'],
	deprecated: ['proposed']
};

export const MAX_NOTE_LENGTH = 1000;

export const MAX_RATIONALE_LENGTH = 1000;

export const MAX_TAG_LENGTH = 40;

export const MAX_TAGS = 20;

/** The statuses a member may move a record to now. */
export function nextStatuses(decision: Pick<Decision, 'status'>): readonly DecisionStatus[] {
	return transitions[decision.status];
}

// ---- writing ----
export interface NewDecision {
	readonly id?: string;
	readonly title: string;
	readonly parentId?: string | null;
	readonly owner: string;
	readonly decideBy: number;
	readonly deciders?: readonly string[];
	readonly consulted?: readonly string[];
	readonly tags?: readonly string[];
	readonly supersedes?: string | null;
}

/** Creates a proposed decision record (page and record in one transaction) and returns its id. */
export function createDecision(doc: Y.Doc, input: NewDecision, actor: Actor): string {
	assertWritable(doc);
	const owner = checkOwner(input.owner);
	const decideBy = checkDecideBy(input.decideBy, actor.now);
	const tags = cleanTags(input.tags ?? []);
	const id = input.id ?? newId();
	if (input.supersedes != null) checkSupersedes(doc, id, input.supersedes);
	doc.transact(() => {
		createPage(doc, { id, title: input.title, kind: PageKind.decision, parentId: input.parentId ?? null, seed: builtinSeed(decisionTemplate) }, actor);
		const record = new Y.Map<unknown>();
		record.set('owner', owner);
		record.set('decideBy', decideBy);
		record.set('deciders', setOf(input.deciders ?? []));
		record.set('consulted', setOf(input.consulted ?? []));
		record.set('tags', setOf(tags));
		record.set('supersedes', input.supersedes ?? null);
		record.set('log', new Y.Array<StatusChange>());
		decisionsMap(doc).set(id, record);
	}, Origin.local);
	return id;
}

export interface DecisionFields {
	readonly owner?: string;
	readonly decideBy?: number;
	readonly deciders?: readonly string[];
	readonly consulted?: readonly string[];
	readonly tags?: readonly string[];
}

/**
 * Changes a record's fields. Everything is checked before anything is written. A closed record
 * keeps its owner, deciders, consulted members and deadline (reopen it to change them; passing
 * them back unchanged is fine); its tags stay editable, since they only file it.
 */
export function updateDecision(doc: Y.Doc, id: string, fields: DecisionFields, actor: Actor): void {
	assertWritable(doc);
	const record = recordOf(doc, id);
	const decision = readDecision(doc, id)!;
	const { tags } = fields;
	// Only a field that differs counts as a change: a form saving a closed record's new tags sends
	// the other fields back as they are.
	const changesRecord =
		(fields.owner !== undefined && (typeof fields.owner === 'string' ? fields.owner.trim() : fields.owner) !== decision.owner) ||
		(fields.decideBy !== undefined && fields.decideBy !== decision.decideBy) ||
		(fields.deciders !== undefined && !sameMembers(fields.deciders, decision.deciders)) ||
		(fields.consulted !== undefined && !sameMembers(fields.consulted, decision.consulted));
	if (changesRecord && isLocked(decision)) {
		throw new DecisionError(`This decision is ${decision.status}: reopen it to change its owner, deciders or deadline.`);
	}
	const owner = fields.owner === undefined ? undefined : checkOwner(fields.owner);
	const decideBy = fields.decideBy === undefined || fields.decideBy === decision.decideBy ? undefined : checkDecideBy(fields.decideBy, actor.now);
	const cleanedTags = tags === undefined ? undefined : cleanTags(tags);
	doc.transact(() => {
		if (owner !== undefined && owner !== decision.owner) record.set('owner', owner);
		if (decideBy !== undefined) record.set('decideBy', decideBy);
		if (fields.deciders) updateSet(record, 'deciders', fields.deciders);
		if (fields.consulted) updateSet(record, 'consulted', fields.consulted);
		if (cleanedTags) updateSet(record, 'tags', cleanedTags);
		touch(doc, id, actor);
	}, Origin.local);
}

/**
 * Moves a record to another status and logs who, when, from → to and the note. Accepting a record
 * that supersedes another marks that one superseded, in the same transaction.
 */
export function changeStatus(doc: Y.Doc, id: string, to: DecisionStatus, note: string, actor: Actor): void {
	assertWritable(doc);
	const record = recordOf(doc, id);
	const decision = readDecision(doc, id)!;
	if (!decisionStatuses.includes(to)) throw new DecisionError(`"${String(to)}" is not a decision status.`);
	if (to === decision.status) throw new DecisionError(`This decision is already ${to}.`);
	if (!transitions[decision.status].includes(to)) {
		throw new DecisionError(
			to === DecisionStatus.superseded
				? 'A decision becomes superseded when the decision that supersedes it is accepted.'
				: `A ${decision.status} decision cannot become ${to}.`
		);
	}
	if (to === DecisionStatus.accepted && decision.owner === null) throw new DecisionError('Give the decision an owner before accepting it.');
	const cleanNote = cleanText(note, MAX_NOTE_LENGTH);
	doc.transact(() => {
		const order = nextOrder(doc, actor.now);
		const at = actor.now;
		const after = decision.log.at(-1)?.id ?? null;
		logOf(record).push([{ id: newId(), from: decision.status, to, at, order, after, by: actor.memberId, note: cleanNote }]);
		logActivity(doc, { kind: ActivityKind.decisionStatus, pageId: id, from: decision.status, to, note: cleanNote }, actor);
		touch(doc, id, actor);
		if (to === DecisionStatus.accepted && decision.supersedes !== null) {
			const old = readDecision(doc, decision.supersedes);
			const oldRecord = decisionsMap(doc).get(decision.supersedes);
			// A predecessor rejected meanwhile stays rejected: there is nothing left to replace.
			if (old && oldRecord && old.status !== DecisionStatus.superseded && old.status !== DecisionStatus.rejected) {
				const oldAfter = old.log.at(-1)?.id ?? null;
				logOf(oldRecord).push([
					{ id: newId(), from: old.status, to: DecisionStatus.superseded, at, order, after: oldAfter, by: actor.memberId, note: '', supersededBy: id }
				]);
				logActivity(
					doc,
					{ kind: ActivityKind.decisionStatus, pageId: decision.supersedes, from: old.status, to: DecisionStatus.superseded, note: '', supersededBy: id },
					actor
				);
				touch(doc, decision.supersedes, actor);
			}
		}
	}, Origin.local);
}

export interface Supersession {
	readonly title: string;
	readonly decideBy: number;
	readonly owner?: string;
}

/**
 * Starts the record that will replace an accepted (or deprecated) one: a new proposed record that supersedes it,
 * with its deciders, consulted members and tags, placed beside it in the tree. The old record
 * becomes superseded when the new one is accepted.
 */
export function supersede(doc: Y.Doc, oldId: string, input: Supersession, actor: Actor): string {
	assertWritable(doc);
	const old = readDecision(doc, oldId);
	if (!old) throw new DecisionError('There is no such decision to supersede.');
	checkSupersedable(old);
	return createDecision(
		doc,
		{
			title: input.title,
			// Beside it as the tree shows it: the stored parent may be gone (deleted on another device
			// apart) or in a loop, and createPage refuses a parent that does not exist.
			parentId: effectiveParents(listPages(doc)).get(oldId) ?? null,
			owner: input.owner ?? actor.memberId,
			decideBy: input.decideBy,
			deciders: old.deciders,
			consulted: old.consulted,
			tags: old.tags,
			supersedes: oldId
		},
		actor
	);
}

/**
 * Says that an open record supersedes an existing one (or nothing, with null). Refuses a link
 * that would make the chain loop, as this device sees it; links made apart that still loop are
 * broken when reading (supersedeLinks).
 */
export function setSupersedes(doc: Y.Doc, id: string, oldId: string | null, actor: Actor): void {
	assertWritable(doc);
	const record = recordOf(doc, id);
	const decision = readDecision(doc, id)!;
	// Already so: nothing to check or write (a form saves the link it shows back as it is), also on a
	// closed record, as updateDecision takes unchanged fields. Both the stored and the read link must
	// say so: a stored link broken when reading (a loop made apart) reads as none, so setting it
	// again is checked, and clearing it does write.
	if ((record.get('supersedes') ?? null) === oldId && decision.supersedes === oldId) return;
	if (isLocked(decision)) throw new DecisionError(`This decision is ${decision.status}: reopen it to change what it supersedes.`);
	if (oldId !== null) checkSupersedes(doc, id, oldId);
	doc.transact(() => {
		record.set('supersedes', oldId);
		touch(doc, id, actor);
	}, Origin.local);
}

/**
 * Records or changes a member's position in a record's discussion document. `decision` is the
 * record as this device has it: positions close with the decision.
 */
export function recordPosition(
	talk: Y.Doc,
	decision: Pick<Decision, 'status'>,
	input: { readonly stance: Stance; readonly rationale: string; readonly name: string },
	actor: Actor
): void {
	assertWritable(talk);
	if (!isOpenForPositions(decision)) throw new DecisionError(`This decision is ${decision.status}: positions can no longer change.`);
	if (!stances.includes(input.stance)) throw new DecisionError(`"${String(input.stance)}" is not a position.`);
	const position = {
		stance: input.stance,
		rationale: cleanText(input.rationale, MAX_RATIONALE_LENGTH),
		name: cleanText(input.name, 80).replace(/\s+/g, ' ') || 'Member',
		at: actor.now
	};
	talk.transact(() => {
		stampSchemaVersion(talk);
		positionsMap(talk).set(actor.memberId, position);
	}, Origin.local);
}

// ---- positions ----

export interface PositionSummary {
	readonly counts: Readonly<Record<Stance, number>>;
	/** Deciders and consulted members who have not recorded a position. */
	readonly waiting: readonly string[];
	/** How many of the deciders and consulted members have weighed in, of how many. */
	readonly weighedIn: number;
	readonly expected: number;
}

export function summarizePositions(decision: Pick<Decision, 'deciders' | 'consulted'>, positions: readonly Position[]): PositionSummary {
	const counts = { agree: 0, 'agree-with-concerns': 0, disagree: 0, abstain: 0 };
	for (const position of positions) counts[position.stance]++;
	const expected = [...new Set([...decision.deciders, ...decision.consulted])];
	const have = new Set(positions.map((p) => p.memberId));
	const waiting = expected.filter((member) => !have.has(member));
	return { counts, waiting, weighedIn: expected.length - waiting.length, expected: expected.length };
}

// ---- time ----

/** "2 days 4 hours left", "45 minutes left", "overdue by 3 hours": for a decide-by time. */
export function timeLeft(decideBy: number, now: number): { overdue: boolean; text: string } {
	const diff = decideBy - now;
	const overdue = diff < 0;
	const minutes = Math.floor(Math.abs(diff) / 60_000);
	const days = Math.floor(minutes / 1440);
	const hours = Math.floor((minutes % 1440) / 60);
	const mins = minutes % 60;
	const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
	let span: string;
	if (days > 0) span = hours > 0 ? `${unit(days, 'day')} ${unit(hours, 'hour')}` : unit(days, 'day');
	else if (hours > 0) span = mins > 0 ? `${unit(hours, 'hour')} ${unit(mins, 'minute')}` : unit(hours, 'hour');
	else if (minutes > 0) span = unit(mins, 'minute');
	else return { overdue, text: overdue ? 'due now' : 'less than a minute left' };
	return { overdue, text: overdue ? `overdue by ${span}` : `${span} left` };
}

function checkOwner(owner: string): string {
	const clean = typeof owner === 'string' ? owner.trim() : '';
	if (clean === '') throw new DecisionError('A decision needs an owner: choose who drives it to a decision.');
	return clean;
}

function checkDecideBy(decideBy: number, now: number): number {
	if (!isTime(decideBy)) throw new DecisionError('Choose a date and time to decide by.');
	if (decideBy <= now) throw new DecisionError('The decide-by date is in the past: choose a time still to come.');
	return Math.round(decideBy);
}

function checkSupersedes(doc: Y.Doc, id: string, oldId: string): void {
	if (oldId === id) throw new DecisionError('A decision cannot supersede itself.');
	if (!(decisionsMap(doc).get(oldId) instanceof Y.Map) || getPage(doc, oldId)?.kind !== PageKind.decision) {
		throw new DecisionError('Only another decision record can be superseded.');
	}
	const { supersedes } = supersedeLinks(doc);
	for (let at: string | null = oldId; at !== null; at = supersedes.get(at) ?? null) {
		if (at === id) throw new DecisionError('That would make the supersede chain loop: the other decision already (indirectly) supersedes this one.');
	}
	checkSupersedable(readDecision(doc, oldId)!);
}

/**
 * Only a decision in force can be replaced: accepted, or deprecated (no longer in force, waiting
 * for a successor). A proposed or rejected one would become "superseded" without ever having held.
 */
function checkSupersedable(old: Decision): void {
	if (old.status !== DecisionStatus.accepted && old.status !== DecisionStatus.deprecated) {
		throw new DecisionError(`Only an accepted or deprecated decision can be superseded; this one is ${old.status}.`);
	}
}

/** Tags: trimmed, lower case, single spaces, unique, at most MAX_TAGS of MAX_TAG_LENGTH characters. */
export function cleanTags(tags: readonly string[]): string[] {
	const out: string[] = [];
	for (const tag of tags) {
		const clean = cleanText(String(tag), MAX_TAG_LENGTH).toLowerCase().replace(/\s+/g, ' ').replace(/^#/, '').trim();
		if (clean !== '' && !out.includes(clean)) out.push(clean);
	}
	if (out.length > MAX_TAGS) throw new DecisionError(`A decision can have at most ${MAX_TAGS} tags.`);
	return out;
}

function recordOf(doc: Y.Doc, id: string): Y.Map<unknown> {
	const record = decisionsMap(doc).get(id);
	if (!(record instanceof Y.Map)) throw new DecisionError('There is no such decision.');
	return record;
}

function logOf(record: Y.Map<unknown>): Y.Array<StatusChange> {
	let log = record.get('log');
	if (!(log instanceof Y.Array)) {
		log = new Y.Array<StatusChange>();
		record.set('log', log);
	}
	return log as Y.Array<StatusChange>;
}

function setOf(values: readonly string[]): Y.Map<boolean> {
	const set = new Y.Map<boolean>();
	for (const value of new Set(values)) if (typeof value === 'string' && value !== '') set.set(value, true);
	return set;
}

/** Makes the set under `key` hold exactly `values`, writing only what changes. */
function updateSet(record: Y.Map<unknown>, key: string, values: readonly string[]): void {
	let set = record.get(key);
	if (!(set instanceof Y.Map)) {
		record.set(key, setOf(values));
		return;
	}
	const wanted = new Set(values.filter((v) => typeof v === 'string' && v !== ''));
	const map = set as Y.Map<boolean>;
	for (const [member, present] of map.entries()) if (present === true && !wanted.has(member)) map.set(member, false);
	for (const member of wanted) if (map.get(member) !== true) map.set(member, true);
}

/** Whether `values`, as updateSet would keep them, are exactly the members of `current`. */
function sameMembers(values: readonly string[], current: readonly string[]): boolean {
	const wanted = new Set(values.filter((v) => typeof v === 'string' && v !== ''));
	return wanted.size === current.length && current.every((member) => wanted.has(member));
}

/** Later than every change this device has seen (see the top of this file), and not before now. */
function nextOrder(doc: Y.Doc, now: number): number {
	let latest = -Infinity;
	decisionsMap(doc).forEach((record) => {
		if (!(record instanceof Y.Map)) return;
		const log = record.get('log');
		// A stamp that is not finite (NaN, ±Infinity: another client's bug) is no time at all; counting
		// it would stamp every later change NaN or Infinity, and those sort by their random ids.
		if (log instanceof Y.Array) for (const value of log) {
			const change = readChange(value);
			if (change) latest = Math.max(latest, change.order);
		}
	});
	return Math.max(Math.round(now), latest + 1);
}

function touch(doc: Y.Doc, id: string, actor: Actor): void {
	const entry = doc.getMap<Y.Map<unknown>>('pages').get(id);
	if (!entry) return;
	entry.set('updatedAt', actor.now);
	entry.set('updatedBy', actor.memberId);
}
