/**
 * The wiki editor in real Chromium: Markdown shortcuts as a person types them, task checkboxes,
 * and exporting a page as Markdown.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumPath, launchBrowser, newDevice, takeUncaughtErrors } from './support/browser.ts';
import { startRelay, type Relay } from './support/relay.ts';
import { createLocalWorkspace, createPage, editor, typeAtEnd, waitForText } from './support/app.ts';

const POLL = { timeout: 20_000, interval: 100 } as const;

describe.skipIf(!chromiumPath)('the editor', () => {
	let relay: Relay;
	let browser: Browser;
	let device: BrowserContext;
	let page: Page;

	beforeAll(async () => {
		[relay, browser] = await Promise.all([startRelay(), launchBrowser()]);
		device = await newDevice(browser, 'A');
		page = await createLocalWorkspace(device, relay.url, 'Editor tests', 'Ana');
	});

	afterAll(async () => {
		await browser?.close();
		await relay?.stop();
	});

	afterEach(() => {
		expect(takeUncaughtErrors(device), 'uncaught exceptions').toEqual([]);
	});

	it('Markdown shortcuts format as you type', async () => {
		await createPage(page, 'Shortcuts');
		await typeAtEnd(page, '# Plan');
		await page.keyboard.press('Enter');
		await page.keyboard.type('We ship **on time** and `fast`.');
		await page.keyboard.press('Enter');
		await page.keyboard.type('[] write docs');
		await waitForText(page, (text) => text.includes('write docs'));

		await expect.poll(() => editor(page).locator('h1').textContent(), POLL).toBe('Plan');
		expect(await editor(page).locator('strong').textContent()).toBe('on time');
		expect(await editor(page).locator('p code').textContent()).toBe('fast');
		const task = editor(page).locator('li[data-type=taskItem]');
		expect(await task.getAttribute('data-checked')).toBe('false');

		// The checkbox is a real one, and ticking it is an edit.
		await task.getByRole('checkbox', { name: 'Done' }).click();
		await expect.poll(() => task.getAttribute('data-checked'), POLL).toBe('true');
		await editor(page).click();
		await page.keyboard.press('Control+End');
		await page.keyboard.press('Control+Enter');
		await expect.poll(() => task.getAttribute('data-checked'), POLL).toBe('false');
	});

	it('downloads the page as a .md file named after its title', async () => {
		await createPage(page, 'Export: "me" / now');
		await typeAtEnd(page, '## Steps');
		await page.keyboard.press('Enter');
		await page.keyboard.type('- one');
		await page.keyboard.press('Enter');
		await page.keyboard.type('two');
		await waitForText(page, (text) => text.includes('two'));

		const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .md' }).click()]);
		expect(download.suggestedFilename()).toBe('Export- -me- - now.md');
		const text = await readFile((await download.path())!, 'utf8');
		expect(text).toBe('# Export: "me" / now\n\n## Steps\n\n- one\n- two\n');
	});
});
