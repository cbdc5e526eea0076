/**
 * Mentions in page text, the editor side (issue 5 item 2): the `@` menu (editor/mention-menu.ts),
 * the node view (editor/mention-view.ts), the schema stamp (editor/mention-stamp.ts), and how a
 * mention reads outside the editor. The browser test tests/e2e/mentions.test.ts [MN1] drives it.
 *
 *   [EM1] `@` opens the menu at the start of a text or after a space or an opening bracket; not
 *         after a letter (an address), not in a code block or inline code, not at an old `@`
 *   [EM2] what is typed after `@` filters people by name; the arrows move; Enter or Tab chooses:
 *         `@query` becomes a mention (member id, label = the current name) and a space
 *   [EM3] Escape closes until a new `@`; with nobody matching the menu is empty and Enter goes on
 *         to the editor; a space that still matches nobody closes it: `@text ` stays plain text
 *   [EM4] a rename while the menu is open matches again
 *   [EM5] the node view shows `@` and the current name and follows a rename; the viewer's own
 *         mentions carry `mention-me`; a member not known here is the plain text `@label`, no chip
 *   [EM6] the body's schema version is raised to MENTION_SCHEMA_VERSION when a mention is inserted
 *         through the menu or by a paste, and never lowered; typing and changes from Yjs leave it
 *   [EM7] a body with a mention renders read-only (without y-prosemirror) and round-trips through Yjs
 *   [EM8] copied text and Markdown show a mention as `@` and the current name, else its label
 *   [EM9] every mention inserted here gets an identity: chosen in the menu or pasted from outside,
 *         a fresh id, the writer (the paster) and the time; one copied inside Meridian keeps its
 *         own through the clipboard's HTML; a block moved in the editor and written to Yjs the way
 *         the sync plugin writes it keeps its mention's inbox item (key, sender, state); mentions
 *         from Yjs and mentions already there are never stamped
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { EditorState, TextSelection, type Plugin, type Transaction } from 'prosemirror-state';
import { Fragment, Slice, type Node } from 'prosemirror-model';
import type { EditorView } from 'prosemirror-view';
import { initProseMirrorDoc, prosemirrorToYXmlFragment, updateYFragment, ySyncPluginKey, yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror';
import { schema } from '../../src/lib/editor/schema.ts';
import { chooseMention, mentionMenuPlugin, mentionMenuState, MENTION_LISTBOX_ID, mentionOptionId } from '../../src/lib/editor/mention-menu.ts';
import { MentionView, type MentionPeople, type MentionPerson } from '../../src/lib/editor/mention-view.ts';
import { insertsMention, mentionStampPlugin } from '../../src/lib/editor/mention-stamp.ts';
import { readOnlyDoc } from '../../src/lib/editor/read-only.ts';
import { pageMarkdown, toMarkdown } from '../../src/lib/editor/markdown.ts';
import { clipboardText } from '../../src/lib/editor/setup.ts';
import { metaMap, MENTION_SCHEMA_VERSION, readSchemaVersion } from '../../src/lib/model/version.ts';
import { mentionsIn } from '../../src/lib/model/mentions.ts';
import { markDone, pageMentionItems, withState } from '../../src/lib/model/inbox.ts';
import { trackAuthorship } from '../../src/lib/model/authorship.ts';

const n = schema.nodes;
const mention = (member: string, label: string, identity: { id?: string; by?: string; at?: number } = {}) => n['mention']!.create({ member, label, ...identity });
/** The clock of the editors below: when their mentions are written. */
const NOW = 7_000;
const p = (...content: (Node | string)[]) => n['paragraph']!.create(null, content.map((c) => (typeof c === 'string' ? schema.text(c) : c)));
const doc = (...blocks: Node[]) => n['doc']!.create(null, blocks);

/** People whose names can change, telling listeners like the people context does. */
function team(initial: MentionPerson[], me = 'ana'): MentionPeople & { rename(id: string, name: string): void; listeners: Set<() => void> } {
	let people = initial;
	const listeners = new Set<() => void>();
	return {
		list: () => people,
		person: (id) => people.find((person) => person.id === id),
		me,
		onChange(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		rename(id, name) {
			people = people.map((person) => (person.id === id ? { ...person, name } : person));
			listeners.forEach((listener) => listener());
		},
		listeners
	};
}

const everyone = (): MentionPerson[] => [
	{ id: 'ana', name: 'Ana Lima' },
	{ id: 'ben', name: 'Ben Okafor' },
	{ id: 'bea', name: 'Beatriz Souza' }
];

/** A page body's Y.Doc that an older client stamped (schema 1). */
function olderBody(): Y.Doc {
	const body = new Y.Doc();
	metaMap(body).set('schemaVersion', 1);
	return body;
}

/** An editor state with the menu and the stamp, the caret at the end of `content`, and a view that applies what it is given. */
function editor(content: Node = doc(p()), people = team(everyone()), body = olderBody()) {
	const plugins: Plugin[] = [mentionMenuPlugin(people, () => NOW), mentionStampPlugin(body)];
	let state = EditorState.create({ schema, doc: content, plugins });
	state = state.apply(state.tr.setSelection(TextSelection.atEnd(state.doc)));
	const view = {
		get state() {
			return state;
		},
		set state(next: EditorState) {
			state = next;
		},
		isDestroyed: false,
		dispatch(tr: Transaction) {
			state = state.apply(tr);
		},
		focus() {}
	};
	// The menu's plugin view: it re-matches when people change.
	const pluginView = plugins[0]!.spec.view!(view as unknown as EditorView);
	const key = (name: string): boolean => plugins[0]!.props.handleKeyDown!.call(plugins[0]!, view as unknown as EditorView, { key: name } as KeyboardEvent) as boolean;
	const type = (text: string) => {
		for (const ch of text) view.dispatch(state.tr.insertText(ch));
	};
	return { view: view as unknown as EditorView & { state: EditorState }, body, people, key, type, pluginView };
}

describe('[EM1] opening the menu', () => {
	it('opens on @ at the start, after a space and after an opening bracket', () => {
		for (const before of ['', 'hi ', 'note (']) {
			const e = editor(doc(p(...(before ? [before] : []))));
			e.type('@');
			const menu = mentionMenuState(e.view.state);
			expect(menu, `after ${JSON.stringify(before)}`).not.toBeNull();
			expect(menu!.query).toBe('');
			expect(menu!.items.map((i) => i.id)).toEqual(['ana', 'ben', 'bea']);
			expect(e.view.state.doc.textBetween(menu!.from, menu!.to)).toBe('@');
		}
	});

	it('stays shut after a letter, in code, and when the caret lands after an old @', () => {
		const address = editor(doc(p('mail ana')));
		address.type('@');
		expect(mentionMenuState(address.view.state)).toBeNull();

		const code = editor(doc(n['code_block']!.create(null, schema.text('x = '))));
		code.type('@');
		expect(mentionMenuState(code.view.state)).toBeNull();

		const inline = editor(doc(p(schema.text('run ', [schema.marks['code']!.create()]))));
		inline.type('@');
		expect(inline.view.state.doc.firstChild!.lastChild!.marks.map((m) => m.type.name)).toEqual(['code']);
		expect(mentionMenuState(inline.view.state)).toBeNull();

		const old = editor(doc(p('ask @ana later')));
		old.view.dispatch(old.view.state.tr.setSelection(TextSelection.create(old.view.state.doc, 9)));
		expect(mentionMenuState(old.view.state)).toBeNull();
	});
});

describe('[EM2] choosing', () => {
	it('filters by name as typed, moves with the arrows, and Enter inserts the mention and a space', () => {
		const e = editor(doc(p('ask ')));
		e.type('@b');
		expect(mentionMenuState(e.view.state)!.items.map((i) => i.name)).toEqual(['Beatriz Souza', 'Ben Okafor']);
		e.type('e');
		expect(mentionMenuState(e.view.state)!.items.map((i) => i.name)).toEqual(['Beatriz Souza', 'Ben Okafor']);
		e.type('n');
		expect(mentionMenuState(e.view.state)!.items.map((i) => i.name)).toEqual(['Ben Okafor']);
		e.view.dispatch(e.view.state.tr.delete(e.view.state.selection.from - 2, e.view.state.selection.from));
		expect(mentionMenuState(e.view.state)!.query).toBe('b');
		expect(e.key('ArrowDown')).toBe(true);
		expect(mentionMenuState(e.view.state)!.index).toBe(1);
		expect(e.key('ArrowDown')).toBe(true);
		expect(mentionMenuState(e.view.state)!.index).toBe(0);
		expect(e.key('ArrowUp')).toBe(true);
		expect(mentionMenuState(e.view.state)!.index).toBe(1);

		expect(e.key('Enter')).toBe(true);
		const id = mentionIds(e.view.state.doc)[0]!;
		expect(e.view.state.doc.eq(doc(p('ask ', mention('ben', 'Ben Okafor', { id, by: 'ana', at: NOW }), ' ')))).toBe(true);
		expect(e.view.state.selection.from).toBe(e.view.state.doc.content.size - 1);
		expect(mentionMenuState(e.view.state)).toBeNull();
		e.type('ok');
		expect(e.view.state.doc.textContent).toBe('ask @Ben Okafor ok');
	});

	it('Tab chooses too, and a name with a space can be typed out', () => {
		const e = editor();
		e.type('@ana l');
		expect(mentionMenuState(e.view.state)!.items.map((i) => i.id)).toEqual(['ana']);
		expect(e.key('Tab')).toBe(true);
		expect(e.view.state.doc.eq(doc(p(mention('ana', 'Ana Lima', { id: mentionIds(e.view.state.doc)[0]!, by: 'ana', at: NOW }), ' ')))).toBe(true);
	});

	it('ties the editor to the listbox for assistive technology', () => {
		const e = editor();
		e.type('@');
		const attrs = (e.view.state.plugins[0]!.props.attributes as (s: EditorState) => Record<string, string>)(e.view.state);
		expect(attrs).toEqual({ 'aria-controls': MENTION_LISTBOX_ID, 'aria-haspopup': 'listbox', 'aria-activedescendant': mentionOptionId(0) });
		e.key('Escape');
		expect((e.view.state.plugins[0]!.props.attributes as (s: EditorState) => Record<string, string>)(e.view.state)).toEqual({});
	});

	it('labels the mention with the name at the time it is chosen', () => {
		const e = editor();
		e.type('@An');
		e.people.rename('ana', 'Ana Lima-Costa');
		chooseMention(e.view, mentionMenuState(e.view.state)!.items[0]!);
		expect(e.view.state.doc.firstChild!.firstChild!.attrs).toEqual({ member: 'ana', label: 'Ana Lima-Costa', id: expect.stringMatching(/^[A-Za-z0-9]{16}$/), by: 'ana', at: NOW });
	});
});

describe('[EM3] closing, and text that stays text', () => {
	it('Escape closes until a new @', () => {
		const e = editor();
		e.type('@an');
		expect(e.key('Escape')).toBe(true);
		expect(mentionMenuState(e.view.state)).toBeNull();
		e.type('a');
		expect(mentionMenuState(e.view.state)).toBeNull();
		expect(e.key('Enter')).toBe(false);
		e.type(' @');
		expect(mentionMenuState(e.view.state)).not.toBeNull();
	});

	it('with nobody matching the menu is empty, and Enter closes it and goes on to the editor', () => {
		const e = editor();
		e.type('@zed');
		expect(mentionMenuState(e.view.state)!.items).toEqual([]);
		expect(e.key('Enter')).toBe(false);
		expect(mentionMenuState(e.view.state)).toBeNull();
		expect(e.view.state.doc.eq(doc(p('@zed')))).toBe(true);
	});

	it('a space that still matches nobody closes the menu: the text stays as typed', () => {
		const e = editor();
		e.type('@zed and more');
		expect(mentionMenuState(e.view.state)).toBeNull();
		expect(e.view.state.doc.eq(doc(p('@zed and more')))).toBe(true);
		expect(mentionsIn(toY(e.view.state.doc).getXmlFragment('prosemirror'))).toEqual([]);
	});

	it('moving the caret out of the query closes it', () => {
		const e = editor(doc(p('x ')));
		e.type('@a');
		e.view.dispatch(e.view.state.tr.setSelection(TextSelection.create(e.view.state.doc, 1)));
		expect(mentionMenuState(e.view.state)).toBeNull();
	});
});

describe('[EM4] the list follows the people', () => {
	it('a rename while the menu is open matches again; a destroyed menu stops listening', () => {
		const e = editor();
		e.type('@kat');
		expect(mentionMenuState(e.view.state)!.items).toEqual([]);
		e.people.rename('bea', 'Katarina Souza');
		expect(mentionMenuState(e.view.state)!.items).toEqual([{ id: 'bea', name: 'Katarina Souza' }]);
		expect(e.people.listeners.size).toBe(1);
		e.pluginView.destroy!();
		expect(e.people.listeners.size).toBe(0);
	});
});

/** Just enough of an element for the node view (the browser test renders the real one). */
class FakeElement {
	className = '';
	contentEditable = 'inherit';
	textContent: string | null = '';
	readonly dataset: Record<string, string> = {};
	readonly classList = {
		add: (name: string) => {
			if (!this.classList.contains(name)) this.className = `${this.className} ${name}`.trim();
		},
		remove: (name: string) => {
			this.className = this.className
				.split(/\s+/)
				.filter((c) => c !== name && c !== '')
				.join(' ');
		},
		contains: (name: string) => this.className.split(/\s+/).includes(name)
	};
}

describe('[EM5] the mention chip', () => {
	beforeEach(() => vi.stubGlobal('document', { createElement: () => new FakeElement() }));
	afterEach(() => vi.unstubAllGlobals());

	it('shows the current name and follows a rename; stops listening when destroyed', () => {
		const people = team(everyone());
		const view = new MentionView(mention('ben', 'Ben'), people);
		const dom = view.dom as unknown as FakeElement;
		expect(dom.textContent).toBe('@Ben Okafor');
		expect(dom.className).toBe('mention');
		expect(dom.dataset['mention']).toBe('ben');
		expect(dom.contentEditable).toBe('false');
		expect(view.ignoreMutation()).toBe(true);
		people.rename('ben', 'Benedict Okafor');
		expect(dom.textContent).toBe('@Benedict Okafor');
		view.selectNode();
		people.rename('ben', 'Ben O.');
		expect(dom.className).toBe('mention ProseMirror-selectednode');
		view.destroy();
		expect(people.listeners.size).toBe(0);
	});

	it('marks the viewer’s own mentions', () => {
		const view = new MentionView(mention('ana', 'Ana'), team(everyone(), 'ana'));
		expect((view.dom as unknown as FakeElement).className).toBe('mention mention-me');
	});

	it('shows a member not known here as the plain text @label; updated to a known member’s mention, a chip', () => {
		const people = team(everyone());
		const view = new MentionView(mention('zoe', 'Zoë <b>Ng</b>'), people);
		const dom = view.dom as unknown as FakeElement;
		expect(dom.textContent).toBe('@Zoë <b>Ng</b>');
		expect(dom.className).toBe('');
		expect(dom.dataset['mention']).toBeUndefined();
		// A malformed id is nobody, even if a person had that "id".
		const bad = new MentionView(mention('no such id!', ''), team([{ id: 'no such id!', name: 'X' }]));
		expect((bad.dom as unknown as FakeElement).textContent).toBe('@Member');
		expect((bad.dom as unknown as FakeElement).className).toBe('');
		// An update to another mention node redraws.
		expect(view.update(mention('bea', 'Bea'))).toBe(true);
		expect(dom.textContent).toBe('@Beatriz Souza');
		expect(dom.className).toBe('mention');
		expect(view.update(p('x'))).toBe(false);
	});
});

describe('[EM6] the schema stamp', () => {
	it('is raised when a mention is chosen in the menu, and typing alone leaves it', () => {
		const e = editor();
		e.type('plain text @be');
		expect(readSchemaVersion(e.body)).toBe(1);
		e.key('Enter');
		expect(readSchemaVersion(e.body)).toBe(MENTION_SCHEMA_VERSION);
	});

	it('is raised by a paste of <span data-mention="m1" data-label="Ana">@Ana</span>', () => {
		// The schema's parse rule reads the pasted span (the browser test pastes a real one)…
		const span = { getAttribute: (name: string) => ({ 'data-mention': 'm1', 'data-label': 'Ana' })[name] ?? null, textContent: '@Ana' };
		const rule = n['mention']!.spec.parseDOM![0]!;
		expect(rule.tag).toBe('span[data-mention]');
		const attrs = rule.getAttrs!(span as unknown as HTMLElement) as Record<string, unknown>;
		expect(attrs).toEqual({ member: 'm1', label: 'Ana' });
		// …and the paste inserts the slice ProseMirror builds from it.
		const e = editor(doc(p('hello ')));
		const tr = e.view.state.tr.replaceSelection(new Slice(Fragment.from(p(n['mention']!.create(attrs))), 1, 1)).setMeta('paste', true).setMeta('uiEvent', 'paste');
		expect(insertsMention(tr)).toBe(true);
		e.view.dispatch(tr);
		expect(e.view.state.doc.eq(doc(p('hello ', mention('m1', 'Ana', { id: mentionIds(e.view.state.doc)[0]!, by: 'ana', at: NOW }))))).toBe(true);
		expect(readSchemaVersion(e.body)).toBe(MENTION_SCHEMA_VERSION);
	});

	it('stamps an unstamped body, never lowers a version, and writes nothing when it already says enough', () => {
		const unstamped = editor(doc(p()), team(everyone()), new Y.Doc());
		unstamped.view.dispatch(unstamped.view.state.tr.insert(1, mention('ana', 'Ana')));
		expect(readSchemaVersion(unstamped.body)).toBe(MENTION_SCHEMA_VERSION);

		const newer = new Y.Doc();
		metaMap(newer).set('schemaVersion', MENTION_SCHEMA_VERSION + 5);
		const updates: Uint8Array[] = [];
		newer.on('update', (update: Uint8Array) => updates.push(update));
		const e = editor(doc(p()), team(everyone()), newer);
		e.view.dispatch(e.view.state.tr.insert(1, mention('ana', 'Ana')));
		expect(readSchemaVersion(newer)).toBe(MENTION_SCHEMA_VERSION + 5);
		expect(updates).toEqual([]);
	});

	it('leaves changes that came from Yjs alone (their writer stamped them)', () => {
		const e = editor();
		e.view.dispatch(e.view.state.tr.insert(1, mention('ana', 'Ana')).setMeta(ySyncPluginKey, { isChangeOrigin: true }));
		expect(readSchemaVersion(e.body)).toBe(1);
		// Typing inserts no mention.
		expect(insertsMention(e.view.state.tr.insertText('x', 1))).toBe(false);
	});
});

/** The ids of the mentions in `node`, in document order ('' for one without). */
function mentionIds(node: Node): string[] {
	const ids: string[] = [];
	node.descendants((child) => {
		if (child.type === n['mention']) ids.push(typeof child.attrs['id'] === 'string' ? child.attrs['id'] : '');
		return true;
	});
	return ids;
}

/** A body holding `node`, written the way y-prosemirror writes it. */
function toY(node: Node): Y.Doc {
	const ydoc = new Y.Doc({ gc: false });
	prosemirrorToYXmlFragment(node, ydoc.getXmlFragment('prosemirror'));
	return ydoc;
}

describe('[EM7] stored and read-only', () => {
	it('round-trips through Yjs with member and label, and renders read-only without writing', () => {
		const original = doc(p('ask ', mention('ben', 'Ben Okafor'), ' today'), n['bullet_list']!.create(null, n['list_item']!.create(null, p(mention('ana', 'Ana')))));
		const ydoc = toY(original);
		expect(mentionsIn(ydoc.getXmlFragment('prosemirror')).map((m) => [m.member, m.label])).toEqual([
			['ben', 'Ben Okafor'],
			['ana', 'Ana']
		]);
		const before = Y.encodeStateAsUpdate(ydoc);
		const rendered = readOnlyDoc(ydoc.getXmlFragment('prosemirror'));
		expect(rendered.eq(original)).toBe(true);
		expect(rendered.textContent).toBe('ask @Ben Okafor today@Ana');
		expect(Y.encodeStateAsUpdate(ydoc)).toEqual(before);
		expect(yXmlFragmentToProseMirrorRootNode(ydoc.getXmlFragment('prosemirror'), schema).eq(original)).toBe(true);
	});

	it('keeps a mention whose attributes another client wrote badly (read as nobody), rather than dropping it', () => {
		const ydoc = toY(doc(p('x', mention('ana', 'Ana'))));
		const para = ydoc.getXmlFragment('prosemirror').get(0) as Y.XmlElement;
		(para.toArray()[1] as Y.XmlElement).setAttribute('member', 42 as unknown as string);
		expect(readOnlyDoc(ydoc.getXmlFragment('prosemirror')).firstChild!.childCount).toBe(2);
		expect(mentionsIn(ydoc.getXmlFragment('prosemirror'))).toEqual([]);
	});
});

describe('[EM8] a mention outside the editor', () => {
	const body = doc(p('Ask ', mention('ben', 'Ben'), ' and ', mention('gone', 'Old *Name*'), '.'), p('next'));

	it('copies as @ and the current name, or the label for a member not known here', () => {
		const people = team(everyone());
		expect(clipboardText(new Slice(body.content, 0, 0), { mentions: people })).toBe('Ask @Ben Okafor and @Old *Name*.\n\nnext');
		expect(clipboardText(new Slice(body.content, 0, 0), {})).toBe('Ask @Ben and @Old *Name*.\n\nnext');
	});

	it('exports to Markdown as the plain text @Name', () => {
		const names = (id: string) => team(everyone()).person(id)?.name ?? null;
		expect(toMarkdown(body, undefined, names)).toBe('Ask @Ben Okafor and @Old \\*Name\\*.\n\nnext\n');
		expect(toMarkdown(body)).toBe('Ask @Ben and @Old \\*Name\\*.\n\nnext\n');
		expect(pageMarkdown('Plan', doc(p(mention('ana', 'A'))), undefined, names)).toBe('# Plan\n\n@Ana Lima\n');
	});
});

/** Just enough of a pasted `<span>` for the schema's parse rule. */
function pastedSpan(attributes: Record<string, string>, text: string) {
	return { getAttribute: (name: string) => attributes[name] ?? null, textContent: text } as unknown as HTMLElement;
}

function parseMention(span: HTMLElement): Record<string, unknown> {
	return n['mention']!.spec.parseDOM![0]!.getAttrs!(span) as Record<string, unknown>;
}

/** Pastes `nodes` as a paragraph's inline content at the caret, as ProseMirror does. */
function paste(e: ReturnType<typeof editor>, ...nodes: Node[]): void {
	e.view.dispatch(e.view.state.tr.replaceSelection(new Slice(Fragment.from(p(...nodes)), 1, 1)).setMeta('paste', true).setMeta('uiEvent', 'paste'));
}

describe('[EM9] a mention’s identity', () => {
	it('a mention chosen in the menu gets a fresh id, the writer and the time; each one its own', () => {
		const e = editor(doc(p()), team(everyone(), 'bea'));
		e.type('@ben');
		e.key('Enter');
		e.type('@ana');
		e.key('Enter');
		const [ben, ana] = mentionsIn(toY(e.view.state.doc).getXmlFragment('prosemirror'));
		expect([ben!.member, ben!.by, ben!.at]).toEqual(['ben', 'bea', NOW]);
		expect(ben!.id).toMatch(/^[A-Za-z0-9]{16}$/);
		expect([ana!.member, ana!.by, ana!.at]).toEqual(['ana', 'bea', NOW]);
		expect(ana!.id).not.toBe(ben!.id);
	});

	it('a mention pasted from outside gets an id, and the paster as its writer at the time of the paste', () => {
		const attrs = parseMention(pastedSpan({ 'data-mention': 'ben', 'data-label': 'Ben' }, '@Ben'));
		expect(attrs).toEqual({ member: 'ben', label: 'Ben' });
		const e = editor(doc(p('see ')), team(everyone(), 'bea'));
		paste(e, n['mention']!.create(attrs), schema.text(' and '), n['mention']!.create(attrs));
		const [first, second] = e.view.state.doc.firstChild!.content.content.filter((node) => node.type === n['mention']);
		expect(first!.attrs).toEqual({ member: 'ben', label: 'Ben', id: expect.stringMatching(/^[A-Za-z0-9]{16}$/), by: 'bea', at: NOW });
		expect(second!.attrs['id']).not.toBe(first!.attrs['id']);
	});

	it('a mention copied inside Meridian keeps its id, writer and time through the clipboard’s HTML', () => {
		const original = mention('ben', 'Ben', { id: 'm1', by: 'ana', at: 5_000 });
		const [tag, domAttrs] = n['mention']!.spec.toDOM!(original) as [string, Record<string, string>];
		expect(tag).toBe('span');
		expect(domAttrs).toMatchObject({ 'data-mention': 'ben', 'data-label': 'Ben', 'data-mention-id': 'm1', 'data-by': 'ana', 'data-at': '5000' });
		const attrs = parseMention(pastedSpan(domAttrs, '@Ben'));
		expect(attrs).toEqual({ member: 'ben', label: 'Ben', id: 'm1', by: 'ana', at: 5_000 });
		expect(parseMention(pastedSpan({ 'data-mention': 'ben', 'data-mention-id': 'm1', 'data-at': 'soon' }, '@Ben'))).toEqual({ member: 'ben', label: 'Ben', id: 'm1', by: null, at: null });
		expect(parseMention(pastedSpan({ 'data-mention': 'ben', 'data-mention-id': 'm1' }, '@Ben'))).toMatchObject({ at: null });
		// Pasted by Bea: still Ana's mention, from when Ana wrote it.
		const e = editor(doc(p('again ')), team(everyone(), 'bea'));
		paste(e, n['mention']!.create(attrs));
		expect(e.view.state.doc.eq(doc(p('again ', original)))).toBe(true);
		// A mention written before ids has none to carry; its DOM says nothing of one.
		expect(n['mention']!.spec.toDOM!(mention('ben', 'Ben'))).toEqual(['span', { class: 'mention', 'data-mention': 'ben', 'data-label': 'Ben' }, '@Ben']);
	});

	it('a block moved in the editor and written to Yjs keeps its mention’s inbox item: key, sender, state', () => {
		// Ana's editor: she mentions Ben in a heading below the intro.
		const ana = editor(doc(p('Intro'), n['heading']!.create({ level: 2 }, schema.text('Ask '))), team(everyone(), 'ana'));
		ana.type('@ben');
		ana.key('Enter');
		const body = toY(ana.view.state.doc);
		const before = pageMentionItems('P', body, 'ben');
		expect(before.map((i) => [i.from, i.at])).toEqual([['ana', NOW]]);
		const inbox = new Y.Doc();
		markDone(inbox, before);

		// Carl, on his device, drags the heading above the intro: one transaction deleting it and
		// inserting it again…
		const carlBody = new Y.Doc({ gc: false });
		Y.applyUpdate(carlBody, Y.encodeStateAsUpdate(body));
		trackAuthorship(carlBody, 'carl', () => 9_000);
		const { doc: current, meta } = initProseMirrorDoc(carlBody.getXmlFragment('prosemirror'), schema);
		const carl = editor(current, team(everyone(), 'carl'));
		const heading = current.child(1);
		carl.view.dispatch(carl.view.state.tr.delete(current.child(0).nodeSize, current.content.size).insert(0, heading));
		expect(carl.view.state.doc.eq(doc(heading, p('Intro')))).toBe(true);
		// …which the sync plugin writes to Yjs as a new element, under Carl's client.
		updateYFragment(carlBody, carlBody.getXmlFragment('prosemirror'), carl.view.state.doc, meta);
		const [moved] = mentionsIn(carlBody.getXmlFragment('prosemirror'));
		expect(moved!.element._item!.id.client).toBe(carlBody.clientID);
		expect(pageMentionItems('P', carlBody, 'ben')).toEqual(before);
		expect(withState(pageMentionItems('P', carlBody, 'ben'), inbox)).toMatchObject([{ from: 'ana', unread: false, done: true }]);
	});

	it('leaves mentions from Yjs and mentions already in the document as they are', () => {
		const e = editor(doc(p('old ', mention('ben', 'Ben'), ' ')));
		e.type('typed next to it');
		expect(mentionIds(e.view.state.doc)).toEqual(['']);
		e.view.dispatch(e.view.state.tr.insert(1, mention('ana', 'Ana')).setMeta(ySyncPluginKey, { isChangeOrigin: true }));
		expect(mentionIds(e.view.state.doc)).toEqual(['', '']);
	});
});
