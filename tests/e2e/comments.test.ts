/**
 * Anchored comments in real Chromium against a real relay: Ana edits, Ben may only comment.
 *
 * [CE1] Ana selects text and comments from the floating toolbar; Ben, offline at the time, sees
 *       the thread once back online, highlighted in his read-only body, and replies; Ana resolves;
 *       both see the same thread state (resolved, by Ana, behind "Show resolved").
 * [CE2] A commenter starts a thread from his read-only body with Ctrl+Alt+M; reactions show counts
 *       and say who reacted; own messages can be edited and deleted ("message deleted").
 * [CE3] The highlight follows a teammate's edit before it; clicking highlighted text activates its
 *       thread; the thread's quote selects its text. Neither the teammate's edit nor activating a
 *       thread rebuilds the editor (the same view throughout).
 * [CE4] Deleting the anchored text leaves the thread "on deleted text" with its quote, for both.
 * [CE5] A comment holding HTML shows as text and runs nothing.
 * [CE6] The page with the panel open passes axe-core's WCAG 2 A/AA rules and fits 390 px.
 * [CE7] A viewer sees threads but no controls to write.
 * [CE8] A commenter comments with the keyboard only: a caret in the read-only body, Shift+arrows,
 *       Ctrl+Alt+M; typing, Enter, Backspace, paste and drop there change nothing. Focus lands on
 *       the new thread's reply field, and after Resolve/Reopen on the moved thread's quote (or the
 *       panel heading when its list is hidden), announced in a polite live region.
 * [CE9] Typing `@Be` in a comment opens a list of members (an ARIA combobox); Escape closes only
 *       the list; Enter picks Ben without sending (axe-clean with the list open); the message
 *       shows a chip "@Ben" on both devices, Ben's own emphasised.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { axeViolations } from './support/axe.ts';
import { chromiumPath, newDevice, takeUncaughtErrors } from './support/browser.ts';
import type { Relay } from './support/relay.ts';
import { joinTeam, startWorld, type World } from './support/world.ts';
import { POLL, createPage, editor, editorText, join, typeAtEnd, waitForStatus, waitForText, selectText } from './support/app.ts';

function panel(page: Page): Locator {
	return page.getByTestId('comments-panel');
}

function openThreads(page: Page): Locator {
	return panel(page).getByTestId('open-threads').getByTestId('comment-thread');
}

/** The texts of the highlighted ranges in the page's editor (one entry per thread). */
function highlights(page: Page): Promise<string[]> {
	return editor(page).evaluate((root) => {
		const byThread = new Map<string, string>();
		for (const span of root.querySelectorAll('.comment-anchor[data-thread]')) {
			const id = span.getAttribute('data-thread')!;
			byThread.set(id, (byThread.get(id) ?? '') + (span.textContent ?? ''));
		}
		return [...byThread.values()];
	});
}

/** Each message of a thread as "Author: text". */
function messages(thread: Locator): Promise<string[]> {
	return thread.getByTestId('comment-message').evaluateAll((items) => items.map((li) => `${li.querySelector('.author')?.textContent}: ${li.querySelector('.text')?.textContent}`));
}

async function comment(page: Page, text: string): Promise<void> {
	const field = panel(page).getByRole('combobox', { name: 'New comment' });
	await expect.poll(() => field.evaluate((el) => el === document.activeElement), POLL).toBe(true);
	await field.fill(text);
	await panel(page).getByRole('button', { name: 'Comment', exact: true }).click();
}

describe.skipIf(!chromiumPath)('anchored comments', () => {
	const workspace = `e2e-comments-${Date.now().toString(36)}`;
	let world: World;
	let relay: Relay;
	let browser: Browser;
	let deviceA: BrowserContext;
	let deviceB: BrowserContext;
	let ana: Page;
	let ben: Page;
	let path = '';

	beforeAll(async () => {
		world = await startWorld();
		({ relay, browser } = world);
		({ devices: [deviceA, deviceB], pages: [ana, ben] } = await joinTeam(world, workspace, [
			{ device: 'A', member: 'ana', name: 'Ana' },
			{ device: 'B', member: 'ben', name: 'Ben', role: 'commenter' }
		]));
	});

	afterAll(() => world?.close());

	afterEach(() => {
		expect(takeUncaughtErrors(deviceA), 'uncaught exceptions on device A').toEqual([]);
		expect(takeUncaughtErrors(deviceB), 'uncaught exceptions on device B').toEqual([]);
	});

	it('[CE1] an offline commenter gets the thread when back, replies; resolving shows alike on both', async () => {
		path = await createPage(ana, 'Q3 review');
		await typeAtEnd(ana, 'We present the quarterly numbers on Friday.');
		await waitForStatus(ana, 'stored');
		await ben.goto(relay.url + path);
		await waitForText(ben, (text) => text.includes('quarterly numbers'));
		// A commenter's body takes a caret (to select from the keyboard) but says it is read-only.
		await expect.poll(() => editor(ben).getAttribute('contenteditable'), POLL).toBe('true');
		expect(await editor(ben).getAttribute('aria-readonly')).toBe('true');

		await deviceB.setOffline(true);
		await waitForStatus(ben, 'offline');

		await selectText(ana, 'quarterly numbers');
		const bar = ana.getByRole('toolbar', { name: 'Formatting' });
		await bar.getByRole('button', { name: 'Comment' }).click();
		await comment(ana, 'Are these final?');
		await expect.poll(() => openThreads(ana).count(), POLL).toBe(1);
		expect(await openThreads(ana).first().locator('.quoted').textContent()).toBe('“quarterly numbers”');
		expect(await messages(openThreads(ana).first())).toEqual(['Ana: Are these final?']);
		await expect.poll(() => highlights(ana), POLL).toEqual(['quarterly numbers']);

		await ben.waitForTimeout(500);
		expect(await openThreads(ben).count()).toBe(0);
		await deviceB.setOffline(false);
		await expect.poll(() => openThreads(ben).count(), POLL).toBe(1);
		await expect.poll(() => highlights(ben), POLL).toEqual(['quarterly numbers']);
		const thread = openThreads(ben).first();
		expect(await messages(thread)).toEqual(['Ana: Are these final?']);

		await thread.getByRole('combobox', { name: 'Reply to “quarterly numbers”' }).fill('Yes, signed off.');
		await thread.getByRole('button', { name: 'Reply' }).click();
		await expect.poll(() => messages(openThreads(ana).first()), POLL).toEqual(['Ana: Are these final?', 'Ben: Yes, signed off.']);

		await openThreads(ana).first().getByRole('button', { name: 'Resolve' }).click();
		for (const page of [ana, ben]) {
			await expect.poll(() => openThreads(page).count(), POLL).toBe(0);
			await expect.poll(() => highlights(page), POLL).toEqual([]);
			await panel(page).getByRole('button', { name: 'Show resolved (1)' }).click();
			const resolved = panel(page).getByTestId('resolved-threads').getByTestId('comment-thread');
			await expect.poll(() => resolved.getByTestId('resolved-by').textContent(), POLL).toMatch(/^\s*Resolved by Ana · /);
			expect(await messages(resolved)).toEqual(['Ana: Are these final?', 'Ben: Yes, signed off.']);
		}
		// Reopening brings it back for both.
		await panel(ben).getByTestId('resolved-threads').getByRole('button', { name: 'Reopen' }).click();
		for (const page of [ana, ben]) await expect.poll(() => openThreads(page).count(), POLL).toBe(1);
	});

	it('[CE2] a commenter starts a thread from the read-only body with Ctrl+Alt+M; reactions, edit and delete', async () => {
		await selectText(ben, 'Friday');
		// The toolbar over a read-only body offers Comment only.
		const bar = ben.getByRole('toolbar', { name: 'Formatting' });
		await bar.waitFor();
		expect(await bar.getByRole('button').allTextContents()).toEqual(['Comment']);
		await ben.keyboard.press('Control+Alt+m');
		await comment(ben, 'Which Friday?');
		await expect.poll(() => openThreads(ana).count(), POLL).toBe(2);
		// In the order of their text.
		expect(await openThreads(ana).locator('.quoted').allTextContents()).toEqual(['“quarterly numbers”', '“Friday”']);

		const onAna = openThreads(ana).nth(1);
		await onAna.getByRole('button', { name: /^👍 thumbs up: nobody yet/ }).click();
		const onBen = openThreads(ben).nth(1);
		await expect.poll(() => onBen.getByRole('button', { name: '👍 thumbs up: Ana' }).count(), POLL).toBe(1);
		await onBen.getByRole('button', { name: '👍 thumbs up: Ana' }).click();
		await expect.poll(() => onAna.getByRole('button', { name: '👍 thumbs up: you, Ben' }).textContent(), POLL).toBe('👍\u00a02');
		expect(await onAna.getByRole('button', { name: '👍 thumbs up: you, Ben' }).getAttribute('aria-pressed')).toBe('true');

		// Only one's own messages have Edit and Delete.
		expect(await onAna.getByRole('button', { name: 'Edit' }).count()).toBe(0);
		await onBen.getByRole('button', { name: 'Edit' }).click();
		await onBen.getByRole('combobox', { name: 'Edit your message' }).fill('Which Friday, the 3rd?');
		await onBen.getByRole('button', { name: 'Save' }).click();
		await expect.poll(() => messages(onAna), POLL).toEqual(['Ben: Which Friday, the 3rd?']);
		expect(await onAna.locator('.edited').count()).toBe(1);
		await onBen.getByRole('button', { name: 'Delete' }).click();
		await onBen.getByRole('button', { name: 'Delete' }).click();
		await expect.poll(() => messages(onAna), POLL).toEqual(['Ben: message deleted']);
	});

	it('[CE3] the highlight follows an edit before it; clicking it activates the thread; the quote selects the text', async () => {
		// Marks each editor's view: a rebuilt editor is a new element without the mark.
		const same = (page: Page) => editor(page).evaluate((element) => element.dataset['probe'] === 'ce3');
		for (const page of [ana, ben]) await editor(page).evaluate((element) => (element.dataset['probe'] = 'ce3'));
		await editor(ana).click();
		await ana.keyboard.press('Control+Home');
		await ana.keyboard.type('Update: ');
		await waitForText(ben, (text) => text.startsWith('Update: We present'));
		await expect.poll(() => highlights(ben), POLL).toEqual(['quarterly numbers', 'Friday']);
		await expect.poll(() => highlights(ana), POLL).toEqual(['quarterly numbers', 'Friday']);

		await editor(ben).locator('.comment-anchor', { hasText: 'quarterly' }).click();
		await expect.poll(() => openThreads(ben).first().getAttribute('class'), POLL).toMatch(/\bactive\b/);
		await expect.poll(() => editor(ben).locator('.comment-anchor.active').textContent(), POLL).toBe('quarterly numbers');

		await openThreads(ana).nth(1).getByRole('button', { name: /Friday/ }).first().click();
		await expect.poll(() => editor(ana).locator('.comment-anchor.active').textContent(), POLL).toBe('Friday');
		// Enter on the quote does the same.
		await openThreads(ana).first().locator('button.quote').focus();
		await ana.keyboard.press('Enter');
		await expect.poll(() => editor(ana).locator('.comment-anchor.active').textContent(), POLL).toBe('quarterly numbers');
		expect(await same(ana), 'Ana\'s editor, not rebuilt').toBe(true);
		expect(await same(ben), 'Ben\'s editor, not rebuilt').toBe(true);
	});

	it('[CE4] deleting the anchored text leaves the thread on deleted text, with its quote', async () => {
		await selectText(ana, 'quarterly numbers');
		await ana.keyboard.press('Backspace');
		await waitForText(ben, (text) => text === 'Update: We present the  on Friday.');
		for (const page of [ana, ben]) {
			const gone = openThreads(page).filter({ has: page.getByTestId('on-deleted-text') });
			await expect.poll(() => gone.count(), POLL).toBe(1);
			expect(await gone.locator('.quoted').textContent()).toBe('“quarterly numbers”');
			// Listed after the threads whose text is there.
			expect(await openThreads(page).locator('.quoted').allTextContents()).toEqual(['“Friday”', '“quarterly numbers”']);
			await expect.poll(() => highlights(page), POLL).toEqual(['Friday']);
		}
	});

	it('[CE5] a comment holding HTML shows as text and runs nothing', async () => {
		const evil = '<img src=x onerror="window.__pwned = 1"> <b>bold?</b>';
		await selectText(ana, 'present');
		await ana.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name: 'Comment' }).click();
		await comment(ana, evil);
		for (const page of [ana, ben]) {
			const thread = openThreads(page).filter({ hasText: '“present”' });
			await expect.poll(() => thread.getByTestId('comment-text').textContent(), POLL).toBe(evil);
			expect(await panel(page).locator('img, b').count()).toBe(0);
			expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
		}
	});

	it('[CE6] the page with the comments panel passes axe (WCAG 2 A/AA) and fits 390 px', async () => {
		await selectText(ana, 'present');
		await ana.keyboard.press('Control+Alt+m');
		await panel(ana).getByRole('combobox', { name: 'New comment' }).waitFor();
		expect(await axeViolations(ana, { colorScheme: 'light' })).toEqual([]);
		expect(await axeViolations(ben, { colorScheme: 'light' })).toEqual([]);
		await ana.setViewportSize({ width: 390, height: 844 });
		try {
			const size = await ana.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
			expect(size.scroll).toBeLessThanOrEqual(size.client);
			// Below the editor.
			const [editorBox, panelBox] = await Promise.all([editor(ana).boundingBox(), panel(ana).boundingBox()]);
			expect(panelBox!.y).toBeGreaterThan(editorBox!.y + editorBox!.height - 1);
			expect(await axeViolations(ana, { colorScheme: 'light' })).toEqual([]);
		} finally {
			await ana.setViewportSize({ width: 1100, height: 800 });
		}
		await ana.keyboard.press('Escape');
		await expect.poll(() => panel(ana).getByRole('combobox', { name: 'New comment' }).count(), POLL).toBe(0);
	});

	it('[CE7] a viewer sees threads but no controls to write', async () => {
		const deviceC = await newDevice(browser, 'C');
		try {
			const vic = await join(deviceC, await relay.invite({ workspace, role: 'viewer', member: 'vic' }), 'Vic');
			await vic.goto(relay.url + path);
			await expect.poll(() => openThreads(vic).count(), POLL).toBe(3);
			await expect.poll(() => highlights(vic), POLL).toEqual(['present', 'Friday']);
			expect(await panel(vic).locator('textarea').count()).toBe(0);
			expect(await panel(vic).getByRole('button', { name: /^(Reply|Resolve|Edit|Delete)$/ }).count()).toBe(0);
			// A viewer's body stays plainly read-only.
			expect(await editor(vic).getAttribute('contenteditable')).toBe('false');
			await selectText(vic, 'Friday');
			await vic.waitForTimeout(300);
			expect(await vic.getByRole('toolbar', { name: 'Formatting' }).count()).toBe(0);
			expect(takeUncaughtErrors(deviceC)).toEqual([]);
		} finally {
			await deviceC.close();
		}
	});

	it('[CE8] a commenter comments with the keyboard only; the read-only body refuses every change; focus follows', async () => {
		const before = await editorText(ben);
		await editor(ben).focus();
		await ben.keyboard.press('Control+Home');
		await ben.keyboard.type('typed');
		for (const key of ['Enter', 'Backspace', 'Delete', 'Control+Backspace']) await ben.keyboard.press(key);
		await editor(ben).evaluate((root) => {
			const data = new DataTransfer();
			data.setData('text/plain', 'pasted');
			root.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
			const dropped = new DataTransfer();
			dropped.setData('text/plain', 'dropped');
			const box = root.getBoundingClientRect();
			root.dispatchEvent(new DragEvent('drop', { dataTransfer: dropped, bubbles: true, cancelable: true, clientX: box.left + 5, clientY: box.top + 5 }));
		});
		await ben.waitForTimeout(300);
		expect(await editorText(ben)).toBe(before);
		expect(await editorText(ana)).toBe(before);

		// Shift+arrows select "Update"; Ctrl+Alt+M starts a thread on it.
		await ben.keyboard.press('Control+Home');
		for (let i = 0; i < 'Update'.length; i++) await ben.keyboard.press('Shift+ArrowRight');
		expect(await ben.evaluate(() => window.getSelection()?.toString())).toBe('Update');
		await ben.keyboard.press('Control+Alt+m');
		await comment(ben, 'Keyboard only');
		const status = panel(ben).getByTestId('comments-status');
		const focused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement);
		const thread = openThreads(ben).filter({ hasText: '“Update”' });
		await expect.poll(() => focused(thread.getByRole('combobox', { name: 'Reply to “Update”' })), POLL).toBe(true);
		await expect.poll(() => status.textContent(), POLL).toBe('Comment posted');
		expect(await status.getAttribute('aria-live')).toBe('polite');
		expect(await editorText(ana)).toBe(before);

		// Resolve: focus follows the thread to the resolved list, shown.
		const showResolved = panel(ben).getByRole('button', { name: /^Show resolved/ });
		if ((await showResolved.count()) > 0) await showResolved.click();
		await thread.getByRole('button', { name: 'Resolve' }).focus();
		await ben.keyboard.press('Enter');
		const resolved = panel(ben).getByTestId('resolved-threads').getByTestId('comment-thread').filter({ hasText: '“Update”' });
		await expect.poll(() => focused(resolved.locator('button.quote')), POLL).toBe(true);
		await expect.poll(() => status.textContent(), POLL).toBe('Thread resolved');
		// Reopen: back to its quote in the open list.
		await resolved.getByRole('button', { name: 'Reopen' }).focus();
		await ben.keyboard.press('Enter');
		await expect.poll(() => focused(thread.locator('button.quote')), POLL).toBe(true);
		await expect.poll(() => status.textContent(), POLL).toBe('Thread reopened');

		// Resolved into a hidden list: focus goes to the panel heading.
		await thread.getByRole('button', { name: 'Resolve' }).click();
		await panel(ben).getByRole('button', { name: /^Hide resolved/ }).click();
		const friday = openThreads(ben).filter({ hasText: '“Friday”' });
		await friday.getByRole('button', { name: 'Resolve' }).focus();
		await ben.keyboard.press('Enter');
		await expect.poll(() => focused(panel(ben).getByRole('heading', { name: /^Comments/ })), POLL).toBe(true);
		await expect.poll(() => status.textContent(), POLL).toBe('Thread resolved');

		// Edit focuses the field; Cancel and Save return focus to the message.
		const mine = panel(ben).getByTestId('open-threads').getByTestId('comment-message').filter({ hasText: 'Keyboard only' });
		if ((await mine.count()) === 0) await panel(ben).getByRole('button', { name: /^Show resolved/ }).click();
		// By id: while it is edited, the text is in a field, which hasText does not see.
		const messageId = await panel(ben).getByTestId('comment-message').filter({ hasText: 'Keyboard only' }).getAttribute('data-message');
		const message = panel(ben).locator(`[data-testid=comment-message][data-message="${messageId}"]`);
		await message.getByRole('button', { name: 'Edit' }).click();
		await expect.poll(() => focused(message.getByRole('combobox', { name: 'Edit your message' })), POLL).toBe(true);
		await ben.keyboard.press('Escape');
		await expect.poll(() => focused(message), POLL).toBe(true);
		await message.getByRole('button', { name: 'Delete' }).click();
		await expect.poll(() => focused(message.getByRole('button', { name: 'Keep' })), POLL).toBe(true);
		await ben.keyboard.press('Enter');
		await expect.poll(() => focused(message), POLL).toBe(true);
	});

	it('[CE9] Ana mentions Ben, picked from the list with the keyboard; both see the chip', async () => {
		await selectText(ana, 'Friday');
		await ana.keyboard.press('Control+Alt+m');
		const field = panel(ana).getByRole('combobox', { name: 'New comment' });
		await expect.poll(() => field.evaluate((el) => el === document.activeElement), POLL).toBe(true);
		const list = panel(ana).getByRole('listbox', { name: 'Members' });
		await ana.keyboard.type('Can @');
		await expect.poll(() => field.getAttribute('aria-expanded'), POLL).toBe('true');
		// Escape closes the list, not the form.
		await ana.keyboard.press('Escape');
		expect(await field.getAttribute('aria-expanded')).toBe('false');
		expect(await list.count()).toBe(0);
		await ana.keyboard.press('Backspace');
		await ana.keyboard.type('@Be');
		await expect.poll(() => list.getByRole('option').allTextContents(), POLL).toEqual(['Ben']);
		const option = list.getByRole('option', { name: 'Ben' });
		expect(await field.getAttribute('aria-activedescendant')).toBe(await option.getAttribute('id'));
		expect(await option.getAttribute('aria-selected')).toBe('true');
		expect(await axeViolations(ana, { scope: '[data-testid=comments-panel]', colorScheme: 'light' })).toEqual([]);
		// Enter picks Ben; the comment is not sent.
		await ana.keyboard.press('Enter');
		expect(await field.inputValue()).toBe('Can @Ben ');
		expect(await field.getAttribute('aria-expanded')).toBe('false');
		await ana.keyboard.type('check this?');
		await panel(ana).getByRole('button', { name: 'Comment', exact: true }).click();
		for (const page of [ana, ben]) {
			const chip = openThreads(page).filter({ hasText: 'check this?' }).locator('.mention');
			await expect.poll(() => chip.textContent(), POLL).toBe('@Ben');
			expect(await chip.getAttribute('data-member')).toBe('ben');
		}
		// Ben's own mention is emphasised, not only by colour.
		expect(await openThreads(ben).filter({ hasText: 'check this?' }).locator('strong.mention.me').count()).toBe(1);
		expect(await openThreads(ana).filter({ hasText: 'check this?' }).locator('strong.mention').count()).toBe(0);
	});
});
