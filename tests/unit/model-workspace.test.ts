/**
 * The workspace index (src/lib/model/workspace.ts, version.ts).
 *
 * [W1] createPage adds an entry with the given title, kind and parent at the end of the parent's
 *      children, stamped created/updated by the actor; it returns the page id.
 * [W2] renamePage, movePage, archivePage and restorePage stamp updatedBy/updatedAt with the actor
 *      and leave createdBy/createdAt alone.
 * [W3] Titles are single-line text: control characters (newlines included) become a space, the
 *      result is trimmed and capped at MAX_TITLE_LENGTH. They are cleaned, not refused; an empty
 *      title falls back ('' for a page, 'Untitled workspace' for the workspace).
 * [W4] A title reads the same on every replica: the cap never splits a surrogate pair and lone
 *      surrogates become U+FFFD (Yjs sends strings as UTF-8, which cannot carry them).
 * [W5] Bad input (existing id, unknown parent, unknown page, move into itself or its own subtree)
 *      throws an error that says what is wrong, and changes nothing in the document.
 * [W6] movePage judges "its own subtree" by the tree this replica shows, so it also answers when
 *      the stored parent links loop after concurrent moves.
 * [W7] movePage puts the page between `after` and `before`; with neither, after the new parent's
 *      last child.
 * [W8] movePage computes everything before writing: a malformed stored order key makes it throw
 *      without a half-done move.
 * [W9] Readers are defensive: mistyped or missing fields read as defaults, a page naming itself
 *      as parent reads as top level.
 * [W10] upsertMember writes only fields that changed; re-sending the same member writes nothing.
 * [W11] deletePage removes the page and its whole subtree (as this replica shows it, archived pages
 *       included) in one transaction and returns their ids; an unknown id is refused unchanged.
 * [W12] A page moved or created under a page that another replica deletes concurrently is not
 *       lost: it survives at the top level on every replica.
 * [V1] A document whose meta.schemaVersion is newer than SCHEMA_VERSION is readable.
 * [V2] Every writer throws NewerSchemaError on such a document and leaves it unchanged.
 * [V3] A document with no version yet, or with this version, is writable.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	MAX_TITLE_LENGTH,
	NewerSchemaError,
	BASE_SCHEMA_VERSION,
	SCHEMA_VERSION,
	archivePage,
	buildTree,
	canWriteSchema,
	createPage,
	deletePage,
	deletedMap,
	getPage,
	initWorkspace,
	listMembers,
	listPages,
	metaMap,
	movePage,
	pagesMap,
	readSchemaVersion,
	readWorkspaceInfo,
	renamePage,
	renameWorkspace,
	restorePage,
	upsertMember,
	type Actor,
	type Member
} from '../../src/lib/model/index.ts';
import { expectEveryPageOnce, expectRefusedWithoutChange, syncBoth, treeShape } from '../support/model-helpers.ts';

const alice: Actor = { memberId: 'alice', now: 1_000 };
const bob: Actor = { memberId: 'bob', now: 2_000 };

function workspace(): Y.Doc {
	const doc = new Y.Doc();
	initWorkspace(doc, 'Team', alice);
	return doc;
}

/** A workspace with pages A, B (under A), C (under B) and D (top level). */
function nested(): Y.Doc {
	const doc = workspace();
	createPage(doc, { id: 'A', title: 'A' }, alice);
	createPage(doc, { id: 'B', title: 'B', parentId: 'A' }, alice);
	createPage(doc, { id: 'C', title: 'C', parentId: 'B' }, alice);
	createPage(doc, { id: 'D', title: 'D' }, alice);
	return doc;
}

function page(doc: Y.Doc, id: string) {
	const entry = getPage(doc, id);
	if (!entry) throw new Error(`page ${id} is missing`);
	return entry;
}

describe('createPage', () => {
	it('[W1] stores the page with its parent, kind and created/updated stamps', () => {
		const doc = workspace();
		const parent = createPage(doc, { title: 'Handbook' }, alice);
		const child = createPage(doc, { title: 'Onboarding', kind: 'decision', parentId: parent }, bob);
		expect(parent).toMatch(/^[A-Za-z0-9]{16}$/);
		expect(page(doc, child)).toMatchObject({
			id: child,
			title: 'Onboarding',
			kind: 'decision',
			parentId: parent,
			createdAt: 2_000,
			createdBy: 'bob',
			updatedAt: 2_000,
			updatedBy: 'bob',
			archivedAt: null,
			seed: 'blank'
		});
	});

	it('[W1] appends after the last sibling of the same parent', () => {
		const doc = workspace();
		const ids = ['one', 'two', 'three'].map((title) => createPage(doc, { id: title, title }, alice));
		createPage(doc, { id: 'child', parentId: 'one' }, alice);
		const orders = ids.map((id) => page(doc, id).order);
		expect([...orders].sort()).toEqual(orders);
		expect(treeShape(buildTree(listPages(doc))).map((n) => n.id)).toEqual(ids);
	});
});

describe('updates stamp who and when', () => {
	const later: Actor = { memberId: 'bob', now: 5_000 };
	const cases: Array<[string, (doc: Y.Doc) => void]> = [
		['renamePage', (doc) => renamePage(doc, 'C', 'Renamed', later)],
		['movePage', (doc) => movePage(doc, 'C', { parentId: 'D' }, later)],
		['archivePage', (doc) => archivePage(doc, 'C', later)],
		[
			'restorePage',
			(doc) => {
				archivePage(doc, 'C', alice);
				restorePage(doc, 'C', later);
			}
		]
	];
	for (const [name, act] of cases) {
		it(`[W2] ${name} stamps updatedBy/updatedAt and keeps the creation stamps`, () => {
			const doc = nested();
			act(doc);
			expect(page(doc, 'C')).toMatchObject({ createdBy: 'alice', createdAt: 1_000, updatedBy: 'bob', updatedAt: 5_000 });
		});
	}

	it('[W2] archive records the time, restore clears it', () => {
		const doc = nested();
		archivePage(doc, 'B', bob);
		expect(page(doc, 'B').archivedAt).toBe(2_000);
		restorePage(doc, 'B', alice);
		expect(page(doc, 'B').archivedAt).toBeNull();
	});
});

describe('titles', () => {
	it('[W3] replaces control characters and newlines with a space and trims', () => {
		const doc = workspace();
		const id = createPage(doc, { title: '  Plan\nfor\t\u0000Q3\r\n\u007f ' }, alice);
		expect(page(doc, id).title).toBe('Plan for Q3');
	});

	it('[W3] caps titles at MAX_TITLE_LENGTH', () => {
		const doc = workspace();
		const id = createPage(doc, { title: 'x'.repeat(MAX_TITLE_LENGTH + 50) }, alice);
		expect(page(doc, id).title).toBe('x'.repeat(MAX_TITLE_LENGTH));
		renamePage(doc, id, 'y'.repeat(MAX_TITLE_LENGTH * 3), bob);
		expect(page(doc, id).title).toHaveLength(MAX_TITLE_LENGTH);
	});

	it('[W3] an empty or blank title falls back', () => {
		const doc = workspace();
		const id = createPage(doc, { title: '\n\n  ' }, alice);
		expect(page(doc, id).title).toBe('');
		renameWorkspace(doc, ' \t ');
		expect(readWorkspaceInfo(doc).name).toBe('Untitled workspace');
	});

	it('[W4] the cap never splits a surrogate pair, so every replica reads the same title', () => {
		const a = workspace();
		const b = new Y.Doc();
		const id = createPage(a, { title: 'a'.repeat(MAX_TITLE_LENGTH - 1) + '😀 tail' }, alice);
		syncBoth(a, b);
		expect(page(a, id).title).toBe('a'.repeat(MAX_TITLE_LENGTH - 1));
		expect(page(b, id).title).toBe(page(a, id).title);
	});

	it('[W4] lone surrogates become U+FFFD on this replica too', () => {
		const a = workspace();
		const b = new Y.Doc();
		const id = createPage(a, { title: 'broken \ud800 pair \udc00 but 😀 kept' }, alice);
		syncBoth(a, b);
		expect(page(a, id).title).toBe('broken \ufffd pair \ufffd but 😀 kept');
		expect(page(b, id).title).toBe(page(a, id).title);
	});
});

describe('bad input is refused and changes nothing', () => {
	it('[W5] createPage with an id that exists', () => {
		const doc = nested();
		expectRefusedWithoutChange(doc, () => createPage(doc, { id: 'A', title: 'again' }, bob), /page with id A already exists/);
	});

	it('[W5] createPage under an unknown parent', () => {
		const doc = nested();
		expectRefusedWithoutChange(doc, () => createPage(doc, { title: 'orphan', parentId: 'nope' }, bob), /no parent page nope/);
	});

	it('[W5] rename, archive, restore and move of an unknown page', () => {
		const doc = nested();
		expectRefusedWithoutChange(doc, () => renamePage(doc, 'nope', 'x', bob), /no page nope/);
		expectRefusedWithoutChange(doc, () => archivePage(doc, 'nope', bob), /no page nope/);
		expectRefusedWithoutChange(doc, () => restorePage(doc, 'nope', bob), /no page nope/);
		expectRefusedWithoutChange(doc, () => movePage(doc, 'nope', { parentId: null }, bob), /no page nope/);
	});

	it('[W5] movePage into an unknown parent', () => {
		const doc = nested();
		expectRefusedWithoutChange(doc, () => movePage(doc, 'C', { parentId: 'nope' }, bob), /no page nope to move into/);
	});

	it('[W5] movePage into itself or its own subtree', () => {
		const doc = nested();
		const ownSubtree = /cannot be moved into itself or one of its own subpages/;
		expectRefusedWithoutChange(doc, () => movePage(doc, 'A', { parentId: 'A' }, bob), ownSubtree);
		expectRefusedWithoutChange(doc, () => movePage(doc, 'A', { parentId: 'B' }, bob), ownSubtree);
		expectRefusedWithoutChange(doc, () => movePage(doc, 'A', { parentId: 'C' }, bob), ownSubtree);
		expectRefusedWithoutChange(doc, () => movePage(doc, 'B', { parentId: 'C' }, bob), ownSubtree);
	});

	it('[W5] a refused move on one replica leaves the tree as it was', () => {
		const doc = nested();
		const before = treeShape(buildTree(listPages(doc)));
		expect(() => movePage(doc, 'A', { parentId: 'C' }, bob)).toThrow();
		expect(treeShape(buildTree(listPages(doc)))).toEqual(before);
	});
});

describe('movePage', () => {
	it('[W6] refuses by the tree as shown and terminates when stored parents loop', () => {
		const a = nested();
		const b = new Y.Doc();
		syncBoth(a, b);
		// Concurrently: A under D on one replica, D under A on the other. Both are stored.
		movePage(a, 'A', { parentId: 'D' }, alice);
		movePage(b, 'D', { parentId: 'A' }, bob);
		syncBoth(a, b);
		expect(page(a, 'A').parentId).toBe('D');
		expect(page(a, 'D').parentId).toBe('A');
		// Shown: A is lifted to the top (smallest id of the cycle) with D under it.
		expect(treeShape(buildTree(listPages(a)))).toEqual([
			{ id: 'A', children: [{ id: 'B', children: [{ id: 'C', children: [] }] }, { id: 'D', children: [] }] }
		]);
		expectRefusedWithoutChange(a, () => movePage(a, 'A', { parentId: 'D' }, bob), /own subpages/);
		expectRefusedWithoutChange(a, () => movePage(a, 'A', { parentId: 'C' }, bob), /own subpages/);
		// A move that does not go under itself is allowed, and reads back as asked.
		movePage(a, 'C', { parentId: 'D' }, bob);
		expect(page(a, 'C').parentId).toBe('D');
		// Moving D to the top breaks the stored loop, so A's stored move (under D) shows again.
		movePage(a, 'D', { parentId: null }, bob);
		expectEveryPageOnce(a);
		expect(treeShape(buildTree(listPages(a)))).toEqual([
			{ id: 'D', children: [{ id: 'A', children: [{ id: 'B', children: [] }] }, { id: 'C', children: [] }] }
		]);
	});

	it('[W7] places the page between `after` and `before`', () => {
		const doc = workspace();
		for (const id of ['p1', 'p2', 'p3', 'x']) createPage(doc, { id }, alice);
		movePage(doc, 'x', { parentId: null, after: 'p1', before: 'p2' }, bob);
		expect(treeShape(buildTree(listPages(doc))).map((n) => n.id)).toEqual(['p1', 'x', 'p2', 'p3']);
		movePage(doc, 'x', { parentId: null, before: 'p1' }, bob);
		expect(treeShape(buildTree(listPages(doc))).map((n) => n.id)).toEqual(['x', 'p1', 'p2', 'p3']);
	});

	it('[W7] with no neighbours given, goes after the new parent’s last child', () => {
		const doc = nested();
		createPage(doc, { id: 'E', parentId: 'D' }, alice);
		movePage(doc, 'B', { parentId: 'D' }, bob);
		expect(treeShape(buildTree(listPages(doc)))[1]).toEqual({
			id: 'D',
			children: [
				{ id: 'E', children: [] },
				{ id: 'B', children: [{ id: 'C', children: [] }] }
			]
		});
	});

	it('[W8] a malformed stored order key makes the move throw without writing anything', () => {
		const doc = nested();
		// Another client wrote a key fractional-indexing cannot read.
		doc.transact(() => pagesMap(doc).get('A')?.set('order', 'a'));
		expectRefusedWithoutChange(doc, () => movePage(doc, 'D', { parentId: null, after: 'A' }, bob), /invalid order key/);
	});
});

describe('deletePage', () => {
	it('[W11] removes the page and its subtree, archived pages included, in one transaction', () => {
		const doc = nested();
		archivePage(doc, 'C', alice);
		let transactions = 0;
		doc.on('afterTransaction', () => transactions++);
		expect(deletePage(doc, 'A', bob)).toEqual(['A', 'B', 'C']);
		expect(transactions).toBe(1);
		expect(listPages(doc).map((p) => p.id)).toEqual(['D']);
		expectEveryPageOnce(doc);
	});

	it('[W11] leaves a tombstone per deleted page, so the deletion changes the state vector', () => {
		const doc = nested();
		const before = Y.encodeStateVector(doc);
		deletePage(doc, 'A', bob);
		expect(deletedMap(doc).toJSON()).toEqual({
			A: { at: bob.now, by: bob.memberId },
			B: { at: bob.now, by: bob.memberId },
			C: { at: bob.now, by: bob.memberId }
		});
		// The sync status decides "is this on the relay?" by state vectors (room-link.ts covers()).
		expect(Y.encodeStateVector(doc)).not.toEqual(before);
	});

	it('[W11] deleting a leaf leaves its parent and siblings alone', () => {
		const doc = nested();
		createPage(doc, { id: 'C2', parentId: 'B' }, alice);
		expect(deletePage(doc, 'C', bob)).toEqual(['C']);
		expect(treeShape(buildTree(listPages(doc)))).toEqual([
			{ id: 'A', children: [{ id: 'B', children: [{ id: 'C2', children: [] }] }] },
			{ id: 'D', children: [] }
		]);
	});

	it('[W11] follows the shown tree when stored parent links loop after concurrent moves', () => {
		const a = nested();
		const b = new Y.Doc();
		syncBoth(a, b);
		movePage(a, 'A', { parentId: 'D' }, alice);
		movePage(b, 'D', { parentId: 'C' }, bob);
		syncBoth(a, b);
		// Stored: A → D → C → B → A. Shown: A lifted (smallest id), B, C, D under it.
		expect(deletePage(a, 'C', alice)).toEqual(['C', 'D']);
		expect(treeShape(buildTree(listPages(a)))).toEqual([{ id: 'A', children: [{ id: 'B', children: [] }] }]);
	});

	it('[W5][W11] an unknown page is refused and nothing changes', () => {
		const doc = nested();
		expectRefusedWithoutChange(doc, () => deletePage(doc, 'nope', bob), /no page nope to delete/);
	});

	it('[W12] a page moved under a page deleted concurrently elsewhere survives at the top level', () => {
		const a = nested();
		const b = new Y.Doc();
		syncBoth(a, b);
		movePage(a, 'D', { parentId: 'B' }, alice);
		createPage(a, { id: 'E', parentId: 'C' }, alice);
		deletePage(b, 'A', bob);
		syncBoth(a, b);
		for (const doc of [a, b]) {
			expectEveryPageOnce(doc);
			// Orphans keep their old order keys, so among themselves they sort by those.
			expect(treeShape(buildTree(listPages(doc)))).toEqual([
				{ id: 'E', children: [] },
				{ id: 'D', children: [] }
			]);
		}
	});
});

describe('defensive readers', () => {
	it('[W9] mistyped or missing fields read as defaults; a page naming itself as parent is top level', () => {
		const doc = workspace();
		doc.transact(() => {
			const entry = new Y.Map<unknown>();
			entry.set('title', 42);
			entry.set('kind', 'spreadsheet');
			entry.set('parentId', 'self');
			entry.set('createdAt', Number.NaN);
			// Finite, but no Date can hold it: showing it would throw.
			entry.set('updatedAt', 1e20);
			entry.set('archivedAt', -1e16);
			pagesMap(doc).set('self', entry);
		});
		expect(getPage(doc, 'self')).toEqual({
			id: 'self',
			title: '',
			kind: 'page',
			parentId: null,
			order: 'a0',
			createdAt: 0,
			createdBy: '',
			updatedAt: 0,
			updatedBy: '',
			archivedAt: null,
			// An entry without a seed (written before templates existed) starts blank.
			seed: 'blank'
		});
		expect(getPage(doc, 'missing')).toBeNull();
	});
});

describe('members', () => {
	const member: Member = { id: 'alice', name: 'Alice\nA.', color: '#ff0000', timeZone: 'Europe/Berlin' };

	it('[W10] upsertMember stores the member and re-sending it writes nothing', () => {
		const doc = workspace();
		upsertMember(doc, member);
		expect(listMembers(doc)).toEqual([{ ...member, name: 'Alice A.' }]);
		const updates: Uint8Array[] = [];
		doc.on('update', (u: Uint8Array) => updates.push(u));
		upsertMember(doc, { ...member, name: 'Alice A.' });
		expect(updates).toEqual([]);
		upsertMember(doc, { ...member, name: 'Alice A.', timeZone: 'Asia/Tokyo' });
		expect(updates).toHaveLength(1);
		expect(listMembers(doc)[0]?.timeZone).toBe('Asia/Tokyo');
	});
});

describe('schema version', () => {
	function newerDoc(): Y.Doc {
		const doc = nested();
		upsertMember(doc, { id: 'alice', name: 'Alice', color: '#000', timeZone: 'UTC' });
		doc.transact(() => metaMap(doc).set('schemaVersion', SCHEMA_VERSION + 1));
		return doc;
	}

	it('[V1] a newer document is readable', () => {
		const doc = newerDoc();
		expect(readSchemaVersion(doc)).toBe(SCHEMA_VERSION + 1);
		expect(canWriteSchema(doc)).toBe(false);
		expect(readWorkspaceInfo(doc).name).toBe('Team');
		expect(listPages(doc).map((p) => p.id).sort()).toEqual(['A', 'B', 'C', 'D']);
		expect(page(doc, 'C').parentId).toBe('B');
		expect(listMembers(doc)).toHaveLength(1);
	});

	const writers: Array<[string, (doc: Y.Doc) => void]> = [
		['initWorkspace', (doc) => initWorkspace(doc, 'Again', bob)],
		['renameWorkspace', (doc) => renameWorkspace(doc, 'New name')],
		['createPage', (doc) => createPage(doc, { title: 'New' }, bob)],
		['createPage under a parent', (doc) => createPage(doc, { title: 'New', parentId: 'A' }, bob)],
		['renamePage', (doc) => renamePage(doc, 'A', 'New', bob)],
		['movePage', (doc) => movePage(doc, 'C', { parentId: null }, bob)],
		// Even input that would be refused for another reason reports the version first.
		['movePage to an unknown parent', (doc) => movePage(doc, 'C', { parentId: 'nope' }, bob)],
		['archivePage', (doc) => archivePage(doc, 'A', bob)],
		['restorePage', (doc) => restorePage(doc, 'A', bob)],
		['deletePage', (doc) => deletePage(doc, 'A', bob)],
		['upsertMember', (doc) => upsertMember(doc, { id: 'bob', name: 'Bob', color: '#fff', timeZone: 'UTC' })]
	];
	for (const [name, write] of writers) {
		it(`[V2] ${name} throws NewerSchemaError and leaves the document unchanged`, () => {
			const doc = newerDoc();
			expectRefusedWithoutChange(doc, () => write(doc), NewerSchemaError);
		});
	}

	it('[V2] the error names the version', () => {
		const doc = newerDoc();
		try {
			renamePage(doc, 'A', 'x', bob);
			expect.unreachable();
		} catch (error) {
			expect(error).toBeInstanceOf(NewerSchemaError);
			expect((error as NewerSchemaError).version).toBe(SCHEMA_VERSION + 1);
			expect((error as NewerSchemaError).message).toContain(`schema ${SCHEMA_VERSION + 1}`);
		}
	});

	it('[V3] a document with no version yet, or with this version, is writable', () => {
		const blank = new Y.Doc();
		expect(readSchemaVersion(blank)).toBeNull();
		expect(() => createPage(blank, { title: 'x' }, alice)).not.toThrow();
		const current = workspace();
		expect(readSchemaVersion(current)).toBe(BASE_SCHEMA_VERSION);
		expect(() => createPage(current, { title: 'x' }, alice)).not.toThrow();
	});
});
