/**
 * Versions in real Chromium against a real relay: Ana Lima and Ben Okafor, both editors, each on a
 * device of their own (issue 6 item 2).
 *
 * [VE1] Ana writes, names a version "Sent to client" and edits on. Ben opens History: the named
 *       version and Ana's automatic one (before her first change today) are listed; comparing the
 *       named one with now shows Ana's deletion and insertion, marked and attributed to her by
 *       name. The open panel passes axe (light and dark). Ben restores the named version (after
 *       confirming): both editors read the old text; Ctrl+Z in Ben's editor takes the restore
 *       back on both.
 * [VE2] Cleo Park, a commenter, opens the same History: she can read and compare versions, but
 *       there is no "Name version" and no "Restore" (restore.ts refuses a view that refuses edits,
 *       and the panel does not offer what would be refused).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { axeViolations } from './support/axe.ts';
import { chromiumPath } from './support/browser.ts';
import { useTeam } from './support/world.ts';
import { POLL, createPage, editor, sidebar, typeAtEnd, waitForStatus, waitForText } from './support/app.ts';

function history(page: Page): Locator {
	return page.getByTestId('history');
}

async function openHistory(page: Page): Promise<void> {
	await page.getByRole('button', { name: 'History' }).click();
	await history(page).waitFor();
}

/** Each listed version's label ("Sent to client", "Automatic"). */
function versionLabels(page: Page): Promise<string[]> {
	return history(page).getByTestId('version').evaluateAll((list) => list.map((li) => li.querySelector('strong')?.textContent ?? ''));
}

describe.skipIf(!chromiumPath)('versions', () => {
	const workspace = `e2e-versions-${Date.now().toString(36)}`;
	const team = useTeam(workspace, [
		{ device: 'A', member: 'ana', name: 'Ana Lima' },
		{ device: 'B', member: 'ben', name: 'Ben Okafor' },
		{ device: 'C', member: 'cleo', name: 'Cleo Park', role: 'commenter' }
	]);
	let ana: Page;
	let ben: Page;
	let cleo: Page;

	beforeAll(() => {
		({ pages: [ana, ben, cleo] } = team);
	});

	it('[VE1] name, compare attributed, restore live, undo the restore', async () => {
		await createPage(ana, 'Proposal');
		await typeAtEnd(ana, 'Scope: phase one.');
		await openHistory(ana);
		await history(ana).getByRole('textbox', { name: 'Name this version' }).fill('Sent to client');
		await history(ana).getByRole('button', { name: 'Name version' }).click();
		await expect.poll(() => versionLabels(ana), POLL).toEqual(['Sent to client', 'Automatic']);
		await history(ana).getByRole('button', { name: 'Close' }).click();
		await editor(ana).click();
		await ana.keyboard.press('Control+End');
		for (let i = 0; i < 4; i++) await ana.keyboard.press('Backspace');
		await ana.keyboard.type('two. Budget doubled.');
		await waitForStatus(ana, 'stored');

		await sidebar(ben).getByRole('tree').getByRole('link', { name: 'Proposal' }).click();
		await waitForText(ben, (text) => text === 'Scope: phase two. Budget doubled.');
		await openHistory(ben);
		expect(await versionLabels(ben)).toEqual(['Sent to client', 'Automatic']);
		await history(ben).getByRole('button', { name: 'Compare Sent to client with now' }).click();
		const changes = history(ben).getByTestId('change');
		await expect.poll(() => changes.allTextContents(), POLL).toHaveLength(2);
		const lines = (await changes.allTextContents()).map((line) => line.replace(/\s+/g, ' ').trim());
		expect(lines[0]).toMatch(/^Ana Lima removed one\. · /);
		expect(lines[1]).toMatch(/^Ana Lima added two\. Budget doubled\. · /);
		expect(await history(ben).locator('.history-doc del').first().getAttribute('title')).toMatch(/^Removed by Ana Lima, /);
		expect(await history(ben).locator('.history-doc ins').first().getAttribute('title')).toMatch(/^Added by Ana Lima, /);
		expect(await axeViolations(ben, { scope: 'dialog[open]' })).toEqual([]);
		expect(await axeViolations(ben, { scope: 'dialog[open]', colorScheme: 'dark' })).toEqual([]);
		await ben.emulateMedia({ colorScheme: 'light' });

		await history(ben).getByRole('button', { name: 'Restore Sent to client' }).click();
		await ben.getByRole('alertdialog').getByRole('button', { name: 'Restore' }).click();
		await waitForText(ben, (text) => text === 'Scope: phase one.');
		await waitForText(ana, (text) => text === 'Scope: phase one.');
		expect(await ben.getByTestId('history-status').textContent()).toMatch(/^Restored “Sent to client”/);

		// The restore leaves the caret in the editor, where the undo key takes it back.
		await expect.poll(() => editor(ben).evaluate((el) => el.contains(document.activeElement)), POLL).toBe(true);
		await ben.keyboard.press('Control+z');
		await waitForText(ben, (text) => text === 'Scope: phase two. Budget doubled.');
		await waitForText(ana, (text) => text === 'Scope: phase two. Budget doubled.');
		// The state before the restore was kept as a version too.
		await openHistory(ana);
		await expect.poll(() => versionLabels(ana), POLL).toContain('Before restoring “Sent to client”');
	});

	it("[VE3] Ana restores yesterday's version, kept before her first change today; Ben sees the restore", async () => {
		// VE1 left Ana's History open.
		if (await history(ana).isVisible()) await history(ana).getByRole('button', { name: 'Close' }).click();
		const now = Date.now();
		await ana.clock.setSystemTime(now - 24 * 60 * 60_000);
		await createPage(ana, 'Runbook');
		await typeAtEnd(ana, "Yesterday's plan.");
		await waitForStatus(ana, 'stored');
		await ana.clock.setSystemTime(now);
		await typeAtEnd(ana, ' Rewritten today.');
		await waitForStatus(ana, 'stored');
		await sidebar(ben).getByRole('tree').getByRole('link', { name: 'Runbook' }).click();
		await waitForText(ben, (text) => text === "Yesterday's plan. Rewritten today.");

		await openHistory(ana);
		// Newest first: today's (the page as yesterday left it), then yesterday's (before her first change then).
		await expect.poll(() => versionLabels(ana), POLL).toEqual(['Automatic', 'Automatic']);
		const latest = history(ana).getByTestId('version').first();
		await latest.getByRole('button', { name: /^View Automatic/ }).click();
		await expect.poll(() => history(ana).locator('.history-doc').first().textContent(), POLL).toBe("Yesterday's plan.");
		await latest.getByRole('button', { name: 'Restore Automatic' }).click();
		await ana.getByRole('alertdialog').getByRole('button', { name: 'Restore' }).click();
		await waitForText(ana, (text) => text === "Yesterday's plan.");
		await waitForText(ben, (text) => text === "Yesterday's plan.");
	});

	it('[VE2] a commenter reads and compares versions, with nothing to name or restore', async () => {
		await sidebar(cleo).getByRole('tree').getByRole('link', { name: 'Proposal' }).click();
		await waitForText(cleo, (text) => text === 'Scope: phase two. Budget doubled.');
		await openHistory(cleo);
		await expect.poll(() => versionLabels(cleo), POLL).toContain('Sent to client');
		await history(cleo).getByRole('button', { name: 'Compare Sent to client with now' }).click();
		await expect.poll(() => history(cleo).getByTestId('change').count(), POLL).toBeGreaterThan(0);
		expect(await history(cleo).getByRole('textbox', { name: 'Name this version' }).count()).toBe(0);
		expect(await history(cleo).getByRole('button', { name: 'Name version' }).count()).toBe(0);
		expect(await history(cleo).getByRole('button', { name: /^Restore / }).count()).toBe(0);
	});
});
