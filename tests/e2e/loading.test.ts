/**
 * What a page loads, and when (docs/architecture.md, "Loading"):
 *
 *   [LD1] opening a page does not fetch the Markdown converter (markdown-it, prosemirror-markdown);
 *         it is fetched when the editor first takes focus
 *   [LD2] a Markdown paste that comes before the converter has arrived is still parsed into blocks,
 *         at the caret, once it has
 *   [LD3] "Download .md" loads the converter itself when the editor never had focus
 *   [LD4] opening a page does not fetch the history dialog; "History" loads it and it opens
 *   [LD5] opening a page does not fetch the share dialog, nor the inbox's view; "Share" loads the
 *         dialog and it opens
 *   [LD6] opening a page without comments does not fetch the threads' code (nor the comments model's
 *         anchoring and writing); the first draft loads it, takes focus and posts; a page with a
 *         thread says "Loading comments…" until its code is there, then shows it, highlighted
 *   [LD7] a page opens, and takes typing, while the search code (worker and engine) is held back;
 *         the first query loads it and finds the page
 *   [LD8] offline, on a device that saved this version, the share dialog, a first comment and a
 *         first search all load and work
 *   [LD9] opening a page does not fetch the inline menus' lists (`/`, `[[`, `@`); the first `/`
 *         loads them, and keys typed while they are held back still filter and pick
 *  [LD10] opening a page does not fetch the "Move to…" dialog; the first "Move to…" loads it
 *  [LD11] opening a page does not fetch the new-decision form; "New decision" loads it, with focus
 *         in its title
 *  [LD12] opening a page does not fetch the quick switcher; its shortcut loads it, and what is typed
 *         while it is held back (the query, then Enter) still opens the page it names; the "Jump
 *         to…" button opens it too
 *  [LD13] opening a page does not fetch the "New from template…" dialog; its button loads it
 *  [LD14] a page opens, and takes typing, while the search index's code (sync/search.ts) is held
 *         back; it is asked for soon after without any search, and once there the first query finds
 *         the page
 *  [LD15] a page opens, and takes typing, while the inbox's index (sync/inbox.ts) is held back, the
 *         sidebar's inbox link saying it is loading; once there the inbox settles
 *  [LD16] the page's catch-up code (highlights since the last look, the banner, the index) is not
 *         among the page's scripts: the page shows while it is held back, and its editor, which
 *         needs catch-up's plugin from its creation, comes once it arrives
 *  [LD17] opening a page in a workspace with no archived pages does not fetch the archived pages'
 *         list; archiving a page loads it, and the page can be restored from it
 *  [LD18] opening a page without a table does not fetch prosemirror-tables; the `/` menu loads it,
 *         and a table inserted from it takes Tab and a drag across cells; a page holding a table
 *         fetches it as it opens, and so does a tab showing a page a table is added to elsewhere
 *  [LD19] opening a page does not fetch the floating toolbar; the first selection loads it, and it
 *         formats that selection
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Locator, Page, Route } from 'playwright-core';
import { chromiumPath } from './support/browser.ts';
import { startWorld, type World } from './support/world.ts';
import {
	POLL,
	createLocalWorkspace,
	createPage,
	downloadText,
	editor,
	selectText,
	titleInput,
	typeAtEnd,
	waitForServiceWorker,
	waitForText,
	waitUntilSavedOnDevice
} from './support/app.ts';

/** A string only markdown-it's code holds (a token type), so the chunk that carries it is the converter's. */
const MARKDOWN_MARKER = 'text_special';
/** A label only the history dialog (components/history/HistoryDialog.svelte) shows. */
const HISTORY_MARKER = 'Name this version';
/** A placeholder only the share dialog (components/inbox/ShareDialog.svelte) has. */
const SHARE_MARKER = 'Why they should have a look';
/** A label only the inbox's view (components/inbox/InboxView.svelte) shows. */
const INBOX_MARKER = 'Mark all read';
/** A label only a comment message (components/comments/CommentMessage.svelte, in thread-ui.ts) has. */
const THREADS_MARKER = 'Edit your message';
/** A reason only the search worker's backend (search/backend.ts) gives. */
const SEARCH_MARKER = 'the search worker stopped';
/** The slash menu's list label (components/editor/SlashMenu.svelte, in InlineMenus.svelte). */
const MENUS_MARKER = 'Insert block';
/** A list label only the move dialog (components/tree/MoveDialog.svelte) has. */
const MOVE_MARKER = 'Places to move to';
/** The title field's placeholder, only in the new-decision form (components/decisions/NewDecisionForm.svelte). */
const NEW_DECISION_MARKER = 'What is being decided?';
/** The hint only the quick switcher (components/switcher/QuickSwitcher.svelte) shows. */
const SWITCHER_MARKER = 'to move, Enter to open, Esc to close';
/** A text only the from-template dialog (components/templates/NewFromTemplateDialog.svelte) shows. */
const TEMPLATES_MARKER = 'No page is a template yet';
/** A warning only the search index (sync/search.ts) gives. */
const SEARCH_INDEX_MARKER = 'Search could not load its engine';
/** The name of the inbox's state loader, only in the inbox's index (sync/inbox.ts). */
const INBOX_INDEX_MARKER = 'inbox state';
/** A warning only a page's catch-up (components/catch-up/page-catch-up.svelte.ts) gives. */
const CATCH_UP_MARKER = 'could not record this page as seen';
/** A sentence only the archived pages' list (components/tree/ArchivedPages.svelte) says. */
const ARCHIVED_MARKER = 'subpages are deleted with it';
/** A label only the floating toolbar (components/editor/FormatToolbar.svelte) has. */
const TOOLBAR_MARKER = 'Toggle header row';
/** A refusal only the comments model's writing code (model/comments.ts) gives. */
const COMMENTS_MODEL_MARKER = 'This thread is already resolved';
/** The name of a plugin key only prosemirror-tables' code holds (its `fixTables`). */
const TABLES_MARKER = 'fix-tables';

/** Holds back the scripts whose body holds `marker` until `release` is called. */
function holdScripts(marker: string): { handler: (route: Route) => Promise<void>; holding: () => boolean; release: () => void } {
	let release!: () => void;
	const held = new Promise<void>((resolve) => (release = resolve));
	let holding = false;
	return {
		handler: async (route: Route) => {
			const response = await route.fetch();
			const body = await response.text();
			if (body.includes(marker)) {
				holding = true;
				await held;
			}
			// A script asked for just as the test removes this handler was passed on by Playwright
			// meanwhile (it fetched it itself): nothing left to fulfil.
			await route.fulfill({ response, body }).catch((error: unknown) => {
				if (!String(error).includes('already handled')) throw error;
			});
		},
		holding: () => holding,
		release
	};
}

/** Presses the mouse in `from`, moves to `to` and lets go: a drag selection across table cells. */
async function dragAcross(from: Locator, to: Locator): Promise<void> {
	const a = (await from.boundingBox())!;
	const b = (await to.boundingBox())!;
	const mouse = from.page().mouse;
	await mouse.move(a.x + a.width / 2, a.y + a.height / 2);
	await mouse.down();
	await mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
	await mouse.up();
}

/** The page's comments panel. */
const commentsPanel = (tab: Page) => tab.getByTestId('comments-panel');

/** Selects `text` in the body and posts a comment on it, from the keyboard (Ctrl+Alt+M). */
async function commentOn(tab: Page, text: string, comment: string): Promise<void> {
	await selectText(tab, text);
	await tab.keyboard.press('Control+Alt+m');
	const field = commentsPanel(tab).getByRole('combobox', { name: 'New comment' });
	await expect.poll(() => field.evaluate((element) => element === document.activeElement), POLL).toBe(true);
	await field.fill(comment);
	await commentsPanel(tab).getByRole('button', { name: 'Comment', exact: true }).click();
	await expect.poll(() => commentsPanel(tab).getByTestId('open-threads').getByTestId('comment-thread').textContent(), POLL).toContain(comment);
}

/** Searches from the search page (the sidebar's link) and returns the titles found. */
async function search(tab: Page, words: string): Promise<string[]> {
	await tab.getByRole('link', { name: 'Search', exact: true }).click();
	await tab.getByRole('searchbox', { name: 'Search pages, decisions and comments' }).fill(words);
	const results = tab.getByTestId('search-results').getByTestId('search-result').locator('a.hit-link');
	await expect.poll(() => results.count(), POLL).toBeGreaterThan(0);
	return results.allTextContents();
}
describe.skipIf(!chromiumPath)('loading', () => {
	let world: World;
	let device: BrowserContext;
	let page: Page;
	/** Script URLs whose bodies hold the Markdown converter, or the history dialog, as they are fetched. */
	const converter: string[] = [];
	const history: string[] = [];
	const share: string[] = [];
	const inbox: string[] = [];
	const threads: string[] = [];
	const menus: string[] = [];
	const move: string[] = [];
	const newDecision: string[] = [];
	const switcher: string[] = [];
	const templates: string[] = [];
	const archived: string[] = [];
	const tables: string[] = [];
	const commentsModel: string[] = [];
	const toolbarCode: string[] = [];
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
					if (body.includes(SHARE_MARKER)) share.push(response.url());
					if (body.includes(INBOX_MARKER)) inbox.push(response.url());
					if (body.includes(THREADS_MARKER)) threads.push(response.url());
					if (body.includes(MENUS_MARKER)) menus.push(response.url());
					if (body.includes(MOVE_MARKER)) move.push(response.url());
					if (body.includes(NEW_DECISION_MARKER)) newDecision.push(response.url());
					if (body.includes(SWITCHER_MARKER)) switcher.push(response.url());
					if (body.includes(TEMPLATES_MARKER)) templates.push(response.url());
					if (body.includes(ARCHIVED_MARKER)) archived.push(response.url());
					if (body.includes(TABLES_MARKER)) tables.push(response.url());
					if (body.includes(COMMENTS_MODEL_MARKER)) commentsModel.push(response.url());
					if (body.includes(TOOLBAR_MARKER)) toolbarCode.push(response.url());
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

	/** A new page holding `text`, loaded again with an empty HTTP cache and the network settled: where each test of a lazy part starts. */
	async function coldPage(title: string, text: string): Promise<void> {
		await createPage(page, title);
		await typeAtEnd(page, text);
		await waitForText(page, (shown) => shown.includes(text));
		await coldReload();
		await waitForText(page, (shown) => shown.includes(text));
		await page.waitForLoadState('networkidle');
	}

	/** Reloads the current page with an empty HTTP cache, so every script is fetched. */
	async function coldReload(): Promise<void> {
		const cdp = await device.newCDPSession(page);
		await cdp.send('Network.clearBrowserCache');
		await cdp.detach();
		for (const urls of [converter, history, share, inbox, threads, menus, move, newDecision, switcher, templates, archived, tables, commentsModel, toolbarCode]) urls.length = 0;
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
		await coldPage('Lazy history', 'some history');
		expect(history).toEqual([]);
		await page.getByRole('button', { name: 'History' }).click();
		await page.getByRole('dialog').getByRole('heading', { name: 'History of “Lazy history”' }).waitFor();
		// Recorded once the response's body has been read, which may be after the dialog shows.
		await expect.poll(() => history.length, POLL).toBeGreaterThan(0);
		// Closed, so the next test's clicks reach the page.
		await page.keyboard.press('Escape');
		await expect.poll(() => page.getByRole('dialog').count(), POLL).toBe(0);
	});

	it('[LD5] the share dialog is fetched when Share is first clicked, and the inbox view not with a page', async () => {
		await coldPage('Lazy share', 'worth sharing');
		expect(share).toEqual([]);
		expect(inbox).toEqual([]);
		await page.getByRole('button', { name: 'Share', exact: true }).click();
		await page.getByRole('dialog').getByRole('heading', { name: 'Share “Lazy share”' }).waitFor();
		await expect.poll(() => share.length, POLL).toBeGreaterThan(0);
		await page.keyboard.press('Escape');
		await expect.poll(() => page.getByRole('dialog').count(), POLL).toBe(0);
	});

	it('[LD6] the comment threads are fetched with the first draft, which takes focus and posts', async () => {
		await coldPage('Lazy comments', 'worth a remark');
		expect(threads).toEqual([]);
		expect(commentsModel).toEqual([]);
		await commentOn(page, 'remark', 'A first thought');
		// Recorded once the response's body has been read, which may be after the dialog shows.
		await expect.poll(() => threads.length, POLL).toBeGreaterThan(0);
		await expect.poll(() => commentsModel.length, POLL).toBeGreaterThan(0);

		// A page that has a thread loads them as it opens, and shows it, highlighted in the body;
		// while the comments' code is on its way the panel says so, not "No open comments".
		const hold = holdScripts(COMMENTS_MODEL_MARKER);
		await page.route('**/_app/immutable/**/*.js', hold.handler);
		try {
			await coldReload();
			await expect.poll(() => hold.holding(), POLL).toBe(true);
			await expect.poll(() => commentsPanel(page).textContent(), POLL).toContain('Loading comments…');
			expect(await commentsPanel(page).textContent()).not.toContain('No open comments');
			hold.release();
			await expect.poll(() => commentsPanel(page).getByTestId('open-threads').getByTestId('comment-thread').textContent(), POLL).toContain('A first thought');
			await expect.poll(() => editor(page).locator('.comment-anchor').textContent(), POLL).toBe('remark');
		} finally {
			hold.release();
			await page.unroute('**/_app/immutable/**/*.js', hold.handler);
		}
	});

	it('[LD7] a page opens and takes typing while the search code is held back; the first query loads it', async () => {
		await createPage(page, 'Lazy search');
		await typeAtEnd(page, 'a wombat');
		await waitForText(page, (text) => text.includes('a wombat'));
		const hold = holdScripts(SEARCH_MARKER);
		await page.route('**/_app/immutable/**/*.js', hold.handler);
		try {
			await coldReload();
			await waitForText(page, (text) => text.includes('a wombat'));
			await typeAtEnd(page, ' grazing');
			await waitForText(page, (text) => text.includes('a wombat grazing'));
			hold.release();
			expect(await search(page, 'wombat')).toEqual(['Lazy search']);
		} finally {
			hold.release();
			await page.unroute('**/_app/immutable/**/*.js', hold.handler);
		}
	});

	it('[LD8] offline, on a device that saved this version, the lazily loaded parts load on first use', async () => {
		// The service worker this time: it precaches the whole build once installed (service-worker.ts).
		const offline = await world.browser.newContext({ viewport: { width: 1100, height: 800 } });
		offline.setDefaultTimeout(20_000);
		offline.on('page', (tab) => tab.on('pageerror', (error) => errors.push(error.message)));
		try {
			const tab = await createLocalWorkspace(offline, world.relay.url, 'Offline loading', 'Ana');
			await createPage(tab, 'Offline lazy');
			await typeAtEnd(tab, 'an offline wombat');
			await waitForText(tab, (text) => text.includes('an offline wombat'));
			await waitUntilSavedOnDevice(tab);
			await waitForServiceWorker(tab);
			await offline.setOffline(true);
			await tab.reload();
			await waitForText(tab, (text) => text.includes('an offline wombat'));

			await tab.getByRole('button', { name: 'Share', exact: true }).click();
			await tab.getByRole('dialog').getByRole('heading', { name: 'Share “Offline lazy”' }).waitFor();
			await tab.keyboard.press('Escape');
			await expect.poll(() => tab.getByRole('dialog').count(), POLL).toBe(0);
			await commentOn(tab, 'offline', 'Noted offline');
			expect(await search(tab, 'wombat')).toEqual(['Offline lazy']);
		} finally {
			await offline.close();
		}
	});

	it('[LD9] the inline menus load with the first `/`, and keys typed before they arrive still pick', async () => {
		await coldPage('Lazy menus', 'menus');
		expect(menus).toEqual([]);

		const hold = holdScripts(MENUS_MARKER);
		await page.route('**/_app/immutable/**/*.js', hold.handler);
		try {
			await editor(page).click();
			await page.keyboard.press('Control+End');
			await page.keyboard.press('Enter');
			// The menu's plugin has the keys from the start: the list is held back, the heading still comes.
			await page.keyboard.type('/head');
			await expect.poll(() => hold.holding(), POLL).toBe(true);
			await page.keyboard.press('Enter');
			await page.keyboard.type('Early');
			await expect.poll(() => editor(page).locator('h1').textContent(), POLL).toBe('Early');
			hold.release();
			await page.keyboard.press('Enter');
			await page.keyboard.type('/');
			const menu = page.getByRole('listbox', { name: 'Insert block' });
			await menu.waitFor();
			await page.keyboard.press('Escape');
			await menu.waitFor({ state: 'detached' });
		} finally {
			hold.release();
			await page.unroute('**/_app/immutable/**/*.js', hold.handler);
		}
	});

	it('[LD10] the move dialog is fetched with the first "Move to…"', async () => {
		await createPage(page, 'Lazy move');
		await coldReload();
		await page.waitForLoadState('networkidle');
		expect(move).toEqual([]);
		const item = page.getByRole('tree', { name: 'Page tree' }).getByRole('treeitem', { name: 'Lazy move', exact: true });
		await item.locator(':scope > [data-testid=tree-row]').getByRole('button', { name: 'Page actions' }).click();
		await page.getByRole('menu').getByRole('menuitem', { name: 'Move to…' }).click();
		await page.getByRole('dialog', { name: 'Move “Lazy move” to…' }).waitFor();
		await expect.poll(() => move.length, POLL).toBeGreaterThan(0);
		await page.keyboard.press('Escape');
		await expect.poll(() => page.getByRole('dialog').count(), POLL).toBe(0);
	});

	it('[LD11] the new-decision form is fetched with the first "New decision", and takes focus', async () => {
		await createPage(page, 'Lazy decision');
		await coldReload();
		await page.waitForLoadState('networkidle');
		expect(newDecision).toEqual([]);
		await page.getByRole('button', { name: 'New decision' }).click();
		const title = page.getByRole('dialog', { name: 'New decision' }).getByRole('textbox', { name: 'Title' });
		await expect.poll(() => title.evaluate((element) => element === document.activeElement), POLL).toBe(true);
		await expect.poll(() => newDecision.length, POLL).toBeGreaterThan(0);
		await page.keyboard.press('Escape');
		await expect.poll(() => page.getByRole('dialog').count(), POLL).toBe(0);
	});

	it('[LD12] the quick switcher loads with its shortcut, and what is typed while it is held back still opens the page', async () => {
		await createPage(page, 'Wombat burrow');
		// Opened since, so an empty query's first option (the most recent page) is not the one asked for.
		await createPage(page, 'Decoy');
		await coldPage('Lazy switcher', 'switching');
		expect(switcher).toEqual([]);

		const hold = holdScripts(SWITCHER_MARKER);
		await page.route('**/_app/immutable/**/*.js', hold.handler);
		try {
			await editor(page).click();
			// The member presses the shortcut and types at once: the switcher is not there yet.
			await page.keyboard.press('Control+k');
			await page.keyboard.type('wombat');
			await expect.poll(() => hold.holding(), POLL).toBe(true);
			await page.keyboard.press('Enter');
			expect(await titleInput(page).inputValue()).toBe('Lazy switcher');
			hold.release();
			await expect.poll(() => titleInput(page).inputValue(), POLL).toBe('Wombat burrow');
			await expect.poll(() => page.getByRole('dialog').count(), POLL).toBe(0);
			// Recorded once the response's body has been read, which may be after the dialog shows.
			await expect.poll(() => switcher.length, POLL).toBeGreaterThan(0);
		} finally {
			hold.release();
			await page.unroute('**/_app/immutable/**/*.js', hold.handler);
		}

		// The sidebar's button opens it too, with what is typed in its combobox.
		await page.getByRole('button', { name: /^Jump to/ }).click();
		const combobox = page.getByRole('dialog', { name: 'Jump to a page or run a command' }).getByRole('combobox');
		await expect.poll(() => combobox.evaluate((element) => element === document.activeElement), POLL).toBe(true);
		await page.keyboard.type('lazy sw');
		await expect.poll(() => combobox.inputValue(), POLL).toBe('lazy sw');
		await page.keyboard.press('Escape');
		await expect.poll(() => page.getByRole('dialog').count(), POLL).toBe(0);
	});

	it('[LD13] the from-template dialog is fetched with the first "New from template…"', async () => {
		await createPage(page, 'Lazy templates');
		await coldReload();
		await page.waitForLoadState('networkidle');
		expect(templates).toEqual([]);
		await page.getByRole('button', { name: 'New from template…' }).click();
		await page.getByRole('dialog', { name: 'New page from a template' }).getByRole('button', { name: /^Meeting notes/ }).waitFor();
		await expect.poll(() => templates.length, POLL).toBeGreaterThan(0);
		await page.keyboard.press('Escape');
		await expect.poll(() => page.getByRole('dialog').count(), POLL).toBe(0);
	});

	it('[LD14] a page opens and takes typing while the search index is held back; it comes soon after, and the first query finds the page', async () => {
		await createPage(page, 'Lazy index');
		await typeAtEnd(page, 'a quokka');
		await waitForText(page, (text) => text.includes('a quokka'));
		const hold = holdScripts(SEARCH_INDEX_MARKER);
		await page.route('**/_app/immutable/**/*.js', hold.handler);
		try {
			await coldReload();
			await waitForText(page, (text) => text.includes('a quokka'));
			await typeAtEnd(page, ' smiling');
			await waitForText(page, (text) => text.includes('a quokka smiling'));
			// Asked for without a search: the index is ready when the member wants it.
			await expect.poll(() => hold.holding(), POLL).toBe(true);
			hold.release();
			expect(await search(page, 'quokka')).toEqual(['Lazy index']);
		} finally {
			hold.release();
			await page.unroute('**/_app/immutable/**/*.js', hold.handler);
		}
	});

	it('[LD15] a page opens and takes typing while the inbox index is held back; the inbox settles once it arrives', async () => {
		await createPage(page, 'Lazy inbox');
		await typeAtEnd(page, 'unread');
		await waitForText(page, (text) => text.includes('unread'));
		const hold = holdScripts(INBOX_INDEX_MARKER);
		await page.route('**/_app/immutable/**/*.js', hold.handler);
		const link = page.getByTestId('inbox-link');
		try {
			await coldReload();
			await typeAtEnd(page, ' mail');
			await waitForText(page, (text) => text.includes('unread mail'));
			await expect.poll(() => hold.holding(), POLL).toBe(true);
			expect(await link.getAttribute('data-status')).toBe('loading');
			hold.release();
			await expect.poll(() => link.getAttribute('data-status'), POLL).not.toBe('loading');
		} finally {
			hold.release();
			await page.unroute('**/_app/immutable/**/*.js', hold.handler);
		}
	});

	it('[LD16] the page shows while its catch-up code is held back, and its editor comes with it', async () => {
		await createPage(page, 'Lazy catch-up');
		await typeAtEnd(page, 'caught up');
		await waitForText(page, (text) => text.includes('caught up'));
		const hold = holdScripts(CATCH_UP_MARKER);
		await page.route('**/_app/immutable/**/*.js', hold.handler);
		try {
			const cdp = await device.newCDPSession(page);
			await cdp.send('Network.clearBrowserCache');
			await cdp.detach();
			await page.reload();
			await expect.poll(() => titleInput(page).inputValue(), POLL).toBe('Lazy catch-up');
			await expect.poll(() => hold.holding(), POLL).toBe(true);
			// Not before its plugin is there: adding it to a live editor would reset the undo history.
			expect(await page.locator('[data-testid=editor] .ProseMirror').count()).toBe(0);
			hold.release();
			await waitForText(page, (text) => text.includes('caught up'));
		} finally {
			hold.release();
			await page.unroute('**/_app/immutable/**/*.js', hold.handler);
		}
	});

	it('[LD17] the archived pages\' list is fetched once a page is archived, and restores it', async () => {
		await createPage(page, 'Lazy archive');
		await coldPage('Lazy archive keeper', 'kept');
		expect(archived).toEqual([]);
		const tree = page.getByRole('tree', { name: 'Page tree' });
		const item = tree.getByRole('treeitem', { name: 'Lazy archive', exact: true });
		await item.locator(':scope > [data-testid=tree-row]').getByRole('button', { name: 'Page actions' }).click();
		await page.getByRole('menu').getByRole('menuitem', { name: 'Archive' }).click();
		const section = page.getByRole('region', { name: 'Archived pages' });
		await section.getByRole('button', { name: /Archived \(1\)/ }).click();
		await expect.poll(() => archived.length, POLL).toBeGreaterThan(0);
		await section.getByRole('listitem').filter({ hasText: 'Lazy archive' }).getByRole('button', { name: 'Restore' }).click();
		await expect.poll(() => tree.getByRole('treeitem', { name: 'Lazy archive', exact: true }).count(), POLL).toBe(1);
		await expect.poll(() => section.count(), POLL).toBe(0);
	});

	it('[LD18] table editing is fetched with the `/` menu or a page\'s first table, and edits tables from its first key', async () => {
		await coldPage('Lazy tables', 'before the table');
		expect(tables).toEqual([]);
		await typeAtEnd(page, '');
		await page.keyboard.press('Enter');
		await page.keyboard.type('/table');
		// Asked for by the open menu itself, before any table.
		await expect.poll(() => tables.length, POLL).toBeGreaterThan(0);
		expect(await editor(page).locator('table').count()).toBe(0);
		await page.keyboard.press('Enter');
		const table = editor(page).locator('table');
		await table.waitFor();
		await page.keyboard.type('one');
		await page.keyboard.press('Tab');
		await page.keyboard.type('two');
		expect(await table.locator('th').allTextContents()).toEqual(['one', 'two', '']);
		await dragAcross(table.locator('th').nth(0), table.locator('th').nth(1));
		await expect.poll(() => table.locator('.selectedCell').count(), POLL).toBe(2);
		await waitUntilSavedOnDevice(page);

		// A page that holds a table fetches it as it opens, with nothing typed.
		await coldReload();
		await table.waitFor();
		await expect.poll(() => tables.length, POLL).toBeGreaterThan(0);
		await dragAcross(table.locator('th').nth(1), table.locator('th').nth(2));
		await expect.poll(() => table.locator('.selectedCell').count(), POLL).toBe(2);

		// A second tab shows a page without a table; a table added to it in the first tab reaches the
		// second, which fetches the code then (its own requests, not the first tab's).
		const path = await createPage(page, 'Lazy tables elsewhere');
		await typeAtEnd(page, 'no table yet');
		await waitUntilSavedOnDevice(page);
		const other = await device.newPage();
		const fetched: string[] = [];
		other.on('response', (response) => {
			if (response.url().endsWith('.js')) void response.text().then((body) => body.includes(TABLES_MARKER) && fetched.push(response.url()), () => undefined);
		});
		try {
			const cdp = await device.newCDPSession(other);
			await cdp.send('Network.clearBrowserCache');
			await cdp.detach();
			await other.goto(new URL(path, page.url()).href);
			await waitForText(other, (text) => text.includes('no table yet'));
			await other.waitForLoadState('networkidle');
			expect(fetched).toEqual([]);
			await typeAtEnd(page, '');
			await page.keyboard.press('Enter');
			await page.keyboard.type('/table');
			await page.keyboard.press('Enter');
			await editor(other).locator('table').waitFor();
			await expect.poll(() => fetched.length, POLL).toBeGreaterThan(0);
		} finally {
			await other.close();
		}
	});

	it('[LD19] the floating toolbar is fetched with the first selection, and formats it', async () => {
		await coldPage('Lazy toolbar', 'make this bold');
		expect(toolbarCode).toEqual([]);
		await selectText(page, 'bold');
		const bar = page.getByRole('toolbar', { name: 'Formatting' });
		await bar.getByRole('button', { name: 'Bold' }).click();
		await expect.poll(() => editor(page).locator('strong').textContent(), POLL).toBe('bold');
		await expect.poll(() => toolbarCode.length, POLL).toBeGreaterThan(0);
	});
});
