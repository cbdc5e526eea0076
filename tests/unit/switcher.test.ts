/**
 * The quick switcher's pure parts (issue 7 item 2): the title matcher, the recent-pages store and
 * what the list offers for a query.
 *   [Q1] matching ignores case and diacritics, folding as full-text search does (NFKD: "ﬁ" is "fi"); no match is null
 *   [Q2] prefix > word start > inside a word > word runs ("initials") > scattered characters
 *   [Q3] highlights cover the matched characters of the original title, diacritics included
 *   [Q4] recent pages: most recent first, once each, capped; missing or corrupt storage reads as empty, never throws;
 *        storage that cannot be written keeps the list in memory for the session
 *   [Q5] an empty query lists recent pages (the current one and deleted or archived ones left out), then commands
 *   [Q6] a query ranks pages by match, recently opened first among equals, and offers full-text search
 *   [Q7] commands that write are offered only to members who may edit
 *   [Q8] the editor leaves Mod-k to the switcher when nothing is selected outside a link
 *   [Q9] the shortcut is Ctrl-K or Cmd-K on any system and layout, not with Shift or Alt
 */
import { describe, expect, it } from 'vitest';
import { EditorState, TextSelection } from 'prosemirror-state';
import { foldQuery, matchTitle, MatchTier, prepareTitle } from '../../src/lib/components/switcher/match.ts';
import { markedParts } from '../../src/lib/components/highlight.ts';
import { normalizeWord } from '../../src/lib/search/tokens.ts';
import { availableCommands, CommandId, commandPath, COMMANDS } from '../../src/lib/components/switcher/commands.ts';
import { buildCatalogue, switcherOptions, type OptionGroup } from '../../src/lib/components/switcher/options.ts';
import { readRecentPages, recentPagesKey, recordPageVisit, RECENT_PAGES_CAP, type RecentStorage } from '../../src/lib/state/recent-pages.ts';
import { isSwitcherShortcut, shortcutLabel, type KeyPress } from '../../src/lib/components/switcher/shortcut.ts';
import { editingBindings } from '../../src/lib/editor/keymap.ts';
import { schema } from '../../src/lib/editor/schema.ts';
import type { PageEntry } from '../../src/lib/model/workspace.ts';

const match = (query: string, title: string) => matchTitle(foldQuery(query), prepareTitle(title));

/** The marked text of a match, e.g. ["Road", "map"]. */
function marked(query: string, title: string): string[] | null {
	const m = match(query, title);
	return m && markedParts(title, m.ranges).flatMap((p) => (p.marked ? [p.text] : []));
}

/** Titles in the order the matcher ranks them for `query` (non-matching left out). */
function ranked(query: string, titles: string[]): string[] {
	const catalogue = buildCatalogue(titles.map((title, i) => entry(`p${i}`, title)));
	const pages = switcherOptions({ query, catalogue, recent: [], currentId: null, commands: [] }).find((g) => g.label === 'Pages');
	return (pages?.options ?? []).map((o) => (o.kind === 'page' ? o.page.title : ''));
}

function entry(id: string, title: string, extra: Partial<PageEntry> = {}): PageEntry {
	return { id, title, kind: 'page', parentId: null, order: id, createdAt: 0, createdBy: 'm', updatedAt: 0, updatedBy: 'm', archivedAt: null, seed: 'blank', ...extra };
}

/** Storage over a map, as localStorage behaves (strings in, strings out). */
function memoryStorage(initial: Record<string, string> = {}): RecentStorage & { data: Map<string, string> } {
	const data = new Map(Object.entries(initial));
	return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, String(v)) };
}

/** Each group as "Label: option, option". */
function describeGroups(groups: OptionGroup[]): string[] {
	return groups.map((g) => `${g.label}: ${g.options.map((o) => (o.kind === 'page' ? o.page.title : o.command.label)).join(', ')}`);
}

describe('title matcher', () => {
	it('[Q1] ignores case and diacritics, and says when nothing matches', () => {
		expect(match('resume', 'Résumé template')?.tier).toBe(MatchTier.prefix);
		expect(match('RÉSUMÉ', 'resume')?.tier).toBe(MatchTier.prefix);
		expect(match('sao', 'Trip to São Paulo')?.tier).toBe(MatchTier.wordStart);
		expect(match('istanbul', 'İstanbul office')?.tier).toBe(MatchTier.prefix);
		expect(match('xyz', 'Roadmap')).toBeNull();
		expect(match('pamdaor', 'Roadmap')).toBeNull(); // all the letters, out of order
		expect(match('roadmaps', 'Roadmap')).toBeNull(); // longer than the title
		expect(match('', 'Roadmap')).toBeNull();
		expect(match('   ', 'Roadmap')).toBeNull();
		// Spaces only separate the query's parts: they do not count toward its length.
		expect(match('a b', 'ab')?.tier).toBe(MatchTier.initials);
		expect(match('r o a d m a p', 'Roadmap')).not.toBeNull();
	});

	it('[Q1] folds as full-text search does: compatibility forms (ligatures, full-width letters) too', () => {
		expect(match('finance', 'ﬁnance report')?.tier).toBe(MatchTier.prefix);
		expect(match('ﬁnance', 'Finance report')?.tier).toBe(MatchTier.prefix);
		expect(match('abc', 'ＡＢＣ plan')?.tier).toBe(MatchTier.prefix);
		// The ligature is one character of the title: a highlight covers it whole, offsets stay right.
		expect(marked('finance', 'Q3 ﬁnance')).toEqual(['ﬁnance']);
		expect(match('finance', 'Q3 ﬁnance')?.ranges).toEqual([[3, 9]]);
		expect(marked('i', 'ﬁ')).toEqual(['ﬁ']);
		expect(marked('nce', 'ﬁnance')).toEqual(['nce']);
		expect(match('nce', 'ﬁnance')?.ranges).toEqual([[3, 6]]);
		// Each title character folds exactly as the search index folds it.
		for (const title of ['Résumé', 'ﬁnance', 'İstanbul', 'Straße', 'ＡＢＣ', 'Cafe\u0301', '½ plan']) {
			expect(prepareTitle(title).folded).toBe([...title].map(normalizeWord).join(''));
		}
	});

	it('[Q2] ranks prefix, word start, inside a word, word runs, then scattered', () => {
		expect(match('road', 'Roadmap')?.tier).toBe(MatchTier.prefix);
		expect(match('map', 'Product map')?.tier).toBe(MatchTier.wordStart);
		expect(match('map', 'Roadmap')?.tier).toBe(MatchTier.substring);
		expect(match('qr', 'Q3 Roadmap')?.tier).toBe(MatchTier.initials);
		expect(match('roma', 'Road map')?.tier).toBe(MatchTier.initials);
		expect(match('rdmp', 'Roadmap')?.tier).toBe(MatchTier.scattered);
		expect(ranked('map', ['Roadmap', 'Mapping notes', 'My api plan', 'Product map'])).toEqual(['Mapping notes', 'Product map', 'Roadmap', 'My api plan']);
		// Among equals, the shorter title (more of it matched) first.
		expect(ranked('plan', ['Plan for Q3 hiring', 'Plan'])).toEqual(['Plan', 'Plan for Q3 hiring']);
		// A word start later in the title beats the same letters inside an earlier word.
		expect(marked('map', 'Roadmap map')).toEqual(['map']);
		expect(match('map', 'Roadmap map')?.ranges).toEqual([[8, 11]]);
	});

	it('[Q3] highlights the matched characters of the original title', () => {
		expect(marked('rdmp', 'Roadmap')).toEqual(['R', 'dm', 'p']);
		expect(marked('qr', 'Q3 Roadmap')).toEqual(['Q', 'R']);
		expect(marked('cafe', 'Le Café')).toEqual(['Café']);
		// A title typed with combining marks (e + U+0301) highlights the whole letter.
		expect(marked('e', 'Cafe\u0301')?.map((t) => t.normalize('NFC'))).toEqual(['é']);
		expect(markedParts('Roadmap', match('road', 'Roadmap')!.ranges)).toEqual([
			{ text: 'Road', marked: true },
			{ text: 'map', marked: false }
		]);
		// Markup in a title is text: the parts carry it as it was typed, for text nodes.
		expect(marked('img', '<img src=x onerror=alert(1)>')).toEqual(['img']);
	});
});

describe('recent pages', () => {
	it('[Q4] keeps the most recent first, once each, at most RECENT_PAGES_CAP, per workspace', () => {
		const storage = memoryStorage();
		recordPageVisit('w1', 'a', storage);
		recordPageVisit('w1', 'b', storage);
		recordPageVisit('w2', 'x', storage);
		expect(recordPageVisit('w1', 'a', storage)).toEqual(['a', 'b']);
		expect(readRecentPages('w1', storage)).toEqual(['a', 'b']);
		expect(readRecentPages('w2', storage)).toEqual(['x']);
		for (let i = 0; i < RECENT_PAGES_CAP + 10; i++) recordPageVisit('w1', `p${i}`, storage);
		const kept = readRecentPages('w1', storage);
		expect(kept).toHaveLength(RECENT_PAGES_CAP);
		expect(kept[0]).toBe(`p${RECENT_PAGES_CAP + 9}`);
		expect(kept).not.toContain('a');
	});

	it('[Q4] reads missing, corrupt or hostile storage as nothing recent, and never throws', () => {
		for (const stored of ['not json', '{"a":1}', '"a"', 'null', '42']) {
			expect(readRecentPages('w', memoryStorage({ [recentPagesKey('w')]: stored }))).toEqual([]);
		}
		// Bad entries are skipped, good ones kept once.
		expect(readRecentPages('w', memoryStorage({ [recentPagesKey('w')]: JSON.stringify(['a', 7, null, '', 'b', 'a', { id: 'c' }]) }))).toEqual(['a', 'b']);
		const broken: RecentStorage = {
			getItem: () => {
				throw new Error('SecurityError');
			},
			setItem: () => {
				throw new Error('QuotaExceededError');
			}
		};
		expect(readRecentPages('w', broken)).toEqual([]);
		expect(readRecentPages('w', null)).toEqual([]);
		// A corrupt value is replaced by the next visit.
		const storage = memoryStorage({ [recentPagesKey('w')]: '{oops' });
		recordPageVisit('w', 'a', storage);
		expect(storage.data.get(recentPagesKey('w'))).toBe('["a"]');
	});

	it('[Q4] keeps the list in memory for the session when storage cannot be written', () => {
		const broken: RecentStorage = {
			getItem: () => {
				throw new Error('SecurityError');
			},
			setItem: () => {
				throw new Error('QuotaExceededError');
			}
		};
		expect(recordPageVisit('blocked', 'a', broken)).toEqual(['a']);
		expect(recordPageVisit('blocked', 'b', broken)).toEqual(['b', 'a']);
		expect(readRecentPages('blocked', broken)).toEqual(['b', 'a']);
		// No storage at all (localStorage missing): the same.
		recordPageVisit('no-storage', 'x', null);
		expect(recordPageVisit('no-storage', 'y', null)).toEqual(['y', 'x']);
		expect(readRecentPages('no-storage', null)).toEqual(['y', 'x']);
		// Per workspace, and gone once storage works again (storage is the truth from then on).
		expect(readRecentPages('other', broken)).toEqual([]);
		const storage = memoryStorage();
		expect(recordPageVisit('blocked', 'c', storage)).toEqual(['c', 'b', 'a']);
		expect(storage.data.get(recentPagesKey('blocked'))).toBe('["c","b","a"]');
		storage.data.set(recentPagesKey('blocked'), '["z"]');
		expect(readRecentPages('blocked', storage)).toEqual(['z']);
	});
});

describe('switcher options', () => {
	const pages = [
		entry('home', 'Home'),
		entry('plan', 'Plan', { parentId: 'home' }),
		entry('plan2', 'Plan', { parentId: 'team' }),
		entry('team', 'Team'),
		entry('old', 'Old plan', { archivedAt: 5 }),
		entry('under-old', 'Planning archive', { parentId: 'old' }),
		entry('blank', '   '),
		entry('adr', 'Use Postgres', { kind: 'decision' })
	];
	const catalogue = buildCatalogue(pages, (id) => (id === 'adr' ? 'Proposed' : null));
	const commands = availableCommands(true);

	it('[Q5] shows paths, statuses and "Untitled"; archived pages and their subtrees are left out', () => {
		// Depth first in tree order (here the ids are the order keys).
		expect(catalogue.map((p) => [p.title, p.path, p.status])).toEqual([
			['Use Postgres', '', 'Proposed'],
			['Untitled', '', null],
			['Home', '', null],
			['Plan', 'Home', null],
			['Team', '', null],
			['Plan', 'Team', null]
		]);
	});

	it('[Q5] an empty query lists recent pages that still exist, without the current one, then the commands', () => {
		const groups = switcherOptions({ query: '  ', catalogue, recent: ['team', 'deleted', 'old', 'plan', 'home'], currentId: 'home', commands });
		expect(describeGroups(groups)).toEqual(['Recent: Team, Plan', `Commands: ${commands.map((c) => c.label).join(', ')}`]);
	});

	it('[Q6] a query ranks by match, then by how recently the page was opened, and offers full-text search', () => {
		const groups = switcherOptions({ query: 'plan', catalogue, recent: ['plan2'], currentId: null, commands });
		expect(describeGroups(groups)).toEqual(['Pages: Plan, Plan', 'Commands: Search all text for “plan”']);
		const first = groups[0]!.options[0]!;
		expect(first.kind === 'page' && first.page.id).toBe('plan2');
		const other = switcherOptions({ query: 'plan', catalogue, recent: ['plan'], currentId: null, commands })[0]!.options[0]!;
		expect(other.kind === 'page' && other.page.id).toBe('plan');
		// A better match still beats a recent page; among equal ones ("te" inside a word) the recent one is first.
		const better = switcherOptions({ query: 'te', catalogue, recent: ['adr'], currentId: null, commands });
		expect(describeGroups(better)[0]).toBe('Pages: Team, Use Postgres, Untitled');
		const recentLast = switcherOptions({ query: 'te', catalogue, recent: ['blank'], currentId: null, commands });
		expect(describeGroups(recentLast)[0]).toBe('Pages: Team, Untitled, Use Postgres');
		// Nothing matches: only full-text search is offered.
		expect(describeGroups(switcherOptions({ query: 'zzz', catalogue, recent: [], currentId: null, commands }))).toEqual(['Commands: Search all text for “zzz”']);
	});

	it('[Q6] a command that matches better than any page comes first', () => {
		const groups = switcherOptions({ query: 'inbox', catalogue, recent: [], currentId: null, commands });
		expect(describeGroups(groups)).toEqual(['Commands: Go to Inbox, Search all text for “inbox”']);
		const both = switcherOptions({ query: 'new p', catalogue, recent: [], currentId: null, commands });
		expect(describeGroups(both)[0]).toBe('Commands: New page, New from template…, Search all text for “new p”');
		expect(commandPath(CommandId.searchText, 'w1', ' a&b ')).toBe('/w/w1/search?q=a%26b');
		expect(commandPath(CommandId.inbox, 'w1')).toBe('/w/w1/inbox');
	});

	it('[Q7] members who may not edit are not offered commands that write', () => {
		const viewer = availableCommands(false).map((c) => c.id);
		expect(viewer).not.toContain(CommandId.newPage);
		expect(viewer).not.toContain(CommandId.newDecision);
		expect(viewer).not.toContain(CommandId.newFromTemplate);
		expect(viewer).toContain(CommandId.toggleTheme);
		expect(viewer).toContain(CommandId.inbox);
		expect(availableCommands(true)).toEqual(COMMANDS);
		const groups = switcherOptions({ query: 'new', catalogue, recent: [], currentId: null, commands: availableCommands(false) });
		expect(describeGroups(groups)).toEqual(["Commands: Go to What's new, Search all text for “new”"]);
	});
});

describe('Mod-k in the editor', () => {
	const keys = editingBindings(() => 'https://example.com');
	const link = schema.marks['link']!.create({ href: 'https://x.example' });
	const doc = schema.node('doc', null, [schema.node('paragraph', null, [schema.text('see '), schema.text('here', [link]), schema.text(' now')])]);
	const at = (from: number, to = from) => {
		const state = EditorState.create({ schema, doc });
		return state.apply(state.tr.setSelection(TextSelection.create(state.doc, from, to)));
	};

	it('[Q8] is not handled with an empty selection outside a link, so the switcher opens', () => {
		expect(keys['Mod-k']!(at(2))).toBe(false);
		expect(keys['Mod-k']!(at(12))).toBe(false);
	});

	it('[Q8] still links a selection and edits the link under the caret', () => {
		let next: EditorState | null = null;
		const selected = at(1, 4);
		expect(keys['Mod-k']!(selected, (tr) => (next = selected.apply(tr)))).toBe(true);
		expect(next!.doc.rangeHasMark(1, 4, schema.marks['link']!)).toBe(true);
		const inLink = at(7);
		expect(keys['Mod-k']!(inLink, (tr) => (next = inLink.apply(tr)))).toBe(true);
		expect(next!.doc.nodeAt(6)?.marks[0]?.attrs['href']).toBe('https://example.com');
	});
});

describe('the shortcut', () => {
	const press = (key: string, mods: Partial<KeyPress> = {}, code = `Key${key.toUpperCase()}`): KeyPress => ({ key, code, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });

	it('[Q9] is Ctrl-K or Cmd-K, whatever the system and keyboard layout', () => {
		expect(isSwitcherShortcut(press('k', { ctrlKey: true }))).toBe(true);
		expect(isSwitcherShortcut(press('k', { metaKey: true }))).toBe(true);
		expect(isSwitcherShortcut(press('K', { ctrlKey: true }))).toBe(true); // Caps Lock
		expect(isSwitcherShortcut(press('л', { ctrlKey: true }, 'KeyK'))).toBe(true); // Russian layout
		expect(isSwitcherShortcut(press('k'))).toBe(false);
		expect(isSwitcherShortcut(press('k', { ctrlKey: true, shiftKey: true }))).toBe(false);
		expect(isSwitcherShortcut(press('k', { metaKey: true, altKey: true }))).toBe(false);
		expect(isSwitcherShortcut(press('j', { ctrlKey: true }, 'KeyK'))).toBe(false); // Dvorak: this key is a J
		expect(isSwitcherShortcut(press('k', { ctrlKey: true }, 'KeyV'))).toBe(true); // Dvorak: the K key
		expect(shortcutLabel('MacIntel')).toBe('⌘ K');
		expect(shortcutLabel('Linux x86_64')).toBe('Ctrl K');
		expect(shortcutLabel('Win32')).toBe('Ctrl K');
	});
});
