/**
 * The page tree in the sidebar, in real Chromium against a real relay, with two members on two
 * devices: subpages, renaming in place, "Move to…", archive and restore, delete for good, the
 * keyboard, the phone-width drawer, drag and drop, and concurrent moves made apart that would
 * make a cycle.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { chromiumPath, newDevice, takeUncaughtErrors } from './support/browser.ts';
import type { Relay } from './support/relay.ts';
import { joinTeam, startWorld, type World } from './support/world.ts';
import { POLL, createPage, editor, join, sidebar, titleInput, waitForStatus } from './support/app.ts';

function tree(page: Page): Locator {
	return sidebar(page).getByRole('tree', { name: 'Page tree' });
}

function item(page: Page, title: string): Locator {
	return tree(page).getByRole('treeitem', { name: title, exact: true });
}

/** The row of a tree item (its own link and buttons, not its subpages'). */
function row(treeItem: Locator): Locator {
	return treeItem.locator(':scope > [data-testid=tree-row]');
}

/** Opens a tree item's actions menu and returns the menu. */
async function actionsOf(treeItem: Locator): Promise<Locator> {
	await row(treeItem).getByRole('button', { name: 'Page actions' }).click();
	const menu = treeItem.page().getByRole('menu');
	await menu.waitFor();
	return menu;
}

/** Expands every collapsed branch, however deep, by clicking the arrows. */
async function expandAll(page: Page): Promise<void> {
	for (let guard = 0; guard < 100; guard++) {
		const collapsed = tree(page).locator('[role=treeitem][aria-expanded=false] > [data-testid=tree-row] [data-testid=tree-toggle]');
		if ((await collapsed.count()) === 0) return;
		await collapsed.first().click();
	}
	throw new Error('the tree never finished expanding');
}

interface Shown {
	readonly title: string;
	readonly level: number;
	readonly parent: string | null;
}

/** The tree as shown, fully expanded: each item's title, level and parent title, in reading order. */
async function shownTree(page: Page): Promise<Shown[]> {
	await expandAll(page);
	return tree(page).evaluate((root) =>
		[...root.querySelectorAll('[role=treeitem]')].map((el) => {
			const label = (node: Element) => document.getElementById(node.getAttribute('aria-labelledby') ?? '')?.textContent ?? '';
			const parent = el.parentElement?.closest('[role=treeitem]');
			return { title: label(el), level: Number(el.getAttribute('aria-level')), parent: parent ? label(parent) : null };
		})
	);
}

function shownItem(shown: readonly Shown[], title: string): Shown | undefined {
	return shown.find((s) => s.title === title);
}

/** Title of the tree item that has focus, or null when focus is elsewhere. */
function focusedTitle(page: Page): Promise<string | null> {
	return page.evaluate(() => {
		const el = document.activeElement;
		if (el?.getAttribute('role') !== 'treeitem') return null;
		return document.getElementById(el.getAttribute('aria-labelledby') ?? '')?.textContent ?? null;
	});
}

describe.skipIf(!chromiumPath)('the page tree', () => {
	const workspace = `e2e-tree-${Date.now().toString(36)}`;
	let world: World;
	let relay: Relay;
	let browser: Browser;
	let deviceA: BrowserContext;
	let deviceB: BrowserContext;
	let alice: Page;
	let bob: Page;

	beforeAll(async () => {
		world = await startWorld();
		({ relay, browser } = world);
		({ devices: [deviceA, deviceB], pages: [alice, bob] } = await joinTeam(world, workspace, [
			{ device: 'A', member: 'alice', name: 'Alice' },
			{ device: 'B', member: 'bob', name: 'Bob' }
		]));
	});

	afterAll(() => world?.close());

	afterEach(async () => {
		// A failed test may leave a dialog or menu open; don't let it fail the next one too.
		for (const page of [alice, bob]) if (await page.locator('dialog[open], [role=menu]').count()) await page.reload();
		expect(takeUncaughtErrors(deviceA), 'uncaught exceptions on device A').toEqual([]);
		expect(takeUncaughtErrors(deviceB), 'uncaught exceptions on device B').toEqual([]);
	});

	it('creates a subpage from the actions menu, renames it in place, and shows breadcrumbs', async () => {
		await createPage(alice, 'Handbook');
		const before = new URL(alice.url()).pathname;
		const menu = await actionsOf(item(alice, 'Handbook'));
		await expect.poll(() => row(item(alice, 'Handbook')).getByRole('button', { name: 'Page actions' }).getAttribute('aria-expanded')).toBe('true');
		await menu.getByRole('menuitem', { name: 'New subpage' }).click();
		await alice.waitForURL((url) => url.pathname !== before);
		await editor(alice).waitFor();

		// The new page is the selected item, one level down, untitled until named.
		const selected = tree(alice).locator('[role=treeitem][aria-selected=true]');
		await expect.poll(() => selected.getAttribute('aria-level'), POLL).toBe('2');
		expect(await row(selected).getByRole('link').textContent()).toBe('Untitled');
		expect(await item(alice, 'Handbook').getAttribute('aria-expanded')).toBe('true');

		// Rename in place: Enter saves; the model cleans the title (control characters, spaces).
		await (await actionsOf(selected)).getByRole('menuitem', { name: 'Rename' }).click();
		const input = tree(alice).getByRole('textbox', { name: 'Rename page' });
		await input.fill('  Onboarding\t');
		await input.press('Enter');
		await expect.poll(() => item(alice, 'Onboarding').getAttribute('aria-level'), POLL).toBe('2');
		await expect.poll(() => titleInput(alice).inputValue(), POLL).toBe('Onboarding');
		expect(await focusedTitle(alice), 'focus back on the renamed item').toBe('Onboarding');

		// Escape cancels; F2 starts renaming from the keyboard.
		await alice.keyboard.press('F2');
		await input.fill('Not this');
		await input.press('Escape');
		await expect.poll(() => input.count()).toBe(0);
		expect(await item(alice, 'Onboarding').count()).toBe(1);

		// Breadcrumbs: workspace, parent, page (the current one).
		const crumbs = alice.getByRole('navigation', { name: 'Breadcrumb' });
		const workspaceName = await sidebar(alice).getByRole('heading', { level: 1 }).textContent();
		await expect.poll(() => crumbs.getByRole('link').allTextContents(), POLL).toEqual([workspaceName, 'Handbook', 'Onboarding']);
		expect(await crumbs.getByRole('link', { name: 'Onboarding' }).getAttribute('aria-current')).toBe('page');
		await crumbs.getByRole('link', { name: 'Handbook' }).click();
		await expect.poll(() => titleInput(alice).inputValue(), POLL).toBe('Handbook');

		// Bob sees the subpage under its parent.
		await expect.poll(async () => shownItem(await shownTree(bob), 'Onboarding'), POLL).toEqual({ title: 'Onboarding', level: 2, parent: 'Handbook' });
	});

	it('moves a page with the "Move to…" dialog, which offers only valid places and keeps focus inside', async () => {
		await createPage(alice, 'Alpha');
		await createPage(alice, 'Beta');
		const gamma = await actionsOf(item(alice, 'Beta'));
		await gamma.getByRole('menuitem', { name: 'New subpage' }).click();
		await expect.poll(() => tree(alice).locator('[role=treeitem][aria-selected=true]').getAttribute('aria-level'), POLL).toBe('2');
		await titleInput(alice).fill('Beta child');
		await expect.poll(() => item(alice, 'Beta child').count(), POLL).toBe(1);

		await (await actionsOf(item(alice, 'Beta'))).getByRole('menuitem', { name: 'Move to…' }).click();
		const dialog = alice.getByRole('dialog', { name: 'Move “Beta” to…' });
		await dialog.waitFor();
		expect(await dialog.getAttribute('aria-modal')).toBe('true');
		const filter = dialog.getByRole('textbox', { name: 'Filter pages' });
		expect(await filter.evaluate((el) => el === document.activeElement)).toBe(true);
		const places = dialog.getByRole('list', { name: 'Places to move to' });
		// Neither the page nor its subpages are offered; the top level is (its current place).
		expect(await places.getByRole('button', { name: /^Beta/ }).count()).toBe(0);
		expect(await places.getByRole('button', { name: 'Top level (current)' }).isDisabled()).toBe(true);
		// Tab stays in the dialog.
		for (let i = 0; i < 25; i++) {
			await alice.keyboard.press('Tab');
			expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);
		}
		await filter.fill('alph');
		await expect.poll(() => places.getByRole('button').allTextContents()).toEqual(['Alpha']);
		await places.getByRole('button', { name: 'Alpha' }).click();
		await expect.poll(() => dialog.count()).toBe(0);

		await expect.poll(async () => shownItem(await shownTree(alice), 'Beta'), POLL).toEqual({ title: 'Beta', level: 2, parent: 'Alpha' });
		expect(shownItem(await shownTree(alice), 'Beta child')).toEqual({ title: 'Beta child', level: 3, parent: 'Beta' });
		expect(await focusedTitle(alice), 'focus back on the moved item').toBe('Beta');
		await expect.poll(async () => shownItem(await shownTree(bob), 'Beta child'), POLL).toEqual({ title: 'Beta child', level: 3, parent: 'Beta' });

		// Escape closes without moving and gives focus back.
		await (await actionsOf(item(alice, 'Beta'))).getByRole('menuitem', { name: 'Move to…' }).click();
		await dialog.waitFor();
		await alice.keyboard.press('Escape');
		await expect.poll(() => dialog.count()).toBe(0);
		expect(await focusedTitle(alice)).toBe('Beta');
		expect(shownItem(await shownTree(alice), 'Beta')?.parent).toBe('Alpha');
	});

	it('reorders with Move up / Move down and by dragging between and onto items', async () => {
		for (const title of ['R1', 'R2', 'R3']) await createPage(alice, title);
		const order = async () => (await shownTree(alice)).filter((s) => /^R\d$/.test(s.title)).map((s) => `${s.parent ?? ''}/${s.title}`);
		expect(await order()).toEqual(['/R1', '/R2', '/R3']);
		// R3 is the last page at the top level.
		expect(await (await actionsOf(item(alice, 'R3'))).getByRole('menuitem', { name: 'Move down' }).isDisabled()).toBe(true);
		await alice.keyboard.press('Escape');
		await (await actionsOf(item(alice, 'R3'))).getByRole('menuitem', { name: 'Move up' }).click();
		await expect.poll(order, POLL).toEqual(['/R1', '/R3', '/R2']);
		await (await actionsOf(item(alice, 'R1'))).getByRole('menuitem', { name: 'Move down' }).click();
		await expect.poll(order, POLL).toEqual(['/R3', '/R1', '/R2']);

		// Drag R2 onto the top edge of R3: before it. Then R3 onto the middle of R1: inside it.
		await row(item(alice, 'R2')).dragTo(row(item(alice, 'R3')), { targetPosition: { x: 40, y: 2 } });
		await expect.poll(order, POLL).toEqual(['/R2', '/R3', '/R1']);
		const r1 = await row(item(alice, 'R1')).boundingBox();
		await row(item(alice, 'R3')).dragTo(row(item(alice, 'R1')), { targetPosition: { x: 40, y: (r1?.height ?? 30) / 2 } });
		await expect.poll(order, POLL).toEqual(['/R2', '/R1', 'R1/R3']);
		// While dragging, the place it would land is shown; over itself nothing is, and nothing happens.
		const r2 = await row(item(alice, 'R2')).boundingBox();
		const target = await row(item(alice, 'R1')).boundingBox();
		await alice.mouse.move(r2!.x + 40, r2!.y + r2!.height / 2);
		await alice.mouse.down();
		await alice.mouse.move(target!.x + 40, target!.y + target!.height / 2, { steps: 5 });
		await expect.poll(() => row(item(alice, 'R1')).getAttribute('class')).toMatch(/\bdrop-inside\b/);
		await alice.mouse.move(target!.x + 40, target!.y + 2, { steps: 3 });
		await expect.poll(() => row(item(alice, 'R1')).getAttribute('class')).toMatch(/\bdrop-before\b/);
		await alice.mouse.move(r2!.x + 40, r2!.y + r2!.height / 2, { steps: 5 });
		await expect.poll(() => tree(alice).locator('.drop-before, .drop-after, .drop-inside').count()).toBe(0);
		await alice.mouse.up();
		expect(await order()).toEqual(['/R2', '/R1', 'R1/R3']);
		// A page cannot be dropped into its own subpage: nothing changes.
		await row(item(alice, 'R1')).dragTo(row(item(alice, 'R3')), { targetPosition: { x: 40, y: 12 } });
		expect(await order()).toEqual(['/R2', '/R1', 'R1/R3']);
		await expect.poll(async () => (await shownTree(bob)).filter((s) => /^R\d$/.test(s.title)).map((s) => `${s.parent ?? ''}/${s.title}`), POLL).toEqual([
			'/R2',
			'/R1',
			'R1/R3'
		]);
	});

	it('archives and restores a page with its subpages, then deletes it for good after confirming', async () => {
		await createPage(alice, 'Old plans');
		await (await actionsOf(item(alice, 'Old plans'))).getByRole('menuitem', { name: 'New subpage' }).click();
		await expect.poll(() => tree(alice).locator('[role=treeitem][aria-selected=true]').getAttribute('aria-level'), POLL).toBe('2');
		await titleInput(alice).fill('Old details');
		await expect.poll(() => item(alice, 'Old details').count(), POLL).toBe(1);

		await (await actionsOf(item(alice, 'Old plans'))).getByRole('menuitem', { name: 'Archive' }).click();
		await expect.poll(() => item(alice, 'Old plans').count(), POLL).toBe(0);
		expect(await item(alice, 'Old details').count()).toBe(0);
		const archived = sidebar(alice).getByRole('region', { name: 'Archived pages' });
		const disclosure = archived.getByRole('button', { name: /^Archived \(\d+\)$/ });
		expect(await disclosure.getAttribute('aria-expanded')).toBe('false');
		await disclosure.click();
		expect(await disclosure.getAttribute('aria-expanded')).toBe('true');
		const entry = archived.getByRole('listitem').filter({ has: alice.getByRole('link', { name: 'Old plans', exact: true }) });
		await expect.poll(() => item(bob, 'Old plans').count(), POLL).toBe(0);

		await entry.getByRole('button', { name: 'Restore' }).click();
		await expect.poll(async () => shownItem(await shownTree(alice), 'Old details'), POLL).toEqual({ title: 'Old details', level: 2, parent: 'Old plans' });
		await expect.poll(() => item(bob, 'Old plans').count(), POLL).toBe(1);

		await (await actionsOf(item(alice, 'Old plans'))).getByRole('menuitem', { name: 'Archive' }).click();
		await expect.poll(() => entry.count(), POLL).toBe(1);
		// Cancel first: nothing happens, focus returns to the button.
		await entry.getByRole('button', { name: 'Delete for good' }).click();
		const confirm = alice.getByRole('alertdialog', { name: 'Delete “Old plans” for good?' });
		await confirm.waitFor();
		expect(await confirm.getAttribute('aria-modal')).toBe('true');
		expect(await confirm.textContent()).toContain('Its 1 subpage is deleted with it.');
		await confirm.getByRole('button', { name: 'Cancel' }).click();
		await expect.poll(() => confirm.count()).toBe(0);
		expect(await entry.getByRole('button', { name: 'Delete for good' }).evaluate((el) => el === document.activeElement)).toBe(true);
		expect(await entry.count()).toBe(1);

		await entry.getByRole('button', { name: 'Delete for good' }).click();
		await confirm.getByRole('button', { name: 'Delete for good' }).click();
		await expect.poll(() => entry.count(), POLL).toBe(0);
		// Gone everywhere, subpage included: Bob's archive no longer lists it either.
		await expect.poll(() => bob.evaluate(() => document.body.textContent?.includes('Old details') ?? false), POLL).toBe(false);
		expect(new URL(alice.url()).pathname, 'left the deleted page').toBe(`/w/${workspace}`);
	});

	it('restoring a page whose parent is still archived brings it back at the top level', async () => {
		await createPage(alice, 'Shelf');
		await (await actionsOf(item(alice, 'Shelf'))).getByRole('menuitem', { name: 'New subpage' }).click();
		await expect.poll(() => tree(alice).locator('[role=treeitem][aria-selected=true]').getAttribute('aria-level'), POLL).toBe('2');
		await titleInput(alice).fill('Book');
		await expect.poll(() => item(alice, 'Book').count(), POLL).toBe(1);
		await (await actionsOf(item(alice, 'Book'))).getByRole('menuitem', { name: 'Archive' }).click();
		await (await actionsOf(item(alice, 'Shelf'))).getByRole('menuitem', { name: 'Archive' }).click();
		await expect.poll(() => item(alice, 'Shelf').count(), POLL).toBe(0);

		const archived = sidebar(alice).getByRole('region', { name: 'Archived pages' });
		const disclosure = archived.getByRole('button', { name: /^Archived \(\d+\)$/ });
		if ((await disclosure.getAttribute('aria-expanded')) === 'false') await disclosure.click();
		const book = archived.getByRole('listitem').filter({ has: alice.getByRole('link', { name: 'Book', exact: true }) });
		await book.getByRole('button', { name: 'Restore' }).click();
		await expect.poll(async () => shownItem(await shownTree(alice), 'Book'), POLL).toEqual({ title: 'Book', level: 1, parent: null });
		expect(await item(alice, 'Shelf').count(), 'the parent stays archived').toBe(0);
	});

	it('is a WAI-ARIA tree: one tab stop, arrows, Home/End, Enter, visible focus', async () => {
		await createPage(alice, 'K1');
		await (await actionsOf(item(alice, 'K1'))).getByRole('menuitem', { name: 'New subpage' }).click();
		await expect.poll(() => tree(alice).locator('[role=treeitem][aria-selected=true]').getAttribute('aria-level'), POLL).toBe('2');
		await titleInput(alice).fill('K2');
		await expect.poll(() => item(alice, 'K2').count(), POLL).toBe(1);
		await createPage(alice, 'K3');
		// One tab stop: the current page's item.
		expect(await tree(alice).locator('[role=treeitem][tabindex="0"]').count()).toBe(1);
		expect(await item(alice, 'K3').getAttribute('tabindex')).toBe('0');
		const k1 = item(alice, 'K1');
		await row(k1).locator('[data-testid=tree-toggle]').click();
		expect(await k1.getAttribute('aria-expanded')).toBe('false');
		await item(alice, 'K3').focus();
		await alice.keyboard.press('ArrowUp');
		expect(await focusedTitle(alice)).toBe('K1');
		expect(await tree(alice).locator('[role=treeitem][tabindex="0"]').count()).toBe(1);
		expect(await k1.getAttribute('tabindex')).toBe('0');
		expect(await row(k1).evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');

		await alice.keyboard.press('ArrowRight');
		expect(await k1.getAttribute('aria-expanded')).toBe('true');
		expect(await focusedTitle(alice)).toBe('K1');
		await alice.keyboard.press('ArrowRight');
		expect(await focusedTitle(alice)).toBe('K2');
		expect(await item(alice, 'K2').getAttribute('aria-level')).toBe('2');
		await alice.keyboard.press('ArrowLeft');
		expect(await focusedTitle(alice)).toBe('K1');
		await alice.keyboard.press('ArrowLeft');
		expect(await k1.getAttribute('aria-expanded')).toBe('false');
		await alice.keyboard.press('ArrowDown');
		expect(await focusedTitle(alice)).toBe('K3');
		await alice.keyboard.press('End');
		expect(await focusedTitle(alice)).toBe('K3');
		await alice.keyboard.press('Home');
		const first = await tree(alice).locator('[role=treeitem]').first().evaluate((el) => document.getElementById(el.getAttribute('aria-labelledby') ?? '')?.textContent);
		expect(await focusedTitle(alice)).toBe(first);
		await alice.keyboard.press('End');
		await alice.keyboard.press('ArrowUp');
		expect(await focusedTitle(alice)).toBe('K1');
		await alice.keyboard.press('Enter');
		await expect.poll(() => titleInput(alice).inputValue(), POLL).toBe('K1');
		expect(await k1.getAttribute('aria-selected')).toBe('true');

		// Shift+F10 opens the actions menu; arrows move in it; Escape closes it and refocuses the item.
		await k1.focus();
		await alice.keyboard.press('Shift+F10');
		const menu = alice.getByRole('menu', { name: 'Actions for K1' });
		await menu.waitFor();
		expect(await alice.evaluate(() => document.activeElement?.textContent)).toBe('New subpage');
		await alice.keyboard.press('ArrowDown');
		expect(await alice.evaluate(() => document.activeElement?.textContent)).toBe('Rename');
		await alice.keyboard.press('Escape');
		await expect.poll(() => menu.count()).toBe(0);
		expect(await focusedTitle(alice)).toBe('K1');
	});

	it('is a drawer at phone width: the Pages button opens it, navigation and Escape close it', async () => {
		await alice.setViewportSize({ width: 390, height: 844 });
		try {
			const toggle = alice.getByRole('button', { name: 'Pages', exact: true });
			// Closed, the drawer is out of the accessibility tree, so find it by the id the toggle names.
			const drawer = alice.locator(`#${await toggle.getAttribute('aria-controls')}`);
			expect(await drawer.getAttribute('aria-label')).toBe('Pages');
			expect(await toggle.getAttribute('aria-expanded')).toBe('false');
			expect(await drawer.isVisible()).toBe(false);

			await toggle.click();
			expect(await toggle.getAttribute('aria-expanded')).toBe('true');
			expect(await drawer.isVisible()).toBe(true);
			const box = await drawer.boundingBox();
			expect(box!.width).toBeLessThanOrEqual(390);
			expect(await drawer.evaluate((el) => el.contains(document.activeElement)), 'focus moves into the drawer').toBe(true);

			await row(item(alice, 'Alpha')).getByRole('link').click();
			await expect.poll(() => titleInput(alice).inputValue(), POLL).toBe('Alpha');
			await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('false');
			expect(await drawer.isVisible()).toBe(false);

			await toggle.click();
			expect(await drawer.isVisible()).toBe(true);
			await alice.keyboard.press('Escape');
			await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('false');
			expect(await drawer.isVisible()).toBe(false);
			expect(await toggle.evaluate((el) => el === document.activeElement), 'focus back on the toggle').toBe(true);
			// Nothing sticks out sideways at this width.
			expect(await alice.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
		} finally {
			await alice.setViewportSize({ width: 1100, height: 800 });
		}
		expect(await alice.getByRole('button', { name: 'Pages', exact: true }).isVisible()).toBe(false);
		expect(await sidebar(alice).isVisible()).toBe(true);
	});

	it('the tree on two devices after concurrent moves apart: X under Y on one, Y under X on the other', async () => {
		await createPage(alice, 'X page');
		await createPage(alice, 'Y page');
		await expect.poll(() => item(bob, 'Y page').count(), POLL).toBe(1);
		await waitForStatus(alice, 'stored');
		await waitForStatus(bob, 'stored');

		// The app drops its relay socket on the browser's offline event.
		await Promise.all([deviceA.setOffline(true), deviceB.setOffline(true)]);
		await Promise.all([waitForStatus(alice, 'offline'), waitForStatus(bob, 'offline')]);

		// Alice: X under Y, with "Move to…".
		await (await actionsOf(item(alice, 'X page'))).getByRole('menuitem', { name: 'Move to…' }).click();
		const dialog = alice.getByRole('dialog');
		await dialog.getByRole('textbox', { name: 'Filter pages' }).fill('Y page');
		await dialog.getByRole('button', { name: 'Y page' }).click();
		await expect.poll(async () => shownItem(await shownTree(alice), 'X page')?.parent, POLL).toBe('Y page');

		// Bob: Y under X, by dragging Y onto the middle of X.
		const x = await row(item(bob, 'X page')).boundingBox();
		await row(item(bob, 'Y page')).dragTo(row(item(bob, 'X page')), { targetPosition: { x: 40, y: (x?.height ?? 30) / 2 } });
		await expect.poll(async () => shownItem(await shownTree(bob), 'Y page')?.parent, POLL).toBe('X page');

		await Promise.all([deviceA.setOffline(false), deviceB.setOffline(false)]);
		await Promise.all([waitForStatus(alice, 'stored'), waitForStatus(bob, 'stored')]);

		// Both show the same tree; X and Y are both there, once, one under the other: no cycle.
		let seenByBob: Shown[] = [];
		await expect
			.poll(async () => JSON.stringify(await shownTree(alice)) === JSON.stringify((seenByBob = await shownTree(bob))), POLL)
			.toBe(true);
		const xs = seenByBob.filter((s) => s.title === 'X page');
		const ys = seenByBob.filter((s) => s.title === 'Y page');
		expect(xs).toHaveLength(1);
		expect(ys).toHaveLength(1);
		const pair = [xs[0]!, ys[0]!].sort((a, b) => a.level - b.level);
		expect(pair[0]!.parent).toBeNull();
		expect(pair[1]!.parent).toBe(pair[0]!.title);
		expect(pair[1]!.level).toBe(2);
	});

	it('a viewer sees the tree without edit actions', async () => {
		const deviceC = await newDevice(browser, 'C');
		try {
			const carol = await join(deviceC, await relay.invite({ workspace, role: 'viewer', member: 'carol' }), 'Carol');
			await expect.poll(() => item(carol, 'Alpha').count(), POLL).toBe(1);
			expect(await tree(carol).getByRole('button', { name: 'Page actions' }).count()).toBe(0);
			expect(await tree(carol).locator('[draggable=true]').count()).toBe(0);
			await item(carol, 'Alpha').focus();
			await carol.keyboard.press('F2');
			await carol.keyboard.press('Shift+F10');
			expect(await carol.getByRole('textbox', { name: 'Rename page' }).count()).toBe(0);
			expect(await carol.getByRole('menu').count()).toBe(0);
			expect(takeUncaughtErrors(deviceC), 'uncaught exceptions on device C').toEqual([]);
		} finally {
			await deviceC.close();
		}
	});
});
