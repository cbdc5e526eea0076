/**
 * The workspace as a whole on one device: joining brings every page onto the device (with visible
 * progress, over one connection) so all of it reads offline; and tabs of one browser stay in step
 * with each other without any relay.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as decoding from 'lib0/decoding';
import { MessageType, SyncType, decodeBatch, decodeFrame, isBatch, parseRoomName } from '../../src/lib/protocol/index.ts';
import { chromiumPath, newDevice, takeUncaughtErrors } from './support/browser.ts';
import type { Relay } from './support/relay.ts';
import { startWorld, type World } from './support/world.ts';
import {
	POLL,
	createLocalWorkspace,
	createPage,
	editor,
	join,
	pageStatus,
	recordWebSockets,
	sidebar,
	syncProgress,
	syncStatus,
	titleInput,
	typeAtEnd,
	waitForServiceWorker,
	waitForStatus,
	waitForText,
	waitUntilSavedOnDevice
} from './support/app.ts';

/**
 * What a device sends on its /sync sockets: the rooms it joins (a sync step 1 per room) and its
 * sync writes (step 2 and updates) per room, as byte arrays.
 */
function recordSyncFrames(context: BrowserContext): { joined: Set<string>; writes: Map<string, number[][]> } {
	const joined = new Set<string>();
	const writes = new Map<string, number[][]>();
	const watch = (page: Page) =>
		page.on('websocket', (socket) => {
			if (new URL(socket.url()).pathname !== '/sync') return;
			socket.on('framesent', ({ payload }) => {
				if (typeof payload === 'string') return;
				// The app sends what it sends in one task as one batch (meridian.v2, PROTOCOL.md [R34]).
				const data = new Uint8Array(payload);
				for (const frame of isBatch(data) ? decodeBatch(data) : [data]) {
					const { room, message } = decodeFrame(frame);
					const decoder = decoding.createDecoder(message);
					if (decoding.readVarUint(decoder) !== MessageType.sync) continue;
					if (decoding.readVarUint(decoder) === SyncType.step1) joined.add(room);
					else writes.set(room, [...(writes.get(room) ?? []), [...decoding.readVarUint8Array(decoder)]]);
				}
			});
		});
	context.pages().forEach(watch);
	context.on('page', watch);
	return { joined, writes };
}

/** How many rows the device's workspace database holds for each of `rooms` (sync/local-store.ts). */
function storedRows(page: Page, rooms: string[]): Promise<number[]> {
	const workspaceId = parseRoomName(rooms[0]!)!.workspaceId;
	return page.evaluate(
		({ name, rooms }) =>
			new Promise<number[]>((resolve, reject) => {
				const open = indexedDB.open(name);
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const index = open.result.transaction('updates').objectStore('updates').index('doc');
					const counts = rooms.map((room) => index.count(IDBKeyRange.only(room)));
					index.objectStore.transaction.oncomplete = () => {
						open.result.close();
						resolve(counts.map((count) => count.result));
					};
				};
			}),
		{ name: `meridian-ws-${workspaceId}`, rooms }
	);
}

describe.skipIf(!chromiumPath)('the whole workspace on a device', () => {
	let world: World;
	let relay: Relay;
	let browser: Browser;
	const devices: BrowserContext[] = [];

	async function device(label: string): Promise<BrowserContext> {
		const context = await newDevice(browser, label);
		devices.push(context);
		return context;
	}

	beforeAll(async () => {
		world = await startWorld();
		({ relay, browser } = world);
	});

	afterAll(() => world?.close());

	afterEach(async () => {
		const contexts = devices.splice(0, devices.length);
		const errors = contexts.flatMap((context) => takeUncaughtErrors(context));
		await Promise.all(contexts.map((context) => context.close()));
		expect(errors, 'uncaught exceptions').toEqual([]);
	});

	it('joining brings every page onto the device over one connection, with progress, so all of it reads offline', async () => {
		const workspace = `e2e-join-${Date.now().toString(36)}`;
		const pages = [
			{ title: 'Roadmap', body: 'Ship the sync engine first.' },
			{ title: 'Glossary', body: 'A relay stores and forwards.' },
			{ title: 'Decisions', body: 'We chose CRDTs in March.' }
		];

		const deviceA = await device('A');
		const alice = await join(deviceA, await relay.invite({ workspace, role: 'editor', member: 'alice' }), 'Alice');
		for (const { title, body } of pages) {
			await createPage(alice, title);
			// A typo taken back: every body holds a deletion, so a copy of it sent back is never empty.
			await typeAtEnd(alice, `${body}x`);
			await alice.keyboard.press('Backspace');
		}
		await waitForStatus(alice, 'stored');

		const deviceB = await device('B');
		const sockets = recordWebSockets(deviceB);
		const frames = recordSyncFrames(deviceB);
		const bob = await join(deviceB, await relay.invite({ workspace, role: 'editor', member: 'bob' }), 'Bob');
		const overview = new URL(bob.url()).pathname;
		expect(overview).toMatch(/^\/w\/[^/]+$/);

		// Bob stays on the overview and opens no page; the workspace document, its 3 pages and their
		// 3 discussions, the people document (everyone's profile) and his own inbox state sync.
		await expect.poll(() => syncProgress(bob), POLL).toEqual({ value: 9, max: 9 });
		await expect.poll(() => bob.getByText('9 of 9 documents synced').count(), POLL).toBe(1);
		await waitForStatus(bob, 'stored');
		expect(new URL(bob.url()).pathname).toBe(overview);
		expect(await editor(bob).count(), 'an editor on the overview').toBe(0);
		const syncSockets = sockets.filter((url) => new URL(url).pathname === '/sync');
		expect(syncSockets, 'WebSockets to /sync for 9 documents').toHaveLength(1);
		expect(sockets, 'all WebSockets opened').toEqual(syncSockets);
		// A new device that only follows the pages has nothing of its own in them, and writes nothing
		// to their rooms: no seed of its own written before the relay's copy arrived, no copy of what
		// the relay sent as an answer to the relay's step 1 (docs/performance.md, "Cold sync").
		const pageRooms = new Set([...frames.joined].filter((room) => ['page', 'talk'].includes(parseRoomName(room)?.kind ?? '')));
		expect(pageRooms.size, 'page and discussion rooms joined').toBe(6);
		expect([...frames.writes.keys()].filter((room) => pageRooms.has(room)), 'page and discussion rooms written to').toEqual([]);
		// Nor did it seed them before the relay's copy came: each body it stored is that copy alone.
		const bodies = [...pageRooms].filter((room) => parseRoomName(room)?.kind === 'page');
		expect(await storedRows(bob, bodies), 'rows stored on the device per page body').toEqual(bodies.map(() => 1));

		// The shell must come from the service worker once the network is gone (this may reload the
		// overview once, so that the service worker controls it).
		await waitForServiceWorker(bob);
		await deviceB.setOffline(true);
		await bob.reload();
		await waitForStatus(bob, 'offline');
		expect(new URL(bob.url()).pathname).toBe(overview);

		// Every page reads from this device alone, though Bob never opened one while online.
		for (const { title, body } of pages) {
			await sidebar(bob).getByRole('tree').getByRole('link', { name: title }).click();
			await expect.poll(() => titleInput(bob).inputValue(), POLL).toBe(title);
			await waitForText(bob, (text) => text === body);
			await expect.poll(() => pageStatus(bob).textContent(), POLL).toBe('Saved on this device and on the relay');
		}
		await expect.poll(() => syncStatus(bob).textContent(), POLL).toBe('Offline — everything is on the relay');
	});

	it('edits received after syncing still count as on the relay after an offline reload', async () => {
		const workspace = `e2e-later-${Date.now().toString(36)}`;
		const deviceA = await device('A');
		const alice = await join(deviceA, await relay.invite({ workspace, role: 'editor', member: 'alice' }), 'Alice');
		const path = await createPage(alice, 'Standup log');
		await typeAtEnd(alice, 'Monday.');
		await waitForStatus(alice, 'stored');

		const deviceB = await device('B');
		const bob = await join(deviceB, await relay.invite({ workspace, role: 'editor', member: 'bob' }), 'Bob');
		await bob.goto(relay.url + path);
		await waitForText(bob, (text) => text === 'Monday.');
		await waitForServiceWorker(bob);
		await waitForStatus(bob, 'stored');

		// Bob is in step with the relay when Alice's next edit reaches him: nothing of his is waiting.
		await typeAtEnd(alice, ' Tuesday.');
		await waitForStatus(alice, 'stored');
		await waitForText(bob, (text) => text === 'Monday. Tuesday.');
		await waitForStatus(bob, 'stored');

		await deviceB.setOffline(true);
		await bob.reload();
		await waitForText(bob, (text) => text === 'Monday. Tuesday.');
		await expect.poll(() => syncStatus(bob).textContent(), POLL).toBe('Offline — everything is on the relay');
		await expect.poll(() => pageStatus(bob).textContent(), POLL).toBe('Saved on this device and on the relay');
	});

	it('tabs of the same browser stay in step without a relay, and the text outlives them', async () => {
		const deviceT = await device('tabs');
		const tab1 = await createLocalWorkspace(deviceT, relay.url, 'Tab workspace', 'Tess');
		await waitForStatus(tab1, 'device-only');
		const path = await createPage(tab1, 'Shared between tabs');

		const tab2 = await deviceT.newPage();
		await tab2.goto(relay.url + path);
		await editor(tab2).waitFor();
		await expect.poll(() => titleInput(tab2).inputValue(), POLL).toBe('Shared between tabs');

		// Both tabs are open on the page; each one's typing shows up live in the other.
		await tab1.bringToFront();
		await typeAtEnd(tab1, 'From tab one.');
		await waitForText(tab2, (text) => text === 'From tab one.');
		await tab2.bringToFront();
		await typeAtEnd(tab2, ' From tab two.');
		await waitForText(tab1, (text) => text === 'From tab one. From tab two.');
		await waitForText(tab2, (text) => text === 'From tab one. From tab two.');

		for (const tab of [tab1, tab2]) {
			await waitUntilSavedOnDevice(tab);
			await waitForStatus(tab, 'device-only');
			await expect.poll(() => syncStatus(tab).textContent(), POLL).toBe('Saved on this device');
			await expect.poll(() => pageStatus(tab).textContent(), POLL).toBe('Saved on this device');
		}

		// With both tabs gone, a new one reads the text back from IndexedDB.
		await tab1.close();
		await tab2.close();
		const tab3 = await deviceT.newPage();
		await tab3.goto(relay.url + path);
		await waitForText(tab3, (text) => text === 'From tab one. From tab two.');
		await expect.poll(() => titleInput(tab3).inputValue(), POLL).toBe('Shared between tabs');
		await waitForStatus(tab3, 'device-only');
	});
});
