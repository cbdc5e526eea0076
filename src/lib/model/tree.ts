/**
 * The page tree as every device sees it. Parent links are last-writer-wins per page, so two
 * members moving pages apart can produce a cycle (A under B on one device, B under A on the
 * other). The stored data keeps both moves; reading resolves them the same way everywhere:
 * a page whose parent chain loops back to itself, or whose parent does not exist, is shown at
 * the top level. Within a cycle, the page with the smallest id is lifted to the top, which
 * keeps the other members of the cycle under it. No page is ever dropped.
 */
import type { PageEntry } from './workspace.ts';

export interface TreeNode {
	readonly page: PageEntry;
	readonly children: TreeNode[];
	readonly depth: number;
}

/**
 * The effective parent of every page after cycles and dangling parents are resolved. Any forest
 * kept as last-writer-wins parent links reads the same way (decision records' supersede links too).
 */
export function effectiveParents(pages: readonly { readonly id: string; readonly parentId: string | null }[]): Map<string, string | null> {
	const byId = new Map(pages.map((p) => [p.id, p]));
	const parent = new Map<string, string | null>();
	for (const page of pages) {
		const p = page.parentId;
		parent.set(page.id, p !== null && byId.has(p) ? p : null);
	}
	// Break every cycle at its smallest id. Visiting in id order makes the result independent
	// of the order pages arrive in.
	const settled = new Set<string>();
	for (const id of [...parent.keys()].sort()) {
		const path: string[] = [];
		const onPath = new Set<string>();
		let at: string | null = id;
		while (at !== null && !settled.has(at) && !onPath.has(at)) {
			path.push(at);
			onPath.add(at);
			at = parent.get(at) ?? null;
		}
		if (at !== null && onPath.has(at)) {
			const cycle = path.slice(path.indexOf(at));
			const lifted = cycle.reduce((a, b) => (a < b ? a : b));
			parent.set(lifted, null);
		}
		for (const visited of path) settled.add(visited);
	}
	return parent;
}

/** Siblings in order-key order; equal keys (two members inserting at one spot) by id. */
export function compareSiblings(a: PageEntry, b: PageEntry): number {
	if (a.order !== b.order) return a.order < b.order ? -1 : 1;
	return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The tree of pages that are not archived (an archived page hides its subtree). */
export function buildTree(pages: readonly PageEntry[], { includeArchived = false } = {}): TreeNode[] {
	const parents = effectiveParents(pages);
	const children = new Map<string | null, PageEntry[]>();
	for (const page of pages) {
		if (!includeArchived && page.archivedAt !== null) continue;
		const key = parents.get(page.id) ?? null;
		let list = children.get(key);
		if (!list) children.set(key, (list = []));
		list.push(page);
	}
	const build = (parentId: string | null, depth: number): TreeNode[] =>
		(children.get(parentId) ?? [])
			.sort(compareSiblings)
			.map((page) => ({ page, depth, children: build(page.id, depth + 1) }));
	return build(null, 0);
}

/** The chain of ancestors of a page, outermost first (for breadcrumbs). */
export function ancestors(pages: readonly PageEntry[], id: string): PageEntry[] {
	const parents = effectiveParents(pages);
	const byId = new Map(pages.map((p) => [p.id, p]));
	const chain: PageEntry[] = [];
	for (let at = parents.get(id) ?? null; at !== null; at = parents.get(at) ?? null) {
		const page = byId.get(at);
		if (!page) break;
		chain.unshift(page);
	}
	return chain;
}

/**
 * A page and every page under it in the full tree (archived pages included), the page first, then
 * depth first in sibling order. Empty if the page is unknown.
 */
export function subtreeIds(pages: readonly PageEntry[], id: string): string[] {
	if (!pages.some((p) => p.id === id)) return [];
	const parents = effectiveParents(pages);
	const children = new Map<string, PageEntry[]>();
	for (const page of pages) {
		const parent = parents.get(page.id) ?? null;
		if (parent === null) continue;
		let list = children.get(parent);
		if (!list) children.set(parent, (list = []));
		list.push(page);
	}
	const out: string[] = [];
	const walk = (at: string): void => {
		out.push(at);
		for (const child of (children.get(at) ?? []).sort(compareSiblings)) walk(child.id);
	};
	walk(id);
	return out;
}

/** Where a dropped or reordered page goes, relative to another page. */
export type DropPosition = 'before' | 'after' | 'inside';

/** A `movePage` target: a parent and the two siblings to land between. */
export interface MoveTarget {
	readonly parentId: string | null;
	readonly after: string | null;
	readonly before: string | null;
}

/**
 * The movePage target that puts `id` before, after or inside (as the last child of) `relativeTo`,
 * among the pages shown (archived ones hidden, as in the sidebar). Null when the move is not
 * possible: onto itself, or into its own subtree.
 */
export function moveTargetFor(pages: readonly PageEntry[], id: string, relativeTo: string, position: DropPosition): MoveTarget | null {
	if (id === relativeTo || subtreeIds(pages, id).includes(relativeTo)) return null;
	const parents = effectiveParents(pages);
	const shown = pages.filter((p) => p.archivedAt === null && p.id !== id);
	const childrenOf = (parentId: string | null): PageEntry[] =>
		shown.filter((p) => (parents.get(p.id) ?? null) === parentId).sort(compareSiblings);
	if (position === 'inside') {
		return { parentId: relativeTo, after: childrenOf(relativeTo).at(-1)?.id ?? null, before: null };
	}
	const parentId = parents.get(relativeTo) ?? null;
	const siblings = childrenOf(parentId);
	const at = siblings.findIndex((p) => p.id === relativeTo);
	if (at < 0) return null;
	return position === 'before'
		? { parentId, after: siblings[at - 1]?.id ?? null, before: relativeTo }
		: { parentId, after: relativeTo, before: siblings[at + 1]?.id ?? null };
}

/** The target that moves `id` one place up or down among its shown siblings; null at the end. */
export function reorderTarget(pages: readonly PageEntry[], id: string, direction: 'up' | 'down'): MoveTarget | null {
	const parents = effectiveParents(pages);
	const parentId = parents.get(id) ?? null;
	const siblings = pages
		.filter((p) => p.archivedAt === null && (parents.get(p.id) ?? null) === parentId)
		.sort(compareSiblings);
	const at = siblings.findIndex((p) => p.id === id);
	const neighbour = siblings[direction === 'up' ? at - 1 : at + 1];
	if (at < 0 || !neighbour) return null;
	return moveTargetFor(pages, id, neighbour.id, direction === 'up' ? 'before' : 'after');
}
