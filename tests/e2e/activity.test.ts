/**
 * The activity feed in real Chromium against a real relay (issue 6 item 4): Ana Lima edits on her
 * device while Ben Okafor watches the feed on his.
 *
 * [AC1] Ana creates two pages (typing a title folds into "created"), renames one, moves it into the
 *       other, archives that one, proposes a decision and accepts it with a note. Ben's open feed
 *       shows each, live, newest first, in words ("Ana Lima renamed ‘Plan’ to ‘Roadmap’"), under
 *       "Today", with links to pages that exist. With three entries a page, "Show older" (from the
 *       keyboard) adds the next three, moves focus to the first of them and says so, until the
 *       feed ends. The page passes axe-core's WCAG 2 A/AA rules, light and dark.
 */
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { axeViolations } from './support/axe.ts';
import { chromiumPath } from './support/browser.ts';
import { useTeam } from './support/world.ts';
import { POLL, createPage, sidebar, titleInput } from './support/app.ts';

function feed(page: Page): Locator {
	return page.getByTestId('activity');
}

/** Each entry's sentence, spaces collapsed, newest first. */
function lines(page: Page): Promise<string[]> {
	return feed(page)
		.getByTestId('activity-entry')
		.evaluateAll((items) => items.map((li) => (li.querySelector('.sentence')?.textContent ?? '').replace(/\s+/g, ' ').trim()));
}

/** Opens a tree item's actions menu and picks `action`. */
async function pageAction(page: Page, title: string, action: string): Promise<void> {
	const item = sidebar(page).getByRole('tree', { name: 'Page tree' }).getByRole('treeitem', { name: title, exact: true });
	await item.locator(':scope > [data-testid=tree-row]').getByRole('button', { name: 'Page actions' }).click();
	await page.getByRole('menu').getByRole('menuitem', { name: action }).click();
}

describe.skipIf(!chromiumPath)('the activity feed', () => {
	const workspace = `e2e-activity-${Date.now().toString(36)}`;
	const team = useTeam(workspace, [
		{ device: 'A', member: 'ana', name: 'Ana Lima' },
		{ device: 'B', member: 'ben', name: 'Ben Okafor' }
	]);

	it('[AC1] shows pages and decisions changing, live, newest first, and pages back with "Show older"', async () => {
		const [ana, ben] = team.pages;
		const origin = new URL(ben.url()).origin;
		await sidebar(ben).getByRole('link', { name: 'Activity', exact: true }).click();
		await feed(ben).waitFor();
		await feed(ben).getByTestId('activity-empty').waitFor();

		const A = 'Ana Lima';
		const expected: string[] = [];
		const shown = async (line: string) => {
			expected.unshift(line);
			await expect.poll(() => lines(ben), POLL).toEqual(expected);
		};

		const plan = await createPage(ana, 'Plan');
		await shown(`${A} created ‘Plan’`);
		await createPage(ana, 'Home');
		await shown(`${A} created ‘Home’`);
		await ana.goto(`${origin}${plan}`);
		await titleInput(ana).fill('Roadmap');
		await shown(`${A} renamed ‘Plan’ to ‘Roadmap’`);

		await pageAction(ana, 'Roadmap', 'Move to…');
		const dialog = ana.getByRole('dialog', { name: 'Move “Roadmap” to…' });
		await dialog.getByRole('list', { name: 'Places to move to' }).getByRole('button', { name: 'Home' }).click();
		await shown(`${A} moved ‘Roadmap’ into ‘Home’`);
		await pageAction(ana, 'Home', 'Archive');
		await shown(`${A} archived ‘Home’`);

		await sidebar(ana).getByRole('button', { name: 'New decision' }).click();
		const proposal = ana.getByRole('dialog', { name: 'New decision' });
		await proposal.getByRole('textbox', { name: 'Title' }).fill('Use Postgres');
		await proposal.getByRole('button', { name: 'Propose decision' }).click();
		await shown(`${A} proposed the decision ‘Use Postgres’`);
		const panel = ana.getByTestId('decision-panel');
		await panel.getByRole('button', { name: 'Accept…' }).click();
		await panel.getByRole('textbox', { name: 'Note for the status log (optional)' }).fill('Agreed in the call');
		await panel.getByRole('button', { name: 'Accept decision' }).click();
		await shown(`${A} accepted the decision ‘Use Postgres’ (was proposed)`);

		// The note is text beside the line; pages that exist are links; it is all today.
		const latest = feed(ben).getByTestId('activity-entry').first();
		expect(await latest.locator('.note').textContent()).toBe('Agreed in the call');
		expect(await latest.getByRole('link', { name: 'Use Postgres' }).getAttribute('href')).toMatch(/\/p\/[^/]+$/);
		expect(await feed(ben).getByRole('heading', { level: 3 }).allTextContents()).toEqual(['Today']);
		for (const colorScheme of ['light', 'dark'] as const) {
			expect(await axeViolations(ben, { colorScheme }), colorScheme).toEqual([]);
		}

		// Three a page: "Show older" from the keyboard adds three more and focuses the first of them.
		await ben.goto(`${origin}/w/${workspace}/activity?size=3`);
		await expect.poll(() => lines(ben), POLL).toEqual(expected.slice(0, 3));
		const older = feed(ben).getByTestId('activity-older');
		await older.focus();
		await ben.keyboard.press('Enter');
		await expect.poll(() => lines(ben), POLL).toEqual(expected.slice(0, 6));
		expect(await ben.evaluate(() => document.activeElement?.querySelector('.sentence')?.textContent?.replace(/\s+/g, ' ').trim())).toBe(expected[3]);
		expect(await feed(ben).getByTestId('activity-status').textContent()).toBe('3 older entries shown');
		await older.click();
		await expect.poll(() => lines(ben), POLL).toEqual(expected);
		expect(await older.count()).toBe(0);
	});
});
