/**
 * Following every page of a workspace (src/lib/sync/each-page.ts), which the session's
 * sync-everything, the backlinks index and the inbox index share.
 *
 * [EP1] Each page is added once, now and when it appears; a page deleted for good is removed and
 *       no longer `wanted`.
 * [EP2] A failed add is tried again on the next change to the page list; a good one is not.
 * [EP3] After stop, nothing more is added or removed.
 * [EP4] The indexes' Batch runs once for any number of requests before it runs, and never after stop.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createPage, deletePage } from '../../src/lib/model/workspace.ts';
import { followEveryPage } from '../../src/lib/sync/each-page.ts';
import { Batch } from '../../src/lib/sync/backlinks.ts';

const actor = { memberId: 'ana', now: 1 };

function recorder(fail: Set<string> = new Set()) {
	const added: string[] = [];
	const removed: string[] = [];
	const wanted = new Map<string, () => boolean>();
	return {
		added,
		removed,
		wanted,
		follower: {
			add: (pageId: string, isWanted: () => boolean) => {
				added.push(pageId);
				wanted.set(pageId, isWanted);
				return fail.has(pageId) ? Promise.reject(new Error('disk')) : Promise.resolve();
			},
			remove: (pageId: string) => void removed.push(pageId)
		}
	};
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('followEveryPage', () => {
	it('[EP1] adds each page once, new ones as they appear, and removes pages deleted for good', () => {
		const doc = new Y.Doc();
		createPage(doc, { id: 'a' }, actor);
		const r = recorder();
		followEveryPage(doc, r.follower);
		expect(r.added).toEqual(['a']);
		createPage(doc, { id: 'b' }, actor);
		createPage(doc, { id: 'c', parentId: 'b' }, actor);
		expect(r.added).toEqual(['a', 'b', 'c']);
		deletePage(doc, 'b', actor);
		expect(r.removed.sort()).toEqual(['b', 'c']);
		expect(r.wanted.get('b')!()).toBe(false);
		expect(r.wanted.get('a')!()).toBe(true);
	});

	it('[EP2] a failed add is tried again on the next change to the page list', async () => {
		const doc = new Y.Doc();
		createPage(doc, { id: 'a' }, actor);
		createPage(doc, { id: 'bad' }, actor);
		const fail = new Set(['bad']);
		const r = recorder(fail);
		followEveryPage(doc, r.follower);
		await settle();
		fail.clear();
		createPage(doc, { id: 'c' }, actor);
		expect(r.added).toEqual(['a', 'bad', 'bad', 'c']);
		await settle();
		createPage(doc, { id: 'd' }, actor);
		expect(r.added).toEqual(['a', 'bad', 'bad', 'c', 'd']);
	});

	it('[EP3] stops', () => {
		const doc = new Y.Doc();
		const r = recorder();
		const stop = followEveryPage(doc, r.follower);
		createPage(doc, { id: 'a' }, actor);
		stop();
		createPage(doc, { id: 'b' }, actor);
		deletePage(doc, 'a', actor);
		expect(r.added).toEqual(['a']);
		expect(r.removed).toEqual([]);
	});
});

describe('Batch', () => {
	it('[EP4] runs once per batch of requests, and not after stop', () => {
		const pending: (() => void)[] = [];
		let runs = 0;
		const batch = new Batch((run) => void pending.push(run), () => runs++);
		batch.request();
		batch.request();
		expect(pending).toHaveLength(1);
		pending.shift()!();
		expect(runs).toBe(1);
		batch.request();
		batch.stop();
		pending.shift()!();
		batch.request();
		expect(runs).toBe(1);
		expect(pending).toHaveLength(0);
	});
});
