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

/** The effective parent of every page after cycles and dangling parents are resolved. */
export function effectiveParents(pages: readonly PageEntry[]): Map<string, string | null> {
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
