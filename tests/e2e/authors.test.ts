/**
 * "Who wrote what" in real Chromium against a real relay (issue 6 item 1; the runs, titles and
 * tints are unit-tested in tests/unit/editor-authors.test.ts).
 *
 * [AU1] Ana and Ben each type a sentence in one page. Ana presses "Show authors" (aria-pressed):
 *       her sentence and Ben's carry different author decorations, the hover title on Ben's names
 *       him and the time in Ana's zone (Asia/Tokyo), the legend lists both, and axe passes with it
 *       on in both themes. Pressed again, the colours go.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { axeViolations } from './support/axe.ts';
import { chromiumPath } from './support/browser.ts';
import { useTeam } from './support/world.ts';
import { POLL, createPage, editor, sidebar, typeAtEnd, waitForText } from './support/app.ts';

/** The author decoration around `text`: its member and title. */
function authorOf(page: Page, text: string): Promise<{ member: string | null; title: string | null } | null> {
	return editor(page).evaluate((root, wanted) => {
		for (const span of root.querySelectorAll<HTMLElement>('.by-author')) {
			if (span.textContent?.includes(wanted)) return { member: span.dataset['author'] ?? null, title: span.title || null };
		}
		return null;
	}, text);
}

/** "HH:MM" now in `timeZone`, and a minute either side (the edit's minute may have just turned). */
function clockNear(timeZone: string): string[] {
	const format = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone });
	return [-60_000, 0, 60_000].map((d) => format.format(Date.now() + d));
}

describe.skipIf(!chromiumPath)('who wrote what', () => {
	const workspace = `e2e-authors-${Date.now().toString(36)}`;
	const team = useTeam(workspace, [
		{ device: 'A', member: 'ana', name: 'Ana Lima', timeZone: 'Asia/Tokyo' },
		{ device: 'B', member: 'ben', name: 'Ben Okafor' }
	]);
	let ana: Page;
	let ben: Page;

	beforeAll(() => {
		({ pages: [ana, ben] } = team);
	});

	it('[AU1] Ana shows the authors of her sentence and Ben’s', async () => {
		await createPage(ana, 'Shared notes');
		await typeAtEnd(ana, 'Ana wrote this.');
		await sidebar(ben).getByRole('tree').getByRole('link', { name: 'Shared notes' }).click();
		await waitForText(ben, (text) => text.includes('Ana wrote this.'));
		await typeAtEnd(ben, ' Ben wrote that.');
		await waitForText(ana, (text) => text.includes('Ben wrote that.'));

		const toggle = ana.getByRole('button', { name: 'Show authors' });
		expect(await toggle.getAttribute('aria-pressed')).toBe('false');
		await toggle.click();
		expect(await toggle.getAttribute('aria-pressed')).toBe('true');

		await expect.poll(() => authorOf(ana, 'Ben wrote that'), POLL).toMatchObject({ member: 'ben' });
		expect(await authorOf(ana, 'Ana wrote this')).toMatchObject({ member: 'ana', title: expect.stringMatching(/^Ana Lima · /) });
		const { title } = (await authorOf(ana, 'Ben wrote that'))!;
		expect(title).toMatch(/^Ben Okafor · \d{1,2} \w{3} \d{4}, \d{2}:\d{2}$/);
		expect(clockNear('Asia/Tokyo')).toContain(title!.slice(-5));

		const legend = ana.getByRole('region', { name: 'Authors on this page' });
		expect(await legend.getByRole('listitem').allTextContents()).toEqual(['Ana Lima', 'Ben Okafor']);

		for (const colorScheme of ['light', 'dark'] as const) {
			expect(await axeViolations(ana, { scope: '[data-testid=editor]', colorScheme })).toEqual([]);
			expect(await axeViolations(ana, { scope: '[data-testid=authors-legend]' })).toEqual([]);
		}

		await toggle.click();
		expect(await toggle.getAttribute('aria-pressed')).toBe('false');
		await expect.poll(() => editor(ana).locator('.by-author').count(), POLL).toBe(0);
		await legend.waitFor({ state: 'detached' });
	});
});
