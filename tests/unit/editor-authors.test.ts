/**
 * "Who wrote what" (src/lib/editor/authors.ts), item 1 of issue 6.
 *
 * [AU2] Runs of text carry the member who inserted them and when, on replicas that got both
 *       members' edits: after merges of concurrent edits, deletes, a join of two paragraphs, and a
 *       remote edit; adjacent text by one member in one minute is one run, a new minute a new one.
 * [AU3] Seed text (nobody's edit) is a run without a member and gets no decoration; a member
 *       nobody knows here reads "Unknown author".
 * [AU4] Titles name the author and the time in the viewer's zone.
 * [AU5] The plugin is off until switched on by a transaction meta, draws `by-author` decorations
 *       with titles in the editor's positions (read-only too), and lists the authors present.
 * [AU6] Tints keep every theme text colour at 4.5:1 for any member colour; the theme colours
 *       copied in authors.ts match app.css.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { EditorState, TextSelection, type Transaction } from 'prosemirror-state';
import { joinBackward } from 'prosemirror-commands';
import { initProseMirrorDoc, updateYFragment } from 'y-prosemirror';
import { schema } from '../../src/lib/editor/schema.ts';
import { readOnlyDoc } from '../../src/lib/editor/read-only.ts';
import {
	authorColors,
	authorRuns,
	authorsKey,
	authorsPlugin,
	authorTitle,
	contrast,
	THEME_TEXT,
	UNKNOWN_AUTHOR,
	type AuthorPeople
} from '../../src/lib/editor/authors.ts';
import { Attribution } from '../../src/lib/model/history.ts';
import { MEMBER_COLORS } from '../../src/lib/model/members.ts';
import { bodyFragment, newPageDoc, seedPageBody, trackAuthorship } from '../../src/lib/model/index.ts';
import { syncBoth } from '../support/model-helpers.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 21, 10, 2);

/** What a body's runs show: each run's text and member (text `|`-joined across blocks). */
function runsOf(ydoc: Y.Doc): { text: string; member: string | null; at: number | null }[] {
	const fragment = bodyFragment(ydoc);
	const { doc, mapping } = initProseMirrorDoc(fragment, schema);
	return authorRuns({ fragment, doc, mapping }, new Attribution(ydoc)).map((run) => ({ text: doc.textBetween(run.from, run.to, '|'), member: run.member, at: run.at }));
}

/** A local edit, as the sync plugin writes it (one Yjs transaction). */
function edit(ydoc: Y.Doc, change: (state: EditorState) => Transaction): void {
	const fragment = bodyFragment(ydoc);
	const { doc, meta } = initProseMirrorDoc(fragment, schema);
	const next = change(EditorState.create({ schema, doc })).doc;
	ydoc.transact(() => updateYFragment(ydoc, fragment, next, meta), 'local');
}

/** Types `text` at the end of the `block`th paragraph. */
function type(ydoc: Y.Doc, text: string, block = 0): void {
	edit(ydoc, (state) => {
		let end = 0;
		state.doc.forEach((node, offset, index) => {
			if (index === block) end = offset + node.nodeSize - 1;
		});
		return state.tr.insertText(text, end);
	});
}

function position(ydoc: Y.Doc, text: string): number {
	const { doc } = initProseMirrorDoc(bodyFragment(ydoc), schema);
	let at = -1;
	doc.descendants((node, pos) => {
		if (at < 0 && node.isText && node.text!.includes(text)) at = pos + node.text!.indexOf(text);
		return at < 0;
	});
	if (at < 0) throw new Error(`no "${text}"`);
	return at;
}

/** Two replicas of one seeded page, each tracking its member's edits at the time `now()` gives. */
function team() {
	const clock = { now: T0 };
	const ana = newPageDoc();
	seedPageBody(ana, 'page', 'blank', [{ type: 'paragraph', text: 'Seed. ' }]);
	const ben = newPageDoc();
	syncBoth(ana, ben);
	trackAuthorship(ana, 'ana', () => clock.now);
	trackAuthorship(ben, 'ben', () => clock.now);
	return { ana, ben, clock };
}

describe('[AU2] runs of text by author', () => {
	it('follows concurrent edits, deletes and remote edits on both replicas', () => {
		const { ana, ben, clock } = team();
		type(ana, 'Ana wrote this. ');
		syncBoth(ana, ben);
		clock.now += 2 * MINUTE;
		// Concurrently: Ben adds at the end, Ana deletes "wrote " and adds to her own text.
		type(ben, 'Ben added.');
		edit(ana, (state) => state.tr.delete(position(ana, 'wrote '), position(ana, 'wrote ') + 6));
		syncBoth(ana, ben);
		const expected = [
			{ text: 'Seed. ', member: null, at: null },
			{ text: 'Ana this. ', member: 'ana', at: T0 },
			{ text: 'Ben added.', member: 'ben', at: T0 + 2 * MINUTE }
		];
		expect(runsOf(ana)).toEqual(expected);
		expect(runsOf(ben)).toEqual(expected);
	});

	it('merges a member’s adjacent text of one minute and splits at a new minute, also inside one Yjs item', () => {
		const { ana, clock } = team();
		type(ana, 'One ');
		clock.now += 10_000;
		type(ana, 'two ');
		clock.now += 2 * MINUTE;
		type(ana, 'three');
		// Yjs merged Ana's consecutive inserts into few items; the runs still split at the minute.
		expect(runsOf(ana)).toEqual([
			{ text: 'Seed. ', member: null, at: null },
			{ text: 'One two ', member: 'ana', at: T0 },
			{ text: 'three', member: 'ana', at: T0 + 2 * MINUTE + 10_000 }
		]);
	});

	it('keeps authors across a join of two paragraphs and across blocks', () => {
		const { ana, ben, clock } = team();
		type(ana, 'First.');
		edit(ana, (state) => state.tr.insert(state.doc.content.size, schema.nodes['paragraph']!.create()));
		syncBoth(ana, ben);
		clock.now += MINUTE;
		type(ben, 'Second.', 1);
		syncBoth(ana, ben);
		expect(runsOf(ana)).toEqual([
			{ text: 'Seed. ', member: null, at: null },
			{ text: 'First.', member: 'ana', at: T0 },
			{ text: 'Second.', member: 'ben', at: T0 + MINUTE }
		]);
		// Ana joins the paragraphs (Backspace at the second one's start): y-prosemirror writes a join
		// as deleting the moved text and typing it anew, so the records (and the runs) name her, now.
		clock.now += MINUTE;
		edit(ana, (state) => {
			const start = position(ana, 'Second.');
			let tr: Transaction | null = null;
			joinBackward(state.apply(state.tr.setSelection(TextSelection.create(state.doc, start))), (t) => (tr = t));
			return tr!;
		});
		syncBoth(ana, ben);
		const runs = runsOf(ben);
		expect(runs).toEqual([
			{ text: 'Seed. ', member: null, at: null },
			{ text: 'First.', member: 'ana', at: T0 },
			{ text: 'Second.', member: 'ana', at: T0 + 2 * MINUTE }
		]);
		expect(runsOf(ana)).toEqual(runs);
	});
});

const people = (known: Record<string, { name: string; color: string }>): AuthorPeople => ({
	person: (id) => known[id],
	onChange: () => () => {}
});

describe('[AU3] seed text and unknown members', () => {
	it('draws no decoration on seed text and names a member nobody knows "Unknown author"', () => {
		const { ana, ben, clock } = team();
		type(ana, 'Ana. ');
		clock.now += MINUTE;
		syncBoth(ana, ben);
		type(ben, 'Ben.');
		syncBoth(ana, ben);
		const fragment = bodyFragment(ana);
		const state = EditorState.create({
			schema,
			doc: readOnlyDoc(fragment),
			plugins: [authorsPlugin({ fragment, people: people({ ana: { name: 'Ana Lima', color: '#2563eb' } }), shown: true, timeZone: 'UTC' })]
		});
		const { decorations, authors, unrecorded } = authorsKey.getState(state)!;
		const drawn = decorations.find().map((d) => ({ text: state.doc.textBetween(d.from, d.to), title: d.spec['title'] as string }));
		expect(drawn).toEqual([
			{ text: 'Ana. ', title: 'Ana Lima · 21 Nov 2026, 10:02' },
			{ text: 'Ben.', title: `${UNKNOWN_AUTHOR} · 21 Nov 2026, 10:03` }
		]);
		expect(authors.map((a) => a.name)).toEqual(['Ana Lima', UNKNOWN_AUTHOR]);
		expect(unrecorded).toBe(true);
	});
});

describe('[AU4] titles', () => {
	it('name the author and the time in the viewer’s zone', () => {
		expect(authorTitle('Ana Lima', T0, 'UTC')).toBe('Ana Lima · 21 Nov 2026, 10:02');
		expect(authorTitle('Ana Lima', T0, 'America/Sao_Paulo')).toBe('Ana Lima · 21 Nov 2026, 07:02');
		expect(authorTitle('Ana Lima', T0, 'Asia/Tokyo')).toBe('Ana Lima · 21 Nov 2026, 19:02');
		expect(authorTitle('Ana Lima', null, 'UTC')).toBe('Ana Lima');
	});
});

describe('[AU5] the plugin', () => {
	it('is off until a meta switches it on, and maps its decorations through changes', () => {
		const { ana } = team();
		type(ana, 'Hello');
		const fragment = bodyFragment(ana);
		let state = EditorState.create({
			schema,
			doc: readOnlyDoc(fragment),
			plugins: [authorsPlugin({ fragment, people: people({ ana: { name: 'Ana', color: '#db2777' } }), timeZone: 'UTC' })]
		});
		expect(authorsKey.getState(state)).toMatchObject({ shown: false, authors: [] });
		expect(authorsKey.getState(state)!.decorations.find()).toEqual([]);
		state = state.apply(state.tr.setMeta(authorsKey, { shown: true }));
		const on = authorsKey.getState(state)!;
		expect(on.authors.map((a) => [a.member, a.name])).toEqual([['ana', 'Ana']]);
		const [deco] = on.decorations.find();
		expect(state.doc.textBetween(deco!.from, deco!.to)).toBe('Hello');
		// A change before the text moves the decoration along until the next re-read.
		state = state.apply(state.tr.insertText('>> ', 1));
		const [moved] = authorsKey.getState(state)!.decorations.find();
		expect(state.doc.textBetween(moved!.from, moved!.to)).toBe('Hello');
		state = state.apply(state.tr.setMeta(authorsKey, { shown: false }));
		expect(authorsKey.getState(state)!.decorations.find()).toEqual([]);
	});
});

describe('[AU6] tints', () => {
	const css = readFileSync(new URL('../../src/app.css', import.meta.url), 'utf8');
	const block = (selector: string) => css.slice(css.indexOf(`${selector} {`), css.indexOf('}', css.indexOf(`${selector} {`)));
	const variable = (text: string, name: string) => new RegExp(`--${name}:\\s*(#[0-9a-f]{6})`, 'i').exec(text)?.[1]?.toLowerCase();

	it.each([
		['light', ':root'],
		['dark', ":root[data-theme='dark']"]
	] as const)('match app.css (%s)', (theme, selector) => {
		const vars = block(selector);
		expect(variable(vars, 'bg')).toBe(THEME_TEXT[theme].bg);
		expect(['fg', 'muted', 'accent', 'danger'].map((name) => variable(vars, name))).toEqual(THEME_TEXT[theme].texts);
	});

	it('keep text at 4.5:1 for the member colours and extremes', () => {
		for (const color of [...MEMBER_COLORS, '#000000', '#ffffff', '#ffff00', '#00ffff', 'not a colour']) {
			const colors = authorColors(color);
			for (const text of THEME_TEXT.light.texts) expect(contrast(text, colors.light)).toBeGreaterThanOrEqual(4.5);
			for (const text of THEME_TEXT.dark.texts) expect(contrast(text, colors.dark)).toBeGreaterThanOrEqual(4.5);
		}
		// The app's own colours still show as a tint, not as the page background.
		for (const color of MEMBER_COLORS) {
			expect(authorColors(color).light).not.toBe(THEME_TEXT.light.bg);
			expect(authorColors(color).dark).not.toBe(THEME_TEXT.dark.bg);
		}
	});
});
