/**
 * Decision records (src/lib/model/decisions.ts) and the rules of issue 4.
 *
 * [DR1] Workflow: a member may move proposed → accepted | rejected, accepted → proposed |
 *       deprecated, and rejected | superseded | deprecated → proposed; never to 'superseded' by
 *       hand, never to the status it has, never to accepted without an owner. Every change is
 *       logged (who, when, from → to, note); the note is cleaned and capped. A refusal is a
 *       DecisionError with a message for the member, and changes nothing.
 * [DR2] Locking: anything but proposed is locked and closed to positions; a locked record keeps its
 *       owner, deciders, consulted members and decide-by (refused, nothing changed) but its tags
 *       stay editable; reopening unlocks it.
 * [DR3] Supersede: only an accepted or deprecated record can be superseded (supersede, setSupersedes
 *       and a new record alike); the new record is proposed, copies deciders, consulted and tags,
 *       and is linked both ways; accepting it marks the old one superseded (a log entry naming the
 *       new one) in the same transaction, unless the old one is already superseded or was rejected
 *       meanwhile. A link to itself, to something that is not a decision, or one that would make the
 *       chain loop is refused (a loop is named before the status); linking what is already linked
 *       changes nothing.
 * [DR4] Replicas apart: two status changes made apart give the same status everywhere and both stay
 *       in the log; each entry names the entry it followed (`after`), and one that did not follow
 *       the entry before it in the log is marked concurrent (entries from before `after` existed:
 *       when their `from` does not match). Entries sort by `order`: the device clock, but later than
 *       every change that device has seen, so a change made after seeing another sorts after it
 *       whatever the device clock says; `at` is the device clock as it was, shown to people, so a
 *       device whose clock runs ahead moves the order but not the times others' changes show.
 *       Supersede links made apart that loop are broken the same way everywhere with no record
 *       lost; set fields merge per member.
 * [DR5] Positions: one per member in the discussion document, last write wins, changeable while
 *       proposed and refused once closed; the stance is one of four; the rationale is cleaned and
 *       capped; the summary waits for deciders and consulted members without a position.
 * [DR6] Bad input (issue 4): a decide-by in the past, a record without an owner, a supersede chain
 *       that would loop: a clear message, nothing changed.
 * [DR7] Time and tags: time left in days/hours/minutes or overdue; the deadline in each viewer's time
 *       zone; tags lower case, without '#', unique, limited.
 * [DR8] Reading is defensive: whatever another client wrote (unknown statuses, non-map records, bad
 *       stances, odd values, a time or order that is not finite) is skipped, never thrown; an entry
 *       without `order` sorts by its `at`.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as prng from 'lib0/prng';
import {
	DecisionError,
	DecisionStatus,
	MAX_NOTE_LENGTH,
	MAX_RATIONALE_LENGTH,
	MAX_TAGS,
	MAX_TAG_LENGTH,
	PageKind,
	BASE_SCHEMA_VERSION,
	Stance,
	changeStatus,
	cleanTags,
	createDecision,
	createPage,
	decisionStatuses,
	decisionsMap,
	deletePage,
	formatDeadline,
	getPage,
	initWorkspace,
	isLocked,
	isOpenForPositions,
	listDecisions,
	listPages,
	listPositions,
	metaMap,
	nextStatuses,
	positionsMap,
	readDecision,
	recordPosition,
	setSupersedes,
	stances,
	summarizePositions,
	supersede,
	supersedeChain,
	supersedeLinks,
	timeLeft,
	updateDecision,
	type Actor,
	type Decision,
	type NewDecision,
	assertTitleEditable,
	isTime
} from '../../src/lib/model/index.ts';
import { TestNetwork } from '../support/test-network.ts';
import { syncBoth } from '../support/model-helpers.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Fri 20 Nov 2026, 09:00 UTC. */
const T0 = Date.UTC(2026, 10, 20, 9, 0);

const alice: Actor = { memberId: 'alice', now: T0 };
const bob: Actor = { memberId: 'bob', now: T0 };
const carol: Actor = { memberId: 'carol', now: T0 };

function when(actor: Actor, now: number): Actor {
	return { ...actor, now };
}

function newWorkspace(): Y.Doc {
	const doc = new Y.Doc();
	initWorkspace(doc, 'Acme', alice);
	return doc;
}

function propose(doc: Y.Doc, input: Partial<NewDecision> = {}, actor: Actor = alice): string {
	return createDecision(
		doc,
		{
			title: 'Use Postgres',
			owner: 'alice',
			decideBy: actor.now + 7 * DAY,
			deciders: ['alice', 'bob'],
			consulted: ['carol'],
			tags: ['db'],
			...input
		},
		actor
	);
}

function read(doc: Y.Doc, id: string): Decision {
	const decision = readDecision(doc, id);
	if (!decision) throw new Error(`no decision ${id}`);
	return decision;
}

function statusOf(doc: Y.Doc, id: string): DecisionStatus {
	return read(doc, id).status;
}

/** A second replica holding everything `doc` holds. */
function replicaOf(doc: Y.Doc): Y.Doc {
	const copy = new Y.Doc();
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc), 'relay');
	return copy;
}

/**
 * Runs `act` and expects the document not to have changed at all: no update event, same state
 * vector, same encoded state. Returns what `act` threw (null: nothing).
 */
function expectUntouched(doc: Y.Doc, act: () => unknown): unknown {
	const before = Y.encodeStateAsUpdate(doc);
	const vector = Y.encodeStateVector(doc);
	let updates = 0;
	const onUpdate = (): void => {
		updates++;
	};
	doc.on('update', onUpdate);
	let error: unknown = null;
	try {
		act();
	} catch (e) {
		error = e;
	} finally {
		doc.off('update', onUpdate);
	}
	expect(updates).toBe(0);
	expect(Y.encodeStateVector(doc)).toEqual(vector);
	expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
	return error;
}

/** Runs `act`, expects a DecisionError whose message matches, and the document untouched. */
function expectRefused(doc: Y.Doc, act: () => unknown, message: RegExp): void {
	const error = expectUntouched(doc, act);
	expect(error, 'expected a DecisionError').toBeInstanceOf(DecisionError);
	expect((error as Error).message).toMatch(message);
}

/** A record brought to `status` by real changes (superseded: through a successor's acceptance). */
function recordIn(status: DecisionStatus): { doc: Y.Doc; id: string } {
	const doc = newWorkspace();
	const id = propose(doc);
	const step = (to: DecisionStatus, minutes: number) => changeStatus(doc, id, to, '', when(alice, T0 + minutes * MINUTE));
	switch (status) {
		case 'proposed':
			break;
		case 'accepted':
			step('accepted', 1);
			break;
		case 'rejected':
			step('rejected', 1);
			break;
		case 'deprecated':
			step('accepted', 1);
			step('deprecated', 2);
			break;
		case 'superseded': {
			step('accepted', 1);
			const next = supersede(doc, id, { title: 'Use SQLite', decideBy: T0 + 9 * DAY }, when(bob, T0 + 2 * MINUTE));
			changeStatus(doc, next, 'accepted', '', when(bob, T0 + 3 * MINUTE));
			break;
		}
	}
	expect(statusOf(doc, id)).toBe(status);
	return { doc, id };
}

describe('[DR1] workflow rules', () => {
	const allowed: Record<DecisionStatus, DecisionStatus[]> = {
		proposed: ['accepted', 'rejected'],
		accepted: ['proposed', 'deprecated'],
		rejected: ['proposed'],
		superseded: ['proposed'],
		deprecated: ['proposed']
	};

	it.each(decisionStatuses)('[DR1] from %s, exactly the allowed changes go through and the rest are refused unchanged', (from) => {
		const { doc, id } = recordIn(from);
		expect([...nextStatuses(read(doc, id))].sort()).toEqual([...allowed[from]].sort());
		for (const to of decisionStatuses) {
			const copy = replicaOf(doc);
			const by = when(carol, T0 + DAY);
			if (allowed[from].includes(to)) {
				changeStatus(copy, id, to, 'why', by);
				const after = read(copy, id);
				expect(after.status).toBe(to);
				expect(after.log.at(-1)).toMatchObject({ from, to, by: 'carol', note: 'why', at: T0 + DAY, concurrent: false });
			} else {
				const message = to === from ? /already/ : to === 'superseded' ? /superseded when the decision that supersedes it is accepted/ : new RegExp(`A ${from} decision cannot become ${to}`);
				expectRefused(copy, () => changeStatus(copy, id, to, 'why', by), message);
			}
		}
	});

	it('[DR1] no status offers "superseded" as a choice', () => {
		for (const status of decisionStatuses) expect(nextStatuses({ status })).not.toContain('superseded');
	});

	it('[DR1] a status that does not exist is refused by name', () => {
		const doc = newWorkspace();
		const id = propose(doc);
		expectRefused(doc, () => changeStatus(doc, id, 'approved' as DecisionStatus, '', alice), /"approved" is not a decision status/);
	});

	it('[DR1] an unknown record is refused with a DecisionError', () => {
		const doc = newWorkspace();
		expectRefused(doc, () => changeStatus(doc, 'nope', 'accepted', '', alice), /no such decision/);
		expectRefused(doc, () => updateDecision(doc, 'nope', { tags: ['x'] }, alice), /no such decision/);
		expectRefused(doc, () => supersede(doc, 'nope', { title: 'x', decideBy: T0 + DAY }, alice), /no such decision/);
	});

	it('[DR1] every change is logged in order with who, when, from → to and note; statusSince follows', () => {
		const doc = newWorkspace();
		const id = propose(doc);
		expect(read(doc, id)).toMatchObject({ status: 'proposed', log: [], statusSince: null });
		changeStatus(doc, id, 'accepted', 'Everyone agreed', when(bob, T0 + HOUR));
		changeStatus(doc, id, 'proposed', 'New numbers', when(carol, T0 + 2 * HOUR));
		changeStatus(doc, id, 'rejected', '', when(alice, T0 + 3 * HOUR));
		const decision = read(doc, id);
		expect(decision.log.map(({ from, to, by, at, note, concurrent }) => ({ from, to, by, at, note, concurrent }))).toEqual([
			{ from: 'proposed', to: 'accepted', by: 'bob', at: T0 + HOUR, note: 'Everyone agreed', concurrent: false },
			{ from: 'accepted', to: 'proposed', by: 'carol', at: T0 + 2 * HOUR, note: 'New numbers', concurrent: false },
			{ from: 'proposed', to: 'rejected', by: 'alice', at: T0 + 3 * HOUR, note: '', concurrent: false }
		]);
		expect(new Set(decision.log.map((c) => c.id)).size).toBe(3);
		// With clocks that agree, the order is the clock; each entry names the one it followed.
		expect(decision.log.map((c) => c.order)).toEqual([T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR]);
		expect(decision.log.map((c) => c.after)).toEqual([null, decision.log[0]!.id, decision.log[1]!.id]);
		expect(decision.statusSince).toBe(T0 + 3 * HOUR);
		// The page entry says who touched the record last.
		expect(getPage(doc, id)).toMatchObject({ kind: PageKind.decision, updatedBy: 'alice', updatedAt: T0 + 3 * HOUR });
	});

	it('[DR1] the note is trimmed, loses control characters but keeps lines, and is capped', () => {
		const doc = newWorkspace();
		const a = propose(doc);
		changeStatus(doc, a, 'accepted', '  \u0007Ship it\r\n\tbecause\u001b[31m  ', alice);
		expect(read(doc, a).log[0]!.note).toBe('Ship it\n\tbecause[31m');
		const b = propose(doc);
		const long = 'é'.repeat(MAX_NOTE_LENGTH + 50);
		changeStatus(doc, b, 'rejected', long, alice);
		expect(read(doc, b).log[0]!.note).toBe('é'.repeat(MAX_NOTE_LENGTH));
		// A cap that falls inside a surrogate pair drops the half instead of keeping a lone surrogate.
		const c = propose(doc);
		changeStatus(doc, c, 'rejected', 'a' + '😀'.repeat(MAX_NOTE_LENGTH), alice);
		const note = read(doc, c).log[0]!.note;
		expect(note.length).toBeLessThanOrEqual(MAX_NOTE_LENGTH);
		expect(note).toBe('a' + '😀'.repeat((MAX_NOTE_LENGTH - 2) / 2));
		expect(note.isWellFormed()).toBe(true);
	});

	it('[DR1] accepting a record without an owner is refused; rejecting it is not', () => {
		const doc = newWorkspace();
		const id = propose(doc);
		// Another client (or an old one) left the owner empty.
		decisionsMap(doc).get(id)!.set('owner', '');
		expect(read(doc, id).owner).toBeNull();
		expectRefused(doc, () => changeStatus(doc, id, 'accepted', '', alice), /owner before accepting/);
		changeStatus(doc, id, 'rejected', '', alice);
		expect(statusOf(doc, id)).toBe('rejected');
	});
});

describe('[DR2] locking', () => {
	it.each(decisionStatuses)('[DR2] a %s record is locked and closed to positions unless it is proposed', (status) => {
		const { doc, id } = recordIn(status);
		const decision = read(doc, id);
		expect(isLocked(decision)).toBe(status !== 'proposed');
		expect(isOpenForPositions(decision)).toBe(status === 'proposed');
	});

	it.each(['accepted', 'rejected', 'deprecated', 'superseded'] as const)(
		'[DR2] a %s record refuses owner, deciders, consulted and decide-by changes, unchanged; tags still change',
		(status) => {
			const { doc, id } = recordIn(status);
			const later = when(bob, T0 + DAY);
			const refusals: DecisionFieldsCase[] = [
				{ owner: 'bob' },
				{ deciders: ['alice', 'bob', 'dave'] },
				{ consulted: [] },
				{ decideBy: T0 + 30 * DAY },
				{ owner: 'bob', tags: ['db', 'infra'] }
			];
			for (const fields of refusals) {
				expectRefused(doc, () => updateDecision(doc, id, fields, later), new RegExp(`This decision is ${status}: reopen it`));
			}
			updateDecision(doc, id, { tags: ['DB', '#Infra'] }, later);
			expect(read(doc, id)).toMatchObject({ tags: ['db', 'infra'], owner: 'alice', deciders: ['alice', 'bob'], consulted: ['carol'], status });
			expect(getPage(doc, id)).toMatchObject({ updatedBy: 'bob', updatedAt: T0 + DAY });
		}
	);

	it('[DR2] saving a closed record with its fields as they are and new tags changes the tags only', () => {
		const { doc, id } = recordIn('accepted');
		const before = read(doc, id);
		const later = when(bob, T0 + 30 * DAY);
		// A form sends every field back; the deadline has passed meanwhile, and the sets come in another order.
		updateDecision(
			doc,
			id,
			{ owner: ' alice ', decideBy: before.decideBy!, deciders: ['bob', 'alice', 'alice'], consulted: ['carol'], tags: ['db', 'later'] },
			later
		);
		expect(read(doc, id)).toMatchObject({ ...before, tags: ['db', 'later'], log: before.log });
		// A field that does change is still refused, with everything else.
		expectRefused(doc, () => updateDecision(doc, id, { owner: 'alice', deciders: ['alice'], tags: ['other'] }, later), /reopen it/);
	});

	it('[DR2] reopening unlocks: fields change again, positions open again', () => {
		const { doc, id } = recordIn('accepted');
		changeStatus(doc, id, 'proposed', 'More data came in', when(bob, T0 + HOUR));
		const reopened = read(doc, id);
		expect(isLocked(reopened)).toBe(false);
		expect(isOpenForPositions(reopened)).toBe(true);
		updateDecision(doc, id, { owner: 'bob', deciders: ['bob', 'dave'], consulted: ['erin'], decideBy: T0 + 20 * DAY }, when(bob, T0 + 2 * HOUR));
		expect(read(doc, id)).toMatchObject({ owner: 'bob', deciders: ['bob', 'dave'], consulted: ['erin'], decideBy: T0 + 20 * DAY });
		const talk = new Y.Doc();
		recordPosition(talk, read(doc, id), { stance: 'agree', rationale: '', name: 'Bob' }, bob);
		expect(listPositions(talk)).toHaveLength(1);
	});

	it('[DR2] on a proposed record every field changes, and only what changed is written', () => {
		const doc = newWorkspace();
		const id = propose(doc);
		updateDecision(doc, id, { owner: ' bob ', deciders: ['bob', 'dave', ''], consulted: ['carol', 'erin'], tags: ['Perf'], decideBy: T0 + 3 * DAY }, when(bob, T0 + MINUTE));
		expect(read(doc, id)).toMatchObject({ owner: 'bob', deciders: ['bob', 'dave'], consulted: ['carol', 'erin'], tags: ['perf'], decideBy: T0 + 3 * DAY });
		// Removing a member writes false (a set removal must create structs, see the file header).
		const deciders = decisionsMap(doc).get(id)!.get('deciders') as Y.Map<boolean>;
		expect(deciders.get('alice')).toBe(false);
	});

	it('[DR2] a closed record’s title is locked on every path (assertTitleEditable); open records and plain pages pass', () => {
		const { doc, id } = recordIn('accepted');
		expect(() => assertTitleEditable(doc, id)).toThrow(DecisionError);
		expect(() => assertTitleEditable(doc, id)).toThrow(/This decision is accepted: reopen it to change its title/);
		const page = createPage(doc, { title: 'Notes' }, alice);
		expect(() => assertTitleEditable(doc, page)).not.toThrow();
		expect(() => assertTitleEditable(doc, 'missing')).not.toThrow();
		changeStatus(doc, id, 'proposed', '', when(bob, T0 + HOUR));
		expect(() => assertTitleEditable(doc, id)).not.toThrow();
	});
});

type DecisionFieldsCase = Parameters<typeof updateDecision>[2];

describe('[DR3] supersede', () => {
	it.each(['proposed', 'rejected', 'superseded'] as const)(
		'[DR3] a %s record cannot be superseded, linked to or named by a new record; nothing changes',
		(status) => {
			const { doc, id } = recordIn(status);
			const later = when(bob, T0 + DAY);
			const message = new RegExp(`^Only an accepted or deprecated decision can be superseded; this one is ${status}\\.$`);
			expectRefused(doc, () => supersede(doc, id, { title: 'Next', decideBy: T0 + 30 * DAY }, later), message);
			expectRefused(doc, () => propose(doc, { supersedes: id }, later), message);
			const open = propose(doc, {}, later);
			expectRefused(doc, () => setSupersedes(doc, open, id, later), message);
		}
	);

	it.each(['accepted', 'deprecated'] as const)(
		'[DR3] a %s record can be superseded, linked to and named by a new record; accepting a successor marks it superseded',
		(status) => {
			const { doc, id } = recordIn(status);
			const later = when(bob, T0 + DAY);
			const started = supersede(doc, id, { title: 'Next', decideBy: T0 + 30 * DAY }, later);
			const named = propose(doc, { supersedes: id }, later);
			const linked = propose(doc, {}, later);
			setSupersedes(doc, linked, id, later);
			for (const next of [started, named, linked]) expect(read(doc, next)).toMatchObject({ status: 'proposed', supersedes: id });
			expect(read(doc, id)).toMatchObject({ status, supersededBy: [started, named, linked].sort() });
			changeStatus(doc, linked, 'accepted', '', when(carol, T0 + 2 * DAY));
			expect(read(doc, id).status).toBe('superseded');
			expect(read(doc, id).log.at(-1)).toMatchObject({ from: status, to: 'superseded', by: 'carol', at: T0 + 2 * DAY, supersededBy: linked, concurrent: false });
		}
	);

	it('[DR3] superseding starts a proposed record beside the old one with its people and tags, linked both ways', () => {
		const doc = newWorkspace();
		const folder = createPage(doc, { title: 'Architecture' }, alice);
		const old = propose(doc, { parentId: folder, deciders: ['alice', 'bob', 'dave'], consulted: ['carol', 'erin'], tags: ['db', 'storage'] });
		changeStatus(doc, old, 'accepted', '', when(alice, T0 + HOUR));
		const next = supersede(doc, old, { title: 'Use SQLite', decideBy: T0 + 10 * DAY }, when(bob, T0 + DAY));
		const created = read(doc, next);
		expect(created).toMatchObject({
			status: 'proposed',
			owner: 'bob',
			decideBy: T0 + 10 * DAY,
			deciders: ['alice', 'bob', 'dave'],
			consulted: ['carol', 'erin'],
			tags: ['db', 'storage'],
			supersedes: old,
			supersededBy: [],
			log: []
		});
		expect(getPage(doc, next)).toMatchObject({ title: 'Use SQLite', kind: 'decision', parentId: folder });
		expect(read(doc, old)).toMatchObject({ status: 'accepted', supersededBy: [next], supersedes: null });
		expect(supersedeChain(doc, old)).toEqual({ earlier: [], later: [next] });
		expect(supersedeChain(doc, next)).toEqual({ earlier: [old], later: [] });
		// An explicit owner wins over the member superseding.
		const third = supersede(doc, old, { title: 'Use DuckDB', decideBy: T0 + 10 * DAY, owner: 'carol' }, when(bob, T0 + DAY));
		expect(read(doc, third).owner).toBe('carol');
		expect(read(doc, old).supersededBy).toEqual([next, third].sort());
	});

	it('[DR3] a record whose folder was deleted on another device apart can still be superseded (beside it, at the top)', () => {
		const one = newWorkspace();
		const folder = createPage(one, { title: 'Architecture' }, alice);
		const two = replicaOf(one);
		const old = propose(two, { parentId: folder });
		changeStatus(two, old, 'accepted', '', when(bob, T0 + HOUR));
		deletePage(one, folder, alice);
		syncBoth(one, two);
		// The record survives the deletion it was not part of, shown at the top level (tree.ts).
		expect(getPage(two, old)?.parentId).toBe(folder);
		const next = supersede(two, old, { title: 'Next', decideBy: T0 + 9 * DAY }, when(bob, T0 + DAY));
		expect(getPage(two, next)?.parentId).toBeNull();
		expect(read(two, next).supersedes).toBe(old);
	});

	it('[DR3] accepting the successor marks the old record superseded in the same transaction, naming the successor', () => {
		const doc = newWorkspace();
		const old = propose(doc);
		changeStatus(doc, old, 'accepted', '', when(alice, T0 + HOUR));
		const next = supersede(doc, old, { title: 'Use SQLite', decideBy: T0 + 10 * DAY }, when(bob, T0 + DAY));
		let updates = 0;
		let transactions = 0;
		doc.on('update', () => updates++);
		doc.on('afterTransaction', () => transactions++);
		changeStatus(doc, next, 'accepted', 'Simpler to run', when(carol, T0 + 2 * DAY));
		expect(updates).toBe(1);
		expect(transactions).toBe(1);
		const oldRead = read(doc, old);
		expect(oldRead.status).toBe('superseded');
		expect(oldRead.log.at(-1)).toMatchObject({ from: 'accepted', to: 'superseded', by: 'carol', at: T0 + 2 * DAY, supersededBy: next, concurrent: false });
		expect(read(doc, next).log.at(-1)).toMatchObject({ from: 'proposed', to: 'accepted', note: 'Simpler to run', supersededBy: null });
		expect(isLocked(oldRead)).toBe(true);
		// Reopening and accepting the successor again does not log the old record twice.
		changeStatus(doc, next, 'proposed', '', when(carol, T0 + 3 * DAY));
		changeStatus(doc, next, 'accepted', '', when(carol, T0 + 4 * DAY));
		expect(read(doc, old).log.filter((c) => c.to === 'superseded')).toHaveLength(1);
	});

	it('[DR3] a predecessor rejected meanwhile stays rejected when its successor is accepted; one reopened meanwhile is superseded', () => {
		const doc = newWorkspace();
		const old = propose(doc);
		changeStatus(doc, old, 'accepted', '', when(alice, T0 + MINUTE));
		const next = supersede(doc, old, { title: 'Next', decideBy: T0 + 9 * DAY }, when(bob, T0 + 2 * MINUTE));
		changeStatus(doc, old, 'proposed', 'Numbers changed', when(alice, T0 + 3 * MINUTE));
		changeStatus(doc, old, 'rejected', 'Not needed after all', when(alice, T0 + 4 * MINUTE));
		const before = read(doc, old);
		changeStatus(doc, next, 'accepted', '', when(bob, T0 + 5 * MINUTE));
		expect(statusOf(doc, next)).toBe('accepted');
		// Nothing written to the old record: same log, same page entry.
		expect(read(doc, old)).toEqual(before);
		expect(getPage(doc, old)).toMatchObject({ updatedBy: 'alice', updatedAt: T0 + 4 * MINUTE });

		// Reopened but not rejected, it is still replaced.
		const other = newWorkspace();
		const older = propose(other);
		changeStatus(other, older, 'accepted', '', when(alice, T0 + MINUTE));
		const newer = supersede(other, older, { title: 'Next', decideBy: T0 + 9 * DAY }, when(bob, T0 + 2 * MINUTE));
		changeStatus(other, older, 'proposed', '', when(alice, T0 + 3 * MINUTE));
		changeStatus(other, newer, 'accepted', '', when(bob, T0 + 5 * MINUTE));
		expect(read(other, older).log.at(-1)).toMatchObject({ from: 'proposed', to: 'superseded', supersededBy: newer, concurrent: false });
	});

	it('[DR3] a link that would loop is refused as a loop, even when the other record could not be superseded anyway', () => {
		const doc = newWorkspace();
		const old = propose(doc);
		changeStatus(doc, old, 'accepted', '', when(alice, T0 + MINUTE));
		const next = supersede(doc, old, { title: 'Next', decideBy: T0 + 9 * DAY }, when(bob, T0 + 2 * MINUTE));
		changeStatus(doc, old, 'proposed', '', when(alice, T0 + 3 * MINUTE));
		// `next` is proposed (no successor could replace it) and already supersedes `old`: the loop is
		// what the member needs to hear; "it is proposed" would only send them to accept it first.
		expectRefused(doc, () => setSupersedes(doc, old, next, alice), /^That would make the supersede chain loop/);
	});

	it('[DR3] linking what is already linked, or unlinking what is not, changes nothing and is not refused', () => {
		const doc = newWorkspace();
		const old = propose(doc);
		changeStatus(doc, old, 'accepted', '', when(alice, T0 + MINUTE));
		const next = supersede(doc, old, { title: 'Next', decideBy: T0 + 9 * DAY }, when(bob, T0 + 2 * MINUTE));
		const lone = propose(doc, {}, when(bob, T0 + 2 * MINUTE));
		// The old record was reopened since: it could not be linked now, but a form saving the link
		// it already has sends it back as it is.
		changeStatus(doc, old, 'proposed', '', when(alice, T0 + 3 * MINUTE));
		const later = when(carol, T0 + HOUR);
		expect(expectUntouched(doc, () => setSupersedes(doc, next, old, later))).toBeNull();
		expect(expectUntouched(doc, () => setSupersedes(doc, lone, null, later))).toBeNull();
		// A real change is still checked and written.
		setSupersedes(doc, next, null, later);
		expect(read(doc, next).supersedes).toBeNull();
		expect(getPage(doc, next)).toMatchObject({ updatedBy: 'carol', updatedAt: T0 + HOUR });
		expectRefused(doc, () => setSupersedes(doc, next, old, later), /this one is proposed/);
	});

	it('[DR3] rejecting the successor leaves the old record accepted', () => {
		const doc = newWorkspace();
		const old = propose(doc);
		changeStatus(doc, old, 'accepted', '', when(alice, T0 + HOUR));
		const next = supersede(doc, old, { title: 'Use SQLite', decideBy: T0 + 10 * DAY }, when(bob, T0 + DAY));
		changeStatus(doc, next, 'rejected', '', when(bob, T0 + 2 * DAY));
		expect(statusOf(doc, old)).toBe('accepted');
		expect(read(doc, old).log).toHaveLength(1);
	});

	it('[DR3] a chain A ← B ← C reads the same from every record in it', () => {
		const doc = newWorkspace();
		const a = propose(doc, { id: 'rec-a' });
		changeStatus(doc, a, 'accepted', '', when(alice, T0 + HOUR));
		const b = supersede(doc, a, { title: 'B', decideBy: T0 + 10 * DAY }, when(alice, T0 + DAY));
		changeStatus(doc, b, 'accepted', '', when(alice, T0 + 2 * DAY));
		const c = supersede(doc, b, { title: 'C', decideBy: T0 + 10 * DAY }, when(alice, T0 + 3 * DAY));
		changeStatus(doc, c, 'accepted', '', when(alice, T0 + 4 * DAY));
		expect([statusOf(doc, a), statusOf(doc, b), statusOf(doc, c)]).toEqual(['superseded', 'superseded', 'accepted']);
		expect(supersedeChain(doc, a)).toEqual({ earlier: [], later: [b, c] });
		expect(supersedeChain(doc, b)).toEqual({ earlier: [a], later: [c] });
		expect(supersedeChain(doc, c)).toEqual({ earlier: [a, b], later: [] });
	});

	it('[DR3][DR6] setSupersedes refuses itself, pages that are not decisions, unknown ids and loops, changing nothing', () => {
		const doc = newWorkspace();
		const a = propose(doc, { id: 'rec-a' });
		const b = propose(doc, { id: 'rec-b' });
		const c = propose(doc, { id: 'rec-c' });
		const at = (minutes: number): Actor => when(alice, T0 + minutes * MINUTE);
		const page = createPage(doc, { title: 'Just a page' }, alice);
		expectRefused(doc, () => setSupersedes(doc, a, a, alice), /cannot supersede itself/);
		expectRefused(doc, () => setSupersedes(doc, a, page, alice), /Only another decision record can be superseded/);
		expectRefused(doc, () => setSupersedes(doc, a, 'missing', alice), /Only another decision record can be superseded/);
		// C accepted; B replaces it and is accepted (C becomes superseded); A would replace B.
		changeStatus(doc, c, 'accepted', '', at(1));
		setSupersedes(doc, b, c, at(2));
		changeStatus(doc, b, 'accepted', '', at(3));
		setSupersedes(doc, a, b, at(4));
		expect(supersedeChain(doc, a)).toEqual({ earlier: [c, b], later: [] });
		// Reopened, C and B could change their links, but not into a loop.
		changeStatus(doc, c, 'proposed', '', at(5));
		changeStatus(doc, b, 'proposed', '', at(6));
		expectRefused(doc, () => setSupersedes(doc, c, a, alice), /supersede chain loop/);
		expectRefused(doc, () => setSupersedes(doc, b, a, alice), /supersede chain loop/);
		// Unlinking and relinking elsewhere is fine.
		setSupersedes(doc, a, null, at(7));
		expect(read(doc, a).supersedes).toBeNull();
		changeStatus(doc, a, 'accepted', '', at(8));
		setSupersedes(doc, c, a, at(9));
		expect(supersedeChain(doc, b)).toEqual({ earlier: [a, c], later: [] });
	});

	it('[DR3] a locked record keeps its link; a new record cannot start out superseding itself or a page', () => {
		const { doc, id } = recordIn('accepted');
		const other = propose(doc);
		expectRefused(doc, () => setSupersedes(doc, id, other, alice), /This decision is accepted: reopen it/);
		// Sending back the link it has (none) is no change, closed or not, as with updateDecision.
		expect(expectUntouched(doc, () => setSupersedes(doc, id, null, alice))).toBeNull();
		const page = createPage(doc, { title: 'Just a page' }, alice);
		expectRefused(doc, () => propose(doc, { id: 'self', supersedes: 'self' }), /cannot supersede itself/);
		expectRefused(doc, () => propose(doc, { supersedes: page }), /Only another decision record/);
	});
});

describe('[DR4] replicas apart', () => {
	/** Two replicas of one workspace holding one proposed record. */
	function pair(): { one: Y.Doc; two: Y.Doc; id: string } {
		const one = newWorkspace();
		const id = propose(one);
		return { one, two: replicaOf(one), id };
	}

	it.each([
		{ accepted: T0 + 1000, rejected: T0 + 2000, wins: 'rejected' },
		{ accepted: T0 + 2000, rejected: T0 + 1000, wins: 'accepted' }
	] as const)('[DR4] accept at $accepted vs reject at $rejected: $wins everywhere, both logged, the later concurrent', ({ accepted, rejected, wins }) => {
		const { one, two, id } = pair();
		changeStatus(one, id, 'accepted', 'yes', when(alice, accepted));
		changeStatus(two, id, 'rejected', 'no', when(bob, rejected));
		expect(statusOf(one, id)).toBe('accepted');
		expect(statusOf(two, id)).toBe('rejected');
		// A third replica receiving the updates in the other order reads the same.
		const three = new Y.Doc();
		Y.applyUpdate(three, Y.encodeStateAsUpdate(two), 'relay');
		Y.applyUpdate(three, Y.encodeStateAsUpdate(one), 'relay');
		syncBoth(one, two);
		for (const doc of [one, two, three]) {
			const decision = read(doc, id);
			expect(decision.status).toBe(wins);
			expect(decision.log.map((c) => [c.to, c.concurrent])).toEqual(
				wins === 'rejected'
					? [
							['accepted', false],
							['rejected', true]
						]
					: [
							['rejected', false],
							['accepted', true]
						]
			);
		}
		expect(read(one, id)).toEqual(read(two, id));
		expect(read(three, id)).toEqual(read(one, id));
	});

	it('[DR4] after a shared history, reopening vs deprecating apart: the later wins everywhere, both logged', () => {
		const { one, id } = pair();
		changeStatus(one, id, 'accepted', '', when(alice, T0 + HOUR));
		const two = replicaOf(one);
		changeStatus(one, id, 'proposed', 'reopen', when(alice, T0 + 3 * HOUR));
		changeStatus(two, id, 'deprecated', 'old news', when(bob, T0 + 2 * HOUR));
		syncBoth(one, two);
		for (const doc of [one, two]) {
			const decision = read(doc, id);
			expect(decision.status).toBe('proposed');
			expect(decision.log.map((c) => `${c.from}→${c.to}${c.concurrent ? ' (concurrent)' : ''}`)).toEqual([
				'proposed→accepted',
				'accepted→deprecated',
				'accepted→proposed (concurrent)'
			]);
		}
		expect(read(one, id)).toEqual(read(two, id));
	});

	it('[DR4] accept vs reject-then-reopen apart: one result everywhere, every change logged, those made apart marked', () => {
		const { one, two, id } = pair();
		changeStatus(two, id, 'rejected', '', when(bob, T0 + 1000));
		changeStatus(one, id, 'accepted', '', when(alice, T0 + 1500));
		changeStatus(two, id, 'proposed', 'reopen', when(bob, T0 + 2000));
		syncBoth(one, two);
		for (const doc of [one, two]) {
			const decision = read(doc, id);
			expect(decision.status).toBe('proposed');
			expect(decision.log.map((c) => [c.by, c.to, c.concurrent])).toEqual([
				['bob', 'rejected', false],
				['alice', 'accepted', true],
				['bob', 'proposed', true]
			]);
		}
	});

	it('[DR4] a change made after seeing another sorts after it even when its device clock is behind', () => {
		const { one, two, id } = pair();
		changeStatus(one, id, 'accepted', '', when(alice, T0 + 10 * MINUTE));
		syncBoth(one, two);
		// Bob's clock is an hour behind Alice's.
		changeStatus(two, id, 'proposed', 'not so fast', when(bob, T0 + 10 * MINUTE - HOUR));
		syncBoth(one, two);
		for (const doc of [one, two]) {
			const decision = read(doc, id);
			expect(decision.status).toBe('proposed');
			expect(decision.log.map((c) => c.to)).toEqual(['accepted', 'proposed']);
			expect(decision.log[1]!.order).toBeGreaterThan(decision.log[0]!.order);
			expect(decision.log[1]!.concurrent).toBe(false);
			// The time shown is Bob's clock as it was, even though it reads earlier than Alice's.
			expect(decision.log.map((c) => c.at)).toEqual([T0 + 10 * MINUTE, T0 + 10 * MINUTE - HOUR]);
			expect(decision.statusSince).toBe(T0 + 10 * MINUTE - HOUR);
		}
	});

	it('[DR4] a change on another record counts as seen too: the order never goes back, the time shown is the clock', () => {
		const doc = newWorkspace();
		const a = propose(doc);
		const b = propose(doc);
		changeStatus(doc, a, 'accepted', '', when(alice, T0 + DAY));
		changeStatus(doc, b, 'accepted', '', when(bob, T0));
		expect(read(doc, b).log[0]!.order).toBeGreaterThan(T0 + DAY);
		expect(read(doc, b).log[0]!.at).toBe(T0);
	});

	it('[DR4] a device whose clock runs a day ahead moves the order, not the times shown for others\' later changes', () => {
		const { one, two, id } = pair();
		const other = propose(one, { id: 'other' });
		const three = replicaOf(one);
		syncBoth(one, two);
		// Alice's device thinks it is tomorrow.
		changeStatus(one, id, 'accepted', 'ship it', when(alice, T0 + DAY + MINUTE));
		syncBoth(one, two);
		// Bob, with the right time, sees her accept and reopens the record, then accepts another one.
		changeStatus(two, id, 'proposed', 'wait', when(bob, T0 + 2 * MINUTE));
		changeStatus(two, other, 'accepted', '', when(bob, T0 + 3 * MINUTE));
		// Carol, apart and with the right time, rejects the record without having seen either.
		changeStatus(three, id, 'rejected', 'no', when(carol, T0 + 4 * MINUTE));
		syncBoth(one, two);
		syncBoth(two, three);
		syncBoth(one, two);
		for (const doc of [one, two, three]) {
			const decision = read(doc, id);
			// Carol's reject sorts by her clock, before Alice's accept: it is the fast clock that decides.
			expect(decision.log.map((c) => [c.by, c.to, c.at, c.concurrent])).toEqual([
				['carol', 'rejected', T0 + 4 * MINUTE, false],
				['alice', 'accepted', T0 + DAY + MINUTE, true],
				['bob', 'proposed', T0 + 2 * MINUTE, false]
			]);
			expect(decision.status).toBe('proposed');
			expect(decision.statusSince).toBe(T0 + 2 * MINUTE);
			const [, accepted, reopened] = decision.log;
			expect(accepted!.order).toBe(T0 + DAY + MINUTE);
			expect(reopened!.order).toBe(T0 + DAY + MINUTE + 1);
			expect(read(doc, other).log[0]).toMatchObject({ at: T0 + 3 * MINUTE, order: T0 + DAY + MINUTE + 2 });
			// The page entries show the real times too.
			expect(getPage(doc, other)).toMatchObject({ updatedBy: 'bob', updatedAt: T0 + 3 * MINUTE });
		}
	});

	it('[DR4] concurrent is exact: Bob rejects then reopens while Alice, apart and with a later clock, accepts', () => {
		const { one, two, id } = pair();
		changeStatus(two, id, 'rejected', '', when(bob, T0 + 1000));
		changeStatus(two, id, 'proposed', 'reopen', when(bob, T0 + 2000));
		changeStatus(one, id, 'accepted', '', when(alice, T0 + 3000));
		syncBoth(one, two);
		for (const doc of [one, two]) {
			const decision = read(doc, id);
			expect(decision.status).toBe('accepted');
			const [rejected, reopened, accepted] = decision.log;
			expect([rejected!.after, reopened!.after, accepted!.after]).toEqual([null, rejected!.id, null]);
			// Alice's accept went from proposed to accepted, and the record was proposed just before it
			// in the log, so the old guess (`from` against the status before) called it seen; it was not.
			expect(accepted!.from).toBe('proposed');
			expect(decision.log.map((c) => [c.by, c.to, c.concurrent])).toEqual([
				['bob', 'rejected', false],
				['bob', 'proposed', false],
				['alice', 'accepted', true]
			]);
		}
		// A change made after seeing all of it is not concurrent.
		changeStatus(two, id, 'deprecated', '', when(bob, T0 + 4000));
		expect(read(two, id).log.at(-1)).toMatchObject({ after: read(one, id).log.at(-1)!.id, concurrent: false });
	});

	it('[DR4] an entry written before `after` existed reads as concurrent when its `from` does not match, and a new change follows it', () => {
		const doc = newWorkspace();
		const id = propose(doc);
		const log = decisionsMap(doc).get(id)!.get('log') as Y.Array<unknown>;
		// An older client: no `order`, no `after`. Two accepts and a reject made apart.
		log.push([
			{ id: 'old-1', from: 'proposed', to: 'accepted', at: T0 + 1000, by: 'alice', note: '' },
			{ id: 'old-2', from: 'proposed', to: 'rejected', at: T0 + 2000, by: 'bob', note: '' },
			{ id: 'old-3', from: 'rejected', to: 'proposed', at: T0 + 3000, by: 'bob', note: '' }
		]);
		const legacy = read(doc, id);
		expect(legacy.log.map((c) => [c.id, c.order, c.concurrent])).toEqual([
			['old-1', T0 + 1000, false],
			['old-2', T0 + 2000, true],
			['old-3', T0 + 3000, false]
		]);
		expect(legacy.log.every((c) => !('after' in c))).toBe(true);
		changeStatus(doc, id, 'accepted', '', when(carol, T0 + 4000));
		expect(read(doc, id).log.at(-1)).toMatchObject({ after: 'old-3', order: T0 + 4000, concurrent: false });
		// An `after` of the wrong type is read as absent: the guess again.
		log.push([{ id: 'odd', from: 'proposed', to: 'rejected', at: T0 + 5000, after: 42, by: 'mallory', note: '' }]);
		expect(read(doc, id).log.at(-1)).toMatchObject({ id: 'odd', concurrent: true });
		expect('after' in read(doc, id).log.at(-1)!).toBe(false);
	});

	it('[DR4] the same change made apart without seeing the other (clock behind) sorts by its clock', () => {
		const { one, two, id } = pair();
		changeStatus(one, id, 'accepted', '', when(alice, T0 + 10 * MINUTE));
		changeStatus(two, id, 'rejected', '', when(bob, T0 + 10 * MINUTE - HOUR));
		syncBoth(one, two);
		expect(statusOf(one, id)).toBe('accepted');
		expect(statusOf(two, id)).toBe('accepted');
	});

	it('[DR4] two replicas accepting the same record apart: accepted everywhere, two log entries', () => {
		const { one, two, id } = pair();
		changeStatus(one, id, 'accepted', '', when(alice, T0 + MINUTE));
		changeStatus(two, id, 'accepted', '', when(bob, T0 + 2 * MINUTE));
		syncBoth(one, two);
		expect(read(one, id)).toEqual(read(two, id));
		expect(read(one, id).status).toBe('accepted');
		expect(read(one, id).log.map((c) => [c.by, c.concurrent])).toEqual([
			['alice', false],
			['bob', true]
		]);
	});

	it('[DR4] supersede links made apart that loop are broken identically everywhere; no record lost', () => {
		const network = new TestNetwork({ replicas: 3, seed: 7 });
		const [r0, r1, r2] = network.docs as [Y.Doc, Y.Doc, Y.Doc];
		initWorkspace(r0, 'Acme', alice);
		const ids = ['rec-a', 'rec-b', 'rec-c'];
		for (const id of ids) propose(r0, { id });
		for (const id of ids) changeStatus(r0, id, 'accepted', '', when(alice, T0 + MINUTE));
		network.flushAll();
		for (const i of [0, 1, 2]) network.disconnect(i);
		// Each replica reopens one record and makes it replace the next (still accepted there):
		// A supersedes B, B supersedes C, C supersedes A, each fine as its replica sees it.
		changeStatus(r0, 'rec-a', 'proposed', '', when(alice, T0 + HOUR));
		setSupersedes(r0, 'rec-a', 'rec-b', when(alice, T0 + HOUR));
		changeStatus(r1, 'rec-b', 'proposed', '', when(bob, T0 + HOUR));
		setSupersedes(r1, 'rec-b', 'rec-c', when(bob, T0 + HOUR));
		changeStatus(r2, 'rec-c', 'proposed', '', when(carol, T0 + HOUR));
		setSupersedes(r2, 'rec-c', 'rec-a', when(carol, T0 + HOUR));
		network.flushAll();
		network.assertConverged((doc) => ({
			records: ids.map((id) => readDecision(doc, id)),
			listed: listDecisions(doc).map((l) => l.decision.id).sort(),
			chains: ids.map((id) => supersedeChain(doc, id))
		}));
		// Stored links still loop; read links are broken at the smallest id.
		expect(decisionsMap(r0).get('rec-a')!.get('supersedes')).toBe('rec-b');
		expect(read(r0, 'rec-a').supersedes).toBeNull();
		expect(read(r0, 'rec-b').supersedes).toBe('rec-c');
		expect(read(r0, 'rec-c').supersedes).toBe('rec-a');
		expect(listDecisions(r0).map((l) => l.decision.id).sort()).toEqual(ids);
		expect(supersedeChain(r0, 'rec-a')).toEqual({ earlier: [], later: ['rec-c', 'rec-b'] });
		// Acting on the looped chain still works and still refuses a loop, even linking A to B again:
		// that link is stored but reads as broken, so it is not "already linked".
		expectRefused(r1, () => setSupersedes(r1, 'rec-a', 'rec-b', bob), /supersede chain loop/);
		// Unlinking the stored link that reads as broken does write, and ends the loop for good.
		setSupersedes(r1, 'rec-a', null, bob);
		expect(decisionsMap(r1).get('rec-a')!.get('supersedes')).toBeNull();
		expect(supersedeChain(r1, 'rec-a')).toEqual({ earlier: [], later: ['rec-c', 'rec-b'] });
		network.destroy();
	});

	it('[DR4] two members linking two records to each other apart: one link survives, the same everywhere', () => {
		const one = newWorkspace();
		for (const id of ['x1', 'x2']) {
			propose(one, { id });
			changeStatus(one, id, 'accepted', '', when(alice, T0 + MINUTE));
		}
		const two = replicaOf(one);
		changeStatus(one, 'x1', 'proposed', '', when(alice, T0 + HOUR));
		setSupersedes(one, 'x1', 'x2', alice);
		changeStatus(two, 'x2', 'proposed', '', when(bob, T0 + HOUR));
		setSupersedes(two, 'x2', 'x1', bob);
		syncBoth(one, two);
		expect(supersedeLinks(one)).toEqual(supersedeLinks(two));
		expect(read(one, 'x1').supersedes).toBeNull();
		expect(read(one, 'x2').supersedes).toBe('x1');
		expect(read(two, 'x1').supersededBy).toEqual(['x2']);
	});

	it('[DR4] deciders and consulted added and removed apart merge per member', () => {
		const one = newWorkspace();
		const id = propose(one, { deciders: ['alice', 'bob'], consulted: ['carol'] });
		const two = replicaOf(one);
		updateDecision(one, id, { deciders: ['alice', 'bob', 'dave'], consulted: [] }, alice);
		updateDecision(two, id, { deciders: ['alice'], consulted: ['carol', 'erin'] }, bob);
		syncBoth(one, two);
		for (const doc of [one, two]) expect(read(doc, id)).toMatchObject({ deciders: ['alice', 'dave'], consulted: ['erin'] });
		// The same member added on both replicas is in once.
		updateDecision(one, id, { deciders: ['alice', 'dave', 'frank'] }, alice);
		updateDecision(two, id, { deciders: ['alice', 'dave', 'frank'] }, bob);
		syncBoth(one, two);
		expect(read(one, id).deciders).toEqual(['alice', 'dave', 'frank']);
		expect(read(two, id)).toEqual(read(one, id));
	});

	it('[DR4] the successor accepted on one replica while the old record is reopened on another: every change kept', () => {
		const one = newWorkspace();
		const old = propose(one);
		changeStatus(one, old, 'accepted', '', when(alice, T0 + MINUTE));
		const next = supersede(one, old, { title: 'Next', decideBy: T0 + 9 * DAY }, when(alice, T0 + 2 * MINUTE));
		const two = replicaOf(one);
		changeStatus(one, next, 'accepted', '', when(alice, T0 + HOUR));
		changeStatus(two, old, 'proposed', '', when(bob, T0 + 2 * HOUR));
		syncBoth(one, two);
		expect(read(one, old)).toEqual(read(two, old));
		expect(read(one, old).log.map((c) => [c.to, c.concurrent])).toEqual([
			['accepted', false],
			['superseded', false],
			['proposed', true]
		]);
		expect(read(one, next).status).toBe('accepted');
	});

	describe('seeded fuzz: status changes, field edits and disconnects on three replicas', () => {
		const members = ['alice', 'bob', 'carol', 'dave', 'erin'];
		const tagPool = ['db', 'infra', 'api', 'ux', 'cost'];

		interface FuzzStats {
			changes: number;
			edits: number;
			refusals: number;
			concurrent: number;
			/** Concurrent changes whose `from` matched the status before them: the old guess missed these. */
			unguessed: number;
		}

		function runFuzz(seed: number): FuzzStats {
			const network = new TestNetwork({ replicas: 3, seed });
			const { gen } = network;
			initWorkspace(network.doc(0), 'Acme', alice);
			const id = propose(network.doc(0), { id: 'fuzzed' });
			network.flushAll();
			// Device clocks disagree: replica 2 runs ten minutes behind, replica 1 a minute ahead.
			const skew = [0, MINUTE, -10 * MINUTE];
			let changes = 0;
			let edits = 0;
			let refusals = 0;
			// Each change's device, clock and the entries it had seen, by its (unique) note: what the
			// final log's `by`, `at` and `concurrent` must say, worked out apart from `after`.
			const made = new Map<string, { by: string; at: number; seen: ReadonlySet<string> }>();
			for (let step = 0; step < 120; step++) {
				const r = prng.uint32(gen, 0, 2);
				const doc = network.doc(r);
				const actor: Actor = { memberId: members[r]!, now: T0 + step * 1000 + skew[r]! };
				const decision = read(doc, id);
				const roll = prng.uint32(gen, 0, 9);
				if (roll < 3) {
					const to = prng.oneOf(gen, [...nextStatuses(decision)]);
					const note = `step ${step}`;
					made.set(note, { by: actor.memberId, at: actor.now, seen: new Set(decision.log.map((c) => c.id)) });
					changeStatus(doc, id, to, note, actor);
					changes++;
					// A change is later than everything its device has seen, so it gives the status at once.
					expect(statusOf(doc, id)).toBe(to);
				} else if (roll < 5) {
					const tags = tagPool.filter(() => prng.bool(gen));
					if (isLocked(decision)) {
						if (prng.bool(gen)) {
							expectRefused(doc, () => updateDecision(doc, id, { deciders: [...decision.deciders, 'zed'] }, actor), /reopen it/);
							refusals++;
						} else updateDecision(doc, id, { tags }, actor);
					} else {
						const member = prng.oneOf(gen, members);
						const deciders = decision.deciders.includes(member) ? decision.deciders.filter((m) => m !== member) : [...decision.deciders, member];
						updateDecision(doc, id, { deciders, tags, decideBy: actor.now + prng.uint32(gen, 1, 30) * DAY }, actor);
					}
					edits++;
				} else {
					for (let n = prng.uint32(gen, 1, 8); n > 0; n--) network.step();
				}
			}
			network.flushAll();
			network.assertConverged((doc) => readDecision(doc, id));
			const final = read(network.doc(0), id);
			expect(final.log).toHaveLength(changes);
			expect(final.status).toBe(final.log.at(-1)?.to ?? 'proposed');
			let unguessed = 0;
			final.log.forEach((change, i) => {
				const previous = final.log[i - 1];
				const expected = made.get(change.note);
				expect(expected, change.note).toBeDefined();
				// The time shown is the device's clock; the order never goes back along the log and
				// never reads earlier than that clock.
				expect(change).toMatchObject({ by: expected!.by, at: expected!.at });
				if (previous) expect(change.order).toBeGreaterThanOrEqual(previous.order);
				expect(change.order).toBeGreaterThanOrEqual(change.at);
				// Concurrent exactly when its device had not seen the entry just before it in the log.
				expect(change.concurrent, change.note).toBe(previous !== undefined && !expected!.seen.has(previous.id));
				if (change.concurrent && change.from === (previous?.to ?? 'proposed')) unguessed++;
			});
			network.destroy();
			return { changes, edits, refusals, concurrent: final.log.filter((c) => c.concurrent).length, unguessed };
		}

		it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])('[DR4] seed %i converges, and the log holds every change made', (seed) => {
			const stats = runFuzz(seed);
			expect(stats.changes).toBeGreaterThan(0);
			expect(stats.edits).toBeGreaterThan(0);
		});

		it('[DR4] the pinned seeds do make changes apart (some the old guess missed) and refuse edits to closed records', () => {
			const runs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(runFuzz);
			expect(runs.filter((r) => r.concurrent > 0).length).toBeGreaterThanOrEqual(3);
			// …including ones only `after` can tell: made apart, yet from the status before them.
			expect(runs.filter((r) => r.unguessed > 0).length).toBeGreaterThanOrEqual(3);
			expect(runs.reduce((n, r) => n + r.refusals, 0)).toBeGreaterThan(0);
		});
	});
});

describe('[DR5] positions', () => {
	function openRecord(): { doc: Y.Doc; id: string; talk: Y.Doc } {
		const doc = newWorkspace();
		return { doc, id: propose(doc), talk: new Y.Doc() };
	}

	it('[DR5] one position per member, the last one written wins; the talk document gets a schema version', () => {
		const { doc, id, talk } = openRecord();
		const decision = read(doc, id);
		recordPosition(talk, decision, { stance: 'agree', rationale: 'Fine by me', name: 'Bob' }, when(bob, T0 + MINUTE));
		recordPosition(talk, decision, { stance: 'disagree', rationale: 'Cost', name: 'Carol' }, when(carol, T0 + 2 * MINUTE));
		recordPosition(talk, decision, { stance: 'agree-with-concerns', rationale: 'Backups?', name: 'Bob' }, when(bob, T0 + 3 * MINUTE));
		expect(listPositions(talk)).toEqual([
			{ memberId: 'carol', name: 'Carol', stance: 'disagree', rationale: 'Cost', at: T0 + 2 * MINUTE },
			{ memberId: 'bob', name: 'Bob', stance: 'agree-with-concerns', rationale: 'Backups?', at: T0 + 3 * MINUTE }
		]);
		expect(metaMap(talk).get('schemaVersion')).toBe(BASE_SCHEMA_VERSION);
	});

	it.each(['accepted', 'rejected', 'superseded', 'deprecated'] as const)('[DR5] a %s record refuses positions; nothing changes', (status) => {
		const { doc, id } = recordIn(status);
		const talk = new Y.Doc();
		expectRefused(talk, () => recordPosition(talk, read(doc, id), { stance: 'agree', rationale: '', name: 'Bob' }, bob), /positions can no longer change/);
		expect(listPositions(talk)).toEqual([]);
	});

	it('[DR5] a position that exists stays as it was when the record closes', () => {
		const { doc, id, talk } = openRecord();
		recordPosition(talk, read(doc, id), { stance: 'agree', rationale: 'ok', name: 'Bob' }, bob);
		changeStatus(doc, id, 'accepted', '', when(alice, T0 + HOUR));
		expectRefused(talk, () => recordPosition(talk, read(doc, id), { stance: 'disagree', rationale: '', name: 'Bob' }, bob), /no longer change/);
		expect(listPositions(talk).map((p) => p.stance)).toEqual(['agree']);
	});

	it('[DR5] a stance that is not one of the four is refused by name; nothing changes', () => {
		const { doc, id, talk } = openRecord();
		expect([...stances].sort()).toEqual(['abstain', 'agree', 'agree-with-concerns', 'disagree']);
		for (const bad of ['yes', '', 'Agree', 'concerns']) {
			expectRefused(talk, () => recordPosition(talk, read(doc, id), { stance: bad as Stance, rationale: '', name: 'Bob' }, bob), new RegExp(`"${bad}" is not a position`));
		}
	});

	it('[DR5] the rationale is trimmed, loses control characters (keeps lines) and is capped; the name is tidied', () => {
		const { doc, id, talk } = openRecord();
		const decision = read(doc, id);
		recordPosition(talk, decision, { stance: 'abstain', rationale: '  \u0000On\u0008 leave\r\nback Monday \u007f ', name: '  Bob \n  Builder\u0007 ' }, bob);
		recordPosition(talk, decision, { stance: 'agree', rationale: 'x'.repeat(MAX_RATIONALE_LENGTH + 1), name: ' \u0001 ' }, carol);
		const [first, second] = listPositions(talk);
		expect(first).toMatchObject({ memberId: 'bob', rationale: 'On leave\nback Monday', name: 'Bob Builder' });
		expect(second).toMatchObject({ memberId: 'carol', name: 'Member' });
		expect(second!.rationale).toHaveLength(MAX_RATIONALE_LENGTH);
	});

	it('[DR5] positions recorded on two replicas apart merge per member', () => {
		const { doc, id, talk } = openRecord();
		const other = new Y.Doc();
		recordPosition(talk, read(doc, id), { stance: 'agree', rationale: '', name: 'Bob' }, when(bob, T0 + MINUTE));
		recordPosition(other, read(doc, id), { stance: 'disagree', rationale: '', name: 'Carol' }, when(carol, T0 + 2 * MINUTE));
		syncBoth(talk, other);
		expect(listPositions(talk)).toEqual(listPositions(other));
		expect(listPositions(talk).map((p) => [p.memberId, p.stance])).toEqual([
			['bob', 'agree'],
			['carol', 'disagree']
		]);
	});

	it('[DR5] the summary counts stances and waits for deciders and consulted members without a position', () => {
		const { doc, id, talk } = openRecord();
		updateDecision(doc, id, { deciders: ['alice', 'bob', 'dave'], consulted: ['carol', 'dave'] }, alice);
		const decision = read(doc, id);
		const empty = summarizePositions(decision, []);
		expect(empty).toEqual({ counts: { agree: 0, 'agree-with-concerns': 0, disagree: 0, abstain: 0 }, waiting: ['alice', 'bob', 'dave', 'carol'], weighedIn: 0, expected: 4 });
		recordPosition(talk, decision, { stance: 'agree', rationale: '', name: 'Bob' }, bob);
		recordPosition(talk, decision, { stance: 'agree', rationale: '', name: 'Dave' }, { memberId: 'dave', now: T0 });
		// A commenter outside the deciders and consulted weighs in: counted, but not expected.
		recordPosition(talk, decision, { stance: 'disagree', rationale: '', name: 'Guest' }, { memberId: 'guest', now: T0 });
		const summary = summarizePositions(decision, listPositions(talk));
		expect(summary.counts).toEqual({ agree: 2, 'agree-with-concerns': 0, disagree: 1, abstain: 0 });
		expect([...summary.waiting].sort()).toEqual(['alice', 'carol']);
		expect(summary.weighedIn).toBe(2);
		expect(summary.expected).toBe(4);
	});
});

describe('[DR6] bad input', () => {
	it.each([
		['in the past', T0 - MINUTE, /decide-by date is in the past/],
		['now', T0, /decide-by date is in the past/],
		['not a number', Number.NaN, /Choose a date and time/],
		['infinite', Number.POSITIVE_INFINITY, /Choose a date and time/]
	])('[DR6] a decide-by %s is refused; no page, no record', (_what, decideBy, message) => {
		const doc = newWorkspace();
		expectRefused(doc, () => propose(doc, { decideBy }), message);
		expect(listPages(doc)).toEqual([]);
	});

	it.each([[''], ['   '], ['\t\n']])('[DR6] an owner %j is refused; no page, no record', (owner) => {
		const doc = newWorkspace();
		expectRefused(doc, () => propose(doc, { owner }), /A decision needs an owner/);
		expect(listPages(doc)).toEqual([]);
	});

	it('[DR6] changing a proposed record to a past decide-by or no owner is refused unchanged', () => {
		const doc = newWorkspace();
		const id = propose(doc);
		const later = when(bob, T0 + 2 * DAY);
		expectRefused(doc, () => updateDecision(doc, id, { decideBy: T0 + DAY }, later), /in the past/);
		expectRefused(doc, () => updateDecision(doc, id, { owner: '  ' }, later), /needs an owner/);
		// Nothing half-written when one of several fields is bad.
		expectRefused(doc, () => updateDecision(doc, id, { deciders: ['zed'], tags: ['new'], decideBy: T0 }, later), /in the past/);
		expectRefused(doc, () => updateDecision(doc, id, { owner: 'bob', tags: Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`) }, later), /at most 20 tags/);
	});

	it('[DR6] a deadline that has passed does not block other edits when it is passed back unchanged', () => {
		const doc = newWorkspace();
		const id = propose(doc, { decideBy: T0 + HOUR });
		const afterDeadline = when(bob, T0 + 2 * HOUR);
		updateDecision(doc, id, { decideBy: T0 + HOUR, deciders: ['bob'] }, afterDeadline);
		expect(read(doc, id)).toMatchObject({ decideBy: T0 + HOUR, deciders: ['bob'] });
	});

	it('[DR6] too many tags on a new record is refused unchanged', () => {
		const doc = newWorkspace();
		expectRefused(doc, () => propose(doc, { tags: Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`) }), /at most 20 tags/);
	});
});

describe('[DR7] time and tags', () => {
	it.each([
		[2 * DAY + 4 * HOUR + 30 * MINUTE, false, '2 days 4 hours left'],
		[DAY, false, '1 day left'],
		[DAY + 59 * MINUTE, false, '1 day left'],
		[HOUR + 5 * MINUTE, false, '1 hour 5 minutes left'],
		[2 * HOUR, false, '2 hours left'],
		[45 * MINUTE + 59_000, false, '45 minutes left'],
		[MINUTE, false, '1 minute left'],
		[59_000, false, 'less than a minute left'],
		[0, false, 'less than a minute left'],
		[-30_000, true, 'due now'],
		[-3 * HOUR, true, 'overdue by 3 hours'],
		[-(DAY + HOUR), true, 'overdue by 1 day 1 hour'],
		[-2 * MINUTE, true, 'overdue by 2 minutes']
	])('[DR7] %i ms before the deadline reads overdue=%s, "%s"', (diff, overdue, text) => {
		const now = T0 + 12_345;
		expect(timeLeft(now + diff, now)).toEqual({ overdue, text });
	});

	it('[DR7] one deadline shows in each viewer’s own time zone, with the zone named', () => {
		// 16:00 UTC: 17:00 in Berlin (CET), 11:00 in New York (EST), 01:00 the next day in Tokyo.
		const deadline = Date.UTC(2026, 10, 24, 16, 0);
		const berlin = formatDeadline(deadline, 'Europe/Berlin');
		const newYork = formatDeadline(deadline, 'America/New_York');
		const tokyo = formatDeadline(deadline, 'Asia/Tokyo');
		expect(berlin).toMatch(/^Tue,? 24 Nov 2026,? 17:00 \(Europe\/Berlin\)$/);
		expect(newYork).toMatch(/^Tue,? 24 Nov 2026,? 11:00 \(America\/New_York\)$/);
		expect(tokyo).toMatch(/^Wed,? 25 Nov 2026,? 01:00 \(Asia\/Tokyo\)$/);
		// Summer time moves Berlin and New York by their own rules (the US switches back a week later).
		const lateOctober = Date.UTC(2026, 9, 26, 16, 0);
		expect(formatDeadline(lateOctober, 'Europe/Berlin')).toContain('17:00');
		expect(formatDeadline(lateOctober, 'America/New_York')).toContain('12:00');
	});

	it('[DR7] a # followed by spaces leaves no leading space, so "# Infra" and "infra" are one tag', () => {
		expect(cleanTags(['# Infra', 'infra', '#  cost  center'])).toEqual(['infra', 'cost center']);
		const doc = newWorkspace();
		const id = propose(doc, { tags: ['# api'] });
		updateDecision(doc, id, { tags: ['# api', 'API'] }, alice);
		expect(read(doc, id).tags).toEqual(['api']);
	});

	it('[DR7] tags are lower case, without a leading #, single spaced, unique and capped', () => {
		expect(cleanTags(['DB', '#db', ' db ', 'Data   Store', '#', '', '  '])).toEqual(['db', 'data store']);
		expect(cleanTags(['x'.repeat(MAX_TAG_LENGTH + 10)])).toEqual(['x'.repeat(MAX_TAG_LENGTH)]);
		expect(cleanTags(['a\u0007b'])).toEqual(['ab']);
		expect(cleanTags(Array.from({ length: MAX_TAGS }, (_, i) => `t${i}`))).toHaveLength(MAX_TAGS);
		// Duplicates do not count toward the limit.
		expect(cleanTags([...Array.from({ length: MAX_TAGS }, (_, i) => `t${i}`), 'T0', '#t1'])).toHaveLength(MAX_TAGS);
		expect(() => cleanTags(Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`))).toThrow(DecisionError);
	});
});

describe('[DR8] reading what other clients wrote', () => {
	it('[DR8] log entries with unknown statuses or of the wrong shape are skipped, not thrown', () => {
		const doc = newWorkspace();
		const id = propose(doc);
		changeStatus(doc, id, 'accepted', '', when(alice, T0 + MINUTE));
		const log = decisionsMap(doc).get(id)!.get('log') as Y.Array<unknown>;
		log.push([
			{ id: 'bad1', from: 'accepted', to: 'approved', at: T0 + 2 * MINUTE, by: 'mallory', note: '' },
			{ id: 'bad2', from: 'accepted', to: 'rejected', at: 'soon', by: 'mallory' },
			{ from: 'accepted', to: 'rejected', at: T0 + 2 * MINUTE },
			{ id: 'bad3', from: 'pending', to: 'rejected', at: T0 + 2 * MINUTE, by: 'mallory', note: '' },
			42,
			null,
			'rejected',
			new Y.Map()
		]);
		const decision = read(doc, id);
		expect(decision.status).toBe('accepted');
		expect(decision.log.map((c) => c.to)).toEqual(['accepted']);
		changeStatus(doc, id, 'deprecated', '', when(bob, T0 + HOUR));
		expect(statusOf(doc, id)).toBe('deprecated');
	});

	it.each(
		(['at', 'order'] as const).flatMap((field) =>
			[Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, ...(field === 'order' ? ['soon'] : [])].map((value) => ({ field, value }))
		)
	)(
		'[DR8] an entry whose $field is $value is skipped and does not poison later stamps',
		({ field, value }) => {
			const one = newWorkspace();
			const id = propose(one);
			const two = replicaOf(one);
			// Yjs keeps NaN and ±Infinity as they are (float64), so a buggy client can store them.
			const odd = { id: 'odd', from: 'proposed', to: 'rejected', at: T0 + 5 * MINUTE, order: T0 + 5 * MINUTE, after: null, by: 'mallory', note: '', [field]: value };
			(decisionsMap(two).get(id)!.get('log') as Y.Array<unknown>).push([odd]);
			syncBoth(one, two);
			expect(read(one, id)).toMatchObject({ status: 'proposed', log: [] });
			// Later changes are stamped with real times and keep their order.
			changeStatus(one, id, 'accepted', '', when(alice, T0 + MINUTE));
			changeStatus(one, id, 'proposed', '', when(alice, T0 + 2 * MINUTE));
			changeStatus(one, id, 'rejected', '', when(alice, T0 + 3 * MINUTE));
			syncBoth(one, two);
			for (const doc of [one, two]) {
				const decision = read(doc, id);
				expect(decision.status).toBe('rejected');
				expect(decision.log.map((c) => [c.to, c.at, c.order, c.concurrent])).toEqual([
					['accepted', T0 + MINUTE, T0 + MINUTE, false],
					['proposed', T0 + 2 * MINUTE, T0 + 2 * MINUTE, false],
					['rejected', T0 + 3 * MINUTE, T0 + 3 * MINUTE, false]
				]);
			}
		}
	);

	it('[DR8] an entry missing optional fields reads with defaults', () => {
		const doc = newWorkspace();
		const id = propose(doc);
		(decisionsMap(doc).get(id)!.get('log') as Y.Array<unknown>).push([{ id: 'x', from: 'proposed', to: 'rejected', at: T0 + MINUTE }]);
		// No `order`: it sorts by its `at`. No `after`: it stays absent, and `concurrent` is the old guess.
		expect(read(doc, id).log).toEqual([
			{ id: 'x', from: 'proposed', to: 'rejected', at: T0 + MINUTE, order: T0 + MINUTE, by: '', note: '', supersededBy: null, concurrent: false }
		]);
	});

	it('[DR8] entries with and without `order` sort together, each by its order (or its at)', () => {
		const doc = newWorkspace();
		const id = propose(doc);
		const log = decisionsMap(doc).get(id)!.get('log') as Y.Array<unknown>;
		log.push([
			// A device a day ahead, then someone who saw it: order after it, shown at their own time.
			{ id: 'b', from: 'proposed', to: 'accepted', at: T0 + DAY, order: T0 + DAY, after: null },
			{ id: 'c', from: 'accepted', to: 'proposed', at: T0 + 2 * MINUTE, order: T0 + DAY + 1, after: 'b' },
			// From an older client: its at is its order.
			{ id: 'a', from: 'proposed', to: 'rejected', at: T0 + MINUTE }
		]);
		const decision = read(doc, id);
		expect(decision.log.map((c) => [c.id, c.at, c.order, c.concurrent])).toEqual([
			['a', T0 + MINUTE, T0 + MINUTE, false],
			['b', T0 + DAY, T0 + DAY, true],
			['c', T0 + 2 * MINUTE, T0 + DAY + 1, false]
		]);
		expect(decision).toMatchObject({ status: 'proposed', statusSince: T0 + 2 * MINUTE });
		changeStatus(doc, id, 'rejected', '', when(alice, T0 + 3 * MINUTE));
		expect(read(doc, id).log.at(-1)).toMatchObject({ at: T0 + 3 * MINUTE, order: T0 + DAY + 2, after: 'c', concurrent: false });
	});

	it('[DR8] a record that is not a map reads as no decision, and lists and links skip it', () => {
		const doc = newWorkspace();
		const good = propose(doc);
		createPage(doc, { id: 'weird', title: 'Weird', kind: PageKind.decision }, alice);
		(decisionsMap(doc) as Y.Map<unknown>).set('weird', 'not a record');
		(decisionsMap(doc) as Y.Map<unknown>).set('other', 17);
		expect(readDecision(doc, 'weird')).toBeNull();
		expect(listDecisions(doc).map((l) => l.decision.id)).toEqual([good]);
		expect(() => supersedeLinks(doc)).not.toThrow();
		expectRefused(doc, () => setSupersedes(doc, good, 'weird', alice), /Only another decision record/);
		expectRefused(doc, () => changeStatus(doc, 'weird', 'accepted', '', alice), /no such decision/);
	});

	it('[DR8] a record with fields of the wrong type reads with safe values and can still be changed', () => {
		const doc = newWorkspace();
		const id = propose(doc);
		const record = decisionsMap(doc).get(id)!;
		record.set('owner', 42);
		record.set('decideBy', 'tomorrow');
		record.set('deciders', ['alice']);
		record.set('tags', null);
		record.set('supersedes', { id: 'x' });
		record.set('log', 'none');
		expect(read(doc, id)).toMatchObject({ owner: null, decideBy: null, deciders: [], tags: [], supersedes: null, log: [], status: 'proposed' });
		changeStatus(doc, id, 'rejected', '', alice);
		expect(statusOf(doc, id)).toBe('rejected');
	});

	it('[DR8] positions with a bad stance or of the wrong shape are skipped; odd fields read with defaults', () => {
		const talk = new Y.Doc();
		const positions = positionsMap(talk);
		positions.set('bob', { stance: 'maybe', rationale: '', name: 'Bob', at: T0 });
		positions.set('carol', 'agree');
		positions.set('dave', null);
		positions.set('erin', new Y.Map());
		positions.set('frank', { stance: 'abstain', rationale: 7, name: null });
		expect(listPositions(talk)).toEqual([{ memberId: 'frank', name: 'Member', stance: 'abstain', rationale: '', at: 0 }]);
	});

	it('[DR8] times no Date can hold (NaN, ±Infinity, beyond ±8.64e15) are not times: positions, entries and deadlines with them read as absent', () => {
		const talk = new Y.Doc();
		const bad = [Number.NaN, Number.POSITIVE_INFINITY, -1e16, 1e20];
		bad.forEach((at, i) => positionsMap(talk).set(`m${i}`, { stance: 'agree', rationale: '', name: 'M', at }));
		positionsMap(talk).set('ok', { stance: 'agree', rationale: '', name: 'Ok', at: 8.64e15 });
		// Every position left can be shown: the Date of each is valid.
		expect(listPositions(talk).map((p) => [p.memberId, new Date(p.at).toISOString().length > 0])).toEqual([['ok', true]]);

		const doc = newWorkspace();
		const id = propose(doc);
		const record = decisionsMap(doc).get(id)!;
		record.set('decideBy', 1e16);
		(record.get('log') as Y.Array<unknown>).push([{ id: 'far', from: 'proposed', to: 'rejected', at: 1e16, order: T0 + MINUTE, after: null, by: 'x', note: '' }]);
		expect(read(doc, id)).toMatchObject({ decideBy: null, log: [], status: 'proposed' });
		for (const value of bad) expect(isTime(value)).toBe(false);
		expect([0, -8.64e15, 8.64e15, T0].every(isTime)).toBe(true);
		expectRefused(doc, () => updateDecision(doc, id, { decideBy: 1e16 }, alice), /Choose a date and time/);
	});
});
