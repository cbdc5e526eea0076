/**
 * The page tree as every replica shows it (src/lib/model/tree.ts).
 *
 * [T1] A page whose parent does not exist (deleted, or not arrived yet) is shown at the top level.
 * [T2] Concurrent moves that make a cycle: after merging, every page is shown exactly once, and
 *      every replica shows the same tree. The smallest id of the cycle is lifted to the top level
 *      and keeps the rest of the cycle under it.
 * [T3] The tree depends only on the set of pages, not on the order they are listed in.
 * [T4] Siblings follow their order keys; equal keys (two members inserting at one spot at once)
 *      are ordered by id, so the order is the same on every replica.
 * [T5] An archived page hides its subtree, unless archived pages are asked for.
 * [T6] ancestors() follows the shown tree, outermost first, and ends on cycles.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as prng from 'lib0/prng';
import {
	ancestors,
	archivePage,
	buildTree,
	compareSiblings,
	createPage,
	effectiveParents,
	listPages,
	movePage,
	type Actor,
	type PageEntry
} from '../../src/lib/model/index.ts';
import { expectEveryPageOnce, syncBoth, treeIds, treeShape, type TreeShape } from '../support/model-helpers.ts';

const alice: Actor = { memberId: 'alice', now: 1 };
const bob: Actor = { memberId: 'bob', now: 2 };
const carol: Actor = { memberId: 'carol', now: 3 };

function entry(id: string, parentId: string | null, order = 'a0', archivedAt: number | null = null): PageEntry {
	return { id, parentId, order, archivedAt, title: id, kind: 'page', createdAt: 0, createdBy: '', updatedAt: 0, updatedBy: '' };
}

function shape(doc: Y.Doc, includeArchived = true): TreeShape[] {
	return treeShape(buildTree(listPages(doc), { includeArchived }));
}

/** n replicas that all hold top-level pages with the given ids. */
function replicasWith(n: number, ids: readonly string[]): Y.Doc[] {
	const first = new Y.Doc();
	for (const id of ids) createPage(first, { id, title: id }, alice);
	const docs = [first];
	for (let i = 1; i < n; i++) {
		const doc = new Y.Doc();
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(first));
		docs.push(doc);
	}
	return docs;
}

function syncAll(docs: readonly Y.Doc[]): void {
	for (const a of docs) for (const b of docs) if (a !== b) syncBoth(a, b);
}

describe('dangling parents', () => {
	it('[T1] a page whose parent is missing is shown at the top level', () => {
		const pages = [entry('A', null), entry('B', 'gone'), entry('C', 'B')];
		expect(treeShape(buildTree(pages))).toEqual([
			{ id: 'A', children: [] },
			{ id: 'B', children: [{ id: 'C', children: [] }] }
		]);
		expect(effectiveParents(pages).get('B')).toBeNull();
	});

	it('[T1] a child that arrives before its parent is shown at the top level, then moves under it', () => {
		const a = new Y.Doc();
		createPage(a, { id: 'P' }, alice);
		const afterParent = Y.encodeStateVector(a);
		createPage(a, { id: 'K', parentId: 'P' }, alice);
		// Only the child's update reaches b: Yjs keeps it pending until the parent arrives,
		// so b shows neither; nothing is shown twice or lost meanwhile.
		const b = new Y.Doc();
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a, afterParent));
		expect(b.store.pendingStructs).not.toBeNull();
		expect(listPages(b)).toEqual([]);
		syncBoth(a, b);
		expect(shape(b)).toEqual([{ id: 'P', children: [{ id: 'K', children: [] }] }]);
	});
});

describe('cycles from concurrent moves', () => {
	it('[T2] A under B on one replica, B under A on the other: each page once, same tree on both', () => {
		const [one, two] = replicasWith(2, ['A', 'B', 'C']) as [Y.Doc, Y.Doc];
		createPage(one, { id: 'A1', parentId: 'A' }, alice);
		createPage(two, { id: 'B1', parentId: 'B' }, bob);
		syncBoth(one, two);
		movePage(one, 'A', { parentId: 'B' }, alice);
		movePage(two, 'B', { parentId: 'A' }, bob);
		syncBoth(one, two);
		for (const doc of [one, two]) {
			expectEveryPageOnce(doc);
			expect(listPages(doc).find((p) => p.id === 'A')?.parentId).toBe('B');
			expect(listPages(doc).find((p) => p.id === 'B')?.parentId).toBe('A');
		}
		expect(shape(one)).toEqual(shape(two));
		expect(shape(one)).toEqual([
			{
				id: 'A',
				children: [
					{ id: 'A1', children: [] },
					{ id: 'B', children: [{ id: 'B1', children: [] }] }
				]
			},
			{ id: 'C', children: [] }
		]);
	});

	it('[T2] a three-way cycle made on three replicas resolves the same everywhere', () => {
		const docs = replicasWith(3, ['X', 'Y', 'Z']) as [Y.Doc, Y.Doc, Y.Doc];
		movePage(docs[0], 'X', { parentId: 'Y' }, alice);
		movePage(docs[1], 'Y', { parentId: 'Z' }, bob);
		movePage(docs[2], 'Z', { parentId: 'X' }, carol);
		syncAll(docs);
		for (const doc of docs) {
			expectEveryPageOnce(doc);
			expect(shape(doc)).toEqual([{ id: 'X', children: [{ id: 'Z', children: [{ id: 'Y', children: [] }] }] }]);
		}
	});

	it('[T2] a tail leading into a cycle stays attached to it', () => {
		// T → A → B → A: the cycle is {A, B}; A is lifted, B under A, T under B.
		const pages = [entry('T', 'B'), entry('A', 'B'), entry('B', 'A')];
		expect(treeShape(buildTree(pages))).toEqual([
			{ id: 'A', children: [{ id: 'B', children: [{ id: 'T', children: [] }] }] }
		]);
	});

	it('[T2] several disjoint cycles are each broken once', () => {
		const pages = [entry('a', 'b'), entry('b', 'a'), entry('c', 'd'), entry('d', 'e'), entry('e', 'c'), entry('f', 'f')];
		const ids = treeIds(buildTree(pages));
		expect([...ids].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
		expect(treeShape(buildTree(pages)).map((n) => n.id)).toEqual(['a', 'c', 'f']);
	});
});

describe('independence from listing order', () => {
	it('[T3] any permutation of the same pages gives the same tree', () => {
		const pages = [
			entry('a', 'c'),
			entry('b', 'a'),
			entry('c', 'b'),
			entry('d', 'missing'),
			entry('e', 'd'),
			entry('f', 'e', 'a1'),
			entry('g', 'e', 'a0'),
			entry('h', 'h'),
			entry('i', 'g')
		];
		const expected = treeShape(buildTree(pages));
		const gen = prng.create(7);
		for (let round = 0; round < 50; round++) {
			const shuffled = [...pages];
			for (let i = shuffled.length - 1; i > 0; i--) {
				const j = prng.uint32(gen, 0, i);
				[shuffled[i], shuffled[j]] = [shuffled[j] as PageEntry, shuffled[i] as PageEntry];
			}
			expect(treeShape(buildTree(shuffled))).toEqual(expected);
		}
	});
});

describe('sibling order', () => {
	it('[T4] concurrent inserts at the same spot get one deterministic order on both replicas', () => {
		const [one, two] = replicasWith(2, ['first', 'last']) as [Y.Doc, Y.Doc];
		// Both members create a page at the end and both move one between first and last: the
		// generated order keys collide.
		createPage(one, { id: 'zeta' }, alice);
		createPage(two, { id: 'alpha' }, bob);
		movePage(one, 'zeta', { parentId: null, after: 'first', before: 'last' }, alice);
		movePage(two, 'alpha', { parentId: null, after: 'first', before: 'last' }, bob);
		const keyOne = listPages(one).find((p) => p.id === 'zeta')?.order;
		const keyTwo = listPages(two).find((p) => p.id === 'alpha')?.order;
		expect(keyOne).toBe(keyTwo);
		syncBoth(one, two);
		expect(shape(one).map((n) => n.id)).toEqual(['first', 'alpha', 'zeta', 'last']);
		expect(shape(two)).toEqual(shape(one));
	});

	it('[T4] compareSiblings orders by key, then by id', () => {
		const sorted = [entry('b', null, 'a1'), entry('c', null, 'a0'), entry('a', null, 'a1')].sort(compareSiblings);
		expect(sorted.map((p) => p.id)).toEqual(['c', 'a', 'b']);
	});
});

describe('archived pages', () => {
	it('[T5] an archived page hides its subtree unless archived pages are included', () => {
		const doc = new Y.Doc();
		createPage(doc, { id: 'A' }, alice);
		createPage(doc, { id: 'B', parentId: 'A' }, alice);
		createPage(doc, { id: 'C', parentId: 'B' }, alice);
		archivePage(doc, 'B', alice);
		expect(shape(doc, false)).toEqual([{ id: 'A', children: [] }]);
		expect(shape(doc, true)).toEqual([{ id: 'A', children: [{ id: 'B', children: [{ id: 'C', children: [] }] }] }]);
	});
});

describe('ancestors', () => {
	it('[T6] lists ancestors outermost first and ends on cycles', () => {
		const pages = [entry('r', null), entry('m', 'r'), entry('l', 'm'), entry('x', 'y'), entry('y', 'x')];
		expect(ancestors(pages, 'l').map((p) => p.id)).toEqual(['r', 'm']);
		expect(ancestors(pages, 'r')).toEqual([]);
		expect(ancestors(pages, 'y').map((p) => p.id)).toEqual(['x']);
		expect(ancestors(pages, 'x')).toEqual([]);
	});
});
