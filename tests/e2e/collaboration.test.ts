/**
 * Two members editing one page through a real relay, in real Chromium: live sync and presence,
 * offline edits that survive a reload and converge on reconnect, and a viewer who reads but
 * cannot write. Each browser context is a separate device (its own IndexedDB and service worker).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumPath, newDevice, takeUncaughtErrors } from './support/browser.ts';
import type { Relay } from './support/relay.ts';
import { joinTeam, startWorld, type World } from './support/world.ts';
import {
	POLL,
	createPage,
	editor,
	editorText,
	join,
	pageStatus,
	remoteCursorNames,
	sidebar,
	syncStatus,
	titleInput,
	typeAtEnd,
	waitForServiceWorker,
	waitForStatus,
	waitForText,
	waitUntilSavedOnDevice
} from './support/app.ts';

describe.skipIf(!chromiumPath)('collaboration through the relay', () => {
	const workspace = `e2e-${Date.now().toString(36)}`;
	let world: World;
	let relay: Relay;
	let browser: Browser;
	let deviceA: BrowserContext;
	let deviceB: BrowserContext;
	let alice: Page;
	let bob: Page;

	beforeAll(async () => {
		world = await startWorld();
		({ relay, browser } = world);
		({ devices: [deviceA, deviceB], pages: [alice, bob] } = await joinTeam(world, workspace, [
			{ device: 'A', member: 'alice', name: 'Alice' },
			{ device: 'B', member: 'bob', name: 'Bob' }
		]));
	});

	afterAll(() => world?.close());

	afterEach(() => {
		expect(takeUncaughtErrors(deviceA), 'uncaught exceptions on device A').toEqual([]);
		expect(takeUncaughtErrors(deviceB), 'uncaught exceptions on device B').toEqual([]);
	});

	it('two members see each other’s title, text and cursor, and both reach "Stored on the relay"', async () => {
		const path = await createPage(alice, 'Launch plan');
		await typeAtEnd(alice, 'Alice was here.');

		await bob.goto(relay.url + path);
		await expect.poll(() => sidebar(bob).getByRole('tree').getByRole('link', { name: 'Launch plan' }).count(), POLL).toBe(1);
		await expect.poll(() => titleInput(bob).inputValue(), POLL).toBe('Launch plan');
		await waitForText(bob, (text) => text.includes('Alice was here.'));

		await typeAtEnd(bob, ' Bob too.');
		await waitForText(alice, (text) => text.includes('Alice was here. Bob too.'));

		// Each caret sits in the editor, so each sees the other's cursor, labelled with their name.
		await expect.poll(() => remoteCursorNames(alice), POLL).toContain('Bob');
		await expect.poll(() => remoteCursorNames(bob), POLL).toContain('Alice');

		await waitForStatus(alice, 'stored');
		await waitForStatus(bob, 'stored');
		await expect.poll(() => syncStatus(alice).textContent(), POLL).toBe('Stored on the relay');
		await expect.poll(() => pageStatus(bob).textContent(), POLL).toBe('Stored on the relay');
		expect(await editorText(alice)).toBe(await editorText(bob));
	});

	it('an offline edit survives a reload and converges with a concurrent online edit', async () => {
		const path = await createPage(alice, 'Offline notes');
		await typeAtEnd(alice, 'Base.');
		await waitForStatus(alice, 'stored');

		await bob.goto(relay.url + path);
		await waitForText(bob, (text) => text === 'Base.');
		await waitForStatus(bob, 'stored');
		// The app shell must come from the service worker once the network is gone.
		await waitForServiceWorker(bob);
		await waitForText(bob, (text) => text === 'Base.');

		// setOffline does not close an open WebSocket in Chromium (the socket lingers, silently
		// dropping frames), so reload: the reload closes the socket and offline keeps it closed.
		await deviceB.setOffline(true);
		await bob.reload();
		await waitForStatus(bob, 'offline');
		await waitForText(bob, (text) => text === 'Base.');

		await typeAtEnd(bob, ' Bob offline.');
		await waitUntilSavedOnDevice(bob);
		await expect.poll(() => syncStatus(bob).textContent(), POLL).toMatch(/^Offline — [1-9]\d* documents? not yet on the relay$/);
		await expect.poll(() => pageStatus(bob).textContent(), POLL).toBe('Saved on this device — not yet on the relay');

		// Still offline: the shell loads from the service worker and the edit from IndexedDB.
		await bob.reload();
		await waitForText(bob, (text) => text === 'Base. Bob offline.');
		await waitForStatus(bob, 'offline');
		await expect.poll(() => pageStatus(bob).textContent(), POLL).toBe('Saved on this device — not yet on the relay');

		// Meanwhile Alice edits the same paragraph online.
		await typeAtEnd(alice, ' Alice online.');
		await waitForStatus(alice, 'stored');
		expect(await editorText(bob)).toBe('Base. Bob offline.');

		// Back online: the app reconnects on the 'online' event and the two edits merge.
		await deviceB.setOffline(false);
		const both = (text: string) => text.includes('Bob offline.') && text.includes('Alice online.') && text.startsWith('Base.');
		const merged = await waitForText(bob, both);
		await waitForText(alice, (text) => text === merged);
		await waitForStatus(bob, 'stored');
		await expect.poll(() => pageStatus(bob).textContent(), POLL).toBe('Stored on the relay');
		expect(await editorText(alice)).toBe(await editorText(bob));
	});

	it('moving between pages keeps the workspace’s one connection open', async () => {
		const first = await createPage(alice, 'First');
		await typeAtEnd(alice, 'one');
		await waitForStatus(alice, 'stored');
		const opened: string[] = [];
		alice.on('websocket', (socket) => opened.push(socket.url()));
		try {
			// Leave while the caret is still in the editor: y-prosemirror has a cursor update queued.
			await typeAtEnd(alice, '!');
			await createPage(alice, 'Second');
			await typeAtEnd(alice, 'two');
			await sidebar(alice).getByRole('tree').getByRole('link', { name: 'First' }).click();
			await waitForText(alice, (text) => text === 'one!');
			expect(new URL(alice.url()).pathname).toBe(first);
			await waitForStatus(alice, 'stored');
			expect(opened, 'WebSockets opened while moving between pages').toEqual([]);
		} finally {
			alice.removeAllListeners('websocket');
		}
	});

	it('a viewer reads the page but cannot edit its body or title', async () => {
		const path = await createPage(alice, 'For reading');
		await typeAtEnd(alice, 'Read me.');
		await waitForStatus(alice, 'stored');

		const deviceC = await newDevice(browser, 'C');
		try {
			const carol = await join(deviceC, await relay.invite({ workspace, role: 'viewer', member: 'carol' }), 'Carol');
			await carol.goto(relay.url + path);
			await waitForText(carol, (text) => text === 'Read me.');
			await expect.poll(() => titleInput(carol).inputValue(), POLL).toBe('For reading');

			expect(await editor(carol).getAttribute('contenteditable')).toBe('false');
			expect(await titleInput(carol).evaluate((input: HTMLInputElement) => input.readOnly)).toBe(true);
			await expect.poll(() => carol.getByRole('button', { name: 'New page' }).count(), POLL).toBe(0);

			// Typing anyway changes nothing, here or for Alice.
			await editor(carol).click();
			await carol.keyboard.type('Carol scribbles.');
			await titleInput(carol).click();
			await carol.keyboard.type('!!');
			expect(await editorText(carol)).toBe('Read me.');
			expect(await titleInput(carol).inputValue()).toBe('For reading');
			await waitForStatus(carol, 'stored');
			expect(await editorText(alice)).toBe('Read me.');
			expect(takeUncaughtErrors(deviceC), 'uncaught exceptions on device C').toEqual([]);
		} finally {
			await deviceC.close();
		}
	});
});
