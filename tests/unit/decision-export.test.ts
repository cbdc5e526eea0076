/**
 * A decision record's Markdown export (src/lib/model/decision-export.ts).
 *
 * [DX1] The front matter carries the record's fields in the keys ADR tooling reads (status, date,
 *       deciders, consulted, tags) plus title, owner, decide-by (ISO UTC), supersede links (titles)
 *       and positions; names, not member ids.
 * [DX2] `date` is the UTC day of the last status change, or of the proposal while there is none.
 * [DX3] Every string is a JSON-quoted YAML scalar: quotes, colons, hashes, newlines and the
 *       characters YAML refuses raw cannot break the front matter.
 * [DX4] The page's Markdown follows, then a status log (who, when, from → to, note; changes made
 *       apart marked; the change that superseded the record links to its successor).
 *
 * The yaml package is not installed, so the front matter is checked as exact text, and every
 * quoted value is read back with JSON.parse.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { changeStatus, createDecision, listPositions, readDecision, recordPosition, supersede, Stance } from '../../src/lib/model/decisions.ts';
import { getPage, upsertMember } from '../../src/lib/model/workspace.ts';
import { decisionMarkdown, yamlString, type DecisionExport } from '../../src/lib/model/decision-export.ts';

const T0 = Date.UTC(2026, 2, 2, 9, 30); // Mon 2 March 2026, 09:30 UTC
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function workspace(): Y.Doc {
	const doc = new Y.Doc();
	upsertMember(doc, { id: 'ana', name: 'Ana', color: '#000', timeZone: 'Europe/Berlin' });
	upsertMember(doc, { id: 'ben', name: 'Ben "B" Ng', color: '#000', timeZone: 'America/New_York' });
	return doc;
}

function exportOf(doc: Y.Doc, id: string, talk: Y.Doc = new Y.Doc(), body = '# Body\n\nText.\n'): string {
	const page = getPage(doc, id)!;
	const names: Record<string, string> = { ana: 'Ana', ben: 'Ben "B" Ng' };
	const input: DecisionExport = {
		title: page.title,
		decision: readDecision(doc, id)!,
		createdAt: page.createdAt,
		createdBy: page.createdBy,
		positions: listPositions(talk),
		body,
		memberName: (member) => names[member] ?? null,
		record: (other) => {
			const entry = getPage(doc, other);
			return entry ? { title: entry.title, href: `/w/ws/p/${other}` } : null;
		}
	};
	return decisionMarkdown(input);
}

function frontMatterOf(markdown: string): string[] {
	const [, block] = /^---\n([\s\S]*?)\n---\n/.exec(markdown) ?? [];
	expect(block, 'front matter').toBeDefined();
	return block!.split('\n');
}

describe('decision export', () => {
	it('[DX1] [DX2] a proposed record: its fields as front matter, dated the day it was proposed', () => {
		const doc = workspace();
		const id = createDecision(
			doc,
			{ id: 'd1', title: 'Use Postgres', owner: 'ana', decideBy: T0 + 7 * DAY, deciders: ['ana', 'ben'], consulted: ['cam'], tags: ['Storage', 'db'] },
			{ memberId: 'ana', now: T0 }
		);
		const markdown = exportOf(doc, id);
		expect(frontMatterOf(markdown)).toEqual([
			'title: "Use Postgres"',
			'status: proposed',
			'date: 2026-03-02',
			'owner: "Ana"',
			'deciders: ["Ana", "Ben \\"B\\" Ng"]',
			// Not in the members list and no position: the id is all there is.
			'consulted: ["cam"]',
			'tags: ["db", "storage"]',
			'decide-by: "2026-03-09T09:30:00.000Z"',
			'positions: []'
		]);
		expect(markdown).toBe(
			[
				'---',
				...frontMatterOf(markdown),
				'---',
				'',
				'# Body',
				'',
				'Text.',
				'',
				'## Status log',
				'',
				'- 2026-03-02 09:30 UTC — Ana proposed it',
				''
			].join('\n')
		);
	});

	it('[DX1] [DX2] [DX4] an accepted record with positions, then superseded: dated by the last change, linked both ways', () => {
		const doc = workspace();
		const talk = new Y.Doc();
		const id = createDecision(doc, { id: 'd1', title: 'Use Postgres', owner: 'ana', decideBy: T0 + 7 * DAY, deciders: ['ana', 'ben'] }, { memberId: 'ana', now: T0 });
		recordPosition(talk, readDecision(doc, id)!, { stance: Stance.agree, rationale: 'Boring tech.', name: 'Ana' }, { memberId: 'ana', now: T0 + HOUR });
		recordPosition(talk, readDecision(doc, id)!, { stance: Stance.concerns, rationale: 'Ops: who runs it?', name: 'Ben "B" Ng' }, { memberId: 'ben', now: T0 + 2 * HOUR });
		changeStatus(doc, id, 'accepted', 'Everyone agreed', { memberId: 'ana', now: T0 + DAY });
		const next = supersede(doc, id, { title: 'Use SQLite', decideBy: T0 + 40 * DAY }, { memberId: 'ben', now: T0 + 30 * DAY });
		changeStatus(doc, next, 'accepted', '', { memberId: 'ben', now: T0 + 31 * DAY });

		const old = exportOf(doc, id, talk);
		expect(frontMatterOf(old)).toEqual([
			'title: "Use Postgres"',
			'status: superseded',
			'date: 2026-04-02',
			'owner: "Ana"',
			'deciders: ["Ana", "Ben \\"B\\" Ng"]',
			'consulted: []',
			'tags: []',
			'decide-by: "2026-03-09T09:30:00.000Z"',
			'superseded-by: "Use SQLite"',
			'positions:',
			'  - name: "Ana"',
			'    stance: agree',
			'    rationale: "Boring tech."',
			'    at: "2026-03-02T10:30:00.000Z"',
			'  - name: "Ben \\"B\\" Ng"',
			'    stance: agree-with-concerns',
			'    rationale: "Ops: who runs it?"',
			'    at: "2026-03-02T11:30:00.000Z"'
		]);
		expect(old.slice(old.indexOf('## Status log'))).toBe(
			[
				'## Status log',
				'',
				'- 2026-03-02 09:30 UTC — Ana proposed it',
				'- 2026-03-03 09:30 UTC — Ana: proposed → accepted — Everyone agreed',
				`- 2026-04-02 09:30 UTC — Ben "B" Ng: accepted → superseded by [Use SQLite](/w/ws/p/${next})`,
				'',
				'## Positions',
				'',
				'- Ana — Agree (2026-03-02 10:30 UTC): Boring tech.',
				'- Ben "B" Ng — Agree with concerns (2026-03-02 11:30 UTC): Ops: who runs it?',
				''
			].join('\n')
		);

		const successor = frontMatterOf(exportOf(doc, next));
		expect(successor).toContain('supersedes: "Use Postgres"');
		expect(successor).toContain('status: accepted');
		expect(successor).toContain('date: 2026-04-02');
		expect(successor).toContain('owner: "Ben \\"B\\" Ng"');
	});

	it('[DX4] two status changes made apart are both logged, the later one marked', () => {
		const doc = workspace();
		const id = createDecision(doc, { id: 'd1', title: 'Ship Friday', owner: 'ana', decideBy: T0 + DAY }, { memberId: 'ana', now: T0 });
		const other = new Y.Doc();
		Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
		changeStatus(doc, id, 'accepted', '', { memberId: 'ana', now: T0 + HOUR });
		changeStatus(other, id, 'rejected', 'Too risky', { memberId: 'ben', now: T0 + 2 * HOUR });
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(other));
		const markdown = exportOf(doc, id);
		expect(frontMatterOf(markdown)).toContain('status: rejected');
		expect(markdown).toContain('- 2026-03-02 10:30 UTC — Ana: proposed → accepted\n');
		expect(markdown).toContain('- 2026-03-02 11:30 UTC — Ben "B" Ng: proposed → rejected (made apart from the change before it) — Too risky\n');
	});

	it('[DX3] titles, tags and rationales that look like YAML or hold odd characters stay one quoted value', () => {
		const doc = workspace();
		const talk = new Y.Doc();
		const nasty = 'No: maybe # later\n- [x] "quoted" \\ back\u2028sep\u0085nel\u007fdel';
		const id = createDecision(doc, { id: 'd1', title: nasty, owner: 'ana', decideBy: T0 + DAY, tags: ['a: b', '#hash', "it's"] }, { memberId: 'ana', now: T0 });
		recordPosition(talk, readDecision(doc, id)!, { stance: Stance.disagree, rationale: '---\nnot the end', name: 'Ana' }, { memberId: 'ana', now: T0 + HOUR });
		const lines = frontMatterOf(exportOf(doc, id, talk));
		// One line per key: nothing in a value started a new line of YAML.
		expect(lines.map((line) => /^ *-? *([a-z-]+):/.exec(line)?.[1])).toEqual([
			'title', 'status', 'date', 'owner', 'deciders', 'consulted', 'tags', 'decide-by', 'positions', 'name', 'stance', 'rationale', 'at'
		]);
		const value = (key: string) => lines.find((line) => line.trimStart().startsWith(`${key}: `))!.replace(/^[^:]*: /, '');
		const title = getPage(doc, id)!.title;
		expect(JSON.parse(value('title'))).toBe(title);
		expect(value('title')).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
		expect(JSON.parse(value('tags'))).toEqual(['#hash', 'a: b', "it's"].map((t) => t.replace(/^#/, '')).sort());
		expect(JSON.parse(value('rationale'))).toBe('---\nnot the end');
	});

	it('[DX3] yamlString escapes what JSON leaves raw but YAML refuses', () => {
		expect(yamlString('a\u2028b\u2029c\u0085d\u007fe\ufefff')).toBe('"a\\u2028b\\u2029c\\u0085d\\u007fe\\ufefff"');
		expect(JSON.parse(yamlString('a\u2028b\u0085\ufeff'))).toBe('a\u2028b\u0085\ufeff');
		expect(yamlString('plain')).toBe('"plain"');
	});
});
