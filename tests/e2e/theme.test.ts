/**
 * Light and dark themes in real Chromium: the system's setting is followed until a member picks
 * Light or Dark; the pick is remembered on this device (and only this one), applies before the first
 * paint, and reaches the device's other tabs. See src/lib/state/theme.svelte.ts and src/app.html.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumPath, newDevice, takeUncaughtErrors } from './support/browser.ts';
import type { Relay } from './support/relay.ts';
import { startWorld, type World } from './support/world.ts';
import { POLL, createLocalWorkspace, sidebar } from './support/app.ts';

function theme(page: Page): Promise<string | null> {
	return page.evaluate(() => document.documentElement.getAttribute('data-theme'));
}

function background(page: Page): Promise<string> {
	return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
}

function choice(page: Page, name: 'System' | 'Light' | 'Dark') {
	return page.getByRole('group', { name: 'Theme' }).getByRole('radio', { name });
}

/** Clicks a choice the way a person does: on its label (the radio itself is visually hidden). */
function pick(page: Page, name: 'System' | 'Light' | 'Dark') {
	return page.getByRole('group', { name: 'Theme' }).locator('label', { hasText: name }).click();
}

/**
 * Records `data-theme` at the moment `<body>` is parsed, before anything in it can paint: a theme
 * set only later by the app's code would be a flash of the wrong one.
 */
async function recordThemeAtBody(context: BrowserContext): Promise<void> {
	await context.addInitScript(() => {
		const record = window as unknown as { themeAtBody?: string | null };
		new MutationObserver((_, observer) => {
			if (!document.body) return;
			record.themeAtBody = document.documentElement.getAttribute('data-theme');
			observer.disconnect();
		}).observe(document, { childList: true, subtree: true });
	});
}

function themeAtBody(page: Page): Promise<string | null | undefined> {
	return page.evaluate(() => (window as unknown as { themeAtBody?: string | null }).themeAtBody);
}

describe.skipIf(!chromiumPath)('themes', () => {
	let world: World;
	let relay: Relay;
	let browser: Browser;
	let device: BrowserContext;

	beforeAll(async () => {
		world = await startWorld();
		({ relay, browser } = world);
	});

	afterAll(() => world?.close());

	afterEach(async () => {
		expect(takeUncaughtErrors(device), 'uncaught exceptions').toEqual([]);
		await device?.close();
	});

	it('follows the system by default, live', async () => {
		device = await newDevice(browser, 'system');
		await recordThemeAtBody(device);
		const page = await device.newPage();
		await page.emulateMedia({ colorScheme: 'dark' });
		await page.goto(relay.url);
		await choice(page, 'System').waitFor();
		expect(await choice(page, 'System').isChecked()).toBe(true);
		expect(await themeAtBody(page)).toBe('dark');
		expect(await theme(page)).toBe('dark');
		const dark = await background(page);

		await page.emulateMedia({ colorScheme: 'light' });
		await expect.poll(() => theme(page), POLL).toBe('light');
		expect(await background(page)).not.toBe(dark);
		expect(await background(page)).toBe('rgb(255, 255, 255)');
	});

	it('a manual choice overrides the system, is applied before the first paint, and is remembered on this device only', async () => {
		device = await newDevice(browser, 'override');
		await recordThemeAtBody(device);
		const page = await createLocalWorkspace(device, relay.url, 'Themes', 'Ana');
		await page.emulateMedia({ colorScheme: 'light' });

		// From the workspace sidebar, by keyboard: the group is one tab stop and the arrows choose.
		const toggle = sidebar(page).getByRole('group', { name: 'Theme' });
		await toggle.getByRole('radio', { name: 'System' }).focus();
		await page.keyboard.press('ArrowRight');
		expect(await toggle.getByRole('radio', { name: 'Light' }).isChecked()).toBe(true);
		await page.keyboard.press('ArrowRight');
		expect(await toggle.getByRole('radio', { name: 'Dark' }).isChecked()).toBe(true);
		await expect.poll(() => theme(page), POLL).toBe('dark');
		const outline = await toggle.evaluate((group) => getComputedStyle(group.querySelector('.options')!).outlineStyle);
		expect(outline, 'the focused group shows a focus ring').toBe('solid');

		await page.emulateMedia({ colorScheme: 'light' });
		expect(await theme(page)).toBe('dark');

		const other = await device.newPage();
		await other.emulateMedia({ colorScheme: 'light' });
		await other.goto(relay.url);
		expect(await themeAtBody(other), 'a new tab starts dark, before its first paint').toBe('dark');
		await choice(other, 'Dark').waitFor();
		expect(await choice(other, 'Dark').isChecked()).toBe(true);

		// Another tab's choice reaches this one.
		await pick(other, 'Light');
		await expect.poll(() => theme(page), POLL).toBe('light');
		await other.emulateMedia({ colorScheme: 'dark' });
		expect(await theme(other)).toBe('light');

		await page.reload();
		await choice(page, 'Light').waitFor();
		expect(await themeAtBody(page)).toBe('light');

		// Back to System: the system's setting applies again.
		await pick(other, 'System');
		await expect.poll(() => theme(other), POLL).toBe('dark');
		expect(await other.evaluate(() => localStorage.getItem('meridian:theme'))).toBeNull();

		// Another device has its own setting.
		const elsewhere = await newDevice(browser, 'elsewhere');
		try {
			await pick(page, 'Dark');
			const fresh = await elsewhere.newPage();
			await fresh.emulateMedia({ colorScheme: 'light' });
			await fresh.goto(relay.url);
			await choice(fresh, 'System').waitFor();
			expect(await choice(fresh, 'System').isChecked()).toBe(true);
			expect(await theme(fresh)).toBe('light');
		} finally {
			await elsewhere.close();
		}
	});
});
