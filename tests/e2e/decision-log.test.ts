/**
 * The decision log in real Chromium against a real relay, with two members on two devices in
 * different time zones: decisions proposed on either device appear in both logs as they are made;
 * the filters (status, due this week, waiting for my position) and sorting change the rows and
 * live in the URL, so a filtered log can be linked; a teammate's position updates the summary; a
 * decision accepted on the other device moves into the timeline; and the log passes axe-core's
 * WCAG 2 A/AA rules on a desktop and at 390 px, where the table scrolls inside its own region.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { axeViolations } from './support/axe.ts';
import { chromiumPath, takeUncaughtErrors } from './support/browser.ts';
import { joinTeam, startWorld, type World } from './support/world.ts';
import { POLL, waitForStatus } from './support/app.ts';
import { monthOf } from '../../src/lib/model/decision-index.ts';

const PHONE = { width: 390, height: 844 } as const;
const DESKTOP = { width: 1100, height: 800 } as const;
const ANA_ZONE = 'Europe/Berlin';
const BEN_ZONE = 'America/New_York';

function filters(page: Page): Locator {
	return page.getByRole('search', { name: 'Filter decisions' });
}

/** Titles of the log's rows, top to bottom. */
function rowTitles(page: Page): Promise<string[]> {
	return page.locator('[data-testid=decision-row] th[scope=row] > a').allTextContents();
}

/** The row whose title is `title` (not one that merely links to it in its supersede chain). */
function row(page: Page, title: string): Locator {
	const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
	return page.getByTestId('decision-row').filter({ has: page.locator('th[scope=row] > a', { hasText: exact }) });
}

/** A row's cell after the title (0 status, 1 owner, 2 decide by, 3 positions, 4 tags, 5 last change), as read. */
async function cell(page: Page, title: string, index: number): Promise<string> {
	const text = await row(page, title).locator('td').nth(index).textContent();
	return (text ?? '').replace(/\s+/g, ' ').trim();
}

function timelineTitles(page: Page): Promise<string[]> {
	return page.getByTestId('timeline-entry').evaluateAll((entries) => entries.map((entry) => entry.querySelector(':scope > a')?.textContent ?? ''));
}

async function openLog(page: Page, origin: string, query = ''): Promise<void> {
	const workspace = new URL(page.url()).pathname.split('/')[2];
	await page.goto(`${origin}/w/${workspace}/decisions${query}`);
	await page.getByRole('heading', { name: 'Decision log', level: 2 }).waitFor();
}

/** Proposes a decision through the log's "New decision" dialog, then comes back to the log. */
async function propose(
	page: Page,
	input: { title: string; inDays: number; deciders?: string[]; consulted?: string[]; tags?: string }
): Promise<void> {
	const log = page.url();
	await page.getByRole('main').getByRole('button', { name: 'New decision' }).click();
	const dialog = page.getByRole('dialog', { name: 'New decision' });
	await dialog.waitFor();
	await dialog.getByRole('textbox', { name: 'Title' }).fill(input.title);
	// datetime-local is read in the device's zone: write the value the same way.
	const local = await page.evaluate((days) => {
		const d = new Date(Date.now() + days * 86_400_000);
		const pad = (n: number) => String(n).padStart(2, '0');
		return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
	}, input.inDays);
	await dialog.getByLabel('Decide by').fill(local);
	for (const name of input.deciders ?? []) await dialog.getByRole('group', { name: 'Deciders' }).getByRole('checkbox', { name }).check();
	for (const name of input.consulted ?? []) await dialog.getByRole('group', { name: 'Consulted' }).getByRole('checkbox', { name }).check();
	if (input.tags) await dialog.getByRole('textbox', { name: 'Tags' }).fill(input.tags);
	await dialog.getByRole('button', { name: 'Propose decision' }).click();
	await page.waitForURL(/\/w\/[^/]+\/p\/[^/]+$/);
	await page.goBack();
	await page.waitForURL(log);
	await expect.poll(() => rowTitles(page), POLL).toContain(input.title);
}

async function audit(page: Page, screen: string): Promise<void> {
	for (const theme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme: theme });
		await expect.poll(() => page.evaluate(() => document.documentElement.dataset['theme']), POLL).toBe(theme);
		expect.soft(await axeViolations(page), `axe violations on ${screen}, ${theme} theme`).toEqual([]);
	}
	await page.emulateMedia({ colorScheme: 'light' });
}

describe.skipIf(!chromiumPath)('decision log', () => {
	const workspace = `e2e-decisions-${Date.now().toString(36)}`;
	let world: World;
	let origin: string;
	let deviceA: BrowserContext;
	let deviceB: BrowserContext;
	let ana: Page;
	let ben: Page;

	beforeAll(async () => {
		world = await startWorld();
		origin = world.relay.url;
		({ devices: [deviceA, deviceB], pages: [ana, ben] } = await joinTeam(world, workspace, [
			{ device: 'A', member: 'ana', name: 'Ana', timeZone: ANA_ZONE },
			{ device: 'B', member: 'ben', name: 'Ben', timeZone: BEN_ZONE }
		]));
	});

	afterAll(() => world?.close());

	afterEach(() => {
		expect(takeUncaughtErrors(deviceA), 'uncaught exceptions on device A').toEqual([]);
		expect(takeUncaughtErrors(deviceB), 'uncaught exceptions on device B').toEqual([]);
	});

	it('lists the decisions proposed on either device, live on the other', async () => {
		await Promise.all([openLog(ana, origin), openLog(ben, origin)]);
		for (const page of [ana, ben]) await page.getByTestId('decision-log-empty').waitFor();

		await propose(ana, { title: 'Use Postgres', inDays: 2, deciders: ['Ben'], tags: 'db, infra' });
		await expect.poll(() => rowTitles(ben), POLL).toEqual(['Use Postgres']);

		await propose(ben, { title: 'Quarterly planning', inDays: 20, consulted: ['Ana'], tags: 'planning' });
		await propose(ben, { title: 'Adopt Rust', inDays: 5, deciders: ['Ana', 'Ben'] });
		// Sorted by decide-by, soonest first, on both devices.
		for (const page of [ana, ben]) await expect.poll(() => rowTitles(page), POLL).toEqual(['Use Postgres', 'Adopt Rust', 'Quarterly planning']);

		expect(await cell(ana, 'Use Postgres', 0)).toBe('Proposed');
		expect(await cell(ana, 'Use Postgres', 1)).toBe('Ana (you)');
		expect(await cell(ana, 'Use Postgres', 2)).toMatch(/1 day 23 hours left|2 days left/);
		expect(await cell(ana, 'Use Postgres', 3)).toContain('0 of 1 weighed in');
		expect(await row(ana, 'Use Postgres').getByRole('link', { name: 'Show decisions tagged infra' }).count()).toBe(1);
		// Each device reads times in its own zone.
		expect(await ana.locator('caption').textContent()).toContain(`Times in ${ANA_ZONE}`);
		expect(await ben.locator('caption').textContent()).toContain(`Times in ${BEN_ZONE}`);
		await waitForStatus(ana, 'stored');
		await waitForStatus(ben, 'stored');
	});

	it('filters by status, due this week and waiting for my position; the URL keeps the filter', async () => {
		// Due this week: Postgres (2 days) and Rust (5 days), not planning (20 days).
		await filters(ana).getByRole('checkbox', { name: 'Due this week' }).check();
		await expect.poll(() => rowTitles(ana), POLL).toEqual(['Use Postgres', 'Adopt Rust']);
		await expect.poll(() => new URL(ana.url()).searchParams.get('due'), POLL).toBe('week');

		// The link opens the same view on Ben's device.
		await ben.goto(ana.url());
		await ben.getByRole('heading', { name: 'Decision log', level: 2 }).waitFor();
		await expect.poll(() => rowTitles(ben), POLL).toEqual(['Use Postgres', 'Adopt Rust']);
		expect(await filters(ben).getByRole('checkbox', { name: 'Due this week' }).isChecked()).toBe(true);
		await filters(ben).getByRole('checkbox', { name: 'Due this week' }).uncheck();
		await expect.poll(() => new URL(ben.url()).search, POLL).toBe('');

		// Waiting for my position: Ben decides on Postgres and Rust; Ana decides on Rust, is consulted on planning.
		await filters(ben).getByRole('checkbox', { name: 'Waiting for my position' }).check();
		await expect.poll(() => rowTitles(ben), POLL).toEqual(['Use Postgres', 'Adopt Rust']);
		await filters(ana).getByRole('checkbox', { name: 'Due this week' }).uncheck();
		await filters(ana).getByRole('checkbox', { name: 'Waiting for my position' }).check();
		await expect.poll(() => rowTitles(ana), POLL).toEqual(['Adopt Rust', 'Quarterly planning']);
		await filters(ana).getByRole('checkbox', { name: 'Waiting for my position' }).uncheck();

		// Status: nothing is accepted yet.
		await filters(ana).getByRole('checkbox', { name: 'Accepted' }).check();
		await ana.getByTestId('decision-log-empty').getByText('No decisions match these filters.').waitFor();
		expect(new URL(ana.url()).searchParams.get('status')).toBe('accepted');
		await filters(ana).getByRole('checkbox', { name: 'Proposed' }).check();
		await expect.poll(() => rowTitles(ana), POLL).toHaveLength(3);
		await filters(ana).getByRole('button', { name: 'Clear filters' }).click();
		await expect.poll(() => new URL(ana.url()).search, POLL).toBe('');
		// The button went with the filters; focus is on the first filter, not lost to the page.
		expect(await ana.evaluate(() => document.activeElement?.closest('[role=search]') !== null)).toBe(true);

		// Tag: from a row's tag.
		await row(ana, 'Use Postgres').getByRole('link', { name: 'Show decisions tagged db' }).click();
		await expect.poll(() => rowTitles(ana), POLL).toEqual(['Use Postgres']);
		expect(await filters(ana).getByRole('combobox', { name: 'Tag' }).inputValue()).toBe('db');
		await filters(ana).getByRole('combobox', { name: 'Tag' }).selectOption('');
		await expect.poll(() => rowTitles(ana), POLL).toHaveLength(3);
	});

	it('sorts by a column header, both ways, and says so with aria-sort', async () => {
		const title = ana.getByRole('columnheader', { name: 'Title' });
		const decideBy = ana.getByRole('columnheader', { name: 'Decide by' });
		expect(await decideBy.getAttribute('aria-sort')).toBe('ascending');
		await title.getByRole('button').click();
		await expect.poll(() => rowTitles(ana), POLL).toEqual(['Adopt Rust', 'Quarterly planning', 'Use Postgres']);
		expect(await title.getAttribute('aria-sort')).toBe('ascending');
		expect(await decideBy.getAttribute('aria-sort')).toBeNull();
		await title.getByRole('button').click();
		await expect.poll(() => rowTitles(ana), POLL).toEqual(['Use Postgres', 'Quarterly planning', 'Adopt Rust']);
		expect(await title.getAttribute('aria-sort')).toBe('descending');
		expect(new URL(ana.url()).searchParams.toString()).toBe('sort=title&dir=desc');
		// The keyboard works the headers too.
		await decideBy.getByRole('button').focus();
		await ana.keyboard.press('Enter');
		await expect.poll(() => rowTitles(ana), POLL).toEqual(['Use Postgres', 'Adopt Rust', 'Quarterly planning']);
		await expect.poll(() => new URL(ana.url()).search, POLL).toBe('');
	});

	it('a position and an acceptance on the other device update the summary and move the decision into the timeline', async () => {
		await openLog(ben, origin);
		expect(await timelineTitles(ana)).toEqual([]);
		await ana.getByTestId('decision-timeline').getByText('No decision has been accepted yet', { exact: false }).waitFor();

		// Ben weighs in on Postgres and accepts it, on its record page.
		await row(ben, 'Use Postgres').getByRole('link', { name: 'Use Postgres', exact: true }).click();
		await ben.waitForURL(/\/p\/[^/]+$/);
		await ben.getByRole('radio', { name: 'Agree', exact: true }).check();
		await ben.getByRole('button', { name: 'Save position' }).click();
		await expect.poll(() => cell(ana, 'Use Postgres', 3), POLL).toContain('1 of 1 weighed in · 1 agree');

		await ben.getByRole('group', { name: 'Change status' }).getByRole('button', { name: 'Accept…' }).click();
		await ben.getByRole('button', { name: 'Accept decision' }).click();

		await expect.poll(() => cell(ana, 'Use Postgres', 0), POLL).toBe('Accepted');
		await expect.poll(() => timelineTitles(ana), POLL).toEqual(['Use Postgres']);
		const timeline = ana.getByTestId('decision-timeline');
		expect(await timeline.getByRole('heading', { level: 4 }).allTextContents()).toEqual([monthOf(Date.now(), ANA_ZONE).label]);
		expect(await timeline.getByTestId('timeline-entry').textContent()).toContain('accepted by Ben');
		// A closed decision shows no time left, and waits for nobody.
		expect(await cell(ana, 'Use Postgres', 2)).not.toMatch(/left|overdue/);

		await filters(ana).getByRole('checkbox', { name: 'Accepted' }).check();
		await expect.poll(() => rowTitles(ana), POLL).toEqual(['Use Postgres']);
		await filters(ana).getByRole('checkbox', { name: 'Accepted' }).uncheck();
		await waitForStatus(ben, 'stored');
	});

	it('shows the supersede chain on both records, and the replaced decision stays in the timeline; archived records only on request', async () => {
		// Ana starts the replacement from the accepted record's page; Ben accepts it.
		await openLog(ben, origin);
		await row(ana, 'Use Postgres').getByRole('link', { name: 'Use Postgres', exact: true }).click();
		await ana.waitForURL(/\/p\/[^/]+$/);
		await ana.getByRole('group', { name: 'Change status' }).getByRole('button', { name: 'Supersede…' }).click();
		const dialog = ana.getByRole('dialog', { name: 'Supersede this decision' });
		await dialog.getByRole('textbox', { name: 'Title of the new decision' }).fill('Use Postgres 16');
		await dialog.getByRole('button', { name: 'Propose replacement' }).click();
		await dialog.waitFor({ state: 'detached' });
		await openLog(ana, origin);
		await expect.poll(() => rowTitles(ana), POLL).toContain('Use Postgres 16');
		const chain = (title: string) => row(ana, title).getByRole('list', { name: /^Supersede chain/ }).locator('li').allTextContents();
		await expect.poll(() => chain('Use Postgres 16'), POLL).toEqual(['Use Postgres (Accepted)', 'this record']);
		expect(await chain('Use Postgres')).toEqual(['this record', 'Use Postgres 16 (Proposed)']);
		expect(await row(ana, 'Quarterly planning').getByRole('list', { name: /^Supersede chain/ }).count()).toBe(0);

		await expect.poll(() => rowTitles(ben), POLL).toContain('Use Postgres 16');
		await row(ben, 'Use Postgres 16').getByRole('link', { name: 'Use Postgres 16', exact: true }).click();
		await ben.waitForURL(/\/p\/[^/]+$/);
		await ben.getByRole('group', { name: 'Change status' }).getByRole('button', { name: 'Accept…' }).click();
		await ben.getByRole('button', { name: 'Accept decision' }).click();
		await expect.poll(() => cell(ana, 'Use Postgres', 0), POLL).toBe('Superseded');
		await expect.poll(() => timelineTitles(ana), POLL).toEqual(['Use Postgres 16', 'Use Postgres']);
		const replaced = ana.getByTestId('timeline-entry').filter({ hasText: 'now superseded' });
		expect((await replaced.textContent())?.replace(/\s+/g, ' ').trim()).toMatch(/Use Postgres accepted by Ben; now superseded by Use Postgres 16$/);

		// Archived from the sidebar: gone from the log until asked for.
		await openLog(ben, origin);
		await expect.poll(() => rowTitles(ben), POLL).toContain('Adopt Rust');
		const item = ana.getByRole('navigation', { name: 'Pages' }).getByRole('treeitem', { name: 'Adopt Rust', exact: true });
		await item.locator(':scope > [data-testid=tree-row]').getByRole('button', { name: 'Page actions' }).click();
		await ana.getByRole('menu').getByRole('menuitem', { name: 'Archive' }).click();
		await expect.poll(() => rowTitles(ana), POLL).not.toContain('Adopt Rust');
		await expect.poll(() => rowTitles(ben), POLL).not.toContain('Adopt Rust');
		await filters(ana).getByRole('checkbox', { name: 'Show archived' }).check();
		await expect.poll(() => rowTitles(ana), POLL).toContain('Adopt Rust');
		expect(await row(ana, 'Adopt Rust').locator('th').textContent()).toContain('(archived)');
		expect(new URL(ana.url()).searchParams.get('archived')).toBe('1');
		await waitForStatus(ana, 'stored');
		await waitForStatus(ben, 'stored');
	});

	it('passes axe (WCAG 2 A/AA) on a desktop and at 390 px, where the table scrolls in its own region', async () => {
		await ana.setViewportSize(DESKTOP);
		await expect.poll(async () => (await rowTitles(ana)).length, POLL).toBeGreaterThan(0);
		await audit(ana, 'the decision log (desktop)');

		await ana.setViewportSize(PHONE);
		await audit(ana, 'the decision log (390 px)');
		// The page itself does not scroll sideways; the table's region does, and takes focus to.
		const overflow = await ana.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
		expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
		const region = ana.getByRole('region', { name: /^Decisions:/ });
		expect(await region.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
		await region.focus();
		await ana.keyboard.press('ArrowRight');
		await expect.poll(() => region.evaluate((el) => el.scrollLeft), POLL).toBeGreaterThan(0);
		await ana.setViewportSize(DESKTOP);
	});
});
