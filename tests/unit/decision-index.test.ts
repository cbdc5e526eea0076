/**
 * The decision index (src/lib/model/decision-index.ts) over real workspace and discussion
 * documents written with the model's own functions, on a fixed clock.
 *
 * [DI1] Every decision record is a row with its owner's name, positions summary, the viewer's own
 *       position, and its last change (page edits, status changes, positions).
 * [DI2] Statuses widen each other; owner, tag and "waiting for my position" narrow; "due this
 *       week" (proposed, decide-by within 7 days) and "overdue" (proposed, decide-by passed) widen
 *       each other and narrow the rest. Closed records are never due or overdue.
 * [DI3] "Waiting for my position": proposed, I am a decider or consulted, and I have no position.
 * [DI4] Archived records are left out unless asked for, in the rows, the choices and the timeline.
 * [DI5] Sorting by each key, both directions, rows without a value last, ties by title then id,
 *       the same whatever order the rows came in.
 * [DI6] Each row carries its supersede chain (earlier oldest first, later nearest first).
 * [DI7] The timeline lists accepted decisions (also those since superseded or deprecated), newest
 *       acceptance first, by month in the viewer's zone; reopened or rejected ones are not in it.
 * [DI8] The view round-trips through the URL query; bad values are ignored.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	DecisionStatus,
	Stance,
	archivePage,
	changeStatus,
	createDecision,
	initWorkspace,
	listDecisions,
	listPositions,
	recordPosition,
	renamePage,
	supersede,
	upsertMember,
	type Actor,
	type Position
} from '../../src/lib/model/index.ts';
import {
	SortKey,
	acceptedTimeline,
	buildIndexRows,
	filterChoices,
	filterRows,
	isFiltering,
	monthOf,
	noFilter,
	positionsText,
	queryFromView,
	sortRows,
	sortKeys,
	viewFromQuery,
	defaultSort,
	type IndexFilter,
	type IndexRow
} from '../../src/lib/model/decision-index.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Tuesday 10 March 2026, 12:00 UTC. */
const NOW = Date.UTC(2026, 2, 10, 12, 0);
const at = (memberId: string, now: number): Actor => ({ memberId, now });

/** A workspace with three members and a discussion document per decision. */
class Fixture {
	readonly doc = new Y.Doc();
	readonly talks = new Map<string, Y.Doc>();

	constructor() {
		initWorkspace(this.doc, 'Team', at('ana', NOW - 30 * DAY));
		upsertMember(this.doc, { id: 'ana', name: 'Ana', color: '#2563eb', timeZone: 'Europe/Berlin' });
		upsertMember(this.doc, { id: 'ben', name: 'Ben', color: '#db2777', timeZone: 'America/Los_Angeles' });
		upsertMember(this.doc, { id: 'cai', name: 'Cai', color: '#047857', timeZone: 'Asia/Tokyo' });
	}

	decide(input: Parameters<typeof createDecision>[1], by = 'ana', now = NOW - 20 * DAY): string {
		return createDecision(this.doc, input, at(by, now));
	}

	position(id: string, memberId: string, stance: Stance, now = NOW - DAY): void {
		let talk = this.talks.get(id);
		if (!talk) this.talks.set(id, (talk = new Y.Doc()));
		const decision = listDecisions(this.doc).find((l) => l.decision.id === id)!.decision;
		recordPosition(talk, decision, { stance, rationale: '', name: memberId }, at(memberId, now));
	}

	rows(me = 'ana'): IndexRow[] {
		const positions = new Map<string, Position[]>();
		for (const [id, talk] of this.talks) positions.set(id, listPositions(talk));
		const members = [...this.doc.getMap('members').keys()].map((id) => ({ id, name: id[0]!.toUpperCase() + id.slice(1), color: '', timeZone: 'UTC' }));
		return buildIndexRows({ listings: listDecisions(this.doc), positions, members, me });
	}
}

const ids = (rows: readonly IndexRow[]) => rows.map((r) => r.title);
const filter = (over: Partial<IndexFilter>): IndexFilter => ({ ...noFilter, ...over });

/**
 * Five records:
 * - "Use Postgres": proposed, due in 2 days, ana owns, ben decides, cai consulted, tag db; ben agreed.
 * - "Adopt Rust": proposed, overdue by a day, ben owns, ana decides, tag lang.
 * - "Quarterly planning": proposed, due in 20 days, cai owns, ana consulted; ana has weighed in.
 * - "Use Svelte": accepted on 1 March, ana owns, tag lang.
 * - "Drop IE11": rejected (its deadline passed), ben owns.
 */
function fiveRecords(): { f: Fixture; id: Record<string, string> } {
	const f = new Fixture();
	const id: Record<string, string> = {};
	id['postgres'] = f.decide({ title: 'Use Postgres', owner: 'ana', decideBy: NOW + 2 * DAY, deciders: ['ben'], consulted: ['cai'], tags: ['db'] });
	id['rust'] = f.decide({ title: 'Adopt Rust', owner: 'ben', decideBy: NOW - DAY, deciders: ['ana'], tags: ['lang'] }, 'ben');
	id['planning'] = f.decide({ title: 'Quarterly planning', owner: 'cai', decideBy: NOW + 20 * DAY, consulted: ['ana'] }, 'cai');
	id['svelte'] = f.decide({ title: 'Use Svelte', owner: 'ana', decideBy: NOW - 5 * DAY, deciders: ['ana', 'ben'], tags: ['lang'] });
	id['ie11'] = f.decide({ title: 'Drop IE11', owner: 'ben', decideBy: NOW - 3 * DAY }, 'ben');
	f.position(id['postgres']!, 'ben', Stance.agree, NOW - 2 * HOUR);
	f.position(id['planning']!, 'ana', Stance.concerns);
	changeStatus(f.doc, id['svelte']!, DecisionStatus.accepted, 'Agreed in review', at('ana', Date.UTC(2026, 2, 1, 9)));
	changeStatus(f.doc, id['ie11']!, DecisionStatus.rejected, '', at('ben', Date.UTC(2026, 2, 2, 9)));
	return { f, id };
}

describe('decision index rows', () => {
	it('[DI1] one row per record, with owner name, positions summary, my position and last change', () => {
		const { f, id } = fiveRecords();
		const rows = f.rows('ana');
		expect(rows).toHaveLength(5);
		const postgres = rows.find((r) => r.id === id['postgres'])!;
		expect(postgres.title).toBe('Use Postgres');
		expect(postgres.ownerName).toBe('Ana');
		expect(postgres.summary).toMatchObject({ weighedIn: 1, expected: 2, waiting: ['cai'] });
		expect(postgres.mine).toBeNull();
		expect(postgres.expectsMe).toBe(false);
		// Ben's position came after the record was created: it is the last change.
		expect(postgres.lastChange).toBe(NOW - 2 * HOUR);
		expect(positionsText(postgres.summary, postgres.positions.length)).toBe('1 of 2 weighed in · 1 agree');

		const planning = rows.find((r) => r.id === id['planning'])!;
		expect(planning.mine?.stance).toBe(Stance.concerns);
		expect(positionsText(planning.summary, 1)).toBe('1 of 1 weighed in · 1 with concerns');

		const svelte = rows.find((r) => r.id === id['svelte'])!;
		expect(svelte.lastChange).toBe(Date.UTC(2026, 2, 1, 9));
		expect(positionsText(svelte.summary, 0)).toBe('0 of 2 weighed in');
	});

	it('[DI1] an owner who is not a member shows by id; a renamed page shows its new title', () => {
		const f = new Fixture();
		const id = f.decide({ title: 'Old', owner: 'zed', decideBy: NOW + DAY });
		renamePage(f.doc, id, 'New title', at('ana', NOW - DAY));
		const [row] = f.rows();
		expect(row!.ownerName).toBe('zed');
		expect(row!.title).toBe('New title');
		expect(row!.lastChange).toBe(NOW - DAY);
		expect(positionsText(row!.summary, 0)).toBe('No one asked yet');
	});
});

describe('filters', () => {
	it('[DI2] statuses widen each other', () => {
		const { f } = fiveRecords();
		const rows = f.rows();
		expect(ids(filterRows(rows, noFilter, NOW)).sort()).toEqual(['Adopt Rust', 'Drop IE11', 'Quarterly planning', 'Use Postgres', 'Use Svelte']);
		expect(ids(filterRows(rows, filter({ statuses: [DecisionStatus.accepted] }), NOW))).toEqual(['Use Svelte']);
		expect(ids(filterRows(rows, filter({ statuses: [DecisionStatus.accepted, DecisionStatus.rejected] }), NOW)).sort()).toEqual(['Drop IE11', 'Use Svelte']);
		expect(filterRows(rows, filter({ statuses: [DecisionStatus.deprecated] }), NOW)).toEqual([]);
	});

	it('[DI2] owner and tag narrow, and combine', () => {
		const { f } = fiveRecords();
		const rows = f.rows();
		expect(ids(filterRows(rows, filter({ owner: 'ana' }), NOW)).sort()).toEqual(['Use Postgres', 'Use Svelte']);
		expect(ids(filterRows(rows, filter({ tag: 'lang' }), NOW)).sort()).toEqual(['Adopt Rust', 'Use Svelte']);
		expect(ids(filterRows(rows, filter({ tag: 'lang', owner: 'ben' }), NOW))).toEqual(['Adopt Rust']);
		expect(ids(filterRows(rows, filter({ tag: 'lang', statuses: [DecisionStatus.proposed] }), NOW))).toEqual(['Adopt Rust']);
	});

	it('[DI2] due this week: proposed, decide-by from now to 7 days ahead; closed records are never due', () => {
		const { f } = fiveRecords();
		const rows = f.rows();
		expect(ids(filterRows(rows, filter({ dueThisWeek: true }), NOW))).toEqual(['Use Postgres']);
		// Two weeks later planning is due within the week; postgres is overdue by then.
		expect(ids(filterRows(rows, filter({ dueThisWeek: true }), NOW + 14 * DAY))).toEqual(['Quarterly planning']);
		// Exactly 7 days ahead counts; a moment more does not.
		expect(ids(filterRows(rows, filter({ dueThisWeek: true }), NOW + 13 * DAY))).toEqual(['Quarterly planning']);
		expect(filterRows(rows, filter({ dueThisWeek: true }), NOW + 13 * DAY - 1)).toEqual([]);
	});

	it('[DI2] overdue: proposed and decide-by passed; with due this week, both show', () => {
		const { f } = fiveRecords();
		const rows = f.rows();
		// Svelte and IE11 are past their deadline too, but closed.
		expect(ids(filterRows(rows, filter({ overdue: true }), NOW))).toEqual(['Adopt Rust']);
		expect(ids(filterRows(rows, filter({ overdue: true, dueThisWeek: true }), NOW)).sort()).toEqual(['Adopt Rust', 'Use Postgres']);
		expect(ids(filterRows(rows, filter({ overdue: true, dueThisWeek: true, owner: 'ana' }), NOW))).toEqual(['Use Postgres']);
	});

	it('[DI3] waiting for my position: proposed, I am asked, and I have not weighed in', () => {
		const { f, id } = fiveRecords();
		// Ana decides on Rust (no position yet) and is consulted on planning (has one); she decides
		// on Svelte but it is closed; she is not asked about Postgres.
		expect(ids(filterRows(f.rows('ana'), filter({ waitingForMe: true }), NOW))).toEqual(['Adopt Rust']);
		// Ben decides on Postgres (agreed already): nothing waits for him.
		expect(filterRows(f.rows('ben'), filter({ waitingForMe: true }), NOW)).toEqual([]);
		// Cai is consulted on Postgres and has not weighed in.
		expect(ids(filterRows(f.rows('cai'), filter({ waitingForMe: true }), NOW))).toEqual(['Use Postgres']);
		f.position(id['postgres']!, 'cai', Stance.abstain);
		expect(filterRows(f.rows('cai'), filter({ waitingForMe: true }), NOW)).toEqual([]);
		f.position(id['rust']!, 'ana', Stance.disagree);
		expect(filterRows(f.rows('ana'), filter({ waitingForMe: true }), NOW)).toEqual([]);
	});

	it('[DI4] archived records are hidden unless asked for, also from the choices', () => {
		const { f, id } = fiveRecords();
		archivePage(f.doc, id['rust']!, at('ana', NOW - HOUR));
		const rows = f.rows();
		expect(ids(filterRows(rows, noFilter, NOW))).not.toContain('Adopt Rust');
		expect(ids(filterRows(rows, filter({ showArchived: true }), NOW))).toContain('Adopt Rust');
		expect(filterRows(rows, filter({ overdue: true }), NOW)).toEqual([]);
		expect(filterChoices(rows, false).tags).toEqual(['db', 'lang']);
		expect(filterChoices(rows, false).owners.map((o) => o.name)).toEqual(['Ana', 'Ben', 'Cai']);
		// Ben still owns IE11, so he stays a choice until that is archived too.
		archivePage(f.doc, id['ie11']!, at('ana', NOW - HOUR));
		expect(filterChoices(f.rows(), false).owners.map((o) => o.name)).toEqual(['Ana', 'Cai']);
		expect(filterChoices(f.rows(), true).owners.map((o) => o.name)).toEqual(['Ana', 'Ben', 'Cai']);
	});

	it('isFiltering ignores the archived toggle', () => {
		expect(isFiltering(noFilter)).toBe(false);
		expect(isFiltering(filter({ showArchived: true }))).toBe(false);
		expect(isFiltering(filter({ tag: 'x' }))).toBe(true);
		expect(isFiltering(filter({ waitingForMe: true }))).toBe(true);
	});
});

describe('sorting', () => {
	const sorted = (rows: IndexRow[], key: SortKey, direction: 'asc' | 'desc' = 'asc') => ids(sortRows(rows, { key, direction }));

	it('[DI5] by title, status, owner, decide-by, last change and positions, both ways', () => {
		const { f } = fiveRecords();
		const rows = f.rows();
		expect(sorted(rows, SortKey.title)).toEqual(['Adopt Rust', 'Drop IE11', 'Quarterly planning', 'Use Postgres', 'Use Svelte']);
		expect(sorted(rows, SortKey.title, 'desc')).toEqual(['Use Svelte', 'Use Postgres', 'Quarterly planning', 'Drop IE11', 'Adopt Rust']);
		// Workflow order: proposed, accepted, rejected; ties by title.
		expect(sorted(rows, SortKey.status)).toEqual(['Adopt Rust', 'Quarterly planning', 'Use Postgres', 'Use Svelte', 'Drop IE11']);
		expect(sorted(rows, SortKey.status, 'desc')).toEqual(['Drop IE11', 'Use Svelte', 'Adopt Rust', 'Quarterly planning', 'Use Postgres']);
		expect(sorted(rows, SortKey.owner)).toEqual(['Use Postgres', 'Use Svelte', 'Adopt Rust', 'Drop IE11', 'Quarterly planning']);
		expect(sorted(rows, SortKey.decideBy)).toEqual(['Use Svelte', 'Drop IE11', 'Adopt Rust', 'Use Postgres', 'Quarterly planning']);
		expect(sorted(rows, SortKey.decideBy, 'desc')).toEqual(['Quarterly planning', 'Use Postgres', 'Adopt Rust', 'Drop IE11', 'Use Svelte']);
		expect(sorted(rows, SortKey.lastChange, 'desc')).toEqual(['Use Postgres', 'Quarterly planning', 'Drop IE11', 'Use Svelte', 'Adopt Rust']);
	});

	it('[DI5] by positions: weighed-in ratio, records nobody is asked about last either way', () => {
		const { f } = fiveRecords();
		const rows = f.rows();
		// Planning 1/1, Postgres 1/2, Rust 0/1, Svelte 0/2 (tie: title), IE11 nobody asked.
		expect(sorted(rows, SortKey.positions)).toEqual(['Adopt Rust', 'Use Svelte', 'Use Postgres', 'Quarterly planning', 'Drop IE11']);
		expect(sorted(rows, SortKey.positions, 'desc')).toEqual(['Quarterly planning', 'Use Postgres', 'Adopt Rust', 'Use Svelte', 'Drop IE11']);
	});

	it('[DI5] rows without a value sort last; ties are by title then id, whatever the input order', () => {
		const f = new Fixture();
		for (const title of ['Same', 'Same', 'Alpha']) f.decide({ title, owner: 'zed', decideBy: NOW + DAY });
		const rows = f.rows();
		const orders = [rows, [...rows].reverse(), [rows[1]!, rows[2]!, rows[0]!]];
		for (const key of sortKeys) {
			for (const direction of ['asc', 'desc'] as const) {
				const results = orders.map((input) => sortRows(input, { key, direction }).map((r) => r.id));
				expect(results[1]).toEqual(results[0]);
				expect(results[2]).toEqual(results[0]);
			}
		}
		const [a, b] = rows.filter((r) => r.title === 'Same').map((r) => r.id).sort();
		expect(sortRows(rows, { key: SortKey.decideBy, direction: 'desc' }).map((r) => r.id)).toEqual([rows.find((r) => r.title === 'Alpha')!.id, a, b]);
	});
});

describe('supersede chains', () => {
	it('[DI6] rows carry the records they replace and that replace them', () => {
		const f = new Fixture();
		const v1 = f.decide({ title: 'API v1', owner: 'ana', decideBy: NOW - 15 * DAY }, 'ana', NOW - 20 * DAY);
		changeStatus(f.doc, v1, DecisionStatus.accepted, '', at('ana', NOW - 19 * DAY));
		const v2 = supersede(f.doc, v1, { title: 'API v2', decideBy: NOW - 10 * DAY }, at('ana', NOW - 18 * DAY));
		changeStatus(f.doc, v2, DecisionStatus.accepted, '', at('ana', NOW - 17 * DAY));
		const v3 = supersede(f.doc, v2, { title: 'API v3', decideBy: NOW + DAY }, at('ben', NOW - 16 * DAY));
		const other = f.decide({ title: 'Unrelated', owner: 'ana', decideBy: NOW + DAY });
		const rows = new Map(f.rows().map((r) => [r.id, r]));
		expect(rows.get(other)!.chain).toBeNull();
		expect(rows.get(v1)!.chain).toEqual({ earlier: [], later: [{ id: v2, title: 'API v2', status: 'accepted' }, { id: v3, title: 'API v3', status: 'proposed' }] });
		expect(rows.get(v2)!.chain).toEqual({ earlier: [{ id: v1, title: 'API v1', status: 'superseded' }], later: [{ id: v3, title: 'API v3', status: 'proposed' }] });
		expect(rows.get(v3)!.chain).toEqual({ earlier: [{ id: v1, title: 'API v1', status: 'superseded' }, { id: v2, title: 'API v2', status: 'accepted' }], later: [] });
	});
});

describe('timeline of accepted decisions', () => {
	it('[DI7] newest acceptance first, grouped by month in the viewer’s zone', () => {
		const f = new Fixture();
		const lateFeb = f.decide({ title: 'Late February', owner: 'ana', decideBy: NOW + DAY }, 'ana', Date.UTC(2026, 1, 1));
		const march = f.decide({ title: 'March', owner: 'ana', decideBy: NOW + DAY }, 'ana', Date.UTC(2026, 1, 1));
		const january = f.decide({ title: 'January', owner: 'ana', decideBy: NOW + DAY }, 'ana', Date.UTC(2026, 0, 1));
		changeStatus(f.doc, january, DecisionStatus.accepted, '', at('ben', Date.UTC(2026, 0, 15)));
		// 23:30 UTC on 28 February is already 1 March in Berlin, still February in Los Angeles.
		changeStatus(f.doc, lateFeb, DecisionStatus.accepted, '', at('ana', Date.UTC(2026, 1, 28, 23, 30)));
		changeStatus(f.doc, march, DecisionStatus.accepted, '', at('cai', Date.UTC(2026, 2, 5)));
		const rows = f.rows();

		const shape = (zone: string) => acceptedTimeline(rows, zone).map((m) => [m.key, m.label, m.entries.map((e) => e.title)]);
		expect(shape('America/Los_Angeles')).toEqual([
			['2026-03', 'March 2026', ['March']],
			['2026-02', 'February 2026', ['Late February']],
			['2026-01', 'January 2026', ['January']]
		]);
		expect(shape('Europe/Berlin')).toEqual([
			['2026-03', 'March 2026', ['March', 'Late February']],
			['2026-01', 'January 2026', ['January']]
		]);
		const entry = acceptedTimeline(rows, 'UTC')[0]!.entries[0]!;
		expect(entry).toMatchObject({ title: 'March', acceptedAt: Date.UTC(2026, 2, 5), acceptedBy: 'cai', status: 'accepted' });
	});

	it('[DI7] superseded and deprecated decisions stay, at their acceptance; reopened, rejected and proposed ones are not in it', () => {
		const f = new Fixture();
		const old = f.decide({ title: 'Old way', owner: 'ana', decideBy: NOW + DAY }, 'ana', NOW - 20 * DAY);
		const dep = f.decide({ title: 'Deprecated', owner: 'ana', decideBy: NOW + DAY }, 'ana', NOW - 20 * DAY);
		const reopened = f.decide({ title: 'Reopened', owner: 'ana', decideBy: NOW + DAY }, 'ana', NOW - 20 * DAY);
		const rejected = f.decide({ title: 'Rejected', owner: 'ana', decideBy: NOW + DAY }, 'ana', NOW - 20 * DAY);
		f.decide({ title: 'Open', owner: 'ana', decideBy: NOW + DAY }, 'ana', NOW - 20 * DAY);
		changeStatus(f.doc, old, DecisionStatus.accepted, '', at('ana', NOW - 10 * DAY));
		changeStatus(f.doc, dep, DecisionStatus.accepted, '', at('ana', NOW - 9 * DAY));
		changeStatus(f.doc, dep, DecisionStatus.deprecated, '', at('ana', NOW - 8 * DAY));
		changeStatus(f.doc, reopened, DecisionStatus.accepted, '', at('ana', NOW - 7 * DAY));
		changeStatus(f.doc, reopened, DecisionStatus.proposed, 'More to discuss', at('ana', NOW - 6 * DAY));
		changeStatus(f.doc, rejected, DecisionStatus.rejected, '', at('ana', NOW - 6 * DAY));
		const next = supersede(f.doc, old, { title: 'New way', decideBy: NOW + DAY }, at('ana', NOW - 5 * DAY));
		changeStatus(f.doc, next, DecisionStatus.accepted, '', at('ana', NOW - 4 * DAY));

		const entries = acceptedTimeline(f.rows(), 'UTC').flatMap((m) => m.entries);
		expect(entries.map((e) => [e.title, e.status, e.acceptedAt])).toEqual([
			['New way', 'accepted', NOW - 4 * DAY],
			['Deprecated', 'deprecated', NOW - 9 * DAY],
			['Old way', 'superseded', NOW - 10 * DAY]
		]);
		expect(entries[2]!.chain?.later.map((l) => l.title)).toEqual(['New way']);
	});

	it('[DI7] a re-accepted decision shows at its latest acceptance; [DI4] archived ones only when asked', () => {
		const f = new Fixture();
		const id = f.decide({ title: 'Twice', owner: 'ana', decideBy: NOW + DAY }, 'ana', NOW - 20 * DAY);
		changeStatus(f.doc, id, DecisionStatus.accepted, '', at('ana', NOW - 10 * DAY));
		changeStatus(f.doc, id, DecisionStatus.proposed, '', at('ana', NOW - 9 * DAY));
		changeStatus(f.doc, id, DecisionStatus.accepted, '', at('ben', NOW - 8 * DAY));
		expect(acceptedTimeline(f.rows(), 'UTC')[0]!.entries[0]).toMatchObject({ acceptedAt: NOW - 8 * DAY, acceptedBy: 'ben' });
		archivePage(f.doc, id, at('ana', NOW));
		expect(acceptedTimeline(f.rows(), 'UTC')).toEqual([]);
		expect(acceptedTimeline(f.rows(), 'UTC', { showArchived: true })).toHaveLength(1);
	});

	it('monthOf reads the calendar month in the zone', () => {
		expect(monthOf(Date.UTC(2025, 11, 31, 20), 'Asia/Tokyo')).toEqual({ key: '2026-01', label: 'January 2026' });
		expect(monthOf(Date.UTC(2025, 11, 31, 20), 'UTC')).toEqual({ key: '2025-12', label: 'December 2025' });
	});
});

describe('the view in the URL', () => {
	it('[DI8] round-trips every filter and the sort; defaults leave the query empty', () => {
		expect(queryFromView(noFilter, defaultSort).toString()).toBe('');
		expect(viewFromQuery(new URLSearchParams())).toEqual({ filter: noFilter, sort: defaultSort });
		const view = {
			filter: { statuses: [DecisionStatus.proposed, DecisionStatus.accepted], owner: 'ana', tag: 'db ops', dueThisWeek: true, overdue: true, waitingForMe: true, showArchived: true },
			sort: { key: SortKey.title, direction: 'desc' as const }
		};
		const query = queryFromView(view.filter, view.sort);
		expect(query.toString()).toBe('status=proposed%2Caccepted&owner=ana&tag=db+ops&due=week&overdue=1&waiting=me&archived=1&sort=title&dir=desc');
		expect(viewFromQuery(new URLSearchParams(query.toString()))).toEqual(view);
	});

	it('[DI8] ignores unknown statuses, sort keys and directions; keeps statuses in workflow order once', () => {
		const view = viewFromQuery(new URLSearchParams('status=accepted,bogus,proposed&status=accepted&sort=nope&dir=sideways&owner=%20&overdue=yes'));
		expect(view.filter.statuses).toEqual(['proposed', 'accepted']);
		expect(view.filter.owner).toBeNull();
		expect(view.filter.overdue).toBe(false);
		expect(view.sort).toEqual(defaultSort);
		expect(viewFromQuery(new URLSearchParams('sort=positions')).sort).toEqual({ key: 'positions', direction: 'asc' });
	});
});
