/**
 * Every main screen passes axe-core's WCAG 2 A and AA rules (contrast included) in the light and
 * the dark theme (the second theme runs the rules colours decide: the rest read the same document),
 * on a desktop and at phone width — with the menus and dialogs open, since those are screens too.
 * At 390 px the editor and its floating toolbar also fit without scrolling sideways.
 *
 * The theme is switched through the system setting (page.emulateMedia) with the choice left at
 * System, so an open menu stays open while both themes are checked.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { Result } from 'axe-core';
import { injectAxe } from './support/axe.ts';
import { chromiumPath, newDevice, takeUncaughtErrors } from './support/browser.ts';
import type { Relay } from './support/relay.ts';
import { startWorld, type World } from './support/world.ts';
import { POLL, createLocalWorkspace, createPage, editor, join, sidebar, waitForText } from './support/app.ts';

const THEMES = ['light', 'dark'] as const;
const PHONE = { width: 390, height: 844 } as const;

/**
 * Violations left in on purpose: the rule, a selector the offending element matches, and why. Each
 * hides only that rule on elements matching that selector, and is printed on every run.
 */
const KNOWN: ReadonlyArray<{ rule: string; selector: string; reason: string }> = [
	{
		rule: 'scrollable-region-focusable',
		selector: '#slash-menu[role=listbox]',
		reason:
			'the / menu is a listbox driven from the editor by aria-activedescendant (focus stays in the text); the arrows move the active option and it is scrolled into view (SlashMenu.svelte). axe exempts such popups only when their owner has role=combobox, and the editor is a textbox.'
	},
	{
		rule: 'scrollable-region-focusable',
		selector: '.ProseMirror[contenteditable=true] pre',
		reason:
			'a code block in an editable page scrolls with the caret, which the keyboard moves through it; axe does not count text inside a contenteditable as focusable unless the element itself carries the attribute. (Read-only pages make the block focusable: block-views.ts.)'
	}
];

/** A page's content with every kind of block, pasted as Markdown (what a member would paste). */
const CONTENT = [
	'# Launch plan',
	'',
	'We ship **on time**, *calmly*, ~~late~~ never, with `npm test` and the [runbook](https://example.com/runbook).',
	'',
	'## Steps',
	'',
	'- Write the notes',
	'  - with a nested point',
	'- Review them',
	'',
	'1. First',
	'2. Second',
	'',
	'- [ ] An open task',
	'- [x] A done task',
	'',
	'> A quote from the last review.',
	'',
	'> [!NOTE]',
	'> Deploys freeze on Fridays.',
	'',
	'> [!TIP]',
	'> Tag the release first.',
	'',
	'> [!WARNING]',
	'> The migration takes an hour.',
	'',
	'> [!CAUTION]',
	'> Never skip the backup.',
	'',
	'```ts',
	'const answer = await deploy({ region: "eu-west-1", dryRun: false, reason: "a line long enough to scroll sideways on a phone" });',
	'```',
	'',
	'| Owner | Task | When |',
	'| --- | --- | --- |',
	'| Ana | Release notes | Monday |',
	'| Ben | Migration | Tuesday |',
	'',
	'---',
	'',
	'### Notes',
	'',
	'The end.',
	''
].join('\n');

interface Finding {
	readonly rule: string;
	readonly impact: string | null;
	readonly help: string;
	readonly nodes: ReadonlyArray<{ readonly target: string; readonly summary: string }>;
}

/**
 * The WCAG 2 A/AA rules whose outcome depends on colours: all a theme changes. The other rules
 * (names, roles, structure) read the same document in either theme, so the second theme runs these.
 */
const COLOUR_RULES = ['color-contrast', 'link-in-text-block'] as const;

/** axe-core's WCAG 2 A/AA violations on the page as it is now (or only `rules`), minus the KNOWN ones. */
async function violations(page: Page, rules: readonly string[] | null = null): Promise<Finding[]> {
	await injectAxe(page);
	return page.evaluate(async ({ known, rules }) => {
		const { axe } = window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Result[] }> } };
		const runOnly = rules ? { type: 'rule', values: rules } : ['wcag2a', 'wcag2aa'];
		const result = await axe.run(document, { runOnly, resultTypes: ['violations'] });
		const excused = (rule: string, target: Result['nodes'][number]['target']) => {
			// Targets outside shadow roots and frames are plain selectors.
			const element = target.length === 1 && typeof target[0] === 'string' ? document.querySelector(target[0]) : null;
			return known.some((k) => k.rule === rule && element?.matches(k.selector));
		};
		return result.violations
			.map((v) => ({
				rule: v.id,
				impact: v.impact ?? null,
				help: v.help,
				nodes: v.nodes.filter((n) => !excused(v.id, n.target)).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary ?? '' }))
			}))
			.filter((v) => v.nodes.length > 0);
	}, { known: KNOWN, rules });
}

/** Checks the page in both themes; every violation is reported (soft), so one run lists them all. */
async function audit(page: Page, screen: string): Promise<void> {
	// A tab behind another one gets no rendering updates, and media query changes are only
	// evaluated in them: the theme would switch when Chromium next gets round to that tab.
	await page.bringToFront();
	for (const theme of THEMES) {
		await page.emulateMedia({ colorScheme: theme });
		await expect.poll(() => page.evaluate(() => document.documentElement.dataset['theme']), POLL).toBe(theme);
		// Every rule in the first theme; in the second only those that colours decide.
		const found = await violations(page, theme === THEMES[0] ? null : COLOUR_RULES);
		expect.soft(found, `axe violations on ${screen}, ${theme} theme`).toEqual([]);
	}
	await page.emulateMedia({ colorScheme: 'light' });
}

async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
	return page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
}

async function paste(page: Page, text: string): Promise<void> {
	await editor(page).evaluate((element, data) => {
		const transfer = new DataTransfer();
		transfer.setData('text/plain', data);
		element.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
	}, text);
}

/** Creates a page holding CONTENT and waits until it is all there. */
async function createContentPage(page: Page, title: string): Promise<void> {
	await createPage(page, title);
	await editor(page).click();
	await paste(page, CONTENT);
	await waitForText(page, (text) => text.includes('The end.'));
	await expect.poll(() => editor(page).locator('table, pre, [role=note], ul, ol, h1, h2, h3, hr, blockquote').count(), POLL).toBeGreaterThan(10);
}

/** Selects the text of the editor's first paragraph, which shows the floating toolbar. */
async function selectFirstParagraph(page: Page): Promise<Locator> {
	await editor(page).locator('p').first().click();
	await page.keyboard.press('Home');
	await page.keyboard.press('Shift+End');
	const bar = page.getByRole('toolbar', { name: 'Formatting' });
	await bar.waitFor();
	return bar;
}

function treeItem(page: Page, title: string): Locator {
	return sidebar(page).getByRole('tree', { name: 'Page tree' }).getByRole('treeitem', { name: title, exact: true });
}

describe.skipIf(!chromiumPath)('accessibility: axe-core WCAG 2 A/AA in both themes', () => {
	let world: World;
	let relay: Relay;
	let browser: Browser;
	let device: BrowserContext;

	beforeAll(async () => {
		world = await startWorld();
		({ relay, browser } = world);
		for (const known of KNOWN) console.warn(`a11y: not checked: ${known.rule} on ${known.selector}: ${known.reason}`);
	});

	afterAll(() => world?.close());

	afterEach(async () => {
		expect(takeUncaughtErrors(device), 'uncaught exceptions').toEqual([]);
		await device?.close();
	});

	it('home, join and the workspace overview', async () => {
		device = await newDevice(browser, 'screens');
		const home = await device.newPage();
		await home.goto(relay.url);
		await home.getByRole('heading', { name: 'Workspaces on this device' }).waitFor();
		await home.getByText('None yet.').waitFor();
		await audit(home, 'home (no workspaces)');

		const invitee = await device.newPage();
		await invitee.goto(`${relay.url}/join#not-a-token`);
		await invitee.getByRole('alert').waitFor();
		await audit(invitee, 'join (invalid invite)');
		await invitee.close();
		// A new tab: from /join, the invite would only change the hash and not load the page again.
		const invited = await device.newPage();
		await invited.goto(await relay.invite({ workspace: `a11y-${Date.now().toString(36)}`, role: 'editor' }));
		await invited.getByRole('textbox', { name: 'Your name' }).waitFor();
		await audit(invited, 'join');
		await invited.close();

		const local = await createLocalWorkspace(device, relay.url, 'Local notes', 'Ana');
		await local.getByRole('heading', { name: 'Overview' }).waitFor();
		await audit(local, 'workspace overview (this device only)');

		const synced = await join(device, await relay.invite({ workspace: `a11y-${Date.now().toString(36)}`, role: 'editor' }), 'Ana');
		await synced.getByRole('heading', { name: 'Overview' }).waitFor();
		await audit(synced, 'workspace overview (synced)');

		await home.reload();
		await home.getByRole('link', { name: 'Local notes' }).waitFor();
		await audit(home, 'home (with workspaces)');

		const missing = await device.newPage();
		await missing.goto(`${relay.url}/w/not-on-this-device`);
		await missing.getByRole('alert').waitFor();
		await audit(missing, 'a workspace not on this device');
	});

	it('a page with every kind of block, and its menus and dialogs open', async () => {
		device = await newDevice(browser, 'page');
		const page = await createLocalWorkspace(device, relay.url, 'Handbook', 'Ana');
		await createPage(page, 'Archive me');
		await createContentPage(page, 'Launch plan');
		await audit(page, 'a page with content');

		// The first Tab shows a skip link past the sidebar; following it, the next Tab is in the page.
		await page.reload();
		await editor(page).waitFor();
		await page.keyboard.press('Tab');
		const skip = page.getByRole('link', { name: 'Skip to content' });
		expect(await skip.evaluate((link) => link === document.activeElement)).toBe(true);
		expect((await skip.boundingBox())!.y, 'the focused skip link is on screen').toBeGreaterThanOrEqual(0);
		await audit(page, 'the skip link, focused');
		await page.keyboard.press('Enter');
		await page.keyboard.press('Tab');
		expect(await page.evaluate(() => document.activeElement?.closest('main')?.id)).toBe('content');

		await editor(page).locator('h3').click();
		await page.keyboard.press('End');
		await page.keyboard.press('Enter');
		await page.keyboard.type('/');
		await page.getByRole('listbox', { name: 'Insert block' }).waitFor();
		await audit(page, 'the / menu');
		await page.keyboard.press('Escape');

		await page.keyboard.press('Enter');
		await page.keyboard.type('See [[Archive');
		const linkMenu = page.getByRole('listbox', { name: 'Link to page' });
		await linkMenu.waitFor();
		await audit(page, 'the [[ menu');
		await page.keyboard.press('Enter');
		await expect.poll(() => editor(page).locator('a.page-link').textContent(), POLL).toBe('Archive me');

		await selectFirstParagraph(page);
		await audit(page, 'the formatting toolbar');

		await editor(page).locator('td', { hasText: 'Ben' }).click();
		await page.getByRole('toolbar', { name: 'Table' }).waitFor();
		await audit(page, 'the table bar');

		await editor(page).locator('a', { hasText: 'runbook' }).click();
		const linkBar = page.getByRole('toolbar', { name: 'Link' });
		await linkBar.waitFor();
		await audit(page, 'the link bar');

		const item = treeItem(page, 'Launch plan');
		await item.focus();
		await page.keyboard.press('Shift+F10');
		await page.getByRole('menu', { name: 'Actions for Launch plan' }).waitFor();
		await audit(page, 'the page actions menu');

		await page.getByRole('menuitem', { name: 'Move to…' }).click();
		const move = page.getByRole('dialog', { name: /^Move/ });
		await move.waitFor();
		await audit(page, 'the Move to… dialog');
		await page.keyboard.press('Escape');
		await move.waitFor({ state: 'detached' });

		await sidebar(page).getByRole('button', { name: 'New from template…' }).click();
		const templates = page.getByRole('dialog', { name: 'New page from a template' });
		await templates.waitFor();
		await audit(page, 'the New from template dialog');
		await page.keyboard.press('Escape');
		await templates.waitFor({ state: 'detached' });

		// The linked page lists the backlink.
		await treeItem(page, 'Archive me').getByRole('link').click();
		await page.getByRole('region', { name: 'Backlinks' }).getByRole('link', { name: 'Launch plan' }).waitFor();
		await audit(page, 'a page with backlinks');
		await treeItem(page, 'Launch plan').getByRole('link').click();
		await editor(page).locator('a.page-link').waitFor();

		await treeItem(page, 'Archive me').focus();
		await page.keyboard.press('Shift+F10');
		await page.getByRole('menuitem', { name: 'Archive' }).click();
		const archived = sidebar(page).getByRole('region', { name: 'Archived pages' });
		await archived.getByRole('button', { name: /^Archived/ }).click();
		await archived.getByRole('button', { name: 'Delete for good' }).click();
		await page.getByRole('alertdialog').waitFor();
		await audit(page, 'the delete-for-good confirmation');
		await page.keyboard.press('Escape');
		await audit(page, 'the archived pages, open');

		await archived.getByRole('button', { name: 'Delete for good' }).click();
		await page.getByRole('alertdialog').getByRole('button', { name: 'Delete for good' }).click();
		await editor(page).locator('a.page-link.broken').waitFor();
		await audit(page, 'a page with a broken link');
	});

	it('a read-only page, as a viewer and a commenter see it', async () => {
		device = await newDevice(browser, 'writer');
		const workspace = `a11y-viewer-${Date.now().toString(36)}`;
		const writer = await join(device, await relay.invite({ workspace, role: 'admin' }), 'Ana');
		await createContentPage(writer, 'Read me');
		const path = new URL(writer.url()).pathname;
		const viewerDevice = await newDevice(browser, 'viewer');
		try {
			const viewer = await join(viewerDevice, await relay.invite({ workspace, role: 'viewer' }), 'Vic');
			await viewer.goto(new URL(path, relay.url).href);
			await waitForText(viewer, (text) => text.includes('The end.'));
			expect(await editor(viewer).getAttribute('contenteditable')).toBe('false');
			// Without a caret, a code block too wide for the page scrolls from the keyboard only if it takes focus.
			expect(await editor(viewer).locator('pre').evaluate((pre) => [pre.tabIndex, pre.scrollWidth > pre.clientWidth])).toEqual([0, true]);
			await audit(viewer, 'a read-only page');
			expect(takeUncaughtErrors(viewerDevice), 'uncaught exceptions (viewer)').toEqual([]);
		} finally {
			await viewerDevice.close();
		}
		// A commenter's body takes a caret (to select and comment), yet its controls are no less
		// read-only: task boxes and the code block's language are disabled, and a click changes nothing.
		const commenterDevice = await newDevice(browser, 'commenter');
		try {
			const carl = await join(commenterDevice, await relay.invite({ workspace, role: 'commenter' }), 'Carl');
			await carl.goto(new URL(path, relay.url).href);
			await waitForText(carl, (text) => text.includes('The end.'));
			expect(await editor(carl).getAttribute('contenteditable')).toBe('true');
			expect(await editor(carl).getAttribute('aria-readonly')).toBe('true');
			const boxes = editor(carl).getByRole('checkbox', { name: 'Done' });
			expect(await boxes.count()).toBe(2);
			for (const box of await boxes.all()) expect(await box.isDisabled()).toBe(true);
			expect(await editor(carl).getByRole('textbox', { name: 'Code language' }).first().isDisabled()).toBe(true);
			await boxes.first().click({ force: true });
			expect(await boxes.first().isChecked()).toBe(false);
			expect(takeUncaughtErrors(commenterDevice), 'uncaught exceptions (commenter)').toEqual([]);
		} finally {
			await commenterDevice.close();
		}
	});

	it('at phone width (390 px): screens fit, and the editor and its toolbar need no sideways scrolling', async () => {
		device = await newDevice(browser, 'phone');
		const page = await createLocalWorkspace(device, relay.url, 'Phone', 'Ana');
		await page.setViewportSize(PHONE);
		await page.goto(relay.url);
		await page.getByRole('link', { name: 'Phone' }).waitFor();
		await audit(page, 'home at 390 px');
		expect((await horizontalOverflow(page)).scrollWidth, 'home at 390 px').toBeLessThanOrEqual(PHONE.width);

		await page.getByRole('link', { name: 'Phone' }).click();
		await page.getByRole('heading', { name: 'Overview' }).waitFor();
		await audit(page, 'workspace overview at 390 px');
		expect((await horizontalOverflow(page)).scrollWidth, 'overview at 390 px').toBeLessThanOrEqual(PHONE.width);

		const toggle = page.getByRole('button', { name: 'Pages', exact: true });
		await toggle.click();
		await sidebar(page).getByRole('button', { name: 'New page' }).click();
		await page.waitForURL(/\/p\//);
		await editor(page).click();
		await paste(page, CONTENT);
		await waitForText(page, (text) => text.includes('The end.'));
		await audit(page, 'a page with content at 390 px');
		expect((await horizontalOverflow(page)).scrollWidth, 'page at 390 px').toBeLessThanOrEqual(PHONE.width);

		const bar = await selectFirstParagraph(page);
		const box = (await bar.boundingBox())!;
		expect(box.x, 'toolbar left edge').toBeGreaterThanOrEqual(0);
		expect(box.x + box.width, 'toolbar right edge').toBeLessThanOrEqual(PHONE.width);
		expect((await horizontalOverflow(page)).scrollWidth, 'page with the toolbar at 390 px').toBeLessThanOrEqual(PHONE.width);
		await audit(page, 'the formatting toolbar at 390 px');

		await editor(page).locator('td', { hasText: 'Ben' }).click();
		const tableBar = page.getByRole('toolbar', { name: 'Table' });
		await tableBar.waitFor();
		const tableBox = (await tableBar.boundingBox())!;
		expect(tableBox.x, 'table bar left edge').toBeGreaterThanOrEqual(0);
		expect(tableBox.x + tableBox.width, 'table bar right edge').toBeLessThanOrEqual(PHONE.width);
		expect((await horizontalOverflow(page)).scrollWidth, 'page with the table bar at 390 px').toBeLessThanOrEqual(PHONE.width);

		await editor(page).locator('h3').click();
		await page.keyboard.press('End');
		await page.keyboard.press('Enter');
		await page.keyboard.type('/');
		const menu = page.getByRole('listbox', { name: 'Insert block' });
		await menu.waitFor();
		const menuBox = (await menu.boundingBox())!;
		expect(menuBox.x + menuBox.width, '/ menu right edge').toBeLessThanOrEqual(PHONE.width);
		expect((await horizontalOverflow(page)).scrollWidth, 'page with the / menu at 390 px').toBeLessThanOrEqual(PHONE.width);
		await page.keyboard.press('Escape');

		await toggle.click();
		await sidebar(page).getByRole('tree').waitFor();
		await audit(page, 'the page drawer at 390 px');
		expect((await horizontalOverflow(page)).scrollWidth, 'drawer at 390 px').toBeLessThanOrEqual(PHONE.width);
	});
});
