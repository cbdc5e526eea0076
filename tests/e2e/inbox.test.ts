/**
 * The inbox in real Chromium against a real relay: Ana Lima edits, Ben Okafor may only comment,
 * each on a device of their own (issue 5 item 3, and the browser test).
 *
 * [IN1] Ana comments mentioning Ben while Ben is offline; back online, Ben's sidebar says "Inbox, 1
 *       unread" and his inbox "Ana Lima mentioned you in Q3 review"; opening it shows the page with
 *       that thread active and marks it read; he replies and his item goes. Ana's inbox shows his
 *       reply waiting for her; she thanks him with a mention and resolves, and her item goes. Ben's
 *       mention in the resolved thread arrives unread; he marks it done (no count); after a reload
 *       (once the inbox has read and synced every page, not before), and on another device of his
 *       (through his private inbox room), it is still done; opened from the Done view, the thread
 *       shows resolved by Ana with the same messages on both devices.
 * [IN2] Ana shares the page (nobody chosen: refused, nothing written) and proposes a decision
 *       naming Ben a decider: both reach Ben's inbox, newest first, with the share's note. "Mark
 *       all read" reads them; recording his position takes the decision away; the share goes with
 *       Done and comes back with Not done.
 * [IN3] The inbox page passes axe-core's WCAG 2 A/AA rules (light and dark, with unread items) and
 *       at 390 px, where it also fits without scrolling sideways; so does the Share dialog.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { axeViolations } from './support/axe.ts';
import { chromiumPath, newDevice, takeUncaughtErrors } from './support/browser.ts';
import type { Relay } from './support/relay.ts';
import { useTeam } from './support/world.ts';
import { POLL, createPage, editor, join, sidebar, typeAtEnd, waitForStatus, selectText } from './support/app.ts';


function inboxLink(page: Page): Locator {
	return sidebar(page).getByTestId('inbox-link');
}

/** The sidebar link's accessible name: "Inbox", or "Inbox, 2 unread". */
async function inboxLinkName(page: Page): Promise<string> {
	const snapshot = await inboxLink(page).ariaSnapshot();
	return /^- link "([^"]*)"/.exec(snapshot)?.[1] ?? snapshot;
}

async function openInbox(page: Page): Promise<void> {
	await inboxLink(page).click();
	await page.waitForURL(/\/inbox$/);
	await page.getByTestId('inbox').waitFor();
}

function items(page: Page): Locator {
	return page.getByTestId('inbox').getByTestId('inbox-item');
}

/** Each item as its sentence ("Unread Ana Lima mentioned you in Q3 review"), spaces collapsed. */
function itemLines(page: Page): Promise<string[]> {
	return items(page).evaluateAll((list) => list.map((li) => (li.querySelector('.summary')?.textContent ?? '').replace(/\s+/g, ' ').trim()));
}

function commentsPanel(page: Page): Locator {
	return page.getByTestId('comments-panel');
}

/** Each message of a thread as "Author: text". */
function messages(thread: Locator): Promise<string[]> {
	return thread.getByTestId('comment-message').evaluateAll((list) => list.map((li) => `${li.querySelector('.author')?.textContent}: ${li.querySelector('.text')?.textContent}`));
}

async function fitsWidth(page: Page): Promise<void> {
	const size = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
	expect(size.scroll).toBeLessThanOrEqual(size.client);
}

describe.skipIf(!chromiumPath)('the inbox', () => {
	const workspace = `e2e-inbox-${Date.now().toString(36)}`;
	const team = useTeam(workspace, [
		{ device: 'A', member: 'ana', name: 'Ana Lima' },
		{ device: 'B', member: 'ben', name: 'Ben Okafor', role: 'commenter' }
	]);
	let relay: Relay;
	let deviceA: BrowserContext;
	let deviceB: BrowserContext;
	let ana: Page;
	let ben: Page;
	let path = '';

	beforeAll(() => {
		({ relay, devices: [deviceA, deviceB], pages: [ana, ben] } = team);
	});

	it('[IN1] an offline member gets a mention when back, replies from the inbox; resolving and done show alike', async () => {
		path = await createPage(ana, 'Q3 review');
		await typeAtEnd(ana, 'We present the quarterly numbers on Friday.');
		await waitForStatus(ana, 'stored');
		expect(await inboxLinkName(ben)).toBe('Inbox');
		await deviceB.setOffline(true);
		await waitForStatus(ben, 'offline');

		await selectText(ana, 'quarterly numbers');
		await ana.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name: 'Comment' }).click();
		// Ben picked from the field's list of members with the keyboard.
		const field = commentsPanel(ana).getByRole('combobox', { name: 'New comment' });
		await expect.poll(() => field.evaluate((el) => el === document.activeElement), POLL).toBe(true);
		await ana.keyboard.type('@Ben');
		await commentsPanel(ana).getByRole('listbox', { name: 'Members' }).getByRole('option', { name: 'Ben Okafor' }).waitFor();
		await ana.keyboard.press('Enter');
		await ana.keyboard.type('are these final?');
		expect(await field.inputValue()).toBe('@Ben Okafor are these final?');
		await commentsPanel(ana).getByRole('button', { name: 'Comment', exact: true }).click();
		await commentsPanel(ana).getByTestId('comment-thread').waitFor();

		await ben.waitForTimeout(300);
		expect(await inboxLinkName(ben)).toBe('Inbox');
		await deviceB.setOffline(false);
		await expect.poll(() => inboxLinkName(ben), POLL).toBe('Inbox, 1 unread');
		await openInbox(ben);
		expect(await itemLines(ben)).toEqual(['Unread Ana Lima mentioned you in Q3 review']);
		expect(await items(ben).getByTestId('inbox-excerpt').textContent()).toBe('@Ben Okafor are these final?');

		await items(ben).getByRole('link', { name: 'Q3 review' }).click();
		await ben.waitForURL(/\/p\/[^/?]+\?thread=/);
		const thread = commentsPanel(ben).getByTestId('open-threads').getByTestId('comment-thread');
		await expect.poll(() => thread.getAttribute('class'), POLL).toMatch(/\bactive\b/);
		expect(await thread.isVisible()).toBe(true);
		await expect.poll(() => inboxLinkName(ben), POLL).toBe('Inbox');
		await thread.getByRole('combobox', { name: 'Reply to “quarterly numbers”' }).fill('Yes, signed off.');
		await thread.getByRole('button', { name: 'Reply' }).click();
		await openInbox(ben);
		await expect.poll(() => ben.getByTestId('inbox-empty').textContent(), POLL).toMatch(/clear/);

		// Ana had the page open as the reply came: read there, and waiting for her in the inbox.
		const anaThread = commentsPanel(ana).getByTestId('comment-thread');
		await expect.poll(() => messages(anaThread), POLL).toEqual(['Ana Lima: @Ben Okafor are these final?', 'Ben Okafor: Yes, signed off.']);
		await openInbox(ana);
		await expect.poll(() => itemLines(ana), POLL).toEqual(['Ben Okafor replied in Q3 review']);
		expect(await items(ana).getByTestId('inbox-excerpt').textContent()).toBe('Yes, signed off.');
		await items(ana).getByRole('link', { name: 'Q3 review' }).click();
		const open = commentsPanel(ana).getByTestId('open-threads').getByTestId('comment-thread');
		await expect.poll(() => open.getAttribute('class'), POLL).toMatch(/\bactive\b/);
		// Typed out in full, the name is unique and becomes a mention when sent.
		await open.getByRole('combobox', { name: 'Reply to “quarterly numbers”' }).fill('Thanks, @Ben Okafor!');
		await open.getByRole('button', { name: 'Reply' }).click();
		await expect.poll(() => messages(open), POLL).toHaveLength(3);
		await open.getByRole('button', { name: 'Resolve' }).click();
		await expect.poll(() => commentsPanel(ana).getByTestId('open-threads').getByTestId('comment-thread').count(), POLL).toBe(0);
		await openInbox(ana);
		await expect.poll(() => ana.getByTestId('inbox-empty').count(), POLL).toBe(1);

		// Ben, on his inbox, gets the thanks — a mention reaches him in a resolved thread.
		await expect.poll(() => itemLines(ben), POLL).toEqual(['Unread Ana Lima mentioned you in Q3 review']);
		expect(await inboxLinkName(ben)).toBe('Inbox, 1 unread');
		await items(ben).getByRole('button', { name: 'Done' }).click();
		await expect.poll(() => ben.getByTestId('inbox-empty').count(), POLL).toBe(1);
		expect(await inboxLinkName(ben)).toBe('Inbox');
		expect(await ben.getByTestId('inbox-status').textContent()).toBe('Marked done');
		await waitForStatus(ben, 'stored');
		await ben.reload();
		// Only once every page is read and synced may it say it is clear: a lost "done" shows by then.
		await expect.poll(() => ben.getByTestId('inbox').getAttribute('data-status'), POLL).toBe('ready');
		expect(await items(ben).count()).toBe(0);
		expect(await ben.getByTestId('inbox-empty').textContent()).toMatch(/clear/);
		expect(await inboxLinkName(ben)).toBe('Inbox');
		await ben.getByRole('navigation', { name: 'Inbox views' }).getByRole('link', { name: 'Done' }).click();
		await expect.poll(() => itemLines(ben), POLL).toEqual(['Ana Lima mentioned you in Q3 review']);
		expect(await items(ben).getByRole('button', { name: 'Not done' }).count()).toBe(1);
		// His other device gets what he read and cleared through his private inbox room.
		const phone = await newDevice(team.browser, 'B2');
		try {
			const other = await join(phone, await relay.invite({ workspace, role: 'commenter', member: 'ben' }), 'Ben Okafor');
			await other.goto(`${relay.url}/w/${workspace}/inbox?view=done`);
			await expect.poll(() => itemLines(other), POLL).toEqual(['Ana Lima mentioned you in Q3 review']);
			await expect.poll(() => inboxLink(other).getAttribute('data-status'), POLL).toBe('ready');
			expect(await inboxLinkName(other)).toBe('Inbox');
			expect(takeUncaughtErrors(phone)).toEqual([]);
		} finally {
			await phone.close();
		}

		// Opened from there, the thread is shown though resolved: the same state on both devices.
		await items(ben).getByRole('link', { name: 'Q3 review' }).click();
		const resolved = commentsPanel(ben).getByTestId('resolved-threads').getByTestId('comment-thread');
		await expect.poll(() => resolved.getAttribute('class'), POLL).toMatch(/\bactive\b/);
		expect(await resolved.getByTestId('resolved-by').textContent()).toMatch(/^\s*Resolved by Ana Lima · /);
		await ana.goto(relay.url + path);
		await commentsPanel(ana).getByRole('button', { name: 'Show resolved (1)' }).click();
		const onAna = commentsPanel(ana).getByTestId('resolved-threads').getByTestId('comment-thread');
		await expect.poll(() => onAna.getByTestId('resolved-by').textContent(), POLL).toMatch(/^\s*Resolved by Ana Lima · /);
		const expected = ['Ana Lima: @Ben Okafor are these final?', 'Ben Okafor: Yes, signed off.', 'Ana Lima: Thanks, @Ben Okafor!'];
		expect(await messages(resolved)).toEqual(expected);
		expect(await messages(onAna)).toEqual(expected);
	});

	it('[IN2] [IN3] a share and a decision waiting for a position reach the teammate and go when handled', async () => {
		// Ben waits in his inbox (a page open in front of him is being read); Ana is on Q3 review.
		await openInbox(ben);
		await ana.getByRole('button', { name: 'Share' }).click();
		const dialog = ana.getByRole('dialog', { name: 'Share “Q3 review”' });
		await dialog.waitFor();
		expect(await axeViolations(ana, { scope: 'dialog[open]', colorScheme: 'light' })).toEqual([]);
		// Not yourself: Ben is the only teammate offered.
		expect(await dialog.getByRole('group', { name: 'Teammates' }).getByRole('checkbox').count()).toBe(1);
		await dialog.getByRole('button', { name: 'Share', exact: true }).click();
		await expect.poll(() => dialog.getByRole('alert').textContent(), POLL).toMatch(/at least one teammate/);
		await dialog.getByRole('checkbox', { name: 'Ben Okafor' }).check();
		await dialog.getByRole('textbox', { name: 'Note (optional)' }).fill('Numbers for Friday <b>please</b>');
		await dialog.getByRole('button', { name: 'Share', exact: true }).click();
		await expect.poll(() => dialog.count(), POLL).toBe(0);
		expect(await ana.getByTestId('share-status').textContent()).toBe('Shared with Ben Okafor.');

		await sidebar(ana).getByRole('button', { name: 'New decision' }).click();
		const propose = ana.getByRole('dialog', { name: 'New decision' });
		await propose.getByRole('textbox', { name: 'Title' }).fill('Adopt Postgres');
		const deciders = propose.getByRole('group', { name: 'Deciders' });
		await expect.poll(() => deciders.getByRole('checkbox', { name: 'Ben Okafor' }).count(), POLL).toBe(1);
		await deciders.getByRole('checkbox', { name: 'Ben Okafor' }).check();
		await propose.getByRole('button', { name: 'Propose decision' }).click();
		await ana.waitForURL(/\/p\/[^/]+$/);

		await expect.poll(() => itemLines(ben), POLL).toEqual(['Unread Ana Lima is waiting for your position on Adopt Postgres', 'Unread Ana Lima shared Q3 review with you']);
		expect(await items(ben).nth(1).getByTestId('inbox-excerpt').textContent()).toBe('Numbers for Friday <b>please</b>');
		expect(await items(ben).locator('b').count()).toBe(0);
		expect(await inboxLinkName(ben)).toBe('Inbox, 2 unread');

		for (const colorScheme of ['light', 'dark'] as const) expect(await axeViolations(ben, { colorScheme })).toEqual([]);
		await ben.setViewportSize({ width: 390, height: 844 });
		try {
			await fitsWidth(ben);
			expect(await axeViolations(ben, { colorScheme: 'light' })).toEqual([]);
		} finally {
			await ben.setViewportSize({ width: 1100, height: 800 });
		}

		await ben.getByRole('button', { name: 'Mark all read' }).click();
		await expect.poll(() => itemLines(ben), POLL).toEqual(['Ana Lima is waiting for your position on Adopt Postgres', 'Ana Lima shared Q3 review with you']);
		expect(await inboxLinkName(ben)).toBe('Inbox');
		expect(await ben.getByRole('button', { name: 'Mark all read' }).isDisabled()).toBe(true);

		await items(ben).getByRole('link', { name: 'Adopt Postgres' }).click();
		const position = ben.getByTestId('decision-panel').getByRole('group', { name: 'Your position' });
		await position.getByRole('radio', { name: 'Agree', exact: true }).check();
		await position.getByRole('textbox', { name: 'Why (a sentence or two)' }).fill('Boring and proven.');
		await position.getByRole('button', { name: 'Save position' }).click();
		await openInbox(ben);
		await expect.poll(() => itemLines(ben), POLL).toEqual(['Ana Lima shared Q3 review with you']);

		await items(ben).getByRole('button', { name: 'Done' }).click();
		await expect.poll(() => ben.getByTestId('inbox-empty').count(), POLL).toBe(1);
		await ben.getByRole('navigation', { name: 'Inbox views' }).getByRole('link', { name: 'Done' }).click();
		await expect.poll(() => itemLines(ben), POLL).toEqual(['Ana Lima shared Q3 review with you', 'Ana Lima mentioned you in Q3 review']);
		await items(ben).first().getByRole('button', { name: 'Not done' }).click();
		await expect.poll(() => itemLines(ben), POLL).toEqual(['Ana Lima mentioned you in Q3 review']);
		await ben.getByRole('navigation', { name: 'Inbox views' }).getByRole('link', { name: 'Open' }).click();
		await expect.poll(() => itemLines(ben), POLL).toEqual(['Ana Lima shared Q3 review with you']);
	});
});
