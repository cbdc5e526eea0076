/**
 * The search page in real Chromium against a real relay (issue 7 item 1, and the browser
 * test): Ana Lima searches on her device while Ben Okafor writes on his.
 *
 * [SE1] Ana opens Search from the sidebar: the box has focus and a hint shows. She types a word
 *       nobody wrote yet: no results. Ben types it into a page body on his device; Ana's open
 *       results show his page, with the word marked in the snippet and his name, without her
 *       retyping; the one live region (not the visible count) says so. The start of the word and
 *       the word with a typo find it too, each check waiting for its own answer; Down from the box
 *       goes to the result.
 * [SE2] Ben comments on the page. With "Comments" and "Open" chosen, Ana's search finds the
 *       comment ("Comment on …"); the URL holds the query and filters, and a reload shows the same
 *       view. The page passes axe-core's WCAG 2 A/AA rules in light and dark, and fits 390 px.
 *       Opening the result opens the page with that thread active.
 * [SE3] From there, Ctrl-K, "binoculars" and Enter on "Search all text for …" open the search page
 *       with focus in its box, holding the word, and typing goes on in it.
 */
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { axeViolations } from './support/axe.ts';
import { chromiumPath } from './support/browser.ts';
import { useTeam } from './support/world.ts';
import { POLL, createPage, selectText, sidebar, typeAtEnd, waitForStatus } from './support/app.ts';

function searchBox(page: Page): Locator {
	return page.getByRole('searchbox', { name: 'Search pages, decisions and comments' });
}

function results(page: Page): Locator {
	return page.getByTestId('search-results').getByTestId('search-result');
}

function summary(page: Page): Promise<string | null> {
	return page.getByTestId('search-status').textContent();
}

/** What the polite live region says (the visible summary is not live). */
function announcement(page: Page): Promise<string | null> {
	return page.getByTestId('search-announcement').textContent();
}

/**
 * The query the shown results answer (the list's `data-query`, set from the answered view, not the
 * box) with their lines: a check tied to its own answer, never passed by the previous one's.
 */
async function answered(page: Page): Promise<{ query: string | null; lines: string[] }> {
	const query = await page.evaluate(() => document.querySelector<HTMLElement>('[data-testid=search-results]')?.dataset['query'] ?? null);
	return { query, lines: await hitLines(page) };
}

/** Each result as "link text | marked words in the snippet | authors", spaces collapsed. */
function hitLines(page: Page): Promise<string[]> {
	return results(page).evaluateAll((items) =>
		items.map((li) => {
			const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
			const marks = [...li.querySelectorAll('.snippet mark')].map(text).join(',');
			return `${text(li.querySelector('a.hit-link'))} | ${marks} | ${text(li.querySelector('[data-testid=search-authors]'))}`;
		})
	);
}

async function fitsWidth(page: Page): Promise<void> {
	const size = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
	expect(size.scroll).toBeLessThanOrEqual(size.client);
}

describe.skipIf(!chromiumPath)('search', () => {
	const workspace = `e2e-search-${Date.now().toString(36)}`;
	const team = useTeam(workspace, [
		{ device: 'A', member: 'ana', name: 'Ana Lima' },
		{ device: 'B', member: 'ben', name: 'Ben Okafor' }
	]);

	it('[SE1] finds a word a teammate typed a moment ago on another device, by prefix and with a typo too', async () => {
		const [ana, ben] = team.pages;
		await sidebar(ana).getByRole('link', { name: 'Search', exact: true }).click();
		await ana.waitForURL(/\/search$/);
		await expect.poll(() => searchBox(ana).evaluate((el) => el === document.activeElement), POLL).toBe(true);
		expect(await ana.getByTestId('search-hint').isVisible()).toBe(true);

		await ana.keyboard.type('quokka');
		await expect.poll(() => summary(ana), POLL).toBe('No results for “quokka”');
		await expect.poll(() => announcement(ana), POLL).toBe('No results for “quokka”');
		// One live region: the announcement, not the visible count that follows every re-run.
		expect(await ana.getByTestId('search').getByRole('status').evaluateAll((els) => els.map((el) => el.getAttribute('data-testid')))).toEqual(['search-announcement']);
		expect(new URL(ana.url()).search).toBe('?q=quokka');

		await createPage(ben, 'Field notes');
		await typeAtEnd(ben, 'Near the harbour we saw a quokka at dawn.');
		// Ana does nothing: her open search follows the index as Ben's edit arrives.
		await expect.poll(() => hitLines(ana), POLL).toEqual(['Field notes | quokka | Ben Okafor']);
		expect(await summary(ana)).toBe('1 result');
		// Every page was read: a teammate's edit changing the results is announced too.
		await expect.poll(() => announcement(ana), POLL).toBe('1 result');
		// The index may have read his sentence half-typed: it follows him to the end.
		await expect.poll(() => results(ana).locator('.snippet').textContent(), POLL).toBe('Near the harbour we saw a quokka at dawn.');

		for (const query of ['quok', 'quokke']) {
			await searchBox(ana).fill(query);
			await expect.poll(() => ana.url(), POLL).toMatch(new RegExp(`\\?q=${query}$`));
			await expect.poll(() => answered(ana), POLL).toEqual({ query, lines: ['Field notes | quokka | Ben Okafor'] });
		}
		await ana.keyboard.press('ArrowDown');
		expect(await ana.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Field notes');
	});

	it('[SE2] finds a comment with the Comments filter, keeps the view in the URL, and opens the thread', async () => {
		const [ana, ben] = team.pages;
		await selectText(ben, 'harbour');
		await ben.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name: 'Comment' }).click();
		const panel = ben.getByTestId('comments-panel');
		await panel.getByRole('combobox', { name: 'New comment' }).fill('Bring the binoculars next time');
		await panel.getByRole('button', { name: 'Comment', exact: true }).click();
		await panel.getByTestId('comment-thread').waitFor();
		await waitForStatus(ben, 'stored');

		await searchBox(ana).fill('binoculars');
		await ana.getByRole('radio', { name: 'Comments' }).check();
		await ana.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Open' });
		await expect.poll(() => new URL(ana.url()).search, POLL).toBe('?q=binoculars&kind=comments&status=open');
		await expect.poll(() => hitLines(ana), POLL).toEqual(['Comment on Field notes | binoculars | Ben Okafor']);

		await ana.reload();
		await expect.poll(() => hitLines(ana), POLL).toEqual(['Comment on Field notes | binoculars | Ben Okafor']);
		expect(await searchBox(ana).inputValue()).toBe('binoculars');
		expect(await ana.getByRole('radio', { name: 'Comments' }).isChecked()).toBe(true);
		expect(await ana.getByRole('combobox', { name: 'Status' }).inputValue()).toBe('open');
		expect(await results(ana).locator('.badge').allTextContents()).toEqual(['Comment']);

		for (const colorScheme of ['light', 'dark'] as const) {
			expect(await axeViolations(ana, { colorScheme }), colorScheme).toEqual([]);
		}
		const desktop = ana.viewportSize();
		await ana.setViewportSize({ width: 390, height: 844 });
		try {
			await fitsWidth(ana);
			expect(await axeViolations(ana, { colorScheme: 'light' }), '390 px').toEqual([]);
		} finally {
			if (desktop) await ana.setViewportSize(desktop);
		}

		await results(ana).getByRole('link', { name: 'Comment on Field notes' }).click();
		await ana.waitForURL(/\/p\/[^/?]+\?thread=/);
		const thread = ana.getByTestId('comments-panel').getByTestId('open-threads').getByTestId('comment-thread');
		await expect.poll(() => thread.getAttribute('class'), POLL).toMatch(/\bactive\b/);
		expect(await thread.textContent()).toContain('Bring the binoculars next time');
	});

	it('[SE3] opened from the quick switcher, the search page keeps focus in its box, holding the words typed', async () => {
		const [ana] = team.pages;
		const switcher = ana.getByRole('dialog', { name: 'Jump to a page or run a command' });
		await ana.keyboard.press('Control+k');
		await switcher.waitFor();
		await ana.keyboard.type('binoculars');
		const active = () =>
			switcher.getByRole('combobox').evaluate((input) => document.getElementById(input.getAttribute('aria-activedescendant') ?? '')?.textContent?.trim() ?? null);
		// No title has the word: full-text search is the option offered, and active.
		await expect.poll(active, POLL).toBe('Search all text for “binoculars”');
		await ana.keyboard.press('Enter');
		await ana.waitForURL(/\/search\?q=binoculars$/);
		const boxHasFocus = () => searchBox(ana).evaluate((el) => el === document.activeElement);
		await expect.poll(boxHasFocus, POLL).toBe(true);
		// Still there once the answer has come back from the worker (a later task than the navigation).
		await expect.poll(() => answered(ana), POLL).toEqual({ query: 'binoculars', lines: ['Comment on Field notes | binoculars | Ben Okafor'] });
		expect(await boxHasFocus()).toBe(true);
		expect(await searchBox(ana).inputValue()).toBe('binoculars');
		// Typing goes on in the box.
		await ana.keyboard.type(' next');
		await expect.poll(() => answered(ana), POLL).toEqual({ query: 'binoculars next', lines: ['Comment on Field notes | binoculars,next | Ben Okafor'] });
	});
});
