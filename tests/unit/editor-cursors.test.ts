/**
 * Teammates' cursors (src/lib/editor/cursors.ts), named by the member id the relay stamps
 * (PROTOCOL.md [R26]) rather than by what a teammate's app announces.
 *   [C1] the label is this device's name for the stamped member, never the announced `user.name`
 *   [C2] a state without a stamped member id is labelled "Member"
 *   [C3] only a lowercase `#rrggbb` colour reaches a style attribute; anything else is replaced
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cursorBuilders, cursorIdentity, FALLBACK_COLOR, safeColor, type CursorNames } from '../../src/lib/editor/cursors.ts';

/** Just enough of an element for the builder (the unit project runs in Node, without a DOM). */
class FakeElement {
	readonly classList = new Set<string>();
	readonly style: Record<string, string> = {};
	readonly children: Array<FakeElement | string> = [];
	constructor(readonly tagName: string) {}
	append(...nodes: Array<FakeElement | string>) {
		this.children.push(...nodes);
	}
	set textContent(text: string) {
		this.children.splice(0, this.children.length, text);
	}
	get textContent(): string {
		return this.children.map((c) => (typeof c === 'string' ? c : c.textContent)).join('');
	}
}

const names: CursorNames = {
	nameOf: (id) => ({ m1: 'Alice Profile', m2: 'Bob' })[id] ?? 'Member',
	colorOf: (id) => ({ m1: '#2563eb', m2: 'red; background-image: url(https://evil.example/x)' })[id] ?? '#db2777'
};

describe('cursor labels', () => {
	const original = (globalThis as { document?: unknown }).document;
	beforeAll(() => {
		(globalThis as { document?: unknown }).document = { createElement: (tag: string) => new FakeElement(tag) };
	});
	afterAll(() => {
		(globalThis as { document?: unknown }).document = original;
	});

	it('[C1] names the cursor from the stamped member id, not the announced name', () => {
		const { cursorBuilder } = cursorBuilders(names);
		const cursor = cursorBuilder({ name: 'Carol the CEO', color: '#000000', memberId: 'm1' }, 7) as unknown as FakeElement;
		expect(cursor.classList.has('ProseMirror-yjs-cursor')).toBe(true);
		expect(cursor.textContent.replace(/\u2060/g, '')).toBe('Alice Profile');
		expect(cursor.style['borderColor']).toBe('#2563eb');
		const label = cursor.children.find((c): c is FakeElement => typeof c !== 'string');
		expect(label?.style['backgroundColor']).toBe('#2563eb');
	});

	it('[C1] an announced name with markup stays text, and is not shown at all', () => {
		const identity = cursorIdentity({ name: '<img src=x onerror=alert(1)>', memberId: 'm2' }, names);
		expect(identity.name).toBe('Bob');
	});

	it('[C2] a state with no stamped member id is labelled "Member"', () => {
		expect(cursorIdentity({ name: 'Alice Profile', color: '#2563eb' }, names)).toEqual({ name: 'Member', color: FALLBACK_COLOR });
		expect(cursorIdentity(undefined, names)).toEqual({ name: 'Member', color: FALLBACK_COLOR });
		expect(cursorIdentity({ memberId: 42 }, names).name).toBe('Member');
		expect(cursorIdentity({ memberId: 'm9' }, { ...names, nameOf: () => '' }).name).toBe('Member');
	});

	it('[C3] a colour that is not #rrggbb never reaches the style attribute', () => {
		const { selectionBuilder } = cursorBuilders(names);
		expect(selectionBuilder({ memberId: 'm2', color: '#123456' }, 1)).toEqual({ style: `background-color: ${FALLBACK_COLOR}70`, class: 'ProseMirror-yjs-selection' });
		expect(selectionBuilder({ memberId: 'm1' }, 1).style).toBe('background-color: #2563eb70');
		for (const bad of ['red', '#fff', '#2563EB', '#2563eb;x:y', ' #2563eb', 'url(x)', null, 7]) expect(safeColor(bad)).toBe(FALLBACK_COLOR);
		expect(safeColor('#0e7490')).toBe('#0e7490');
	});
});
