/**
 * Templates in real Chromium against a real relay, with two members on two devices: a page from a
 * built-in template, the same page opened offline on the other device (one copy of the content
 * after they sync), and a page marked as a template of the workspace and created from.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { axeViolations } from './support/axe.ts';
import { chromiumPath, takeUncaughtErrors } from './support/browser.ts';
import type { Relay } from './support/relay.ts';
import { joinTeam, startWorld, type World } from './support/world.ts';
import {
	POLL,
	createPage,
	editor,
	editorText,
	sidebar,
	titleInput,
	typeAtEnd,
	waitForServiceWorker,
	waitForStatus,
	waitForText,
	waitUntilSavedOnDevice
} from './support/app.ts';

function templateDialog(page: Page): Locator {
	return page.getByRole('dialog', { name: 'New page from a template' });
}

/** Opens "New from template…", picks `name`, and waits for the new page's editor; returns its path. */
async function createFromTemplate(page: Page, name: string): Promise<string> {
	const before = new URL(page.url()).pathname;
	await sidebar(page).getByRole('button', { name: 'New from template…' }).click();
	await templateDialog(page).getByRole('button', { name, exact: true }).click();
	await page.waitForURL((url) => url.pathname !== before && /\/w\/[^/]+\/p\/[^/]+$/.test(url.pathname));
	await editor(page).waitFor();
	return new URL(page.url()).pathname;
}

/** The editor's top-level blocks by tag name, e.g. ['h2', 'ul', …]. */
function blockTags(page: Page): Promise<string[]> {
	return editor(page).evaluate((root) => [...root.children].map((el) => el.tagName.toLowerCase()));
}

function headingTexts(page: Page): Promise<string[]> {
	return editor(page).locator(':scope > h2, :scope > h3').allTextContents();
}

/** Opens a tree item's actions menu and returns the menu. */
async function actionsOf(page: Page, title: string): Promise<Locator> {
	const item = sidebar(page).getByRole('treeitem', { name: title, exact: true });
	await item.locator(':scope > [data-testid=tree-row]').getByRole('button', { name: 'Page actions' }).click();
	const menu = page.getByRole('menu');
	await menu.waitFor();
	return menu;
}

describe.skipIf(!chromiumPath)('templates', () => {
	const workspace = `e2e-templates-${Date.now().toString(36)}`;
	let world: World;
	let relay: Relay;
	let deviceA: BrowserContext;
	let deviceB: BrowserContext;
	let alice: Page;
	let bob: Page;

	beforeAll(async () => {
		world = await startWorld();
		({ relay } = world);
		({ devices: [deviceA, deviceB], pages: [alice, bob] } = await joinTeam(world, workspace, [
			{ device: 'A', member: 'alice', name: 'Alice' },
			{ device: 'B', member: 'bob', name: 'Bob' }
		]));
	});

	afterAll(() => world?.close());

	afterEach(async () => {
		for (const page of [alice, bob]) if (await page.locator('dialog[open], [role=menu]').count()) await page.reload();
		expect(takeUncaughtErrors(deviceA), 'uncaught exceptions on device A').toEqual([]);
		expect(takeUncaughtErrors(deviceB), 'uncaught exceptions on device B').toEqual([]);
	});

	it('creates a page from the stand-up template: Done, Doing and Blocked, each with a task list, nothing else', async () => {
		await sidebar(alice).getByRole('button', { name: 'New from template…' }).click();
		const dialog = templateDialog(alice);
		await dialog.waitFor();
		expect(await dialog.getAttribute('aria-modal')).toBe('true');
		expect(await axeViolations(alice, { scope: 'dialog[open]' })).toEqual([]);
		// Focus starts on the first choice; the arrows move, Escape closes and gives focus back.
		await expect.poll(() => alice.evaluate(() => document.activeElement?.textContent ?? ''), POLL).toContain('Meeting notes');
		await alice.keyboard.press('ArrowDown');
		await expect.poll(() => alice.evaluate(() => document.activeElement?.textContent ?? ''), POLL).toContain('Stand-up update');
		await alice.keyboard.press('Escape');
		await expect.poll(() => dialog.count(), POLL).toBe(0);
		await expect.poll(() => alice.evaluate(() => document.activeElement?.textContent ?? ''), POLL).toBe('New from template…');

		await createFromTemplate(alice, 'Stand-up update');
		await expect.poll(() => titleInput(alice).inputValue(), POLL).toMatch(/^Stand-up update \d{4}-\d{2}-\d{2}$/);
		await expect.poll(() => headingTexts(alice), POLL).toEqual(['Done', 'Doing', 'Blocked']);
		expect(await blockTags(alice)).toEqual(['h2', 'ul', 'h2', 'ul', 'h2', 'ul']);
		expect(await editor(alice).locator('li[data-type=taskItem]').count()).toBe(3);
		await waitForStatus(alice, 'stored');
	});

	it('a page from a template opened offline on another device holds one copy once both sync', async () => {
		const path = await createFromTemplate(alice, 'Meeting notes');
		await expect.poll(() => headingTexts(alice), POLL).toEqual(['Agenda', 'Notes', 'Decisions', 'Action items']);
		const title = await titleInput(alice).inputValue();
		await waitForStatus(alice, 'stored');

		// Bob's device has the page in its index; he goes offline and opens it from this device.
		await expect.poll(() => sidebar(bob).getByRole('tree').getByRole('link', { name: title }).count(), POLL).toBe(1);
		await waitForServiceWorker(bob);
		await deviceB.setOffline(true);
		await bob.goto(relay.url + path);
		await waitForStatus(bob, 'offline');
		await expect.poll(() => headingTexts(bob), POLL).toEqual(['Agenda', 'Notes', 'Decisions', 'Action items']);
		await typeAtEnd(bob, 'Follow up with design');
		await waitUntilSavedOnDevice(bob);

		// Alice adds to the same page meanwhile.
		await editor(alice).getByRole('heading', { name: 'Notes' }).click();
		await alice.keyboard.press('End');
		await alice.keyboard.press('ArrowDown');
		await alice.keyboard.type('Budget approved');
		await waitForStatus(alice, 'stored');

		await deviceB.setOffline(false);
		const merged = await waitForText(bob, (text) => text.includes('Follow up with design') && text.includes('Budget approved'));
		await waitForText(alice, (text) => text === merged);
		await waitForStatus(bob, 'stored');
		for (const page of [alice, bob]) {
			expect(await headingTexts(page)).toEqual(['Agenda', 'Notes', 'Decisions', 'Action items']);
			expect((await editorText(page)).match(/Date:/g)).toHaveLength(1);
			expect(await editor(page).locator('li[data-type=taskItem]').count()).toBe(1);
		}
	});

	it('marks a page as a template and creates a page from it on another device; unmarking takes it off the list', async () => {
		const templatePath = await createPage(alice, 'Release checklist');
		await typeAtEnd(alice, 'Bump the version');
		await alice.keyboard.press('Enter');
		await alice.keyboard.type('Tag the release');
		await waitForStatus(alice, 'stored');

		const menu = await actionsOf(alice, 'Release checklist');
		await menu.getByRole('menuitem', { name: 'Mark as template' }).click();
		await expect.poll(async () => (await actionsOf(alice, 'Release checklist')).getByRole('menuitem', { name: 'Remove from templates' }).count(), POLL).toBe(1);
		await alice.keyboard.press('Escape');
		await waitForStatus(alice, 'stored');

		// Bob sees it among the workspace's templates and makes a page from it.
		await bob.goto(relay.url + new URL(alice.url()).pathname.replace(/\/p\/.*$/, ''));
		await waitForStatus(bob, 'stored');
		await sidebar(bob).getByRole('button', { name: 'New from template…' }).click();
		await expect.poll(() => templateDialog(bob).getByRole('button', { name: 'Release checklist', exact: true }).count(), POLL).toBe(1);
		await templateDialog(bob).getByRole('button', { name: 'Release checklist', exact: true }).click();
		await bob.waitForURL(/\/w\/[^/]+\/p\/[^/]+$/);
		await editor(bob).waitFor();
		const copyPath = new URL(bob.url()).pathname;
		await waitForText(bob, (text) => text === 'Bump the version\nTag the release');
		await waitForStatus(bob, 'stored');

		// Alice opens Bob's copy: the same content, once; her template is unchanged.
		await alice.goto(relay.url + copyPath);
		await waitForText(alice, (text) => text === 'Bump the version\nTag the release');
		expect(await alice.getByTestId('awaiting-content').count()).toBe(0);
		await expect.poll(() => sidebar(alice).getByRole('tree').getByRole('link', { name: 'Release checklist' }).count(), POLL).toBe(2);

		// Unmarked, it is no longer offered. (The copy has the same title: pick the template by its page.)
		await alice.goto(relay.url + templatePath);
		await editor(alice).waitFor();
		const selected = sidebar(alice).locator('[role=treeitem][aria-selected=true]');
		await selected.locator(':scope > [data-testid=tree-row]').getByRole('button', { name: 'Page actions' }).click();
		await alice.getByRole('menu').getByRole('menuitem', { name: 'Remove from templates' }).click();
		await sidebar(alice).getByRole('button', { name: 'New from template…' }).click();
		await templateDialog(alice).waitFor();
		expect(await templateDialog(alice).getByRole('button', { name: 'Release checklist', exact: true }).count()).toBe(0);
		expect(await templateDialog(alice).getByText('No page is a template yet.', { exact: false }).count()).toBe(1);
		await alice.keyboard.press('Escape');
	});
});
