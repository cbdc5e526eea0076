/**
 * Templates (src/lib/model/templates.ts) and the seeds page entries name.
 *
 * [TP1] Every built-in template seeds a document the editor's schema accepts, with the attributes
 *       y-prosemirror itself would write (so a member's first edit does not rewrite them).
 * [TP2] Two replicas seeding one page from the same built-in at the same time hold one copy after
 *       merging, in either order.
 * [TP3] A built-in's seed client id depends on its version: two versions never write under one id.
 *       A version this device does not know is not seeded (its content comes from elsewhere).
 * [TP4] A page is seeded only as its index entry says: an entry naming a built-in never also gets
 *       a blank paragraph; a body opened before its entry arrives is left alone; an entry without
 *       a seed (written before templates) starts blank.
 * [TP5] Any page can be marked as a template and unmarked; unmarking writes structs (no bare
 *       delete); archived or deleted pages are not offered; concurrent marks give one template.
 * [TP6] Copying a workspace template copies its content (formatting and attributes, none of its
 *       history) as a seed nobody authored; later edits to the template don't reach the copy; the
 *       seed names the template and the state it was copied at; no other device writes the copy.
 *       A copy of a template holding a mention is stamped with the mention schema; others the base.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { prosemirrorToYXmlFragment, yXmlFragmentToProsemirror } from 'y-prosemirror';
import {
	BLANK_SEED,
	BASE_SCHEMA_VERSION,
	MENTION_SCHEMA_VERSION,
	readSchemaVersion,
	archivePage,
	authorsMap,
	bodyFragment,
	builtinSeed,
	builtinTemplates,
	copyTemplateBody,
	createPage,
	deletePage,
	editsArray,
	getPage,
	isTemplate,
	listTemplates,
	markTemplate,
	newPageDoc,
	pageTemplateSeed,
	pagesMap,
	parseSeed,
	seedClientId,
	seedFromEntry,
	seedOpenedPage,
	seedPageBody,
	templatesMap,
	trackAuthorship,
	unmarkTemplate,
	type Actor,
	type BuiltinTemplate
} from '../../src/lib/model/index.ts';
import { schema } from '../../src/lib/editor/schema.ts';
import { bodyNodes, syncBoth } from '../support/model-helpers.ts';

const alice: Actor = { memberId: 'alice', now: 1_000 };
const bob: Actor = { memberId: 'bob', now: 2_000 };

function builtin(name: string): BuiltinTemplate {
	const template = builtinTemplates.find((t) => t.name === name);
	if (!template) throw new Error(`no built-in ${name}`);
	return template;
}

/** The body as the editor would show it: a ProseMirror doc, checked against the schema. */
function pmDoc(doc: Y.Doc) {
	const node = yXmlFragmentToProsemirror(schema, bodyFragment(doc));
	node.check();
	return node;
}

function headings(doc: Y.Doc): string[] {
	const out: string[] = [];
	pmDoc(doc).descendants((node) => {
		if (node.type.name === 'heading') out.push(node.textContent);
	});
	return out;
}

function nodeTypes(doc: Y.Doc): Set<string> {
	const out = new Set<string>();
	pmDoc(doc).descendants((node) => void out.add(node.type.name));
	return out;
}

describe('built-in templates', () => {
	it('[TP1] there are five, each versioned, named like the issue asks', () => {
		expect(builtinTemplates.map((t) => `${t.name}@${t.version}`)).toEqual(['meeting@1', 'standup@1', 'howto@1', 'brief@1', 'decision@2']);
		for (const t of builtinTemplates) expect(parseSeed(builtinSeed(t))).toEqual({ kind: 'builtin', template: t });
	});

	it.each(builtinTemplates.map((t) => [t.name, t] as const))('[TP1] %s seeds a valid document with y-prosemirror’s own attributes', (_, template) => {
		const doc = newPageDoc();
		expect(seedFromEntry(doc, 'page-1', builtinSeed(template))).toBe(true);
		const node = pmDoc(doc);
		expect(node.childCount).toBe(template.blocks.length);
		// What y-prosemirror writes for the same ProseMirror doc is exactly what the seed wrote.
		const rewritten = new Y.Doc();
		prosemirrorToYXmlFragment(node, rewritten.getXmlFragment('x'));
		expect(bodyNodes(rewritten.getXmlFragment('x'))).toEqual(bodyNodes(bodyFragment(doc)));
	});

	it('[TP1] each has the shape it promises', () => {
		const seeded = (name: string) => {
			const doc = newPageDoc();
			seedFromEntry(doc, 'p', builtinSeed(builtin(name)));
			return doc;
		};
		const meeting = seeded('meeting');
		expect(headings(meeting)).toEqual(['Agenda', 'Notes', 'Decisions', 'Action items']);
		expect(pmDoc(meeting).textContent).toMatch(/Date:.*Attendees:/);
		expect(nodeTypes(meeting)).toContain('task_item');

		const standup = seeded('standup');
		expect(headings(standup)).toEqual(['Done', 'Doing', 'Blocked']);
		expect([...pmDoc(standup).content.content].map((n) => n.type.name)).toEqual(['heading', 'task_list', 'heading', 'task_list', 'heading', 'task_list']);

		const howto = seeded('howto');
		expect(headings(howto)).toEqual(['Goal', 'Prerequisites', 'Steps', 'Troubleshooting']);
		expect(nodeTypes(howto)).toContain('ordered_list');

		const brief = seeded('brief');
		expect(headings(brief)).toEqual(['Problem', 'Goals', 'Non-goals', 'Scope', 'Milestones', 'Risks']);
		expect(nodeTypes(brief)).toContain('table_header');

		const decision = seeded('decision');
		expect(headings(decision)).toEqual(['Context', 'Options considered', 'Option 1', 'Option 2', 'Decision', 'Consequences']);
		expect(pmDoc(decision).textContent).toMatch(/Good, because .*Bad, because /);
	});
});

describe('seeding a built-in on several devices', () => {
	it('[TP2] two replicas seeding the same page from the same built-in end with one copy, merged either way', () => {
		for (const template of builtinTemplates) {
			for (const order of ['ab', 'ba'] as const) {
				const a = newPageDoc();
				const b = newPageDoc();
				const alone = newPageDoc();
				seedFromEntry(a, 'page-9', builtinSeed(template));
				seedFromEntry(b, 'page-9', builtinSeed(template));
				seedFromEntry(alone, 'page-9', builtinSeed(template));
				if (order === 'ab') syncBoth(a, b);
				else syncBoth(b, a);
				expect(bodyNodes(bodyFragment(a))).toEqual(bodyNodes(bodyFragment(alone)));
				expect(bodyNodes(bodyFragment(b))).toEqual(bodyNodes(bodyFragment(alone)));
				expect(Y.encodeStateVector(a)).toEqual(Y.encodeStateVector(alone));
			}
		}
	});
});

describe('built-in versions', () => {
	it('[TP3] another version of a built-in writes under another client id', () => {
		const v1 = newPageDoc();
		const v2 = newPageDoc();
		seedFromEntry(v1, 'p', 'builtin:meeting@1');
		seedPageBody(v2, 'p', 'builtin:meeting@2', builtin('meeting').blocks);
		const [client1] = v1.store.clients.keys();
		const [client2] = v2.store.clients.keys();
		expect(client1).toBe(seedClientId(`p\u0000builtin:meeting@1\u0000${BASE_SCHEMA_VERSION}`));
		expect(client2).not.toBe(client1);
	});

	it('[TP3] a version this device does not know is not seeded here', () => {
		expect(parseSeed('builtin:meeting@99')).toEqual({ kind: 'unknown' });
		expect(parseSeed('builtin:nonsense@1')).toEqual({ kind: 'unknown' });
		expect(parseSeed('something else')).toEqual({ kind: 'unknown' });
		const doc = newPageDoc();
		expect(seedFromEntry(doc, 'p', 'builtin:meeting@99')).toBe(false);
		expect(doc.store.clients.size).toBe(0);
	});
});

describe('seeding as the entry says', () => {
	it('[TP4] a page whose entry names a built-in is never also seeded blank, on any device', () => {
		const ws = new Y.Doc();
		const id = createPage(ws, { title: 'Weekly', seed: 'builtin:meeting@1' }, alice);
		expect(getPage(ws, id)?.seed).toBe('builtin:meeting@1');
		const creator = newPageDoc();
		const other = newPageDoc();
		expect(seedOpenedPage(ws, creator, id)).toBe('seeded');
		expect(seedOpenedPage(ws, other, id)).toBe('seeded');
		expect(seedOpenedPage(ws, other, id)).toBe('has-content');
		syncBoth(creator, other);
		const reference = newPageDoc();
		seedFromEntry(reference, id, 'builtin:meeting@1');
		expect(bodyNodes(bodyFragment(other))).toEqual(bodyNodes(bodyFragment(reference)));
		expect(bodyFragment(other).length).toBe(builtin('meeting').blocks.length);
	});

	it('[TP4] why: a blank seed and a template seed have different client ids, so both would apply', () => {
		const a = newPageDoc();
		const b = newPageDoc();
		seedFromEntry(a, 'p', 'builtin:standup@1');
		seedFromEntry(b, 'p', BLANK_SEED);
		syncBoth(a, b);
		expect(bodyFragment(a).length).toBe(builtin('standup').blocks.length + 1);
	});

	it('[TP4] a body opened before its entry arrived is left alone, then seeded as the entry says', () => {
		const writer = new Y.Doc();
		const reader = new Y.Doc();
		const id = createPage(writer, { seed: 'builtin:howto@1' }, alice);
		const body = newPageDoc();
		expect(seedOpenedPage(reader, body, id)).toBe('no-entry');
		expect(body.store.clients.size).toBe(0);
		syncBoth(writer, reader);
		expect(seedOpenedPage(reader, body, id)).toBe('seeded');
		expect(headings(body)).toEqual(['Goal', 'Prerequisites', 'Steps', 'Troubleshooting']);
	});

	it('[TP4] an entry without a seed (from before templates) and a new blank page start with one paragraph', () => {
		const ws = new Y.Doc();
		ws.transact(() => {
			const entry = new Y.Map<unknown>();
			entry.set('title', 'Old page');
			pagesMap(ws).set('old', entry);
		});
		const fresh = createPage(ws, {}, alice);
		expect(getPage(ws, 'old')?.seed).toBe('blank');
		expect(getPage(ws, fresh)?.seed).toBe('blank');
		for (const id of ['old', fresh]) {
			const body = newPageDoc();
			expect(seedOpenedPage(ws, body, id)).toBe('seeded');
			const legacy = newPageDoc();
			seedPageBody(legacy, id);
			// Byte for byte what the app wrote before templates: old and new devices still make one paragraph.
			expect(Y.encodeStateAsUpdate(body)).toEqual(Y.encodeStateAsUpdate(legacy));
		}
	});
});

describe('workspace templates', () => {
	it('[TP5] marking and unmarking a page', () => {
		const ws = new Y.Doc();
		const page = createPage(ws, { title: 'Retro' }, alice);
		expect(isTemplate(ws, page)).toBe(false);
		markTemplate(ws, page, alice);
		expect(isTemplate(ws, page)).toBe(true);
		expect(listTemplates(ws)).toEqual([{ pageId: page, name: 'Retro', markedBy: 'alice', markedAt: 1_000 }]);
		// Marking again changes nothing.
		const before = Y.encodeStateVector(ws);
		markTemplate(ws, page, bob);
		expect(Y.encodeStateVector(ws)).toEqual(before);

		unmarkTemplate(ws, page, bob);
		expect(isTemplate(ws, page)).toBe(false);
		expect(listTemplates(ws)).toEqual([]);
		// Unmarking writes a record (structs the sync status can see), not a bare delete.
		expect(Y.encodeStateVector(ws)).not.toEqual(before);
		expect(templatesMap(ws).get(page)).toMatchObject({ removedBy: 'bob', removedAt: 2_000 });

		markTemplate(ws, page, bob);
		expect(listTemplates(ws)).toEqual([{ pageId: page, name: 'Retro', markedBy: 'bob', markedAt: 2_000 }]);
		expect(() => markTemplate(ws, 'missing', alice)).toThrow(/no page/);
	});

	it('[TP5] archived and deleted pages are not offered as templates', () => {
		const ws = new Y.Doc();
		const archived = createPage(ws, { title: 'A' }, alice);
		const deleted = createPage(ws, { title: 'D' }, alice);
		const kept = createPage(ws, { title: 'K' }, alice);
		for (const id of [archived, deleted, kept]) markTemplate(ws, id, alice);
		archivePage(ws, archived, alice);
		deletePage(ws, deleted, alice);
		expect(listTemplates(ws).map((t) => t.pageId)).toEqual([kept]);
	});

	it('[TP5] two members marking the same page apart end with one template on both', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		const page = createPage(a, { title: 'Runbook' }, alice);
		syncBoth(a, b);
		markTemplate(a, page, alice);
		markTemplate(b, page, bob);
		syncBoth(a, b);
		expect(listTemplates(a)).toHaveLength(1);
		expect(listTemplates(a)).toEqual(listTemplates(b));
	});
});

describe('copying a workspace template', () => {
	function templateBody(): Y.Doc {
		const doc = newPageDoc();
		seedFromEntry(doc, 'tpl', BLANK_SEED);
		const text = new Y.XmlText();
		text.insert(0, 'Ship ');
		text.insert(5, 'it', { strong: true });
		const heading = new Y.XmlElement('heading');
		heading.setAttribute('level', 2 as unknown as string);
		heading.insert(0, [new Y.XmlText('Checklist')]);
		const paragraph = new Y.XmlElement('paragraph');
		paragraph.insert(0, [text]);
		bodyFragment(doc).insert(1, [heading, paragraph]);
		return doc;
	}

	it('[TP6] copies content and formatting, as nobody’s edit, and keeps none of the template’s history', () => {
		const template = templateBody();
		trackAuthorship(template, 'alice', () => 1);
		const seed = pageTemplateSeed('tpl', template);
		expect(seed).toMatch(/^page:tpl@[0-9a-f]{8}$/);
		expect(parseSeed(seed)).toEqual({ kind: 'page', templateId: 'tpl' });

		const copy = newPageDoc();
		trackAuthorship(copy, 'bob', () => 2);
		expect(copyTemplateBody(copy, 'new-page', seed, template)).toBe(true);
		expect(bodyNodes(bodyFragment(copy))).toEqual(bodyNodes(bodyFragment(template)));
		pmDoc(copy);
		expect(authorsMap(copy).size).toBe(0);
		expect(editsArray(copy).length).toBe(0);
		expect([...copy.store.clients.keys()]).toEqual([seedClientId(`new-page\u0000${seed}\u0000${BASE_SCHEMA_VERSION}`)]);

		expect(readSchemaVersion(copy)).toBe(BASE_SCHEMA_VERSION);
		const withMention = newPageDoc();
		const mention = new Y.XmlElement('mention');
		mention.setAttribute('member', 'ana');
		const paragraph = new Y.XmlElement('paragraph');
		paragraph.insert(0, [mention]);
		bodyFragment(withMention).insert(0, [paragraph]);
		const mentionCopy = newPageDoc();
		expect(copyTemplateBody(mentionCopy, 'other-page', pageTemplateSeed('tpl2', withMention), withMention)).toBe(true);
		expect(readSchemaVersion(mentionCopy)).toBe(MENTION_SCHEMA_VERSION);

		// Later edits to the template stay there; copying again onto the copy does nothing.
		bodyFragment(template).insert(0, [new Y.XmlElement('horizontal_rule')]);
		expect(pageTemplateSeed('tpl', template)).not.toBe(seed);
		expect(bodyFragment(copy).length).toBe(3);
		expect(copyTemplateBody(copy, 'new-page', seed, template)).toBe(false);
	});

	it('[TP6] no other device writes the copy: it waits for the creator’s, so there is one copy', () => {
		const ws = new Y.Doc();
		const template = templateBody();
		const seed = pageTemplateSeed('tpl', template);
		const creator = newPageDoc();
		copyTemplateBody(creator, 'np', seed, template);
		createPage(ws, { id: 'np', title: 'From template', seed }, alice);

		const other = newPageDoc();
		expect(seedOpenedPage(ws, other, 'np')).toBe('from-creator');
		expect(seedFromEntry(other, 'np', seed)).toBe(false);
		expect(other.store.clients.size).toBe(0);
		syncBoth(creator, other);
		expect(seedOpenedPage(ws, other, 'np')).toBe('has-content');
		expect(bodyNodes(bodyFragment(other))).toEqual(bodyNodes(bodyFragment(template)));
	});
});
