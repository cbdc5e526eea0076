/**
 * Presence in real Chromium through a real relay: who else has the workspace open, and on which
 * page, in the sidebar's "Here now" — a viewer included — gone when they go offline or leave.
 *
 * [PR1] Each member sees the others and the page they are on; following a navigation.
 * [PR2] A member who goes offline or closes the workspace leaves the others' list, and is back as
 *       soon as they reconnect; offline, the list says it is shown when connected.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { chromiumPath, takeUncaughtErrors } from './support/browser.ts';
import { joinTeam, startWorld, type World } from './support/world.ts';
import { POLL, createPage, sidebar, waitForStatus } from './support/app.ts';

/** "Name on Page" (or just "Name") for each member in the "Here now" list. */
function hereNow(page: Page): Promise<string[]> {
	return sidebar(page)
		.getByTestId('presence')
		.locator('li')
		.evaluateAll((items) => items.map((li) => (li.textContent ?? '').replace(/\s+/g, ' ').trim()));
}

describe.skipIf(!chromiumPath)('presence', () => {
	const workspace = `e2e-presence-${Date.now().toString(36)}`;
	let world: World;
	let devices: BrowserContext[];
	let ana: Page;
	let ben: Page;
	let cy: Page;

	beforeAll(async () => {
		world = await startWorld();
		const team = await joinTeam(world, workspace, [
			{ device: 'A', member: 'ana', name: 'Ana' },
			{ device: 'B', member: 'ben', name: 'Ben' },
			{ device: 'C', member: 'cy', name: 'Cy', role: 'viewer' }
		]);
		devices = [...team.devices];
		[ana, ben, cy] = team.pages;
	});

	afterAll(() => world?.close());

	afterEach(() => {
		for (const device of devices) expect(takeUncaughtErrors(device)).toEqual([]);
	});

	it('[PR1] each member sees the others and the page they are on, a viewer included', async () => {
		await expect.poll(() => hereNow(ana), POLL).toEqual(['Ben', 'Cy']);
		await expect.poll(() => hereNow(cy), POLL).toEqual(['Ana', 'Ben']);

		const path = await createPage(ana, 'Launch plan');
		await expect.poll(() => hereNow(ben), POLL).toEqual(['Ana on Launch plan', 'Cy']);
		await expect.poll(() => hereNow(cy), POLL).toEqual(['Ana on Launch plan', 'Ben']);
		// The page is a link to where they are.
		await sidebar(ben).getByTestId('presence').getByRole('link', { name: 'Launch plan' }).click();
		await ben.waitForURL((url) => url.pathname === path);
		await expect.poll(() => hereNow(ana), POLL).toEqual(['Ben on Launch plan', 'Cy']);
		// Leaving the page for the workspace overview shows them elsewhere in the workspace.
		await ana.goto(new URL(ana.url()).origin + path.replace(/\/p\/.*$/, ''));
		await expect.poll(() => hereNow(ben), POLL).toEqual(['Ana', 'Cy']);
	});

	it('[PR2] going offline or leaving the workspace takes a member off the others’ lists', async () => {
		await devices[2]!.setOffline(true);
		await waitForStatus(cy, 'offline');
		await expect.poll(() => hereNow(ana), POLL).toEqual(['Ben on Launch plan']);
		await expect.poll(() => sidebar(cy).getByTestId('presence').textContent(), POLL).toContain('Shown when connected to the relay.');
		await devices[2]!.setOffline(false);
		// Back as soon as the socket is: not at the next awareness renewal 15 s later (the relay
		// removed Cy's state with a newer clock than the one Cy had; Cy announces afresh).
		await expect.poll(() => hereNow(ana), { ...POLL, timeout: 8_000 }).toEqual(['Ben on Launch plan', 'Cy']);

		await ben.goto(new URL(ben.url()).origin + '/');
		await expect.poll(() => hereNow(ana), POLL).toEqual(['Cy']);
	});
});
