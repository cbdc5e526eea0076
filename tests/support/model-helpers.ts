/** Readers and assertions shared by the model tests and the convergence fuzz. */
import * as Y from 'yjs';
import { expect } from 'vitest';
import {
	authorsMap,
	bodyFragment,
	buildTree,
	deletionsArray,
	editsArray,
	listMembers,
	listPages,
	metaMap,
	type TreeNode
} from '../../src/lib/model/index.ts';

/** A plain-data tree of ids, for comparing trees between replicas. */
export interface TreeShape {
	readonly id: string;
	readonly children: TreeShape[];
}

export function treeShape(nodes: readonly TreeNode[]): TreeShape[] {
	return nodes.map((node) => ({ id: node.page.id, children: treeShape(node.children) }));
}

/** Every id in a tree, depth first; a page shown twice appears twice. */
export function treeIds(nodes: readonly TreeNode[]): string[] {
	return nodes.flatMap((node) => [node.page.id, ...treeIds(node.children)]);
}

/** Asserts that the full tree (archived pages included) shows every page of the index exactly once. */
export function expectEveryPageOnce(doc: Y.Doc): void {
	const pages = listPages(doc);
	const shown = treeIds(buildTree(pages, { includeArchived: true }));
	expect([...shown].sort()).toEqual(pages.map((p) => p.id).sort());
}

/** The workspace document as plain data, independent of the order Yjs iterates map keys in. */
export function workspaceContent(doc: Y.Doc): unknown {
	const byId = <T extends { readonly id: string }>(list: T[]): T[] => list.sort((a, b) => (a.id < b.id ? -1 : 1));
	return {
		meta: metaMap(doc).toJSON(),
		pages: byId(listPages(doc)),
		members: byId(listMembers(doc)),
		tree: treeShape(buildTree(listPages(doc), { includeArchived: true }))
	};
}

/** One node of a page body: an element with attributes and children, or a text with its formatting. */
export type BodyNode =
	| { readonly element: string; readonly attrs: Record<string, unknown>; readonly children: BodyNode[] }
	| { readonly text: unknown[] };

export function bodyNodes(parent: Y.XmlFragment | Y.XmlElement): BodyNode[] {
	return parent.toArray().map((child): BodyNode => {
		if (child instanceof Y.XmlText) return { text: child.toDelta() };
		if (child instanceof Y.XmlElement) {
			return { element: child.nodeName, attrs: child.getAttributes(), children: bodyNodes(child) };
		}
		throw new Error('A page body holds only elements and texts.');
	});
}

/** A page-body document as plain data: its content and its authorship records. */
export function pageBodyContent(doc: Y.Doc): unknown {
	return {
		meta: metaMap(doc).toJSON(),
		body: bodyNodes(bodyFragment(doc)),
		authors: authorsMap(doc).toJSON(),
		edits: editsArray(doc).toJSON(),
		deletions: deletionsArray(doc)
			.toArray()
			.map((d) => ({ member: d.member, at: d.at, ds: Array.from(d.ds) }))
	};
}

/** Runs `act`, expects it to throw matching `error`, and expects the document not to have changed at all. */
export function expectRefusedWithoutChange(doc: Y.Doc, act: () => void, error: RegExp | (new (...args: never[]) => Error)): void {
	const before = Y.encodeStateAsUpdate(doc);
	const updates: Uint8Array[] = [];
	const onUpdate = (update: Uint8Array): void => {
		updates.push(update);
	};
	doc.on('update', onUpdate);
	try {
		expect(act).toThrow(error);
	} finally {
		doc.off('update', onUpdate);
	}
	expect(updates).toEqual([]);
	expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
}

/** Sends each document's missing changes to the other, both ways. */
export function syncBoth(a: Y.Doc, b: Y.Doc, origin: unknown = 'relay'): void {
	Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), origin);
	Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)), origin);
}
