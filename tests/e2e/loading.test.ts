/**
 * What a page loads, and when (docs/architecture.md, "Loading"):
 *
 *   [LD1] opening a page does not fetch the Markdown converter (markdown-it, prosemirror-markdown);
 *         it is fetched when the editor first takes focus
 *   [LD2] a Markdown paste that comes before the converter has arrived is still parsed into blocks,
 *         at the caret, once it has
 *   [LD3] "Download .md" loads the converter itself when the editor never had focus
 *   [LD4] opening a page does not fetch the history dialog; "History" loads it and it opens
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { chromiumPath } from './support/browser.ts';
import { startWorld, type World } from './support/world.ts';
import { POLL, createLocalWorkspace, createPage, downloadText, editor, typeAtEnd, waitForText } from './support/app.ts';

/** A string only markdown-it's code holds (a token type), so the chunk that carries it is the converter's. */
const MARKDOWN_MARKER = 'text_special';
/** A label only the history dialog (components/history/HistoryDialog.svelte) shows. */
const HISTORY_MARKER = 'Name this version';

describe.skipIf(!chromiumPath)('loading', () => {
	let world: World;
	let device: BrowserContext;
	let page: Page;
	/** Script URLs whose bodies hold the Markdown converter, or the history dialog, as they are fetched. */
	const converter: string[] = [];
	const history: string[] = [];
	const errors: string[] = [];

	beforeAll(async () => {
		world = await startWorld();
		// No service worker: its precache would fetch every chunk, and the page's own fetches would go
		// through it, out of the test's sight. What the page asks for, and when, is the subject here.
		device = await world.browser.newContext({ viewport: { width: 1100, height: 800 }, serviceWorkers: 'block' });
		device.setDefaultTimeout(20_000);
		device.on('page', (tab) => tab.on('pageerror', (error) => errors.push(error.message)));
		device.on('response', (response) => {
			if (!response.url().endsWith('.js')) return;
			response.text().then(
				(body) => {
					if (body.includes(MARKDOWN_MARKER)) converter.push(response.url());
					if (body.includes(HISTORY_MARKER)) history.push(response.url());
				},
				() => undefined
			);
		});
		page = await createLocalWorkspace(device, world.relay.url, 'Loading tests', 'Ana');
	});

	afterAll(() => world?.close());

	afterEach(() => {
		expect(errors.splice(0), 'uncaught exceptions').toEqual([]);
	});

	/** Reloads the current page with an empty HTTP cache, so every script is fetched. */
	async function coldReload(): Promise<void> {
		const cdp = await device.newCDPSession(page);
		await cdp.send('Network.clearBrowserCache');
		await cdp.detach();
		converter.length = 0;
		history.length = 0;
		await page.reload();
		await editor(page).waitFor();
	}

	it('[LD1][LD2] the converter loads on focus, and a Markdown paste before it arrives is still parsed', async () => {
		await createPage(page, 'Lazy paste');
		await typeAtEnd(page, 'start');
		await waitForText(page, (text) => text.includes('start'));
		await coldReload();
		await waitForText(page, (text) => text.includes('start'));
		// Settled, and still not fetched: the editor has not had focus.
		await page.waitForLoadState('networkidle');
		expect(converter).toEqual([]);

		// Hold the converter back, so the paste below comes before it.
		let release!: () => void;
		const held = new Promise<void>((resolve) => (release = resolve));
		let holding = false;
		const hold = async (route: Route) => {
			const response = await route.fetch();
			const body = await response.text();
			if (body.includes(MARKDOWN_MARKER)) {
				holding = true;
				await held;
			}
			await route.fulfill({ response, body });
		};
		await page.route('**/_app/immutable/**/*.js', hold);
		try {
			await editor(page).click();
			await page.keyboard.press('Control+End');
			// An empty paragraph to paste into (into "start", the heading's text would join it).
			await page.keyboard.press('Enter');
			await editor(page).evaluate((element) => {
				const transfer = new DataTransfer();
				transfer.setData('text/plain', '## Early heading\n\n- one\n- two\n');
				element.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
			});
			// Asked for on focus, and held back: the paste came first.
			await expect.poll(() => holding, POLL).toBe(true);
			// Nothing was inserted as plain text meanwhile.
			expect(await editor(page).textContent()).not.toContain('##');
			release();
			await expect.poll(() => editor(page).locator('h2').textContent(), POLL).toBe('Early heading');
			expect(await editor(page).locator('ul > li').allTextContents()).toEqual(['one', 'two']);
		} finally {
			release();
			await page.unroute('**/_app/immutable/**/*.js', hold);
		}
	});

	it('[LD3] "Download .md" works before the editor ever had focus', async () => {
		await createPage(page, 'Lazy export');
		await typeAtEnd(page, 'exported text');
		await waitForText(page, (text) => text.includes('exported text'));
		await coldReload();
		await waitForText(page, (text) => text.includes('exported text'));
		expect(converter).toEqual([]);
		const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .md' }).click()]);
		expect(download.suggestedFilename()).toBe('Lazy export.md');
		expect(await downloadText(download)).toBe('# Lazy export\n\nexported text\n');
		// The response listener reads each script's body asynchronously: wait for it to have.
		await expect.poll(() => converter.length, POLL).toBeGreaterThan(0);
	});

	it('[LD4] the history dialog is fetched when History is first clicked', async () => {
		await createPage(page, 'Lazy history');
		await typeAtEnd(page, 'some history');
		await waitForText(page, (text) => text.includes('some history'));
		await coldReload();
		await waitForText(page, (text) => text.includes('some history'));
		await page.waitForLoadState('networkidle');
		expect(history).toEqual([]);
		await page.getByRole('button', { name: 'History' }).click();
		await page.getByRole('dialog').getByRole('heading', { name: 'History of “Lazy history”' }).waitFor();
		expect(history.length).toBeGreaterThan(0);
	});
});
