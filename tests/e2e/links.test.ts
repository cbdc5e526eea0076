/**
 * Links between pages in real Chromium, two members on two devices through a real relay: `[[` with
 * autocomplete by title, a link that follows renames and opens its page, "Create page" from the menu,
 * the backlinks panel updating when a teammate adds a link (no reload), and a link to a page
 * deleted for good reading as broken, and backlinks kept offline.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { chromiumPath, takeUncaughtErrors } from './support/browser.ts';
import type { Relay } from './support/relay.ts';
import { joinTeam, startWorld, type World } from './support/world.ts';
import { POLL, createPage, editor, sidebar, titleInput, typeAtEnd, waitForStatus } from './support/app.ts';

function pageLinks(page: Page): Locator {
	return editor(page).locator('a.page-link');
}

function backlinks(page: Page): Locator {
	return page.getByRole('region', { name: 'Backlinks' });
}

function menu(page: Page): Locator {
	return page.getByRole('listbox', { name: 'Link to page' });
}

function treeItem(page: Page, title: string): Locator {
	return sidebar(page).getByRole('tree', { name: 'Page tree' }).getByRole('treeitem', { name: title, exact: true });
}

describe.skipIf(!chromiumPath)('links between pages', () => {
	let world: World;
	let relay: Relay;
	let deviceA: BrowserContext;
	let deviceB: BrowserContext;
	let ana: Page;
	let bo: Page;
	const workspace = `links-${Date.now().toString(36)}`;

	beforeAll(async () => {
		world = await startWorld();
		({ relay } = world);
		({ devices: [deviceA, deviceB], pages: [ana, bo] } = await joinTeam(world, workspace, [
			{ device: 'A', member: 'ana', name: 'Ana' },
			{ device: 'B', member: 'bo', name: 'Bo' }
		]));
	});

	afterAll(() => world?.close());

	afterEach(() => {
		expect(takeUncaughtErrors(deviceA), 'uncaught exceptions on A').toEqual([]);
		expect(takeUncaughtErrors(deviceB), 'uncaught exceptions on B').toEqual([]);
	});

	it('[[ links a page chosen by title; the link follows a rename and opens the page, which lists the backlink', async () => {
		const target = await createPage(ana, 'Quarterly roadmap');
		await createPage(ana, 'Planning hub');
		await typeAtEnd(ana, 'See [[quart');
		await menu(ana).waitFor();
		const active = await editor(ana).getAttribute('aria-activedescendant');
		expect(await ana.locator(`#${active}`).textContent()).toBe('Quarterly roadmap');
		expect(await menu(ana).getByRole('option').last().textContent()).toBe('Create page “quart”');
		await ana.keyboard.press('Enter');
		await expect.poll(() => menu(ana).count(), POLL).toBe(0);
		await expect.poll(() => pageLinks(ana).textContent(), POLL).toBe('Quarterly roadmap');
		expect(await pageLinks(ana).getAttribute('href')).toBe(target);
		// The [[quart text is gone; typing goes on after the link.
		await ana.keyboard.type(' for details.');
		await expect.poll(() => editor(ana).textContent(), POLL).toBe('See Quarterly roadmap for details.');

		// A teammate renames the target: the link shows the new title without a reload.
		await bo.goto(relay.url + target);
		await titleInput(bo).fill('Roadmap 2027');
		await expect.poll(() => pageLinks(ana).textContent(), POLL).toBe('Roadmap 2027');

		await pageLinks(ana).click();
		await ana.waitForURL((url) => url.pathname === target);
		await expect.poll(() => titleInput(ana).inputValue(), POLL).toBe('Roadmap 2027');
		await expect.poll(() => backlinks(ana).getByRole('link').allTextContents(), POLL).toEqual(['Planning hub']);
	});

	it('"Create page" in the [[ menu makes the page next to this one and links it', async () => {
		await createPage(ana, 'Ideas');
		await typeAtEnd(ana, 'Next: [[New thing');
		const create = menu(ana).getByRole('option', { name: 'Create page “New thing”' });
		await create.waitFor();
		// Up from the first option wraps to the last one, "Create page".
		await ana.keyboard.press('ArrowUp');
		expect(await create.getAttribute('aria-selected')).toBe('true');
		await ana.keyboard.press('Enter');
		await expect.poll(() => pageLinks(ana).textContent(), POLL).toBe('New thing');
		await expect.poll(() => treeItem(ana, 'New thing').count(), POLL).toBe(1);
		await expect.poll(() => treeItem(bo, 'New thing').count(), POLL).toBe(1);
		await pageLinks(ana).click();
		await expect.poll(() => titleInput(ana).inputValue(), POLL).toBe('New thing');
		await expect.poll(() => backlinks(ana).getByRole('link').allTextContents(), POLL).toEqual(['Ideas']);
	});

	it('the backlinks panel lists a page a teammate links from, without a reload', async () => {
		const decisions = await createPage(ana, 'Decision log');
		await expect.poll(() => backlinks(ana).textContent(), POLL).toContain('No pages link here yet');

		await expect.poll(() => treeItem(bo, 'Decision log').count(), POLL).toBe(1);
		await createPage(bo, 'Bo’s notes');
		await typeAtEnd(bo, 'Decided in [[decision');
		await menu(bo).getByRole('option', { name: 'Decision log', exact: true }).waitFor();
		await bo.keyboard.press('Enter');
		await expect.poll(() => pageLinks(bo).textContent(), POLL).toBe('Decision log');

		expect(new URL(ana.url()).pathname).toBe(decisions);
		await expect.poll(() => backlinks(ana).getByRole('link').allTextContents(), POLL).toEqual(['Bo’s notes']);
		// …and the listed title follows a rename of the linking page.
		await titleInput(bo).fill('Bo’s weekly notes');
		await expect.poll(() => backlinks(ana).getByRole('link').allTextContents(), POLL).toEqual(['Bo’s weekly notes']);
		// Bo removes the link: the backlink goes.
		await editor(bo).click();
		await bo.keyboard.press('Control+End');
		await bo.keyboard.press('Backspace');
		await expect.poll(() => pageLinks(bo).count(), POLL).toBe(0);
		await expect.poll(() => backlinks(ana).textContent(), POLL).toContain('No pages link here yet');
	});

	it('a link to a page deleted for good looks broken', async () => {
		await createPage(ana, 'Doomed');
		await createPage(ana, 'Survivor');
		await typeAtEnd(ana, 'Was: [[Doomed');
		await menu(ana).getByRole('option', { name: 'Doomed', exact: true }).waitFor();
		await ana.keyboard.press('Enter');
		await expect.poll(() => pageLinks(ana).textContent(), POLL).toBe('Doomed');

		// Bo archives and deletes it for good.
		await expect.poll(() => treeItem(bo, 'Doomed').count(), POLL).toBe(1);
		await treeItem(bo, 'Doomed').locator(':scope > [data-testid=tree-row]').getByRole('button', { name: 'Page actions' }).click();
		await bo.getByRole('menu').getByRole('menuitem', { name: 'Archive' }).click();
		const archived = sidebar(bo).getByRole('region', { name: 'Archived pages' });
		const disclosure = archived.getByRole('button', { name: /^Archived \(\d+\)$/ });
		if ((await disclosure.getAttribute('aria-expanded')) !== 'true') await disclosure.click();
		const entry = archived.getByRole('listitem').filter({ has: bo.getByRole('link', { name: 'Doomed', exact: true }) });
		await entry.getByRole('button', { name: 'Delete for good' }).click();
		await bo.getByRole('alertdialog', { name: 'Delete “Doomed” for good?' }).getByRole('button', { name: 'Delete for good' }).click();

		const broken = editor(ana).getByRole('link', { name: 'Link to a deleted page' });
		await expect.poll(() => broken.count(), POLL).toBe(1);
		expect(await broken.textContent()).toBe('(deleted page)');
		expect(await broken.getAttribute('href')).toBeNull();
		expect(await pageLinks(ana).getAttribute('class')).toContain('broken');
	});

	it('offline, linking updates the backlinks on this device; a teammate sees them once it is back online', async () => {
		await deviceA.setOffline(true);
		try {
			const target = await createPage(ana, 'Offline target');
			await createPage(ana, 'Offline source');
			await typeAtEnd(ana, 'About [[Offline tar');
			await menu(ana).getByRole('option', { name: 'Offline target', exact: true }).waitFor();
			await ana.keyboard.press('Enter');
			await pageLinks(ana).click();
			await ana.waitForURL((url) => url.pathname === target);
			await expect.poll(() => backlinks(ana).getByRole('link').allTextContents(), POLL).toEqual(['Offline source']);
			await waitForStatus(ana, 'offline');
		} finally {
			await deviceA.setOffline(false);
		}
		await expect.poll(() => treeItem(bo, 'Offline target').count(), POLL).toBe(1);
		await treeItem(bo, 'Offline target').getByRole('link', { name: 'Offline target', exact: true }).first().click();
		await expect.poll(() => titleInput(bo).inputValue(), POLL).toBe('Offline target');
		await expect.poll(() => backlinks(bo).getByRole('link').allTextContents(), POLL).toEqual(['Offline source']);
	});
});
