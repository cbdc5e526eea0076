/**
 * Markdown out and in (src/lib/editor/markdown.ts) on a corpus of real documents
 * (tests/fixtures/markdown/*.md: meeting notes, a how-to, an ADR, a README with code and tables,
 * a brief with nested lists and tasks, an incident review).
 *   [M1] parsing gives a valid document; Markdown → page → Markdown is stable after one pass, and
 *        page → Markdown → page gives the same page
 *   [M2] no word of the source is lost
 *   [M3] headings, lists, tasks (checked state, nesting), code (with language), links, tables,
 *        strike and callouts survive
 *   [M4] a document already in our canonical form comes back byte for byte
 *   [M5] unsafe links lose their link, images become links (nothing to fetch), raw HTML stays text
 *   [M6] edge cases: empty tasks, fences inside code, pipes and line breaks in table cells, empty page
 *   [M7] export: the title as a level-1 heading; a file name without path or reserved characters
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Node } from 'prosemirror-model';
import { fromMarkdown, toMarkdown, pageMarkdown, markdownFileName } from '../../src/lib/editor/markdown.ts';
import { schema } from '../../src/lib/editor/schema.ts';

const dir = join(import.meta.dirname, '../fixtures/markdown');
const corpus = readdirSync(dir)
	.filter((name) => name.endsWith('.md'))
	.sort()
	.map((name) => ({ name, source: readFileSync(join(dir, name), 'utf8') }));

interface Summary {
	headings: string[];
	tasks: Array<[string, boolean]>;
	code: Array<[string, string]>;
	links: string[];
	tables: Array<[number, number]>;
	callouts: string[];
	strike: string[];
	nodes: Record<string, number>;
}

function summarise(doc: Node): Summary {
	const s: Summary = { headings: [], tasks: [], code: [], links: [], tables: [], callouts: [], strike: [], nodes: {} };
	doc.descendants((node) => {
		s.nodes[node.type.name] = (s.nodes[node.type.name] ?? 0) + 1;
		if (node.type.name === 'heading') s.headings.push(`${node.attrs['level']} ${node.textContent}`);
		if (node.type.name === 'task_item') s.tasks.push([node.firstChild?.textContent ?? '', node.attrs['checked'] as boolean]);
		if (node.type.name === 'code_block') s.code.push([node.attrs['language'] as string, node.textContent.split('\n')[0]!]);
		if (node.type.name === 'table') s.tables.push([node.childCount, node.firstChild?.childCount ?? 0]);
		if (node.type.name === 'callout') s.callouts.push(node.attrs['tone'] as string);
		for (const mark of node.marks) {
			if (mark.type.name === 'link') s.links.push(mark.attrs['href'] as string);
			if (mark.type.name === 'strike') s.strike.push(node.text ?? '');
		}
		return true;
	});
	return s;
}

const words = (text: string) => new Set(text.match(/[A-Za-z0-9]{2,}/g) ?? []);

describe('Markdown round trip on the corpus', () => {
	it('has a corpus of real documents', () => {
		expect(corpus.length).toBeGreaterThanOrEqual(5);
	});

	for (const { name, source } of corpus) {
		it(`[M1][M2] ${name}: valid, stable, nothing lost`, () => {
			const doc = fromMarkdown(source);
			expect(() => doc.check()).not.toThrow();
			const once = toMarkdown(doc);
			expect(toMarkdown(fromMarkdown(once))).toBe(once);
			expect(fromMarkdown(once).eq(doc)).toBe(true);
			const out = words(once);
			// The alert kind IMPORTANT reads as NOTE (callouts have four tones).
			const lost = [...words(source)].filter((word) => !out.has(word) && word !== 'IMPORTANT');
			expect(lost).toEqual([]);
		});
	}

	it('[M3] structure survives: meeting notes', () => {
		const s = summarise(fromMarkdown(toMarkdown(fromMarkdown(corpus.find((c) => c.name === 'meeting-notes.md')!.source))));
		expect(s.headings).toEqual(['1 Weekly sync — 14 March', '2 Agenda', '2 Notes', '2 Action items']);
		expect(s.tasks).toEqual([
			['Bo: review the migration fix', true],
			['Ana: write the on-call runbook', false],
			['Chidi: update the rotation calendar', false],
			['add the public holidays in Nigeria', false],
			['share the calendar link', true]
		]);
		expect(s.nodes['task_list']).toBe(2); // the nested one included
		expect(s.nodes['ordered_list']).toBe(1);
		expect(s.nodes['bullet_list']).toBe(2);
		expect(s.links).toContain('https://grafana.example.com/d/relay');
		expect(s.callouts).toEqual(['warning']);
		expect(s.nodes['horizontal_rule']).toBe(1);
	});

	it('[M3] structure survives: README with code and tables, ADR, how-to, brief', () => {
		const get = (name: string) => summarise(fromMarkdown(toMarkdown(fromMarkdown(corpus.find((c) => c.name === name)!.source))));
		const readme = get('readme-relay-cli.md');
		expect(readme.code).toEqual([
			['bash', 'npm install --omit=dev'],
			['ts', "import { mintToken } from './server/auth.ts';"]
		]);
		expect(readme.tables).toEqual([
			[5, 3],
			[4, 2]
		]);
		expect(readme.nodes['table_header']).toBe(5);
		expect(readme.links).toEqual(['https://meridian.example.org']);

		const adr = get('adr-0007-one-database-per-workspace.md');
		expect(adr.tables).toEqual([[4, 3]]);
		expect(adr.strike).toEqual(['300']);

		const howTo = get('how-to-restore-backup.md');
		expect(howTo.callouts).toEqual(['info', 'danger']);
		expect(howTo.code.map(([language]) => language)).toEqual(['sh', 'sh']);
		expect(howTo.links).toEqual(['/docs/operations', 'https://sqlite.org/backup.html']);
		expect(howTo.tasks.every(([, checked]) => !checked)).toBe(true);

		const brief = get('project-brief-nested.md');
		expect(brief.callouts).toEqual(['success']);
		expect(brief.nodes['blockquote']).toBe(1);
		const milestones = fromMarkdown(corpus.find((c) => c.name === 'project-brief-nested.md')!.source);
		let order = 0;
		milestones.descendants((node) => {
			if (node.type.name === 'ordered_list') order = node.attrs['order'] as number;
			return true;
		});
		expect(order).toBe(3);
	});

	it('[M4] a document in canonical form comes back byte for byte', () => {
		const readme = corpus.find((c) => c.name === 'readme-relay-cli.md')!.source;
		expect(toMarkdown(fromMarkdown(readme))).toBe(readme);
	});
});

describe('Markdown in: bad and odd input', () => {
	const linksOf = (md: string) => summarise(fromMarkdown(md)).links;

	it('[M5] unsafe links lose their link, images become links, raw HTML stays text', () => {
		expect(linksOf('[click](javascript:alert(1))')).toEqual([]);
		expect(fromMarkdown('[click](javascript:alert(1))').textContent).toContain('click');
		expect(linksOf('[x](data:text/html,hi) [y](vbscript:x)')).toEqual([]);
		expect(linksOf('[ok](https://example.com) [mail](mailto:a@example.com) [rel](/w/1)')).toEqual(['https://example.com', 'mailto:a@example.com', '/w/1']);
		const image = fromMarkdown('![diagram](https://example.com/a.png)');
		expect(summarise(image).links).toEqual(['https://example.com/a.png']);
		expect(image.textContent).toBe('diagram');
		const html = fromMarkdown('<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>');
		expect(html.textContent).toContain('<script>alert(1)</script>');
		expect(summarise(html).links).toEqual([]);
		const huge = `[long](https://example.com/${'a'.repeat(5000)})`;
		expect(linksOf(huge)).toEqual([]);
	});

	it('[M6] empty tasks, fences in code, pipes and breaks in cells, empty page', () => {
		const tasks = fromMarkdown('- [ ]\n- [x] done\n');
		expect(summarise(tasks).tasks).toEqual([
			['', false],
			['done', true]
		]);
		expect(() => tasks.check()).not.toThrow();

		const n = schema.nodes;
		const code = n['doc']!.create(null, n['code_block']!.create({ language: 'md' }, schema.text('```js\nx\n```')));
		const codeOut = toMarkdown(code);
		expect(codeOut.startsWith('````md\n')).toBe(true);
		expect(fromMarkdown(codeOut).eq(code)).toBe(true);

		const cell = (...blocks: Node[]) => n['table_cell']!.create(null, blocks);
		const header = (text: string) => n['table_header']!.create(null, n['paragraph']!.create(null, schema.text(text)));
		const table = n['doc']!.create(null, [
			n['table']!.create(null, [
				n['table_row']!.create(null, [header('a'), header('b')]),
				n['table_row']!.create(null, [cell(n['paragraph']!.create(null, schema.text('x | y'))), cell(n['paragraph']!.create(null, schema.text('one')), n['paragraph']!.create(null, schema.text('two')))])
			])
		]);
		const tableOut = toMarkdown(table);
		expect(tableOut).toBe('| a | b |\n| --- | --- |\n| x \\| y | one<br>two |\n');
		const back = fromMarkdown(tableOut);
		expect(back.child(0).child(1).child(0).textContent).toBe('x | y');
		expect(back.child(0).child(1).child(1).child(0).childCount).toBe(3); // one, hard break, two

		expect(toMarkdown(n['doc']!.create())).toBe('');
		expect(fromMarkdown('').childCount).toBe(0);
		// Callouts: each tone as a GitHub alert, and back.
		for (const [tone, alert] of [
			['info', 'NOTE'],
			['success', 'TIP'],
			['warning', 'WARNING'],
			['danger', 'CAUTION']
		] as const) {
			const doc = n['doc']!.create(null, n['callout']!.create({ tone }, n['paragraph']!.create(null, schema.text('hi'))));
			expect(toMarkdown(doc)).toBe(`> [!${alert}]\n> hi\n`);
			expect(fromMarkdown(toMarkdown(doc)).eq(doc)).toBe(true);
		}
		// A literal "[ ]" at the start of a paragraph is escaped, so it does not become a task.
		const literal = n['doc']!.create(null, n['bullet_list']!.create(null, n['list_item']!.create(null, n['paragraph']!.create(null, schema.text('[ ] not a task')))));
		expect(fromMarkdown(toMarkdown(literal)).eq(literal)).toBe(true);
	});
});

describe('Markdown export', () => {
	it('[M7] a page exports with its title as a heading, to a safe file name', () => {
		const body = fromMarkdown('Some *text*.\n');
		expect(pageMarkdown('Launch # plan', body)).toBe('# Launch # plan\n\nSome *text*.\n');
		expect(pageMarkdown('  ', body)).toBe('Some *text*.\n');
		expect(pageMarkdown('a\u0000b\u202e', body).split('\n')[0]).toBe('# a b');
		expect(markdownFileName('Q3 plan: "draft" / v2?')).toBe('Q3 plan- -draft- - v2-.md');
		expect(markdownFileName('../../etc/passwd')).toBe('etc-passwd.md');
		expect(markdownFileName('')).toBe('Untitled.md');
		expect(markdownFileName('\u0000\u0007')).toBe('Untitled.md');
		expect(markdownFileName('CON')).toBe('Untitled.md');
		expect(markdownFileName('x'.repeat(500))).toBe(`${'x'.repeat(100)}.md`);
		expect(markdownFileName('notes...')).toBe('notes.md');
	});
});
