/**
 * A seeded random editing session over the model: several replicas of a workspace document and of
 * a page body, each on its own TestNetwork, edited through the model API (workspace) and through
 * raw Yjs as the editor would (page body), while the networks deliver, reorder, duplicate and drop
 * messages. Everything random comes from the seed, so a failing seed replays exactly.
 */
import * as Y from 'yjs';
import * as prng from 'lib0/prng';
import { expect } from 'vitest';
import {
	MAX_TITLE_LENGTH,
	Origin,
	archivePage,
	bodyFragment,
	createPage,
	deletePage,
	initWorkspace,
	listPages,
	movePage,
	newPageDoc,
	renamePage,
	restorePage,
	seedPageBody,
	trackAuthorship,
	type Actor,
	type PageEntry
} from '../../src/lib/model/index.ts';
import { TestNetwork } from './test-network.ts';
import { expectEveryPageOnce, pageBodyContent, workspaceContent } from './model-helpers.ts';

export interface FuzzOptions {
	readonly seed: number;
	readonly replicas: number;
	readonly ops: number;
	/**
	 * Mix in deletes for good (off by default, so the pinned seeds replay exactly as they were
	 * pinned). With deletes, the run also checks that the converged index holds exactly the pages
	 * created minus the subtrees deliberately deleted: a page moved or created under a page deleted
	 * elsewhere survives.
	 */
	readonly deletes?: boolean;
}

/** What a run did, so a pinned seed can assert it still reaches the case it was pinned for. */
export interface FuzzStats {
	creates: number;
	moves: number;
	refusedMoves: number;
	/** Moves whose target's stored parent chain looped (the case that used to hang movePage). */
	movesIntoStoredLoop: number;
	/** Renames whose title was cut at the cap right inside a surrogate pair. */
	titlesCutInPair: number;
	bodyEdits: number;
	seeds: number;
	deliveries: number;
	/** Deletes for good, and how many pages they removed on the deleting replica. */
	deletes: number;
	deletedPages: number;
	/** Pages that survived a delete of their parent elsewhere (moved or created under it concurrently). */
	rescued: number;
}

const PAGE_ID = 'fuzz-page';
const ownSubtree = /cannot be moved into itself or one of its own subpages/;

export function runModelFuzz({ seed, replicas, ops, deletes = false }: FuzzOptions): FuzzStats {
	const gen = prng.create(seed);
	const workspaces = new TestNetwork({ replicas, seed: seed * 2 + 1 });
	const bodies = new TestNetwork({ replicas, seed: seed * 2 + 2, createDoc: () => newPageDoc() });
	const stats: FuzzStats = {
		creates: 0,
		moves: 0,
		refusedMoves: 0,
		movesIntoStoredLoop: 0,
		titlesCutInPair: 0,
		bodyEdits: 0,
		seeds: 0,
		deliveries: 0,
		deletes: 0,
		deletedPages: 0,
		rescued: 0
	};
	const everCreated = new Set<string>();
	const deliberatelyDeleted = new Set<string>();
	let now = 0;
	// Replicas 0 and 1 are two devices of one member, so authorship must keep both client ids.
	const memberOf = (replica: number): string => `member-${replica === 1 ? 0 : replica}`;
	const actor = (replica: number): Actor => ({ memberId: memberOf(replica), now: ++now });
	bodies.docs.forEach((doc, i) => trackAuthorship(doc, memberOf(i), () => now));

	initWorkspace(workspaces.doc(0), 'Fuzz', actor(0));
	let created = 0;

	const pickTitle = (): string => {
		const title = randomTitle(gen);
		if (title.length > MAX_TITLE_LENGTH && /[\ud800-\udbff]/.test(title.charAt(MAX_TITLE_LENGTH - 1))) {
			stats.titlesCutInPair++;
		}
		return title;
	};

	const workspaceOp = (replica: number): void => {
		const doc = workspaces.doc(replica);
		const pages = listPages(doc);
		const anyPage = (): PageEntry | null => (pages.length === 0 ? null : prng.oneOf(gen, pages));
		const roll = prng.uint32(gen, 0, 99);
		if (roll < 30 || pages.length < 3) {
			const parent = prng.bool(gen) ? anyPage() : null;
			const id = createPage(doc, { id: `p${replica}-${created++}`, title: pickTitle(), parentId: parent?.id ?? null }, actor(replica));
			everCreated.add(id);
			stats.creates++;
		} else if (roll < 45) {
			const page = anyPage();
			if (!page) return;
			renamePage(doc, page.id, pickTitle(), actor(replica));
		} else if (roll < 85) {
			const page = anyPage();
			if (!page) return;
			const parent = prng.uint32(gen, 0, 4) === 0 ? null : anyPage();
			const siblings = pages.filter((p) => p.parentId === (parent?.id ?? null) && p.id !== page.id);
			const after = siblings.length > 0 && prng.bool(gen) ? prng.oneOf(gen, siblings).id : null;
			const before = siblings.length > 0 && prng.bool(gen) ? prng.oneOf(gen, siblings).id : null;
			if (parent && storedChainLoops(pages, parent.id, page.id)) stats.movesIntoStoredLoop++;
			stats.moves++;
			try {
				movePage(doc, page.id, { parentId: parent?.id ?? null, after, before }, actor(replica));
			} catch (error) {
				if (!(error instanceof Error) || !ownSubtree.test(error.message)) throw error;
				stats.refusedMoves++;
			}
		} else if (roll < 93) {
			const page = anyPage();
			if (page) archivePage(doc, page.id, actor(replica));
		} else if (!deletes || roll < 96) {
			const page = anyPage();
			if (page) restorePage(doc, page.id, actor(replica));
		} else {
			const page = anyPage();
			if (!page) return;
			const removed = deletePage(doc, page.id, actor(replica));
			for (const id of removed) deliberatelyDeleted.add(id);
			stats.deletes++;
			stats.deletedPages += removed.length;
		}
	};

	const bodyOp = (replica: number): void => {
		const doc = bodies.doc(replica);
		const fragment = bodyFragment(doc);
		const roll = prng.uint32(gen, 0, 99);
		stats.bodyEdits++;
		if (roll < 5) {
			// Opening the page: seeds it unless it has content, possibly concurrently elsewhere.
			if (seedPageBody(doc, PAGE_ID)) stats.seeds++;
			return;
		}
		doc.transact(() => {
			if (roll < 20 || fragment.length === 0) {
				const paragraph = new Y.XmlElement('paragraph');
				paragraph.insert(0, [new Y.XmlText(prng.word(gen, 0, 6))]);
				fragment.insert(prng.uint32(gen, 0, fragment.length), [paragraph]);
				return;
			}
			const index = prng.uint32(gen, 0, fragment.length - 1);
			if (roll < 28) {
				fragment.delete(index, Math.min(fragment.length - index, prng.uint32(gen, 1, 2)));
				return;
			}
			const paragraph = fragment.get(index);
			if (!(paragraph instanceof Y.XmlElement)) throw new Error('The fuzz only writes paragraphs.');
			let text = paragraph.get(0);
			if (!(text instanceof Y.XmlText)) {
				text = new Y.XmlText();
				paragraph.insert(0, [text]);
			}
			const yText = text as Y.XmlText;
			const at = prng.uint32(gen, 0, yText.length);
			if (roll < 65 || yText.length === 0) {
				yText.insert(at, prng.word(gen, 1, 5), prng.bool(gen) ? { bold: true } : undefined);
			} else if (roll < 85) {
				const from = Math.min(at, yText.length - 1);
				yText.delete(from, prng.uint32(gen, 1, Math.min(4, yText.length - from)));
			} else {
				const from = Math.min(at, yText.length - 1);
				const length = prng.uint32(gen, 1, yText.length - from);
				const format = prng.oneOf(gen, [{ bold: true }, { italic: true }, { bold: null }, { italic: null }]);
				yText.format(from, length, format);
			}
		}, Origin.local);
	};

	for (let op = 0; op < ops; op++) {
		const replica = prng.uint32(gen, 0, replicas - 1);
		if (prng.uint32(gen, 0, 99) < 55) workspaceOp(replica);
		else bodyOp(replica);
		const deliveries = prng.uint32(gen, 0, 4);
		for (let i = 0; i < deliveries; i++) {
			workspaces.step();
			bodies.step();
		}
		// Intermediate states must hold the tree invariant too, not only the converged one.
		if (op % 25 === 0) expectEveryPageOnce(workspaces.doc(prng.uint32(gen, 0, replicas - 1)));
	}

	workspaces.flushAll();
	bodies.flushAll();
	workspaces.assertConverged(workspaceContent);
	bodies.assertConverged(pageBodyContent);
	for (const doc of workspaces.docs) expectEveryPageOnce(doc);
	if (deletes) {
		// No page lost: what is left is exactly what was created and not deliberately deleted.
		const expected = [...everCreated].filter((id) => !deliberatelyDeleted.has(id)).sort();
		for (const doc of workspaces.docs) expect(listPages(doc).map((p) => p.id).sort()).toEqual(expected);
		stats.rescued = listPages(workspaces.doc(0)).filter(
			(p) => p.parentId !== null && deliberatelyDeleted.has(p.parentId)
		).length;
	}
	// Bookkeeping of two devices of one member: both client ids are recorded after merging.
	const authors = bodies.doc(0).getMap('authors').toJSON() as Record<string, { member: string }>;
	for (const [i, doc] of bodies.docs.entries()) {
		const key = String(doc.clientID);
		if (key in authors) expect(authors[key]?.member).toBe(memberOf(i));
	}
	stats.deliveries = workspaces.delivered + bodies.delivered;
	workspaces.destroy();
	bodies.destroy();
	return stats;
}

/** Whether following stored parent links from `from` loops before reaching `id` or the top. */
function storedChainLoops(pages: readonly PageEntry[], from: string, id: string): boolean {
	const byId = new Map(pages.map((p) => [p.id, p]));
	const seen = new Set<string>();
	for (let at: string | null = from; at !== null; at = byId.get(at)?.parentId ?? null) {
		if (at === id) return false;
		if (seen.has(at)) return true;
		seen.add(at);
	}
	return false;
}

/** Mostly plain words; sometimes control characters, emoji, or a title past the cap. */
function randomTitle(gen: prng.PRNG): string {
	const roll = prng.uint32(gen, 0, 9);
	if (roll < 6) return prng.word(gen, 1, 12);
	if (roll < 8) return `${prng.word(gen, 0, 5)}\n\t${prng.word(gen, 0, 5)}\u0000😀`;
	// Long titles with emoji: the cap sometimes falls inside a surrogate pair.
	const padding = MAX_TITLE_LENGTH - 3 + prng.uint32(gen, 0, 4);
	return 'x'.repeat(padding) + '😀😀😀';
}
