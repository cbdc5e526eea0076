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
 * [T7] subtreeIds() lists a page and everything under it in the full tree, page first.
 * [T8] moveTargetFor() and reorderTarget() place a page before, after or inside another among the
 *      shown pages, and refuse a move into the page's own subtree.
 * [T9] Seeded random concurrent moves, creates, archives and deletes on 3+ replicas: no cycle
 *      (every page shown exactly once), no page lost but those deliberately deleted, and the same
 *      tree on every replica.
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
	moveTargetFor,
	reorderTarget,
	subtreeIds,
	type Actor,
	type PageEntry
} from '../../src/lib/model/index.ts';
import { runModelFuzz } from '../support/model-fuzz.ts';
import { expectEveryPageOnce, syncBoth, treeIds, treeShape, type TreeShape } from '../support/model-helpers.ts';

const alice: Actor = { memberId: 'alice', now: 1 };
const bob: Actor = { memberId: 'bob', now: 2 };
const carol: Actor = { memberId: 'carol', now: 3 };

function entry(id: string, parentId: string | null, order = 'a0', archivedAt: number | null = null): PageEntry {
	return { id, parentId, order, archivedAt, title: id, kind: 'page', createdAt: 0, createdBy: '', updatedAt: 0, updatedBy: '', seed: 'blank' };
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

describe('subtrees', () => {
	it('[T7] lists the page, then its descendants depth first in sibling order', () => {
		const pages = [entry('r', null), entry('b', 'r', 'a1'), entry('a', 'r', 'a0'), entry('a1', 'a'), entry('x', null, 'a2', 5), entry('y', 'x')];
		expect(subtreeIds(pages, 'r')).toEqual(['r', 'a', 'a1', 'b']);
		expect(subtreeIds(pages, 'x')).toEqual(['x', 'y']);
		expect(subtreeIds(pages, 'nope')).toEqual([]);
	});

	it('[T7] follows the shown tree through a stored cycle', () => {
		const pages = [entry('a', 'b'), entry('b', 'a'), entry('c', 'b')];
		expect(subtreeIds(pages, 'a')).toEqual(['a', 'b', 'c']);
		expect(subtreeIds(pages, 'b')).toEqual(['b', 'c']);
	});
});

describe('drop and reorder targets', () => {
	const pages = [entry('p', null, 'a0'), entry('q', null, 'a1'), entry('r', null, 'a2'), entry('q1', 'q', 'a0'), entry('q2', 'q', 'a1'), entry('gone', null, 'a3', 9)];

	it('[T8] before, after and inside another page', () => {
		expect(moveTargetFor(pages, 'r', 'q', 'before')).toEqual({ parentId: null, after: 'p', before: 'q' });
		expect(moveTargetFor(pages, 'p', 'q', 'after')).toEqual({ parentId: null, after: 'q', before: 'r' });
		expect(moveTargetFor(pages, 'p', 'q', 'inside')).toEqual({ parentId: 'q', after: 'q2', before: null });
		expect(moveTargetFor(pages, 'q2', 'q1', 'before')).toEqual({ parentId: 'q', after: null, before: 'q1' });
		// Archived pages are not shown, so they are not neighbours.
		expect(moveTargetFor(pages, 'p', 'r', 'after')).toEqual({ parentId: null, after: 'r', before: null });
	});

	it('[T8] never onto itself or into its own subtree', () => {
		expect(moveTargetFor(pages, 'q', 'q', 'inside')).toBeNull();
		expect(moveTargetFor(pages, 'q', 'q1', 'inside')).toBeNull();
		expect(moveTargetFor(pages, 'q', 'q2', 'after')).toBeNull();
	});

	it('[T8] up and down among shown siblings, null at either end', () => {
		expect(reorderTarget(pages, 'q', 'up')).toEqual({ parentId: null, after: null, before: 'p' });
		expect(reorderTarget(pages, 'q', 'down')).toEqual({ parentId: null, after: 'r', before: null });
		expect(reorderTarget(pages, 'p', 'up')).toBeNull();
		expect(reorderTarget(pages, 'r', 'down')).toBeNull();
		expect(reorderTarget(pages, 'q2', 'up')).toEqual({ parentId: 'q', after: null, before: 'q1' });
	});

	it('[T8] the targets work with movePage', () => {
		const doc = new Y.Doc();
		for (const id of ['p', 'q', 'r']) createPage(doc, { id }, alice);
		const move = (id: string, target: ReturnType<typeof moveTargetFor>) => movePage(doc, id, target!, alice);
		move('r', moveTargetFor(listPages(doc), 'r', 'p', 'after'));
		expect(shape(doc).map((n) => n.id)).toEqual(['p', 'r', 'q']);
		move('q', reorderTarget(listPages(doc), 'q', 'up'));
		move('q', reorderTarget(listPages(doc), 'q', 'up'));
		expect(shape(doc).map((n) => n.id)).toEqual(['q', 'p', 'r']);
		move('p', moveTargetFor(listPages(doc), 'p', 'r', 'inside'));
		expect(shape(doc)).toEqual([{ id: 'q', children: [] }, { id: 'r', children: [{ id: 'p', children: [] }] }]);
	});
});

describe('seeded random concurrent tree operations', () => {
	it.each(Array.from({ length: 16 }, (_, i) => 101 + i))(
		'[T9] seed %i: no cycle, no page lost but the deleted ones, same tree everywhere',
		(seed) => {
			const stats = runModelFuzz({ seed, replicas: 3 + (seed % 3), ops: 300, deletes: true });
			expect(stats.moves).toBeGreaterThan(0);
		}
	);

	it('[T9] over all seeds, the runs reach deletes, refused moves and pages rescued from a deleted parent', () => {
		let deletes = 0;
		let refused = 0;
		let rescued = 0;
		for (let seed = 101; seed <= 116; seed++) {
			const stats = runModelFuzz({ seed, replicas: 3 + (seed % 3), ops: 300, deletes: true });
			deletes += stats.deletes;
			refused += stats.refusedMoves;
			rescued += stats.rescued;
		}
		expect(deletes).toBeGreaterThan(0);
		expect(refused).toBeGreaterThan(0);
		expect(rescued).toBeGreaterThan(0);
		// Sixteen full runs: about a second and a half alone, several times that on a loaded machine.
	}, 30_000);
});
