/**
 * Device storage failing under the app, in real Chromium: a full quota and a database another tab
 * upgraded. The issue: "Quota errors, closed connections and failed writes are shown to the user
 * and retried — never swallowed". Both use a workspace that lives on this device only, so the
 * device is the only place the work is kept and nothing hides a lost write.
 *
 * How the quota is made full: DevTools' `Storage.overrideQuotaForOrigin`. Chromium's IndexedDB
 * asks the quota manager for the space left once and then trusts that answer for 30 s (decrementing
 * it per write), so an override set while the origin's databases are in use only bites half a
 * minute later. The test therefore works like a device that filled up while the app was closed:
 * a persistent profile, the browser restarted, the quota pinned to the current usage before the
 * app runs. Every write then fails with a real QuotaExceededError from Chromium, and lifting the
 * override takes effect at the next write (a failed check is not cached).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { LAUNCH_ARGS, chromiumPath, newDevice, takeUncaughtErrors } from './support/browser.ts';
import type { Relay } from './support/relay.ts';
import { startWorld, type World } from './support/world.ts';
import { POLL, editor, pageStatus, syncStatus, typeAtEnd, waitForStatus, waitForText } from './support/app.ts';

describe.skipIf(!chromiumPath)('device storage failures are shown and retried', () => {
	let world: World;
	let relay: Relay;
	let browser: Browser;
	const profiles: string[] = [];
	const persistent = new Set<BrowserContext>();

	beforeAll(async () => {
		world = await startWorld();
		({ relay, browser } = world);
	});

	afterAll(async () => {
		for (const context of persistent) await context.close().catch(() => {});
		await world?.close();
		for (const dir of profiles) await rm(dir, { recursive: true, force: true });
	});

	it('a full quota: the member is told, the change is kept, and it is saved once there is room', async () => {
		const profile = await mkdtemp(join(tmpdir(), 'meridian-e2e-profile-'));
		profiles.push(profile);

		// Session one: a workspace, a page and some saved text.
		let device = await launchProfile(profile);
		let page = await createLocalWorkspace(device, relay.url, 'Quota notes', 'Quinn');
		await newPage(page, 'Full disk');
		await typeAtEnd(page, 'Written with room to spare.');
		await waitForStatus(page, 'device-only');
		const pagePath = new URL(page.url()).pathname;
		expect(device.uncaught, 'uncaught exceptions before the restart').toEqual([]);
		await closeProfile(device);

		// Session two: the disk is full before the app starts.
		device = await launchProfile(profile);
		page = await device.context.newPage();
		const origin = new URL(relay.url).origin;
		// An image of the origin: runs no app code, so nothing touches IndexedDB before the override.
		await page.goto(`${origin}/icon-192.png`);
		const { usage } = await page.evaluate(() => navigator.storage.estimate());
		const cdp = await device.context.newCDPSession(page);
		await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage ?? 1 });
		// Chromium really refuses writes now (checked with plain IndexedDB, not through the app).
		expect(await rawWrite(page)).toBe('QuotaExceededError');

		await page.goto(origin + pagePath);
		await waitForText(page, (text) => text === 'Written with room to spare.');
		await waitForStatus(page, 'device-only');
		await typeAtEnd(page, ' Typed while the disk was full.');

		await waitForStatus(page, 'local-error');
		await expect.poll(() => syncStatus(page).textContent(), POLL).toMatch(/out of storage space/);
		await expect.poll(() => pageStatus(page).textContent(), POLL).toBe('Not saved on this device');
		// Retrying keeps failing while there is no room; the text stays in the editor meanwhile.
		await expect.poll(() => failedSaves(device), POLL).toBeGreaterThanOrEqual(2);
		expect(device.saveFailures.filter((text) => !text.includes('QuotaExceededError')), 'failures other than the quota').toEqual([]);
		expect(await syncStatus(page).getAttribute('data-status')).toBe('local-error');
		await waitForText(page, (text) => text === 'Written with room to spare. Typed while the disk was full.');

		// Room again: the queued change is written by the next retry, without the member doing anything.
		await cdp.send('Storage.overrideQuotaForOrigin', { origin });
		await waitForStatus(page, 'device-only', 15_000);
		await expect.poll(() => pageStatus(page).textContent(), POLL).toBe('Saved on this device');

		await page.reload();
		await waitForText(page, (text) => text === 'Written with room to spare. Typed while the disk was full.');
		await waitForStatus(page, 'device-only');
		expect(device.uncaught, 'uncaught exceptions').toEqual([]);
		await closeProfile(device);
	});

	describe('another tab upgrades the database', () => {
		let device: BrowserContext;

		beforeAll(async () => {
			device = await newDevice(browser, 'upgrade');
		});

		afterEach(() => {
			expect(takeUncaughtErrors(device), 'uncaught exceptions').toEqual([]);
		});

		it('writes fail visibly (asking for a reload), and the reload says plainly why the workspace cannot open', async () => {
			const page = await createLocalWorkspace(device, relay.url, 'Upgrade notes', 'Uma');
			const workspaceId = new URL(page.url()).pathname.split('/')[2]!;
			await newPage(page, 'Versions');
			await typeAtEnd(page, 'Saved before the upgrade.');
			await waitForStatus(page, 'device-only');

			// What a newer Meridian in another tab would do: open the workspace database at version 2.
			// The app's connection gets versionchange and closes, so the upgrade is not blocked.
			const upgraded = await page.evaluate(
				(name) =>
					new Promise<number>((resolve, reject) => {
						const request = indexedDB.open(name, 2);
						request.onsuccess = () => {
							const version = request.result.version;
							request.result.close();
							resolve(version);
						};
						request.onerror = () => reject(request.error);
						request.onblocked = () => reject(new Error('blocked: the app did not let go of its connection'));
					}),
				`meridian-ws-${workspaceId}`
			);
			expect(upgraded).toBe(2);

			await typeAtEnd(page, ' Typed after the upgrade.');
			await waitForStatus(page, 'local-error');
			await expect.poll(() => syncStatus(page).textContent(), POLL).toMatch(/newer version of Meridian is open in another tab.*then reload this tab/);
			await expect.poll(() => pageStatus(page).textContent(), POLL).toBe('Not saved on this device');
			await waitForText(page, (text) => text === 'Saved before the upgrade. Typed after the upgrade.');

			// Leaving now would lose what was typed since: the browser asks first.
			const asked = new Promise<string>((resolve) =>
				page.once('dialog', (dialog) => {
					resolve(dialog.type());
					void dialog.accept();
				})
			);

			// This build still asks for version 1, so after the reload it cannot open the database at all.
			// That must be said on the page, not be a blank page or an endless "Opening…".
			await page.reload();
			expect(await asked).toBe('beforeunload');
			const alert = page.getByRole('alert');
			await expect
				.poll(() => alert.textContent(), POLL)
				.toMatch(/^Could not open this workspace: A newer version of Meridian has upgraded its storage on this device.* Reload to update/);
			await expect.poll(() => page.getByRole('link', { name: 'Your workspaces' }).isVisible(), POLL).toBe(true);
			expect(await editor(page).count()).toBe(0);
		});
	});
});

interface Profile {
	readonly context: BrowserContext;
	/** Exceptions the app's pages threw and nobody caught. */
	readonly uncaught: string[];
	/** The app's "[meridian] saving on this device failed" console errors. */
	readonly saveFailures: string[];
}

/** A Chromium with a profile on disk, so IndexedDB outlives a browser restart. */
async function launchProfile(dir: string): Promise<Profile> {
	const context = await chromium.launchPersistentContext(dir, {
		executablePath: chromiumPath!,
		headless: true,
		args: [...LAUNCH_ARGS],
		viewport: { width: 1100, height: 800 }
	});
	context.setDefaultTimeout(20_000);
	const profile: Profile = { context, uncaught: [], saveFailures: [] };
	const watch = (page: Page) => {
		page.on('pageerror', (error) => {
			profile.uncaught.push(error.message);
			console.error(`[quota] page error: ${error.stack ?? error.message}`);
		});
		page.on('console', (message) => {
			if (message.type() !== 'error') return;
			if (message.text().includes('saving on this device failed')) profile.saveFailures.push(message.text());
			else console.error(`[quota] console: ${message.text()}`);
		});
	};
	context.pages().forEach(watch);
	context.on('page', watch);
	return profile;
}

async function closeProfile(profile: Profile): Promise<void> {
	await profile.context.close();
}

function failedSaves(profile: Profile): number {
	return profile.saveFailures.length;
}

/** The home page's form: a workspace on this device only. Returns the tab, on the overview. */
async function createLocalWorkspace(context: BrowserContext | Profile, origin: string, name: string, memberName: string): Promise<Page> {
	const page = await ('context' in context ? context.context : context).newPage();
	await page.goto(origin);
	await page.getByRole('textbox', { name: 'Your name' }).fill(memberName);
	await page.getByRole('textbox', { name: 'Workspace name' }).fill(name);
	await page.getByRole('button', { name: 'Create workspace' }).click();
	await page.waitForURL(/\/w\/[^/]+$/);
	await syncStatus(page).waitFor();
	return page;
}

async function newPage(page: Page, title: string): Promise<void> {
	await page.getByRole('button', { name: 'New page' }).click();
	await page.waitForURL(/\/w\/[^/]+\/p\/[^/]+$/);
	await editor(page).waitFor();
	await page.getByRole('textbox', { name: 'Page title' }).fill(title);
}

/** Adds a row to a scratch database with plain IndexedDB: 'ok' or the name of the error. */
function rawWrite(page: Page): Promise<string> {
	return page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('e2e-quota-probe', 1);
			request.onupgradeneeded = () => request.result.createObjectStore('rows', { autoIncrement: true });
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		const tx = db.transaction('rows', 'readwrite');
		tx.objectStore('rows').add(new Uint8Array(64));
		const outcome = await new Promise<string>((resolve) => {
			tx.oncomplete = () => resolve('ok');
			tx.onabort = () => resolve(tx.error?.name ?? 'AbortError');
		});
		db.close();
		return outcome;
	});
}
