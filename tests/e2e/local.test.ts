/**
 * A workspace that lives on this device only: no token, so no relay. The relay process here only
 * serves the built app; the workspace must never talk to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { chromiumPath, newDevice, takeUncaughtErrors } from './support/browser.ts';
import type { Relay } from './support/relay.ts';
import { startWorld, type World } from './support/world.ts';
import {
	POLL,
	createLocalWorkspace,
	createPage,
	pageStatus,
	recordWebSockets,
	syncStatus,
	titleInput,
	typeAtEnd,
	waitForServiceWorker,
	waitForStatus,
	waitForText,
	waitUntilSavedOnDevice
} from './support/app.ts';

describe.skipIf(!chromiumPath)('a workspace on this device only', () => {
	let world: World;
	let relay: Relay;
	let browser: Browser;

	beforeAll(async () => {
		world = await startWorld();
		({ relay, browser } = world);
	});

	afterAll(() => world?.close());

	it('works with no relay: writes, survives an offline reload, and never opens a WebSocket', async () => {
		const device = await newDevice(browser, 'local');
		try {
			const sockets = recordWebSockets(device);
			const page = await createLocalWorkspace(device, relay.url, 'Solo notes', 'Sam');
			await waitForStatus(page, 'device-only');
			// The overview explains how to share it instead of showing sync progress.
			await expect.poll(() => page.getByText('This workspace lives on this device only.').count(), POLL).toBe(1);
			expect(await page.locator('[data-testid=sync-progress]').count()).toBe(0);

			const path = await createPage(page, 'Private page');
			await typeAtEnd(page, 'Nobody else needs to see this.');
			await waitUntilSavedOnDevice(page);
			await expect.poll(() => pageStatus(page).textContent(), POLL).toBe('Saved on this device');

			await waitForServiceWorker(page);
			await device.setOffline(true);
			const response = await page.reload();
			expect(response?.fromServiceWorker()).toBe(true);
			expect(new URL(page.url()).pathname).toBe(path);
			await expect.poll(() => titleInput(page).inputValue(), POLL).toBe('Private page');
			await waitForText(page, (text) => text === 'Nobody else needs to see this.');
			await expect.poll(() => pageStatus(page).textContent(), POLL).toBe('Saved on this device');
			await waitForStatus(page, 'device-only');
			expect(await syncStatus(page).textContent()).toBe('Saved on this device');

			expect(sockets, 'WebSockets opened by a local-only workspace').toEqual([]);
			expect(takeUncaughtErrors(device)).toEqual([]);
		} finally {
			await device.close();
		}
	});
});
