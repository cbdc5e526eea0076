/**
 * Catch-up in real Chromium against a real relay: Ana Lima and Ben Okafor, editors, each on a
 * device of their own (issue 6 item 3, and the browser test).
 *
 * [CU1] Ana opens a page and leaves it; she goes offline; Ben edits the page and comments on it.
 *       Back online, Ana's sidebar says "What's new, 1 page changed" and What's new lists the page
 *       with Ben's edit and comment (axe clean); opening the page highlights Ben's inserted text,
 *       its title naming Ben, under a banner saying what changed (both axe clean). Leaving the page records it as
 *       seen; Ben's next reply shows up again, and "Mark all read" empties What's new.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { axeViolations } from './support/axe.ts';
import { chromiumPath } from './support/browser.ts';
import type { Relay } from './support/relay.ts';
import { useTeam } from './support/world.ts';
import { POLL, createPage, editor, sidebar, typeAtEnd, waitForStatus, waitForText, selectText } from './support/app.ts';

function whatsNewLink(page: Page): Locator {
	return sidebar(page).getByTestId('whats-new-link');
}

async function linkName(link: Locator): Promise<string> {
	const snapshot = await link.ariaSnapshot();
	return /^- link "([^"]*)"/.exec(snapshot)?.[1] ?? snapshot;
}

async function openWhatsNew(page: Page): Promise<void> {
	await whatsNewLink(page).click();
	await page.waitForURL(/\/new$/);
	await expect.poll(() => page.getByTestId('whats-new').getAttribute('data-status'), POLL).toBe('ready');
}

/** Each entry of What's new as "Page: Ben Okafor edited (…)", the time left out. */
function newsLines(page: Page): Promise<string[]> {
	return page.getByTestId('news-page').evaluateAll((groups) =>
		groups.flatMap((group) => {
			const title = group.querySelector('h3 a')?.textContent?.trim() ?? '';
			return [...group.querySelectorAll('[data-testid=news-entry]')].map((li) => {
				const copy = li.cloneNode(true) as HTMLElement;
				copy.querySelector('.when')?.remove();
				return `${title}: ${copy.textContent!.replace(/\s+/g, ' ').trim()}`;
			});
		})
	);
}

describe.skipIf(!chromiumPath)('catch-up', () => {
	const workspace = `e2e-catch-up-${Date.now().toString(36)}`;
	const team = useTeam(workspace, [
		{ device: 'A', member: 'ana', name: 'Ana Lima' },
		{ device: 'B', member: 'ben', name: 'Ben Okafor' }
	]);
	let relay: Relay;
	let deviceA: BrowserContext;
	let ana: Page;
	let ben: Page;

	beforeAll(() => {
		({ relay, devices: [deviceA], pages: [ana, ben] } = team);
	});

	it("[CU1] a teammate's offline edits and comments are highlighted and listed, then marked read", async () => {
		const path = await createPage(ana, 'Launch plan');
		await typeAtEnd(ana, 'We launch on Monday.');
		await waitForStatus(ana, 'stored');
		// Leaving the page records what Ana saw.
		await openWhatsNew(ana);
		// The look is written as the page closes and read in the index's next batch.
		await expect.poll(() => ana.getByTestId('whats-new-empty').count(), POLL).toBe(1);
		await waitForStatus(ana, 'stored');
		await deviceA.setOffline(true);
		await waitForStatus(ana, 'offline');

		await ben.goto(relay.url + path);
		await waitForText(ben, (text) => text.includes('We launch on Monday.'));
		await typeAtEnd(ben, ' Press release at noon.');
		await selectText(ben, 'Monday');
		await ben.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name: 'Comment' }).click();
		await ben.getByTestId('comments-panel').getByRole('combobox', { name: 'New comment' }).fill('Is Monday firm?');
		await ben.getByTestId('comments-panel').getByRole('button', { name: 'Comment', exact: true }).click();
		await ben.getByTestId('comments-panel').getByTestId('comment-thread').waitFor();
		await waitForStatus(ben, 'stored');

		await deviceA.setOffline(false);
		await expect.poll(() => linkName(whatsNewLink(ana)), POLL).toBe("What's new, 1 page changed");
		await expect
			.poll(() => newsLines(ana), POLL)
			.toEqual(['Launch plan: Ben Okafor commented: “Is Monday firm?”', 'Launch plan: Ben Okafor edited (4 words added)']);
		expect(await axeViolations(ana, { scope: '[data-testid=whats-new]' })).toEqual([]);

		await ana.getByTestId('news-page').getByRole('link', { name: 'Launch plan' }).click();
		await ana.waitForURL(/\/p\/[^/?]+$/);
		const changed = editor(ana).locator('.changed-since');
		await expect.poll(() => changed.allTextContents(), POLL).toEqual([' Press release at noon.']);
		expect(await changed.first().getAttribute('title')).toMatch(/^Added by Ben Okafor · /);
		expect(await ana.getByTestId('changes-banner').textContent()).toMatch(/1 change by Ben Okafor since you last looked/);
		for (const scope of ['[data-testid=changes-banner]', '[data-testid=editor]']) expect(await axeViolations(ana, { scope })).toEqual([]);

		// Leaving records the page as seen; Ben's next reply is news again, until "Mark all read".
		await openWhatsNew(ana);
		// The look is written as the page closes and read in the index's next batch.
		await expect.poll(() => ana.getByTestId('whats-new-empty').count(), POLL).toBe(1);
		const thread = ben.getByTestId('comments-panel').getByTestId('comment-thread');
		await thread.getByRole('combobox', { name: /^Reply to/ }).fill('Marketing says yes.');
		await thread.getByRole('button', { name: 'Reply' }).click();
		await expect.poll(() => newsLines(ana), POLL).toEqual(['Launch plan: Ben Okafor replied: “Marketing says yes.”']);
		await ana.getByTestId('mark-all-read').click();
		await expect.poll(() => ana.getByTestId('whats-new-empty').count(), POLL).toBe(1);
		expect(await linkName(whatsNewLink(ana))).toBe("What's new");
	});
});
