/**
 * "Who wrote what": while switched on, every run of text is drawn with the member who inserted it
 * (inline decorations, class `by-author`): a light tint of their colour behind the text and an
 * underline in it, and a `title` such as "Ana Lima · 21 Nov 2026, 10:02" in the viewer's zone. The
 * page shows a legend of the authors present (components/authors), so colour is never the only cue.
 *
 * Who and when come from the body's authorship records (model/history.ts `attributionOf`, shared with the catch-up readers and re-indexed only when the records change), read over
 * the live Y items of the text, and placed where the editor shows them by editor/y-ranges.ts (the
 * binding's sizes, or `bodySizes` for a read-only view). Consecutive text by the same member in the same minute is
 * one run. A Yjs item can hold text typed over several minutes (Yjs merges a client's consecutive
 * inserts), so an item whose first and last characters have different times is split where they change.
 *
 * Text nobody recorded (a page's seed or template, or text written before authorship was recorded)
 * gets no decoration: the legend says that unmarked text has no recorded author, rather than
 * guessing. Text whose member is recorded but not known here (a removed member) reads "Unknown
 * author" in a neutral grey. Mentions and page links (atoms) are skipped. y-prosemirror writes a join
 * of two paragraphs (and a split, or a moved block) as deleting the moved text and typing it anew,
 * so that text reads as written by whoever joined it, then: the records say so, and every device
 * agrees.
 *
 * On and off is a transaction meta (`setAuthorsShown`), so toggling never rebuilds the editor. As with
 * comment anchors (editor/comments.ts), runs are re-read after the view has settled on a change (one
 * microtask), never inside `apply` of a document change, and mapped through changes meanwhile. They are
 * also re-read when the authorship records change without the text changing (they sync as their own
 * update, often just after the text) and when people change (a rename, a new colour).
 */
import { Plugin, PluginKey, type EditorState, type Transaction } from 'prosemirror-state';
import { Decoration, DecorationSet, type EditorView } from 'prosemirror-view';
import * as Y from 'yjs';
import type { BodyView } from '../model/body-view.ts';
import { attributionOf, type Attribution, type Authored } from '../model/history.ts';
import { authorsMap, editsArray } from '../model/authorship.ts';
import { refreshLater } from './refresh.ts';
import { bodyOf, ItemPositions } from './y-ranges.ts';

/** What the editor needs to know of an author. */
export interface AuthorPerson {
	readonly name: string;
	/** `#rrggbb`; anything else is drawn in the neutral grey. */
	readonly color: string;
}

/** The workspace's people as this plugin sees them (PageView builds one from the people context). */
export interface AuthorPeople {
	/** One member by id; undefined when nobody by that id is known here. */
	person(id: string): AuthorPerson | undefined;
	/** Calls `listener` after every change to the people (a rename, a new colour); returns the unsubscribe. */
	onChange(listener: () => void): () => void;
}

export interface AuthorsPluginOptions {
	readonly fragment: Y.XmlFragment;
	readonly people: AuthorPeople;
	/** Shown from the start (the choice remembered on this device). */
	readonly shown?: boolean;
	/** The zone times are shown in; the device's by default. */
	readonly timeZone?: string;
}

/** A run of text with its author; `member` null when nobody recorded who wrote it. */
export interface AuthorRun {
	readonly from: number;
	readonly to: number;
	readonly member: string | null;
	readonly at: number | null;
}

/** An author present in the text, as the legend lists them. */
export interface PresentAuthor {
	readonly member: string;
	readonly name: string;
	readonly colors: AuthorColors;
}

export interface AuthorsState {
	readonly shown: boolean;
	readonly decorations: DecorationSet;
	/** Sorted by name. */
	readonly authors: readonly PresentAuthor[];
	/** Whether some text has no recorded author (drawn without a tint). */
	readonly unrecorded: boolean;
}

export const UNKNOWN_AUTHOR = 'Unknown author';
/** The colour of an author not known here (and of a colour that is not `#rrggbb`). */
export const NEUTRAL_COLOR = '#6b7280';

export const authorsKey = new PluginKey<AuthorsState>('authors');

type Meta = { readonly shown: boolean } | 'refresh';

const MINUTE = 60_000;

// ---- runs ----

/**
 * The runs of text in `body` with who inserted them, in document order; adjacent text by the same
 * member in the same minute is one run. Includes unrecorded text (member null).
 */
export function authorRuns(body: BodyView, attribution: Attribution): AuthorRun[] {
	const positions = new ItemPositions(body);
	const runs: AuthorRun[] = [];
	// Every live text item, in document order, placed by the one walk of the body (editor/y-ranges.ts).
	for (const [item] of positions.items()) {
		const range = positions.range({ item, offset: 0, length: item.length });
		if (!range) continue;
		const from = range.from;
		for (const part of attributed(attribution, item.id.client, item.id.clock, item.length)) {
			const start = from + part.offset;
			const last = runs[runs.length - 1];
			if (last && last.to === start && sameAuthorship(last, part.authored)) runs[runs.length - 1] = { ...last, to: start + part.length };
			else runs.push({ from: start, to: start + part.length, member: part.authored.member, at: part.authored.at });
		}
	}
	return runs;
}

interface Part {
	readonly offset: number;
	readonly length: number;
	readonly authored: Authored;
}

/**
 * The characters `clock`…`clock + length` of one client, split where their authorship changes.
 * A client's edit times only grow with its clock, so equal ends mean an equal middle: bisect.
 */
function attributed(attribution: Attribution, client: number, clock: number, length: number, offset = 0): Part[] {
	const first = attribution.inserted(Y.createID(client, clock));
	if (length === 1) return [{ offset, length, authored: first }];
	const last = attribution.inserted(Y.createID(client, clock + length - 1));
	if (first.member === last.member && first.at === last.at) return [{ offset, length, authored: first }];
	const half = Math.floor(length / 2);
	return [...attributed(attribution, client, clock, half, offset), ...attributed(attribution, client, clock + half, length - half, offset + half)];
}

function sameAuthorship(run: AuthorRun, authored: Authored): boolean {
	if (run.member !== authored.member) return false;
	if (run.at === null || authored.at === null) return run.at === authored.at;
	return Math.floor(run.at / MINUTE) === Math.floor(authored.at / MINUTE);
}

// ---- how a run reads and looks ----

/** "Ana Lima · 21 Nov 2026, 10:02" in `timeZone`; just the name when the time is unknown. */
export function authorTitle(name: string, at: number | null, timeZone: string): string {
	if (at === null) return name;
	const when = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone }).format(at);
	return `${name} · ${when}`;
}

/** An author's tint and underline in each theme (custom properties the app.css block reads). */
export interface AuthorColors {
	readonly light: string;
	readonly dark: string;
	readonly lineLight: string;
	readonly lineDark: string;
}

/**
 * The page background and every text colour that may sit on a tint, per theme (app.css; the unit
 * test checks they still match). A tint is as strong as it can be up to `strength` while each of
 * these texts keeps 4.5:1 on it (WCAG 1.4.3), whatever colour a member picked.
 */
export const THEME_TEXT = {
	light: { bg: '#ffffff', texts: ['#111827', '#4b5563', '#1d4ed8', '#b91c1c'], strength: 0.2 },
	dark: { bg: '#0f172a', texts: ['#e5e7eb', '#9ca3af', '#93c5fd', '#fca5a5'], strength: 0.35 }
} as const;

export function authorColors(color: string): AuthorColors {
	const base = /^#[0-9a-f]{6}$/i.test(color) ? color.toLowerCase() : NEUTRAL_COLOR;
	return {
		light: tint(base, THEME_TEXT.light),
		dark: tint(base, THEME_TEXT.dark),
		lineLight: base,
		lineDark: mix(base, '#ffffff', 0.6)
	};
}

function tint(color: string, theme: { readonly bg: string; readonly texts: readonly string[]; readonly strength: number }): string {
	for (let share = theme.strength; share > 0; share -= 0.02) {
		const candidate = mix(color, theme.bg, share);
		if (theme.texts.every((text) => contrast(text, candidate) >= 4.5)) return candidate;
	}
	return theme.bg;
}

/** `share` of `a` over `b`, per sRGB channel. */
export function mix(a: string, b: string, share: number): string {
	const channel = (hex: string, i: number) => parseInt(hex.slice(i, i + 2), 16);
	let out = '#';
	for (const i of [1, 3, 5]) out += Math.round(channel(a, i) * share + channel(b, i) * (1 - share)).toString(16).padStart(2, '0');
	return out;
}

/** WCAG contrast ratio of two `#rrggbb` colours. */
export function contrast(a: string, b: string): number {
	const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
	return (hi! + 0.05) / (lo! + 0.05);
}

function luminance(hex: string): number {
	const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
	return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

// ---- the plugin ----

const HIDDEN: Omit<AuthorsState, 'shown'> = { decorations: DecorationSet.empty, authors: [], unrecorded: false };

function read(state: EditorState, options: AuthorsPluginOptions): AuthorsState {
	const ydoc = options.fragment.doc;
	if (!ydoc) return { shown: true, ...HIDDEN };
	const zone = options.timeZone ?? (Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
	const runs = authorRuns(bodyOf(state, options.fragment), attributionOf(ydoc));
	const present = new Map<string, PresentAuthor>();
	const decorations: Decoration[] = [];
	let unrecorded = false;
	for (const run of runs) {
		if (run.member === null) {
			unrecorded = true;
			continue;
		}
		let author = present.get(run.member);
		if (!author) {
			const person = options.people.person(run.member);
			author = { member: run.member, name: person?.name.trim() || UNKNOWN_AUTHOR, colors: authorColors(person?.color ?? NEUTRAL_COLOR) };
			present.set(run.member, author);
		}
		const { light, dark, lineLight, lineDark } = author.colors;
		const title = authorTitle(author.name, run.at, zone);
		decorations.push(
			Decoration.inline(run.from, run.to, {
				class: 'by-author',
				title,
				'data-author': run.member,
				style: `--author-light: ${light}; --author-dark: ${dark}; --author-line-light: ${lineLight}; --author-line-dark: ${lineDark}`
			}, { member: run.member, title })
		);
	}
	const authors = [...present.values()].sort((a, b) => a.name.localeCompare(b.name) || (a.member < b.member ? -1 : 1));
	return { shown: true, decorations: DecorationSet.create(state.doc, decorations), authors, unrecorded };
}

/** Switches the authors' colours on or off (a transaction of its own; the editor is not rebuilt). */
export function setAuthorsShown(view: EditorView, shown: boolean): void {
	view.dispatch(view.state.tr.setMeta(authorsKey, { shown } satisfies Meta));
}

/** The plugin's state, or null when the editor has no authors plugin. */
export function authorsState(state: EditorState): AuthorsState | null {
	return authorsKey.getState(state) ?? null;
}

export function authorsPlugin(options: AuthorsPluginOptions): Plugin<AuthorsState> {
	return new Plugin<AuthorsState>({
		key: authorsKey,
		state: {
			init: (_config, state) => (options.shown ? read(state, options) : { shown: false, ...HIDDEN }),
			apply(tr: Transaction, value, _old, state) {
				const meta = tr.getMeta(authorsKey) as Meta | undefined;
				if (meta === 'refresh') return value.shown ? read(state, options) : value;
				if (meta) return meta.shown ? read(state, options) : { shown: false, ...HIDDEN };
				return tr.docChanged && value.shown ? { ...value, decorations: value.decorations.map(tr.mapping, tr.doc) } : value;
			}
		},
		props: {
			decorations: (state) => authorsKey.getState(state)?.decorations
		},
		view(view) {
			const refresh = refreshLater(view, authorsKey, 'refresh' satisfies Meta, () => authorsKey.getState(view.state)?.shown === true);
			// The records sync as their own update, often just after the text: re-read when they change.
			const ydoc = options.fragment.doc;
			const records = ydoc ? [authorsMap(ydoc), editsArray(ydoc)] : [];
			for (const record of records) record.observe(refresh);
			const unsubscribe = options.people.onChange(refresh);
			return {
				update(view, previous) {
					if (view.state.doc !== previous.doc) refresh();
				},
				destroy() {
					for (const record of records) record.unobserve(refresh);
					unsubscribe();
				}
			};
		}
	});
}
