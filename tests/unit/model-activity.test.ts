/**
 * The activity feed (src/lib/model/activity.ts).
 *
 * [A1] Each writer (createPage, renamePage, movePage to another parent, archivePage, restorePage,
 *      deletePage, changeStatus) logs exactly one entry, in the same transaction as its change:
 *      one update carries both. Accepting a record that supersedes another logs both status changes.
 * [A2] A refused change (bad input, a newer schema) logs nothing; a reorder among the same siblings
 *      is not news and logs nothing.
 * [A3] Renames fold: a rename by the member who wrote the array's last entry, of the same page,
 *      within RENAME_WINDOW_MS, replaces that entry (keeping `from`, or the creation); anything
 *      in between, or a longer pause, starts a new entry; a rename back to the start leaves none.
 * [A4] Entries made apart on two replicas are all kept, and read newest first by `at`, then `id`,
 *      the same on both.
 * [A5] Malformed entries and unknown kinds are skipped; duplicate ids read once.
 * [A6] Paging: `before` gives the next page back, `since` everything down to an entry, `limit` caps.
 * [A7] logActivity (for other modules' writers, e.g. named versions) fills in the page title, joins
 *      the caller's transaction and refuses an unknown kind.
 * [A8] The feed's words: one sentence per kind, titles as parts (never markup), a page no longer in
 *      the workspace named in words; days grouped by the viewer's calendar, clock changes included.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	ActivityKind,
	NewerSchemaError,
	RENAME_WINDOW_MS,
	SCHEMA_VERSION,
	activityArray,
	archivePage,
	changeStatus,
	createDecision,
	createPage,
	deletePage,
	initWorkspace,
	logActivity,
	metaMap,
	movePage,
	readActivity,
	renamePage,
	restorePage,
	type ActivityEntry,
	type Actor
} from '../../src/lib/model/index.ts';
import { dayLabel, describeEntry, entryText, groupByDay } from '../../src/lib/components/activity/activity-text.ts';

const T0 = Date.UTC(2026, 10, 20, 9, 0);
const MINUTE = 60_000;
const ana: Actor = { memberId: 'ana', now: T0 };
const ben: Actor = { memberId: 'ben', now: T0 };
const at = (actor: Actor, minutes: number): Actor => ({ ...actor, now: T0 + minutes * MINUTE });

function workspace(): Y.Doc {
	const doc = new Y.Doc();
	initWorkspace(doc, 'Acme', ana);
	return doc;
}

/** Runs `act` and returns the updates the document emitted meanwhile. */
function updatesOf(doc: Y.Doc, act: () => unknown): Uint8Array[] {
	const updates: Uint8Array[] = [];
	const listen = (u: Uint8Array) => updates.push(u);
	doc.on('update', listen);
	try {
		act();
	} finally {
		doc.off('update', listen);
	}
	return updates;
}

/** The entries a single update adds, read from a fresh document that applies only what came before plus it. */
function entriesIn(doc: Y.Doc, act: () => unknown): ActivityEntry[] {
	const before = readActivity(doc).map((e) => e.id);
	const updates = updatesOf(doc, act);
	expect(updates).toHaveLength(1);
	return readActivity(doc).filter((e) => !before.includes(e.id));
}

const strip = ({ id: _id, ...rest }: ActivityEntry) => rest;

describe('[A1] each writer logs one entry in the same transaction', () => {
	it('[A1] createPage, renamePage, movePage, archivePage, restorePage, deletePage', () => {
		const doc = workspace();
		let parent = '';
		let [created] = entriesIn(doc, () => (parent = createPage(doc, { title: 'Parent' }, at(ana, 1))));
		expect(strip(created!)).toEqual({ kind: 'page-created', pageId: parent, title: 'Parent', pageKind: 'page', parentId: null, by: 'ana', at: T0 + MINUTE });
		let child = '';
		[created] = entriesIn(doc, () => (child = createPage(doc, { title: 'Child' }, at(ben, 2))));
		expect(created).toMatchObject({ kind: 'page-created', pageId: child, by: 'ben' });

		expect(entriesIn(doc, () => renamePage(doc, child, 'Kid', at(ana, 3))).map(strip)).toEqual([
			{ kind: 'page-renamed', pageId: child, from: 'Child', to: 'Kid', title: 'Kid', by: 'ana', at: T0 + 3 * MINUTE }
		]);
		expect(entriesIn(doc, () => movePage(doc, child, { parentId: parent }, at(ben, 4))).map(strip)).toEqual([
			{ kind: 'page-moved', pageId: child, fromParent: null, toParent: parent, title: 'Kid', by: 'ben', at: T0 + 4 * MINUTE }
		]);
		expect(entriesIn(doc, () => archivePage(doc, child, at(ana, 5))).map(strip)).toEqual([
			{ kind: 'page-archived', pageId: child, title: 'Kid', by: 'ana', at: T0 + 5 * MINUTE }
		]);
		expect(entriesIn(doc, () => restorePage(doc, child, at(ana, 6))).map(strip)).toEqual([
			{ kind: 'page-restored', pageId: child, title: 'Kid', by: 'ana', at: T0 + 6 * MINUTE }
		]);
		expect(entriesIn(doc, () => deletePage(doc, parent, at(ben, 7))).map(strip)).toEqual([
			{ kind: 'page-deleted', pageId: parent, title: 'Parent', removed: 1, by: 'ben', at: T0 + 7 * MINUTE }
		]);
		expect(readActivity(doc).map((e) => e.kind)).toEqual([
			'page-deleted',
			'page-restored',
			'page-archived',
			'page-moved',
			'page-renamed',
			'page-created',
			'page-created'
		]);
	});

	it('[A1] changeStatus logs the change with its note; accepting a successor logs the old record superseded too', () => {
		const doc = workspace();
		const decision = { title: 'Use Postgres', owner: 'ana', decideBy: T0 + 7 * 24 * 60 * MINUTE };
		let old = '';
		const [created] = entriesIn(doc, () => (old = createDecision(doc, decision, ana)));
		expect(created).toMatchObject({ kind: 'page-created', pageKind: 'decision', title: 'Use Postgres' });
		expect(entriesIn(doc, () => changeStatus(doc, old, 'accepted', 'Agreed in the call', at(ana, 1))).map(strip)).toEqual([
			{ kind: 'decision-status', pageId: old, from: 'proposed', to: 'accepted', note: 'Agreed in the call', title: 'Use Postgres', by: 'ana', at: T0 + MINUTE }
		]);
		const next = createDecision(doc, { ...decision, title: 'Use SQLite', supersedes: old }, at(ben, 2));
		const logged = entriesIn(doc, () => changeStatus(doc, next, 'accepted', '', at(ben, 3)));
		expect(logged.map(strip)).toEqual(
			expect.arrayContaining([
				{ kind: 'decision-status', pageId: next, from: 'proposed', to: 'accepted', note: '', title: 'Use SQLite', by: 'ben', at: T0 + 3 * MINUTE },
				{ kind: 'decision-status', pageId: old, from: 'accepted', to: 'superseded', note: '', supersededBy: next, title: 'Use Postgres', by: 'ben', at: T0 + 3 * MINUTE }
			])
		);
		expect(logged).toHaveLength(2);
	});
});

describe('[A2] a refused change logs nothing', () => {
	it('[A2] bad input: unknown page, existing id, move into itself, bad status', () => {
		const doc = workspace();
		const id = createPage(doc, { title: 'A' }, ana);
		const child = createPage(doc, { title: 'B', parentId: id }, ana);
		const decision = createDecision(doc, { title: 'D', owner: 'ana', decideBy: T0 + 7 * 24 * 60 * MINUTE }, ana);
		const count = activityArray(doc).length;
		expect(() => renamePage(doc, 'nope', 'X', ana)).toThrow();
		expect(() => createPage(doc, { id, title: 'again' }, ana)).toThrow();
		expect(() => createPage(doc, { title: 'orphan', parentId: 'nope' }, ana)).toThrow();
		expect(() => movePage(doc, id, { parentId: child }, ana)).toThrow();
		expect(() => archivePage(doc, 'nope', ana)).toThrow();
		expect(() => deletePage(doc, 'nope', ana)).toThrow();
		expect(() => changeStatus(doc, decision, 'superseded', '', ana)).toThrow();
		expect(() => changeStatus(doc, decision, 'proposed', '', ana)).toThrow();
		expect(activityArray(doc).length).toBe(count);
	});

	it('[A2] a newer schema: every writer refuses and nothing is logged', () => {
		const doc = workspace();
		const id = createPage(doc, { title: 'A' }, ana);
		metaMap(doc).set('schemaVersion', SCHEMA_VERSION + 1);
		const count = activityArray(doc).length;
		expect(() => createPage(doc, { title: 'B' }, ana)).toThrow(NewerSchemaError);
		expect(() => renamePage(doc, id, 'B', ana)).toThrow(NewerSchemaError);
		expect(() => archivePage(doc, id, ana)).toThrow(NewerSchemaError);
		expect(() => logActivity(doc, { kind: 'version-named', pageId: id, name: 'v1' }, ana)).toThrow(NewerSchemaError);
		expect(activityArray(doc).length).toBe(count);
	});

	it('[A2] reordering a page among its siblings is not logged; a new parent is', () => {
		const doc = workspace();
		const a = createPage(doc, { title: 'A' }, ana);
		const b = createPage(doc, { title: 'B' }, ana);
		const count = activityArray(doc).length;
		movePage(doc, b, { parentId: null, before: a }, ana);
		expect(activityArray(doc).length).toBe(count);
		movePage(doc, b, { parentId: a }, at(ana, 1));
		expect(readActivity(doc)[0]).toMatchObject({ kind: 'page-moved', pageId: b, fromParent: null, toParent: a });
	});
});

describe('[A3] renames fold per member and page', () => {
	it('[A3] typing a title letter by letter leaves one entry, from the first title to the last', () => {
		const doc = workspace();
		const id = createPage(doc, { title: 'Plan' }, ana);
		movePage(doc, id, { parentId: createPage(doc, { title: 'Home' }, ben) }, ben);
		let title = 'Plan';
		for (const [i, letter] of [...' for Q3'].entries()) {
			title += letter;
			// One update per keystroke, as before: the fold is in the same transaction.
			expect(updatesOf(doc, () => renamePage(doc, id, title, at(ana, 1 + i * 0.1)))).toHaveLength(1);
		}
		const renames = readActivity(doc).filter((e) => e.kind === ActivityKind.pageRenamed);
		expect(renames).toHaveLength(1);
		expect(renames[0]).toMatchObject({ from: 'Plan', to: 'Plan for Q3', title: 'Plan for Q3', by: 'ana' });
		expect(activityArray(doc).length).toBe(readActivity(doc).length);
	});

	it('[A3] typing the title of a page just created folds into the creation', () => {
		const doc = workspace();
		const id = createPage(doc, { title: '' }, ana);
		renamePage(doc, id, 'M', at(ana, 0.1));
		renamePage(doc, id, 'Meeting', at(ana, 0.2));
		expect(readActivity(doc).map(strip)).toEqual([
			{ kind: 'page-created', pageId: id, title: 'Meeting', pageKind: 'page', parentId: null, by: 'ana', at: T0 + 0.2 * MINUTE }
		]);
	});

	it('[A3] another member, another page, another kind in between or a pause past the window start a new entry', () => {
		const doc = workspace();
		const id = createPage(doc, { title: 'One' }, ana);
		const other = createPage(doc, { title: 'Other' }, ana);
		renamePage(doc, id, 'Two', at(ana, 1));
		renamePage(doc, id, 'Three', at(ben, 2)); // another member
		renamePage(doc, id, 'Four', at(ben, 3)); // folds into ben's
		renamePage(doc, other, 'Else', at(ben, 4)); // another page
		renamePage(doc, id, 'Five', at(ben, 5)); // not the last entry any more
		archivePage(doc, id, at(ben, 6));
		renamePage(doc, id, 'Six', at(ben, 7)); // after another kind
		renamePage(doc, id, 'Seven', at(ben, 7 + RENAME_WINDOW_MS / MINUTE + 1)); // after a pause
		const renames = readActivity(doc)
			.filter((e) => e.kind === ActivityKind.pageRenamed)
			.map((e) => (e.kind === 'page-renamed' ? `${e.by}:${e.from}>${e.to}` : ''));
		expect(renames).toEqual(['ben:Six>Seven', 'ben:Five>Six', 'ben:Four>Five', 'ben:Other>Else', 'ben:Two>Four', 'ana:One>Two']);
	});

	it('[A3] renaming back to where it started leaves no entry; renaming to the same title logs nothing', () => {
		const doc = workspace();
		const id = createPage(doc, { title: 'Same' }, ana);
		const other = createPage(doc, { title: 'x' }, ben);
		const count = activityArray(doc).length;
		renamePage(doc, id, 'Same', at(ana, 1));
		expect(activityArray(doc).length).toBe(count);
		renamePage(doc, id, 'Sam', at(ana, 1));
		renamePage(doc, id, 'Same', at(ana, 2));
		expect(activityArray(doc).length).toBe(count);
		expect(readActivity(doc).map((e) => e.kind)).toEqual(['page-created', 'page-created']);
		expect(readActivity(doc).map((e) => e.pageId).sort()).toEqual([id, other].sort());

		// A rename that changes nothing the last entry says writes nothing (no delete and re-insert).
		const entries = activityArray(doc).toArray();
		expect(updatesOf(doc, () => logActivity(doc, { kind: ActivityKind.pageRenamed, pageId: other, from: 'x', to: 'x' }, at(ben, 3)))).toHaveLength(0);
		renamePage(doc, id, 'Other', at(ana, 4));
		const renamed = activityArray(doc).toArray();
		expect(updatesOf(doc, () => logActivity(doc, { kind: ActivityKind.pageRenamed, pageId: id, from: 'Other', to: 'Other' }, at(ana, 5)))).toHaveLength(0);
		expect(activityArray(doc).toArray()).toEqual(renamed);
		expect(renamed.slice(0, entries.length)).toEqual(entries);
	});
});

describe('[A4] entries made apart', () => {
	it('[A4] two replicas logging apart keep every entry, newest first by at then id, the same on both', () => {
		const one = workspace();
		const two = new Y.Doc();
		Y.applyUpdate(two, Y.encodeStateAsUpdate(one));
		const a = createPage(one, { title: 'From one' }, at(ana, 5));
		const b = createPage(two, { title: 'From two' }, at(ben, 3));
		renamePage(one, a, 'Renamed on one', at(ana, 4));
		archivePage(two, b, at(ben, 6));
		// Same time on both: the id decides.
		logActivity(one, { kind: 'version-named', pageId: a, name: 'v1' }, at(ana, 10));
		logActivity(two, { kind: 'version-named', pageId: b, name: 'v2' }, at(ben, 10));
		Y.applyUpdate(one, Y.encodeStateAsUpdate(two));
		Y.applyUpdate(two, Y.encodeStateAsUpdate(one));
		const feed = readActivity(one);
		expect(readActivity(two)).toEqual(feed);
		expect(feed).toHaveLength(6);
		for (let i = 1; i < feed.length; i++) {
			const newer = feed[i - 1]!;
			const older = feed[i]!;
			expect(newer.at > older.at || (newer.at === older.at && newer.id > older.id)).toBe(true);
		}
		expect(feed.slice(2).map((e) => e.kind)).toEqual(['page-archived', 'page-created', 'page-renamed', 'page-created']);
	});
});

describe('[A5] malformed entries are skipped', () => {
	it('[A5] wrong shapes, bad times, unknown kinds and duplicate ids do not break the feed', () => {
		const doc = workspace();
		const id = createPage(doc, { title: 'Fine' }, ana);
		const good = { id: 'x1', kind: 'page-archived', pageId: id, by: 'ben', at: T0 + MINUTE, title: 'Fine' };
		activityArray(doc).push([
			null,
			42,
			'page-created',
			[1, 2],
			{},
			{ ...good, id: 'bad-at', at: NaN },
			{ ...good, id: 'inf-at', at: Infinity },
			{ ...good, id: 'huge-at', at: 9e15 },
			{ ...good, id: 'no-page', pageId: '' },
			{ ...good, id: 'no-by', by: 7 },
			{ ...good, id: 12 },
			{ ...good, id: 'future-kind', kind: 'page-teleported' },
			{ ...good, id: 'bad-rename', kind: 'page-renamed', from: 1, to: 'x' },
			{ ...good, id: 'bad-move', kind: 'page-moved', fromParent: 5, toParent: null },
			{ ...good, id: 'bad-status', kind: 'decision-status', from: 'proposed' },
			{ ...good, id: 'bad-version', kind: 'version-named' },
			{ ...good, id: 'odd-title', title: 5 },
			good,
			{ ...good, at: T0 + 2 * MINUTE }
		]);
		const feed = readActivity(doc);
		expect(feed.filter((e) => e.kind !== 'page-created').map((e) => e.id)).toEqual(['x1', 'odd-title']);
		expect(feed[0]).toMatchObject({ id: 'x1', at: T0 + 2 * MINUTE });
		expect(feed[1]).toMatchObject({ id: 'odd-title', title: '' });
		// Writers still work after them.
		renamePage(doc, id, 'Still fine', at(ana, 3));
		expect(readActivity(doc)[0]).toMatchObject({ kind: 'page-renamed', to: 'Still fine' });
	});
});

describe('[A6] paging', () => {
	it('[A6] before, since and limit page through the feed without gaps or repeats', () => {
		const doc = workspace();
		const id = createPage(doc, { title: 'P' }, ana);
		for (let i = 1; i <= 24; i++) logActivity(doc, { kind: 'version-named', pageId: id, name: `v${i}` }, at(i % 2 ? ana : ben, i));
		const all = readActivity(doc);
		expect(all).toHaveLength(25);
		const pages: ActivityEntry[][] = [];
		let before: ActivityEntry | undefined;
		for (;;) {
			const page = readActivity(doc, { before, limit: 10 });
			if (page.length === 0) break;
			pages.push(page);
			before = page.at(-1);
		}
		expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
		expect(pages.flat()).toEqual(all);
		expect(readActivity(doc, { since: all[12] })).toEqual(all.slice(0, 13));
		expect(readActivity(doc, { limit: 0 })).toEqual([]);
	});
});

describe('[A7] logActivity', () => {
	it('[A7] fills in the page title, joins the caller transaction and refuses an unknown kind', () => {
		const doc = workspace();
		const id = createPage(doc, { title: 'Brief' }, ana);
		const updates = updatesOf(doc, () =>
			doc.transact(() => {
				doc.getMap('versions-stand-in').set('v', 1);
				logActivity(doc, { kind: 'version-named', pageId: id, name: 'Sent to client', versionId: 'v' }, at(ben, 1));
			})
		);
		expect(updates).toHaveLength(1);
		expect(readActivity(doc)[0]).toMatchObject({ kind: 'version-named', title: 'Brief', name: 'Sent to client', versionId: 'v', by: 'ben' });
		const count = activityArray(doc).length;
		expect(() => logActivity(doc, { kind: 'page-teleported', pageId: id } as never, ana)).toThrow(/known kind/);
		expect(() => logActivity(doc, { kind: 'page-archived', pageId: '' }, ana)).toThrow(/page/);
		expect(activityArray(doc).length).toBe(count);
	});

	it('growth: an entry costs about 130 bytes in the encoded document', () => {
		const doc = workspace();
		const id = createPage(doc, { title: 'Quarterly planning notes' }, ana);
		const start = Y.encodeStateAsUpdate(doc).byteLength;
		const n = 2000;
		for (let i = 0; i < n; i++) {
			// Real member ids are 16 characters, like page ids.
			logActivity(doc, { kind: 'page-archived', pageId: id }, { memberId: i % 2 ? 'AnaAnaAnaAnaAna1' : 'BenBenBenBenBen2', now: T0 + i * MINUTE });
		}
		const perEntry = (Y.encodeStateAsUpdate(doc).byteLength - start) / n;
		console.log(`activity entry ≈ ${perEntry.toFixed(0)} bytes`);
		// ≈ 130 bytes here (measured); 25,000 entries (a busy team's year) ≈ 3.3 MB.
		expect(perEntry).toBeGreaterThan(60);
		expect(perEntry).toBeLessThan(200);
	});
});

describe('[A8] the feed words (components/activity/activity-text.ts)', () => {
	const context = { titleOf: (id: string) => ({ home: 'Home', next: 'Use SQLite' } as Record<string, string>)[id] ?? null };
	const base = { id: 'e', pageId: 'p', by: 'ana', at: T0, title: 'Plan' };
	const say = (entry: ActivityEntry) => entryText('Ana', describeEntry(entry, context));

	it('[A8] each kind reads as a sentence; gone pages are named, not linked', () => {
		expect(say({ ...base, kind: 'page-created', pageKind: 'page', parentId: null })).toBe('Ana created ‘Plan’');
		expect(say({ ...base, kind: 'page-created', pageKind: 'decision', parentId: null })).toBe('Ana proposed the decision ‘Plan’');
		expect(say({ ...base, kind: 'page-renamed', from: '', to: 'Plan', title: 'Plan' })).toBe('Ana renamed ‘Untitled’ to ‘Plan’');
		expect(say({ ...base, kind: 'page-moved', fromParent: null, toParent: 'home' })).toBe('Ana moved ‘Plan’ into ‘Home’');
		expect(say({ ...base, kind: 'page-moved', fromParent: null, toParent: 'gone' })).toBe('Ana moved ‘Plan’ into a deleted page');
		expect(say({ ...base, kind: 'page-moved', fromParent: 'home', toParent: null })).toBe('Ana moved ‘Plan’ to the top level');
		expect(say({ ...base, kind: 'page-archived' })).toBe('Ana archived ‘Plan’');
		expect(say({ ...base, kind: 'page-restored' })).toBe('Ana restored ‘Plan’');
		expect(say({ ...base, kind: 'page-deleted', removed: 2 })).toBe('Ana deleted ‘Plan’ and 2 subpages');
		expect(say({ ...base, kind: 'decision-status', from: 'accepted', to: 'proposed', note: '' })).toBe('Ana reopened the decision ‘Plan’ (was accepted)');
		expect(say({ ...base, kind: 'decision-status', from: 'accepted', to: 'superseded', note: '', supersededBy: 'next' })).toBe(
			'Ana marked the decision ‘Plan’ superseded by ‘Use SQLite’ (was accepted)'
		);
		expect(say({ ...base, kind: 'version-named', name: 'Sent to client' })).toBe('Ana named a version of ‘Plan’: “Sent to client”');
	});

	it('[A8] days are the viewer\'s calendar days: "Today", "Yesterday" across a clock change, then the date', () => {
		// Berlin's clocks went back on 25 Oct 2026: that Sunday had 25 hours.
		const zone = 'Europe/Berlin';
		const now = Date.UTC(2026, 9, 26, 0, 30) - 3_600_000; // Mon 26 Oct, 00:30 in Berlin (UTC+1)
		expect(dayLabel(now - 10 * MINUTE, zone, now)).toBe('Today');
		expect(dayLabel(now - 60 * MINUTE, zone, now)).toBe('Yesterday');
		expect(dayLabel(now - 25.4 * 60 * MINUTE, zone, now)).toBe('Yesterday'); // Sun 00:06, 25 hours and more back
		expect(dayLabel(now - 25.6 * 60 * MINUTE, zone, now)).toMatch(/^Saturday,? 24 October 2026$/);
		const groups = groupByDay([{ at: now }, { at: now - 10 * MINUTE }, { at: now - 60 * MINUTE }], zone);
		expect(groups.map((g) => [g.key, g.entries.length])).toEqual([
			['2026-10-26', 2],
			['2026-10-25', 1]
		]);
	});
});
