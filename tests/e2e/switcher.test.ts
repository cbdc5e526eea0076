/**
 * The quick switcher in real Chromium (issue 7 item 2), by keyboard alone, one member on one device.
 *
 * [QS1] With the caret in a page's editor, Control+K opens the switcher; a fuzzy part of another
 *       page's title finds it (highlighted), the arrows move through the options (wrapping) and
 *       Enter opens it, with focus in its editor. Control+K on an empty query lists the pages opened
 *       most recently first, the current one left out; Escape closes and gives focus back to the
 *       editor, caret where it was. Commands run from the keyboard (Toggle theme, Go to Inbox). Control+K with text
 *       selected in the editor still asks for a link and does not open the switcher. The open
 *       dialog passes axe-core's WCAG 2 A/AA rules in light and dark, and fits a 390 px phone.
 */
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { axeViolations } from './support/axe.ts';
import { chromiumPath } from './support/browser.ts';
import { useTeam } from './support/world.ts';
import { POLL, createPage, editor, titleInput, typeAtEnd, waitForText } from './support/app.ts';

function switcher(page: Page): Locator {
	return page.getByRole('dialog', { name: 'Jump to a page or run a command' });
}

function combobox(page: Page): Locator {
	return switcher(page).getByRole('combobox', { name: 'Jump to a page or run a command' });
}

/** The text of the option aria-activedescendant points at (the one Enter runs). */
function activeOption(page: Page): Promise<string | null> {
	return combobox(page).evaluate((input) => {
		const id = input.getAttribute('aria-activedescendant');
		const option = id ? document.getElementById(id) : null;
		return option?.getAttribute('aria-selected') === 'true' ? (option.querySelector('.name')?.textContent ?? '') : null;
	});
}

async function texts(options: Locator): Promise<string[]> {
	return (await options.allTextContents()).map((text) => text.trim());
}

/** What has focus: "editor", "combobox" or the tag name. */
function focused(page: Page): Promise<string> {
	return page.evaluate(() => {
		const el = document.activeElement;
		if (el?.classList.contains('ProseMirror')) return 'editor';
		return el?.getAttribute('role') ?? el?.tagName.toLowerCase() ?? 'nothing';
	});
}

describe.skipIf(!chromiumPath)('the quick switcher', () => {
	const team = useTeam(`e2e-switcher-${Date.now().toString(36)}`, [{ device: 'A', member: 'ana', name: 'Ana Lima' }]);

	it('[QS1] opens a page by keyboard alone, lists recent pages first, runs commands, and leaves Mod-K on a selection to the link', async () => {
		const [page] = team.pages;
		const roadmap = await createPage(page, 'Quarterly roadmap');
		await createPage(page, 'Hiring plan');
		await createPage(page, 'Team offsite');
		await typeAtEnd(page, 'Agenda');

		// From the editor (empty selection): the switcher, focus in its combobox.
		await page.keyboard.press('Control+k');
		await switcher(page).waitFor();
		// While its code loads a stand-in dialog takes the keys; the switcher's combobox then has focus.
		await expect.poll(() => focused(page), POLL).toBe('combobox');
		expect(await combobox(page).getAttribute('aria-expanded')).toBe('true');
		await page.keyboard.type('qrtrd');
		const options = switcher(page).getByRole('option');
		await expect.poll(() => texts(options), POLL).toEqual(['Quarterly roadmap', 'Search all text for “qrtrd”']);
		expect(await options.first().locator('mark').allTextContents()).toEqual(['Q', 'rt', 'r', 'd']); // "Quarterly roadmap"
		expect(await activeOption(page)).toBe('Quarterly roadmap');
		await page.keyboard.press('ArrowDown');
		expect(await activeOption(page)).toBe('Search all text for “qrtrd”');
		await page.keyboard.press('ArrowDown'); // wraps to the top
		expect(await activeOption(page)).toBe('Quarterly roadmap');
		await page.keyboard.press('Enter');
		await page.waitForURL((url) => url.pathname === roadmap);
		await expect.poll(() => titleInput(page).inputValue(), POLL).toBe('Quarterly roadmap');
		await expect.poll(() => focused(page), POLL).toBe('editor');
		expect(await switcher(page).count()).toBe(0);
		await page.keyboard.type('Intro');
		await waitForText(page, (text) => text === 'Intro');

		// An empty query: the pages opened most recently first (the one on screen left out), then commands.
		await page.keyboard.press('Control+k');
		await switcher(page).waitFor();
		const recent = switcher(page).getByRole('group', { name: 'Recent' }).getByRole('option');
		await expect.poll(() => texts(recent), POLL).toEqual(['Team offsite', 'Hiring plan']);
		expect(await activeOption(page)).toBe('Team offsite');
		expect(await switcher(page).getByRole('group', { name: 'Commands' }).getByRole('option', { name: 'Go to Inbox' }).count()).toBe(1);
		expect(await axeViolations(page, { scope: 'dialog[open]', colorScheme: 'light' })).toEqual([]);
		expect(await axeViolations(page, { scope: 'dialog[open]', colorScheme: 'dark' })).toEqual([]);
		await page.setViewportSize({ width: 390, height: 800 });
		const box = await switcher(page).boundingBox();
		expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
		await page.setViewportSize({ width: 1280, height: 800 });

		// Escape closes it and focus is back in the editor; so is Control+K again.
		await page.keyboard.press('Escape');
		await expect.poll(() => switcher(page).count(), POLL).toBe(0);
		expect(await focused(page)).toBe('editor');
		// The caret is where it was: typing goes on after "Intro".
		await page.keyboard.type('!');
		await waitForText(page, (text) => text === 'Intro!');
		await page.keyboard.press('Control+k');
		await switcher(page).waitFor();
		await page.keyboard.press('Control+k');
		await expect.poll(() => switcher(page).count(), POLL).toBe(0);
		expect(await focused(page)).toBe('editor');

		// Text selected in the editor: Control+K is the link's.
		await typeAtEnd(page, 'see here');
		for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowLeft');
		page.once('dialog', (dialog) => void dialog.accept('https://example.com/'));
		await page.keyboard.press('Control+k');
		await expect.poll(() => editor(page).locator('a').getAttribute('href'), POLL).toBe('https://example.com/');
		expect(await switcher(page).count()).toBe(0);

		// Commands, by keyboard: the theme flips; the inbox opens.
		const theme = () => page.evaluate(() => document.documentElement.dataset['theme']);
		const before = await theme();
		// Past the link (its end would count as "in the link"), the key is the switcher's again.
		await page.keyboard.press('ArrowRight');
		await page.keyboard.type(' ok');
		await page.keyboard.press('Control+k');
		await switcher(page).waitFor();
		await page.keyboard.type('toggle th');
		await expect.poll(() => activeOption(page), POLL).toBe('Toggle theme');
		await page.keyboard.press('Enter');
		await expect.poll(theme, POLL).toBe(before === 'dark' ? 'light' : 'dark');
		await page.keyboard.press('Control+k');
		await switcher(page).waitFor();
		await page.keyboard.type('inbox');
		await expect.poll(() => activeOption(page), POLL).toBe('Go to Inbox');
		await page.keyboard.press('Enter');
		await page.waitForURL(/\/inbox$/);
	});
});
