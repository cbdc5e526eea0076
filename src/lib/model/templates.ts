/**
 * Templates: how a page's body starts, and which pages of the workspace are templates.
 *
 * Every page's index entry records its seed (PageEntry.seed), written once when the page is made:
 *
 *   'blank'                       one empty paragraph (entries from before templates read as this)
 *   'builtin:<name>@<version>'    a built-in template below
 *   'page:<templateId>@<tag>'     a copy of a workspace template, as it was at `tag` (its state vector)
 *
 * A device opening an empty body seeds it with exactly the entry's seed, never with another one:
 * seeds of different names write under different client ids (page.ts `seedPageBody`), so a page
 * seeded 'blank' on one device and from a template on another would hold both.
 *
 * Built-in seeds are fixed data, so any device may write them: two devices seeding one page at once
 * write byte-identical structs and Yjs keeps one copy. A copy of a workspace template is not: it
 * depends on the template's content as that device has it, and even at the same state vector two
 * replicas may iterate attributes in different orders, so their structs could differ under one
 * client id — a corrupt document. Only the creating device writes a copy, in the same task as the
 * index entry (one IndexedDB transaction, see sync/local-store.ts); other devices wait for it to
 * sync. Two members creating from one template at once make two pages, each with one copy.
 *
 *   templates: pageId → { name, markedBy, markedAt, removedBy, removedAt }   (in the workspace doc)
 *
 * Unmarking overwrites the record with removedAt set instead of deleting the key: a bare map
 * delete creates no structs, and the sync status relies on every local change creating some (see
 * workspace.ts deletePage).
 */
import * as Y from 'yjs';
import { Origin } from './origins.ts';
import { BASE_SCHEMA_VERSION, MENTION_SCHEMA_VERSION, assertWritable } from './version.ts';
import { MENTION_NODE } from './mentions.ts';
import { bodyFragment, seedPageBody, seedPageBodyWith, blankPage, type SeedBlock } from './page.ts';
import { getPage, listPages, type Actor } from './workspace.ts';

export const BLANK_SEED = 'blank';

/** A built-in template: fixed starting content, identified by name and version. */
export interface BuiltinTemplate {
	readonly name: string;
	readonly version: number;
	/** Shown in the "New from template…" dialog and used as the new page's title. */
	readonly title: string;
	readonly description: string;
	readonly blocks: readonly SeedBlock[];
	/** The body of a decision record (decisions.ts): offered by "New decision", not as a page template. */
	readonly decision?: boolean;
}

// ---- building blocks (names and attributes as in editor/schema.ts) ----
// Every attribute without a null default is written, as y-prosemirror writes it: an attribute it
// finds missing it would add on a member's first edit of that block, a needless change.

const p = (text = ''): SeedBlock => (text === '' ? { type: 'paragraph' } : { type: 'paragraph', text });
const h = (level: 1 | 2 | 3, text: string): SeedBlock => ({ type: 'heading', attrs: { level }, text });
const items = (type: 'list_item', texts: readonly string[]): SeedBlock[] => texts.map((text) => ({ type, content: [p(text)] }));
const bullets = (...texts: string[]): SeedBlock => ({ type: 'bullet_list', content: items('list_item', texts) });
const numbered = (...texts: string[]): SeedBlock => ({ type: 'ordered_list', attrs: { order: 1 }, content: items('list_item', texts) });
const tasks = (...texts: string[]): SeedBlock => ({
	type: 'task_list',
	content: texts.map((text) => ({ type: 'task_item', attrs: { checked: false }, content: [p(text)] }))
});
const cell = (type: 'table_cell' | 'table_header', text: string): SeedBlock => ({ type, attrs: { colspan: 1, rowspan: 1 }, content: [p(text)] });
const table = (header: readonly string[], ...rows: (readonly string[])[]): SeedBlock => ({
	type: 'table',
	content: [
		{ type: 'table_row', content: header.map((text) => cell('table_header', text)) },
		...rows.map((row) => ({ type: 'table_row', content: row.map((text) => cell('table_cell', text)) }))
	]
});

/** The sections of a decision record, in both shipped versions of its template. */
const decisionBody: readonly SeedBlock[] = [
	h(2, 'Context'),
	p(),
	h(2, 'Options considered'),
	h(3, 'Option 1'),
	bullets('Good, because ', 'Bad, because '),
	h(3, 'Option 2'),
	bullets('Good, because ', 'Bad, because '),
	h(2, 'Decision'),
	p('Chosen option: '),
	h(2, 'Consequences'),
	bullets('')
];

/*
 * A built-in's content never changes once shipped: its seed name (and so its client id) is the
 * same for every device, and two devices writing different content under one client id and the
 * same clocks would corrupt the page. To change a template, add `name@version+1` beside the old
 * one and keep the old one here for ever: a device must still reproduce a version that an older
 * device put in a page entry (and one that does not know a newer version waits for its content).
 */
const shipped: readonly BuiltinTemplate[] = [
	{
		name: 'meeting',
		version: 1,
		title: 'Meeting notes',
		description: 'Date, attendees, agenda, notes, decisions and action items.',
		blocks: [
			p('Date: '),
			p('Attendees: '),
			h(2, 'Agenda'),
			bullets(''),
			h(2, 'Notes'),
			p(),
			h(2, 'Decisions'),
			bullets(''),
			h(2, 'Action items'),
			tasks('')
		]
	},
	{
		name: 'standup',
		version: 1,
		title: 'Stand-up update',
		description: 'An async update: what is done, what you are doing, what blocks you.',
		blocks: [h(2, 'Done'), tasks(''), h(2, 'Doing'), tasks(''), h(2, 'Blocked'), tasks('')]
	},
	{
		name: 'howto',
		version: 1,
		title: 'How-to guide',
		description: 'A goal, what you need first, numbered steps, and what to do when it goes wrong.',
		blocks: [
			h(2, 'Goal'),
			p(),
			h(2, 'Prerequisites'),
			bullets(''),
			h(2, 'Steps'),
			numbered('', ''),
			h(2, 'Troubleshooting'),
			bullets('')
		]
	},
	{
		name: 'brief',
		version: 1,
		title: 'Project brief',
		description: 'Problem, goals and non-goals, scope, milestones and risks.',
		blocks: [
			h(2, 'Problem'),
			p(),
			h(2, 'Goals'),
			bullets(''),
			h(2, 'Non-goals'),
			bullets(''),
			h(2, 'Scope'),
			p(),
			h(2, 'Milestones'),
			table(['Milestone', 'Date', 'Owner'], ['', '', '']),
			h(2, 'Risks'),
			bullets('')
		]
	},
	{
		// Superseded by decision@2, which leaves the status to the record's own field. Kept for ever:
		// pages seeded from it must still seed identically (see above).
		name: 'decision',
		version: 1,
		title: 'Decision record',
		description: 'Context, the options with their pros and cons, the decision and its consequences.',
		blocks: [p('Status: proposed'), ...decisionBody]
	},
	{
		name: 'decision',
		version: 2,
		title: 'Decision record',
		description: 'Context, the options with their pros and cons, the decision and its consequences.',
		decision: true,
		blocks: decisionBody
	}
];

const byKey = new Map(shipped.map((t) => [`${t.name}@${t.version}`, t]));

/** The newest version of each built-in, in the order the dialog offers them. */
export const builtinTemplates: readonly BuiltinTemplate[] = [...new Set(shipped.map((t) => t.name))].map(
	(name) => shipped.filter((t) => t.name === name).reduce((a, b) => (b.version > a.version ? b : a))
);

/** The body every new decision record starts from (decisions.ts). */
export const decisionTemplate: BuiltinTemplate = builtinTemplates.find((t) => t.decision === true)!;

/** What the "New from template…" dialog offers: decision records have their own "New decision". */
export const pageTemplates: readonly BuiltinTemplate[] = builtinTemplates.filter((t) => t.decision !== true);

export function builtinSeed(template: BuiltinTemplate): string {
	return `builtin:${template.name}@${template.version}`;
}

/** A page entry's seed, read. */
export type PageSeed =
	| { readonly kind: 'blank' }
	| { readonly kind: 'builtin'; readonly template: BuiltinTemplate }
	| { readonly kind: 'page'; readonly templateId: string }
	/** A built-in version this device does not know (made by a newer app), or a seed it cannot read. */
	| { readonly kind: 'unknown' };

export function parseSeed(seed: string): PageSeed {
	if (seed === BLANK_SEED) return { kind: 'blank' };
	const builtin = /^builtin:([a-z0-9-]+@[0-9]+)$/.exec(seed);
	if (builtin) {
		const template = byKey.get(builtin[1]!);
		return template ? { kind: 'builtin', template } : { kind: 'unknown' };
	}
	const page = /^page:([A-Za-z0-9_-]+)@[0-9a-f]+$/.exec(seed);
	if (page) return { kind: 'page', templateId: page[1]! };
	return { kind: 'unknown' };
}

/**
 * Gives an empty body the starting content its entry names, if any device may write it ('blank'
 * and known built-ins). Returns true if applied now. A copy of a workspace template, or a seed
 * this device does not know, is never written here: its content comes from the creating device.
 */
export function seedFromEntry(doc: Y.Doc, pageId: string, seed: string): boolean {
	const parsed = parseSeed(seed);
	switch (parsed.kind) {
		case 'blank':
			return seedPageBody(doc, pageId, BLANK_SEED, blankPage);
		case 'builtin':
			return seedPageBody(doc, pageId, seed, parsed.template.blocks);
		case 'page':
		case 'unknown':
			return false;
		default:
			return exhaustive(parsed);
	}
}

/** What opening a page body did about its starting content (seedOpenedPage). */
export type SeedOutcome =
	/** The body got its seed now. */
	| 'seeded'
	/** The body already had content (or this seed): nothing to do. */
	| 'has-content'
	/** The page is not in this device's index yet: its seed is unknown, so try again when it arrives. */
	| 'no-entry'
	/** The content comes from the device that created the page (a copy of a workspace template). */
	| 'from-creator';

/**
 * Seeds a page body just opened on this device, as its index entry says and never otherwise: a
 * page not yet in the index is left alone (seeding it 'blank' could add a paragraph to a page
 * that turns out to start from a template).
 */
export function seedOpenedPage(workspace: Y.Doc, body: Y.Doc, pageId: string): SeedOutcome {
	if (bodyFragment(body).length > 0) return 'has-content';
	const entry = getPage(workspace, pageId);
	if (!entry) return 'no-entry';
	if (seedComesFromCreator(entry.seed)) return 'from-creator';
	return seedFromEntry(body, pageId, entry.seed) ? 'seeded' : 'has-content';
}

/** Whether only the device that created the page may write its starting content. */
export function seedComesFromCreator(seed: string): boolean {
	const kind = parseSeed(seed).kind;
	return kind === 'page' || kind === 'unknown';
}

// ---- copies of workspace templates ----

/** The seed of a copy of `templateId` as `template` holds it now. */
export function pageTemplateSeed(templateId: string, template: Y.Doc): string {
	return `page:${templateId}@${hashBytes(Y.encodeStateVector(template))}`;
}

/**
 * Writes a copy of `template`'s body into the empty body `target` of page `pageId`, as the seed
 * `seed` (from pageTemplateSeed): nobody's edit (the authorship tracker skips seeds), formatting
 * and attributes kept, none of the template's history. Call on the creating device only (see the
 * top of this file). Returns false if `target` already had content.
 */
export function copyTemplateBody(target: Y.Doc, pageId: string, seed: string, template: Y.Doc): boolean {
	// A copy holds what the template holds: mentions need their schema version (version.ts).
	const version = holds(bodyFragment(template), MENTION_NODE) ? MENTION_SCHEMA_VERSION : BASE_SCHEMA_VERSION;
	return seedPageBodyWith(
		target,
		pageId,
		seed,
		() =>
			bodyFragment(template)
				.toArray()
				// y-prosemirror writes only elements and texts; a hook would be some other client's.
				.flatMap((node) => (node instanceof Y.XmlElement || node instanceof Y.XmlText ? [node.clone()] : [])),
		version
	);
}

/** Whether a body holds an element named `nodeName`, at any depth. */
function holds(type: Y.XmlFragment | Y.XmlElement, nodeName: string): boolean {
	return type.toArray().some((child) => child instanceof Y.XmlElement && (child.nodeName === nodeName || holds(child, nodeName)));
}

// ---- the workspace's templates ----

export interface WorkspaceTemplate {
	readonly pageId: string;
	/** The page's title when it was marked (the dialog shows its current title). */
	readonly name: string;
	readonly markedBy: string;
	readonly markedAt: number;
}

interface TemplateRecord {
	readonly name: string;
	readonly markedBy: string;
	readonly markedAt: number;
	readonly removedBy?: string | null;
	readonly removedAt?: number | null;
}

export function templatesMap(doc: Y.Doc): Y.Map<TemplateRecord> {
	return doc.getMap('templates');
}

/** Marks a page as a template of the workspace; does nothing if it is one already. */
export function markTemplate(doc: Y.Doc, pageId: string, actor: Actor): void {
	assertWritable(doc);
	const page = getPage(doc, pageId);
	if (!page) throw new Error(`There is no page ${pageId}.`);
	if (isTemplate(doc, pageId)) return;
	doc.transact(() => templatesMap(doc).set(pageId, { name: page.title, markedBy: actor.memberId, markedAt: actor.now }), Origin.local);
}

/** Takes a page off the workspace's templates; pages made from it keep their content. */
export function unmarkTemplate(doc: Y.Doc, pageId: string, actor: Actor): void {
	assertWritable(doc);
	const record = readRecord(templatesMap(doc).get(pageId));
	if (!record || record.removedAt != null) return;
	doc.transact(() => templatesMap(doc).set(pageId, { ...record, removedBy: actor.memberId, removedAt: actor.now }), Origin.local);
}

export function isTemplate(doc: Y.Doc, pageId: string): boolean {
	const record = readRecord(templatesMap(doc).get(pageId));
	return record !== null && record.removedAt == null;
}

/** The workspace's templates whose page is in the index and not archived, oldest mark first. */
export function listTemplates(doc: Y.Doc): WorkspaceTemplate[] {
	const live = new Set(listPages(doc).filter((page) => page.archivedAt === null).map((page) => page.id));
	const out: WorkspaceTemplate[] = [];
	templatesMap(doc).forEach((value, pageId) => {
		const record = readRecord(value);
		if (!record || record.removedAt != null || !live.has(pageId)) return;
		out.push({ pageId, name: record.name, markedBy: record.markedBy, markedAt: record.markedAt });
	});
	return out.sort((a, b) => a.markedAt - b.markedAt || (a.pageId < b.pageId ? -1 : 1));
}

/** A record as another (older or newer) client may have written it, or null if unreadable. */
function readRecord(value: unknown): TemplateRecord | null {
	if (typeof value !== 'object' || value === null) return null;
	const r = value as Record<string, unknown>;
	return {
		name: typeof r['name'] === 'string' ? r['name'] : '',
		markedBy: typeof r['markedBy'] === 'string' ? r['markedBy'] : '',
		markedAt: typeof r['markedAt'] === 'number' ? r['markedAt'] : 0,
		removedBy: typeof r['removedBy'] === 'string' ? r['removedBy'] : null,
		removedAt: typeof r['removedAt'] === 'number' ? r['removedAt'] : null
	};
}

/** FNV-1a over bytes, as 8 hex digits: a short tag, not a security measure. */
function hashBytes(bytes: Uint8Array): string {
	let hash = 0x811c9dc5;
	for (const byte of bytes) {
		hash ^= byte;
		hash = Math.imul(hash, 0x01000193);
	}
	return (hash >>> 0).toString(16).padStart(8, '0');
}

function exhaustive(value: never): never {
	throw new Error(`Unexpected seed ${JSON.stringify(value)}`);
}
