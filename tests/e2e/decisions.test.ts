/**
 * Decision records in real Chromium against a real relay, with two members on two devices in
 * different time zones (Ana in Berlin, Ben in New York):
 *
 * [DE1] Bad input in the New decision dialog (a decide-by in the past, no owner) shows the model's
 *       message and creates nothing.
 * [DE2] A decision proposed through the UI shows its deadline to each member in their own zone,
 *       with the time left, and who is still expected to weigh in.
 * [DE3] Both record positions, one while offline; the other sees it arrive once it syncs.
 * [DE4] Accepting locks the body on both devices (typing changes nothing, a caret stays for
 *       selecting and commenting, the title is read-only)
 *       and closes positions; reopening on the other device unlocks it live.
 * [DE5] Superseding makes a new proposed record linked to the old one both ways; accepting it
 *       marks the old one superseded on both devices, with log entries.
 * [DE7] An open record can say which decision it supersedes; a link that would loop is refused
 *       with the model's message and nothing changes.
 * [DE8] A position recorded offline after another device closed the decision is kept, shown, and
 *       marked as recorded after the decision closed.
 * [DE6] The decision page and its dialogs pass axe-core's WCAG 2 A/AA rules (light theme) and the
 *       page fits a 390 px screen.
 * [DE9] An "Edit details" form left open while a teammate changes the record saves only what the
 *       member changed there: the teammate's owner, deadline, deciders and tags stay on both devices.
 * [DE10] A teammate's status change does not take the member's focus or typing: the editor keeps
 *       focus across lock and unlock, a note form whose choice went stays with the note and says
 *       why, and an open edit form stays with its tags and says what of the typing was not saved.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { axeViolations } from './support/axe.ts';
import { chromiumPath, takeUncaughtErrors } from './support/browser.ts';
import type { Relay } from './support/relay.ts';
import { joinTeam, startWorld, type World } from './support/world.ts';
import { POLL, downloadText, editor, editorText, sidebar, titleInput, typeAtEnd, waitForStatus, waitForText } from './support/app.ts';
import { formatDeadline } from '../../src/lib/model/decisions.ts';

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

/** A time as a `datetime-local` value in `timeZone` (what a member there types). */
function localInput(ms: number, timeZone: string): string {
	const parts = Object.fromEntries(
		new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
			.formatToParts(ms)
			.map((p) => [p.type, p.value])
	);
	return `${parts['year']}-${parts['month']}-${parts['day']}T${parts['hour']}:${parts['minute']}`;
}

function panel(page: Page): Locator {
	return page.getByTestId('decision-panel');
}

function newDecisionDialog(page: Page): Locator {
	return page.getByRole('dialog', { name: 'New decision' });
}

async function openNewDecision(page: Page): Promise<Locator> {
	await sidebar(page).getByRole('button', { name: 'New decision' }).click();
	const dialog = newDecisionDialog(page);
	await dialog.waitFor();
	return dialog;
}

/** Records a position through the "Your position" form. */
async function recordPosition(page: Page, stance: string, why: string): Promise<void> {
	const form = panel(page).getByRole('group', { name: 'Your position' });
	await form.getByRole('radio', { name: stance, exact: true }).check();
	await form.getByRole('textbox', { name: 'Why (a sentence or two)' }).fill(why);
	await form.getByRole('button', { name: 'Save position' }).click();
}

/** "Name: Stance" for each position shown, in order. */
function positionsShown(page: Page): Promise<string[]> {
	return panel(page)
		.getByTestId('position')
		.evaluateAll((items) => items.map((li) => `${li.querySelector('.who')?.textContent}: ${li.querySelector('.stance')?.textContent}`));
}

async function changeStatus(page: Page, action: string, note: string): Promise<void> {
	await panel(page).getByRole('button', { name: `${action}…` }).click();
	const field = panel(page).getByRole('textbox', { name: 'Note for the status log (optional)' });
	await expect.poll(() => field.evaluate((el) => el === document.activeElement), POLL).toBe(true);
	await field.fill(note);
	await panel(page).getByRole('button', { name: `${action} decision` }).click();
}

function status(page: Page): Promise<string | null> {
	return panel(page).getByTestId('decision-status').textContent();
}

/** The status log's change entries, as text with spaces collapsed. */
function logEntries(page: Page): Promise<string[]> {
	return panel(page)
		.getByTestId('status-change')
		.evaluateAll((items) => items.map((li) => (li.textContent ?? '').replace(/\s+/g, ' ').trim()));
}

/** The titles of the pages in the sidebar's tree. */
function pageTitles(page: Page): Promise<string[]> {
	return sidebar(page).getByRole('tree').getByRole('link').allTextContents();
}

describe.skipIf(!chromiumPath)('decision records', () => {
	const workspace = `e2e-decisions-${Date.now().toString(36)}`;
	let world: World;
	let relay: Relay;
	let deviceA: BrowserContext;
	let deviceB: BrowserContext;
	let ana: Page;
	let ben: Page;
	// Mid-January next year, 16:00 UTC: 17:00 in Berlin, 11:00 in New York (neither on summer time).
	const decideBy = Date.UTC(new Date().getUTCFullYear() + 1, 0, 15, 16, 0);
	let firstPath = '';
	let secondPath = '';

	beforeAll(async () => {
		world = await startWorld();
		({ relay } = world);
		({ devices: [deviceA, deviceB], pages: [ana, ben] } = await joinTeam(world, workspace, [
			{ device: 'A', member: 'ana', name: 'Ana', timeZone: BERLIN },
			{ device: 'B', member: 'ben', name: 'Ben', timeZone: NEW_YORK }
		]));
	});

	afterAll(() => world?.close());

	afterEach(async () => {
		for (const page of [ana, ben]) if (await page.locator('dialog[open]').count()) await page.reload();
		expect(takeUncaughtErrors(deviceA), 'uncaught exceptions on device A').toEqual([]);
		expect(takeUncaughtErrors(deviceB), 'uncaught exceptions on device B').toEqual([]);
	});

	it('[DE1] [DE6] a decide-by in the past or no owner: the message shows and nothing is created', async () => {
		const before = await pageTitles(ana);
		const dialog = await openNewDecision(ana);
		expect(await dialog.getAttribute('aria-modal')).toBe('true');
		// Focus starts on the title; the zone is named beside the time.
		await expect.poll(() => ana.evaluate(() => (document.activeElement as HTMLInputElement | null)?.placeholder), POLL).toBe('What is being decided?');
		expect(await dialog.textContent()).toContain(`your time (${BERLIN})`);
		expect(await axeViolations(ana, { scope: 'dialog[open]', colorScheme: 'light' })).toEqual([]);

		await dialog.getByRole('textbox', { name: 'Title' }).fill('Too late');
		await dialog.getByLabel('Decide by').fill('2020-01-01T10:00');
		await dialog.getByRole('button', { name: 'Propose decision' }).click();
		await expect.poll(() => dialog.getByRole('alert').textContent(), POLL).toMatch(/decide-by date is in the past/);

		await dialog.getByLabel('Decide by').fill(localInput(decideBy, BERLIN));
		await dialog.getByRole('combobox', { name: 'Owner' }).selectOption('');
		await dialog.getByRole('button', { name: 'Propose decision' }).click();
		await expect.poll(() => dialog.getByRole('alert').textContent(), POLL).toMatch(/needs an owner/);

		// Still open, nothing made; Escape closes and gives focus back to the button.
		expect(await pageTitles(ana)).toEqual(before);
		await ana.keyboard.press('Escape');
		await expect.poll(() => dialog.count(), POLL).toBe(0);
		await expect.poll(() => ana.evaluate(() => document.activeElement?.textContent ?? ''), POLL).toBe('New decision');
		expect(await sidebar(ana).getByRole('tree').getByRole('link', { name: 'Too late' }).count()).toBe(0);
	});

	it('[DE2] [DE6] a decision proposed through the UI shows each member the deadline in their own zone', async () => {
		const dialog = await openNewDecision(ana);
		await dialog.getByRole('textbox', { name: 'Title' }).fill('Adopt Postgres');
		// Ben's device announces him as a member once his workspace is open.
		const deciders = dialog.getByRole('group', { name: 'Deciders' });
		await expect.poll(() => deciders.getByRole('checkbox', { name: 'Ben' }).count(), POLL).toBe(1);
		expect(await dialog.getByRole('combobox', { name: 'Owner' }).inputValue()).toBe('ana');
		await deciders.getByRole('checkbox', { name: 'Ana' }).check();
		await deciders.getByRole('checkbox', { name: 'Ben' }).check();
		await dialog.getByLabel('Decide by').fill(localInput(decideBy, BERLIN));
		await dialog.getByRole('textbox', { name: 'Tags' }).fill('Storage, infra');
		await dialog.getByRole('button', { name: 'Propose decision' }).click();
		await ana.waitForURL(/\/w\/[^/]+\/p\/[^/]+$/);
		firstPath = new URL(ana.url()).pathname;
		await panel(ana).waitFor();

		expect(formatDeadline(decideBy, BERLIN)).toMatch(/17:00 \(Europe\/Berlin\)$/);
		await expect.poll(() => panel(ana).getByTestId('decide-by').textContent(), POLL).toContain(formatDeadline(decideBy, BERLIN));
		expect(await panel(ana).getByTestId('time-left').textContent()).toMatch(/days? .*left/);
		expect(await panel(ana).getByTestId('decision-owner').textContent()).toBe('Ana');
		expect(await panel(ana).getByTestId('decision-tags').textContent()).toMatch(/infra\s*storage/);
		expect(await panel(ana).getByTestId('waiting').textContent()).toBe('Waiting for: Ana, Ben');
		// The body is the decision template, and editable while proposed.
		await expect.poll(() => editor(ana).locator('h2').allTextContents(), POLL).toContain('Consequences');
		expect(await editor(ana).getAttribute('contenteditable')).toBe('true');

		await sidebar(ben).getByRole('tree').getByRole('link', { name: 'Adopt Postgres' }).click();
		await panel(ben).waitFor();
		expect(formatDeadline(decideBy, NEW_YORK)).toMatch(/11:00 \(America\/New_York\)$/);
		await expect.poll(() => panel(ben).getByTestId('decide-by').textContent(), POLL).toContain(formatDeadline(decideBy, NEW_YORK));
		expect(await panel(ben).getByTestId('waiting').textContent()).toBe('Waiting for: Ana, Ben');

		expect(await axeViolations(ana, { colorScheme: 'light' })).toEqual([]);
		// At phone width the record and its forms fit without scrolling sideways.
		await ana.setViewportSize({ width: 390, height: 844 });
		try {
			await panel(ana).getByRole('button', { name: 'Edit details' }).click();
			await panel(ana).getByRole('button', { name: 'Accept…' }).click();
			const size = await ana.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
			expect(size.scroll).toBeLessThanOrEqual(size.client);
			expect(await axeViolations(ana, { colorScheme: 'light' })).toEqual([]);
		} finally {
			await ana.setViewportSize({ width: 1100, height: 800 });
		}
		await panel(ana).getByRole('button', { name: 'Cancel' }).first().click();
		await panel(ana).getByRole('button', { name: 'Cancel' }).first().click();

		// Editing refuses a deadline in the past and changes nothing.
		await panel(ana).getByRole('button', { name: 'Edit details' }).click();
		await panel(ana).getByLabel('Decide by').fill('2021-06-01T09:00');
		await panel(ana).getByRole('button', { name: 'Save', exact: true }).click();
		await expect.poll(() => panel(ana).getByRole('alert').textContent(), POLL).toMatch(/in the past/);
		await panel(ana).getByRole('button', { name: 'Cancel' }).click();
		expect(await panel(ana).getByTestId('decide-by').textContent()).toContain(formatDeadline(decideBy, BERLIN));
	});

	it('[DE3] positions: one member records offline, the other sees it arrive once it syncs', async () => {
		await recordPosition(ana, 'Agree', 'Boring and proven.');
		await expect.poll(() => positionsShown(ana), POLL).toEqual(['Ana: Agree']);
		await expect.poll(() => positionsShown(ben), POLL).toEqual(['Ana: Agree']);
		await expect.poll(() => panel(ben).getByTestId('waiting').textContent(), POLL).toBe('Waiting for: Ben');

		await deviceB.setOffline(true);
		await waitForStatus(ben, 'offline');
		await recordPosition(ben, 'Agree with concerns', 'Who runs the backups?');
		await expect.poll(() => positionsShown(ben), POLL).toEqual(['Ana: Agree', 'Ben: Agree with concerns']);
		expect(await panel(ben).getByText('You said: Agree with concerns').count()).toBe(1);
		await ana.waitForTimeout(1000);
		expect(await positionsShown(ana)).toEqual(['Ana: Agree']);

		await deviceB.setOffline(false);
		await expect.poll(() => positionsShown(ana), POLL).toEqual(['Ana: Agree', 'Ben: Agree with concerns']);
		expect(await panel(ana).getByText('Who runs the backups?').count()).toBe(1);
		expect(await panel(ana).getByTestId('waiting').textContent()).toBe('Everyone expected has weighed in.');
		await waitForStatus(ben, 'stored');
	});

	it('[DE4] accepting locks the body on both devices and closes positions; reopening unlocks it live', async () => {
		await typeAtEnd(ana, 'We choose Postgres.');
		await waitForText(ben, (text) => text.includes('We choose Postgres.'));

		await changeStatus(ana, 'Accept', 'Agreed in writing');
		for (const page of [ana, ben]) {
			await expect.poll(() => status(page), POLL).toBe('Accepted');
			await expect.poll(() => editor(page).getAttribute('aria-readonly'), POLL).toBe('true');
			// Read-only, yet with a caret: members select from the keyboard to comment on a closed record.
			expect(await editor(page).getAttribute('contenteditable')).toBe('true');
			expect(await page.getByTestId('locked-notice').textContent()).toMatch(/^\s*Accepted .* — the body is locked; reopen to edit\.\s*$/);
			expect(await titleInput(page).getAttribute('readonly')).not.toBeNull();
			expect(await panel(page).getByTestId('positions-closed').textContent()).toBe('Positions closed: this decision is accepted.');
			expect(await panel(page).getByRole('group', { name: 'Your position' }).count()).toBe(0);
			await expect.poll(() => logEntries(page), POLL).toEqual([expect.stringMatching(/^Ana: Proposed → Accepted · .*Agreed in writing$/)]);
			// Typing into the locked body changes nothing.
			const before = await editorText(page);
			await editor(page).click();
			await page.keyboard.press('Control+End');
			await page.keyboard.type('XYZ');
			await page.keyboard.press('Enter');
			expect(await editorText(page)).toBe(before);
		}
		expect(await ben.getByTestId('locked-notice').textContent()).toContain(`(${NEW_YORK})`);
		// The tree offers no way round the lock: no Rename in the actions menu, F2 does nothing.
		const item = sidebar(ana).getByRole('tree').getByRole('treeitem', { name: 'Adopt Postgres', exact: true });
		await item.focus();
		await ana.keyboard.press('F2');
		expect(await sidebar(ana).getByRole('textbox', { name: 'Rename page' }).count()).toBe(0);
		await ana.keyboard.press('Shift+F10');
		const actions = ana.getByRole('menu', { name: 'Actions for Adopt Postgres' });
		await actions.waitFor();
		expect(await actions.getByRole('menuitem').allTextContents()).not.toContain('Rename');
		expect(await actions.getByRole('menuitem', { name: 'Move to…' }).count()).toBe(1);
		await ana.keyboard.press('Escape');

		// Ben reopens: Ana's editor becomes editable again without a reload, and her typing syncs.
		await changeStatus(ben, 'Reopen', 'One more question');
		await expect.poll(() => editor(ana).getAttribute('aria-readonly'), POLL).toBe('false');
		expect(await ana.getByTestId('locked-notice').count()).toBe(0);
		await typeAtEnd(ana, ' Answered.');
		await waitForText(ben, (text) => text.includes('We choose Postgres. Answered.'));
		expect(await panel(ana).getByRole('group', { name: 'Your position' }).count()).toBe(1);

		await changeStatus(ana, 'Accept', '');
		for (const page of [ana, ben]) {
			await expect.poll(() => status(page), POLL).toBe('Accepted');
			await expect.poll(() => logEntries(page), POLL).toHaveLength(3);
			await expect.poll(() => editor(page).getAttribute('aria-readonly'), POLL).toBe('true');
		}
		expect((await logEntries(ben))[1]).toMatch(/^Ben: Accepted → Proposed · .*One more question$/);
	});

	it('[DE5] [DE6] superseding: accepting the new record marks the old one superseded on both devices', async () => {
		await panel(ana).getByRole('button', { name: 'Supersede…' }).click();
		const dialog = ana.getByRole('dialog', { name: 'Supersede this decision' });
		await dialog.waitFor();
		expect(await axeViolations(ana, { scope: 'dialog[open]', colorScheme: 'light' })).toEqual([]);
		await dialog.getByRole('textbox', { name: 'Title of the new decision' }).fill('Adopt Postgres 17');
		await dialog.getByLabel('Decide by').fill(localInput(decideBy + 86_400_000, BERLIN));
		await dialog.getByRole('button', { name: 'Propose replacement' }).click();
		await ana.waitForURL((url) => url.pathname !== firstPath && /\/p\/[^/]+$/.test(url.pathname));
		secondPath = new URL(ana.url()).pathname;
		await expect.poll(() => status(ana), POLL).toBe('Proposed');
		await expect.poll(() => panel(ana).getByTestId('supersedes-link').textContent(), POLL).toBe('Adopt Postgres');
		// Deciders and tags come along.
		expect(await panel(ana).getByTestId('decision-deciders').textContent()).toBe('Ana, Ben');

		// Ben, still on the old record, sees the link to its replacement arrive; it stays accepted.
		await expect.poll(() => panel(ben).getByTestId('superseded-by-link').textContent(), POLL).toBe('Adopt Postgres 17');
		expect(await status(ben)).toBe('Accepted');

		await changeStatus(ana, 'Accept', 'Upgrade agreed');
		await expect.poll(() => status(ana), POLL).toBe('Accepted');
		await expect.poll(() => status(ben), POLL).toBe('Superseded');
		await expect.poll(() => logEntries(ben), POLL).toHaveLength(4);
		expect((await logEntries(ben))[3]).toMatch(/^Ana: Accepted → Superseded · .* · by accepting Adopt Postgres 17$/);
		expect(await ben.getByTestId('locked-notice').textContent()).toMatch(/^\s*Superseded .* — the body is locked; reopen to edit\.\s*$/);

		await panel(ana).getByTestId('supersedes-link').click();
		await ana.waitForURL((url) => url.pathname === firstPath);
		await expect.poll(() => status(ana), POLL).toBe('Superseded');
		expect((await logEntries(ana))[3]).toMatch(/by accepting Adopt Postgres 17$/);

		// Its export carries the record as front matter, then the body, then the status log.
		const [download] = await Promise.all([ana.waitForEvent('download'), ana.getByRole('button', { name: 'Download .md' }).click()]);
		const markdown = await downloadText(download);
		const front = markdown.split('\n---\n')[0]!.split('\n');
		expect(front.slice(0, 10)).toEqual([
			'---',
			'title: "Adopt Postgres"',
			'status: superseded',
			expect.stringMatching(/^date: \d{4}-\d{2}-\d{2}$/),
			'owner: "Ana"',
			'deciders: ["Ana", "Ben"]',
			'consulted: []',
			'tags: ["infra", "storage"]',
			`decide-by: "${new Date(decideBy).toISOString()}"`,
			'superseded-by: "Adopt Postgres 17"'
		]);
		expect(front).toContain('    rationale: "Who runs the backups?"');
		expect(markdown).toContain('\n# Adopt Postgres\n');
		expect(markdown).toContain('We choose Postgres. Answered.');
		expect(markdown).toMatch(/\n## Status log\n\n- .* UTC — Ana proposed it\n/);

		await ben.goto(relay.url + secondPath);
		await expect.poll(() => status(ben), POLL).toBe('Accepted');
		expect(await panel(ben).getByTestId('supersedes-link').textContent()).toBe('Adopt Postgres');
	});
	it('[DE7] an open record links the decision it supersedes; a loop is refused with a message', async () => {
		for (const title of ['Pick a queue', 'Pick a broker']) {
			const dialog = await openNewDecision(ana);
			await dialog.getByRole('textbox', { name: 'Title' }).fill(title);
			await dialog.getByRole('button', { name: 'Propose decision' }).click();
			await expect.poll(() => titleInput(ana).inputValue(), POLL).toBe(title);
		}
		const broker = new URL(ana.url()).pathname;
		const choose = panel(ana).getByRole('combobox', { name: 'Supersedes' });
		// Only a decision in force can be replaced: the proposed queue record is not offered yet.
		expect(await choose.locator('option', { hasText: 'Pick a queue' }).count()).toBe(0);
		await sidebar(ana).getByRole('tree').getByRole('link', { name: 'Pick a queue' }).click();
		await ana.waitForURL((url) => url.pathname !== broker);
		const queue = new URL(ana.url()).pathname;
		await changeStatus(ana, 'Accept', '');
		await expect.poll(() => status(ana), POLL).toBe('Accepted');

		await sidebar(ana).getByRole('tree').getByRole('link', { name: 'Pick a broker' }).click();
		await ana.waitForURL((url) => url.pathname === broker);
		await choose.selectOption({ label: 'Pick a queue' });
		await panel(ana).getByRole('button', { name: 'Set', exact: true }).click();
		await expect.poll(() => panel(ana).getByTestId('supersedes-link').textContent(), POLL).toBe('Pick a queue');
		await changeStatus(ana, 'Accept', 'The broker replaces the queue');

		// The queue record is now superseded; reopened, it may not supersede its own successor.
		await panel(ana).getByTestId('supersedes-link').click();
		await ana.waitForURL((url) => url.pathname === queue);
		await expect.poll(() => status(ana), POLL).toBe('Superseded');
		await expect.poll(() => panel(ana).getByTestId('superseded-by-link').textContent(), POLL).toBe('Pick a broker');
		await changeStatus(ana, 'Reopen', '');
		await expect.poll(() => status(ana), POLL).toBe('Proposed');
		await panel(ana).getByRole('combobox', { name: 'Supersedes' }).selectOption({ label: 'Pick a broker' });
		await panel(ana).getByRole('button', { name: 'Set', exact: true }).click();
		await expect.poll(() => panel(ana).getByRole('alert').textContent(), POLL).toMatch(/supersede chain loop/);
		expect(await panel(ana).getByTestId('supersedes-link').count()).toBe(0);
	});
	it('[DE8] a position recorded offline after the decision closed elsewhere is kept and marked late', async () => {
		const dialog = await openNewDecision(ana);
		await dialog.getByRole('textbox', { name: 'Title' }).fill('Weekly release train');
		await dialog.getByRole('group', { name: 'Deciders' }).getByRole('checkbox', { name: 'Ben' }).check();
		await dialog.getByRole('button', { name: 'Propose decision' }).click();
		await expect.poll(() => titleInput(ana).inputValue(), POLL).toBe('Weekly release train');
		await sidebar(ben).getByRole('tree').getByRole('link', { name: 'Weekly release train' }).click();
		await panel(ben).waitFor();

		await deviceB.setOffline(true);
		await waitForStatus(ben, 'offline');
		await changeStatus(ana, 'Accept', 'Nobody objected in time');
		await expect.poll(() => status(ana), POLL).toBe('Accepted');
		// Ben has not seen the acceptance: the form is still open for him.
		await recordPosition(ben, 'Disagree', 'Fridays are a bad day for releases.');
		await expect.poll(() => positionsShown(ben), POLL).toEqual(['Ben: Disagree']);

		await deviceB.setOffline(false);
		for (const page of [ana, ben]) {
			await expect.poll(() => positionsShown(page), POLL).toEqual(['Ben: Disagree']);
			await expect.poll(() => panel(page).getByTestId('late-position').textContent(), POLL).toMatch(/recorded after the decision was accepted/);
			expect(await status(page)).toBe('Accepted');
			expect(await panel(page).getByTestId('positions-closed').count()).toBe(1);
		}
		await waitForStatus(ben, 'stored');
	});
	it('[DE9] a stale "Edit details" form keeps the changes a teammate made while it was open', async () => {
		const dialog = await openNewDecision(ana);
		await dialog.getByRole('textbox', { name: 'Title' }).fill('Choose a CI');
		await dialog.getByRole('group', { name: 'Deciders' }).getByRole('checkbox', { name: 'Ana' }).check();
		await dialog.getByLabel('Decide by').fill(localInput(decideBy, BERLIN));
		await dialog.getByRole('textbox', { name: 'Tags' }).fill('ci');
		await dialog.getByRole('button', { name: 'Propose decision' }).click();
		await expect.poll(() => titleInput(ana).inputValue(), POLL).toBe('Choose a CI');
		await sidebar(ben).getByRole('tree').getByRole('link', { name: 'Choose a CI' }).click();
		await expect.poll(() => panel(ben).getByTestId('decision-tags').textContent(), POLL).toBe('ci');

		// Ana opens the form; meanwhile Ben gives the record to himself, joins the deciders, tags it
		// and moves the deadline a day on.
		await panel(ana).getByRole('button', { name: 'Edit details' }).click();
		const later = decideBy + 86_400_000;
		await panel(ben).getByRole('button', { name: 'Edit details' }).click();
		await panel(ben).getByRole('combobox', { name: 'Owner' }).selectOption({ label: 'Ben' });
		await panel(ben).getByLabel('Decide by').fill(localInput(later, NEW_YORK));
		await panel(ben).getByRole('group', { name: 'Deciders' }).getByRole('checkbox', { name: 'Ben' }).check();
		await panel(ben).getByRole('textbox', { name: 'Tags' }).fill('ci, build');
		await panel(ben).getByRole('button', { name: 'Save', exact: true }).click();
		await expect.poll(() => panel(ana).getByTestId('decision-owner').textContent(), POLL).toBe('Ben');
		await expect.poll(() => panel(ana).getByTestId('decide-by').textContent(), POLL).toContain(formatDeadline(later, BERLIN));

		// Ana's form still shows the record as it was; she only asks Ben to be consulted.
		expect(await panel(ana).getByRole('combobox', { name: 'Owner' }).inputValue()).toBe('ana');
		await panel(ana).getByRole('group', { name: 'Consulted' }).getByRole('checkbox', { name: 'Ben' }).check();
		await panel(ana).getByRole('button', { name: 'Save', exact: true }).click();
		await expect.poll(() => panel(ana).getByRole('button', { name: 'Edit details' }).count(), POLL).toBe(1);
		expect(await panel(ana).getByRole('alert').count()).toBe(0);

		for (const [page, zone] of [[ana, BERLIN], [ben, NEW_YORK]] as const) {
			await expect.poll(() => panel(page).getByTestId('decision-consulted').textContent(), POLL).toBe('Ben');
			expect(await panel(page).getByTestId('decision-owner').textContent()).toBe('Ben');
			expect(await panel(page).getByTestId('decision-deciders').textContent()).toBe('Ana, Ben');
			expect(await panel(page).getByTestId('decision-tags').textContent()).toMatch(/^build\s*ci$/);
			expect(await panel(page).getByTestId('decide-by').textContent()).toContain(formatDeadline(later, zone));
		}

		// Saving a form nobody changed writes nothing (an old deadline is not sent back and refused).
		await panel(ana).getByRole('button', { name: 'Edit details' }).click();
		await panel(ana).getByRole('button', { name: 'Save', exact: true }).click();
		await expect.poll(() => panel(ana).getByRole('button', { name: 'Edit details' }).count(), POLL).toBe(1);
		// Escape cancels, and gives focus back to the button.
		await panel(ana).getByRole('button', { name: 'Edit details' }).click();
		await panel(ana).getByRole('textbox', { name: 'Tags' }).fill('dropped');
		await ana.keyboard.press('Escape');
		await expect.poll(() => ana.evaluate(() => document.activeElement?.textContent ?? ''), POLL).toBe('Edit details');
		expect(await panel(ana).getByTestId('decision-tags').textContent()).toMatch(/^build\s*ci$/);
	});
	it('[DE10] a teammate accepting or reopening leaves the member\'s focus and typing where they were', async () => {
		// The record from DE9, open on both devices, owned by Ben.
		const focusInEditor = (page: Page) => page.evaluate(() => document.querySelector('[data-testid=editor]')?.contains(document.activeElement) ?? false);
		await typeAtEnd(ana, 'Draft.');
		await waitForText(ben, (text) => text.includes('Draft.'));
		await changeStatus(ben, 'Accept', '');
		await expect.poll(() => editor(ana).getAttribute('aria-readonly'), POLL).toBe('true');
		expect(await focusInEditor(ana)).toBe(true);
		await changeStatus(ben, 'Reopen', '');
		await expect.poll(() => editor(ana).getAttribute('aria-readonly'), POLL).toBe('false');
		expect(await focusInEditor(ana)).toBe(true);
		await ana.keyboard.press('Control+End');
		await ana.keyboard.type(' Still typing.');
		await waitForText(ben, (text) => text.includes('Draft. Still typing.'));

		// Ana is writing a note to reject it when Ben accepts: the form stays, with her note and why.
		await panel(ana).getByRole('button', { name: 'Reject…' }).click();
		const note = panel(ana).getByRole('textbox', { name: 'Note for the status log (optional)' });
		await note.fill('Too slow for us');
		await changeStatus(ben, 'Accept', '');
		await expect
			.poll(() => panel(ana).getByTestId('workflow-unavailable').textContent(), POLL)
			.toMatch(/^\s*This decision was just accepted by a teammate; this change is no longer possible\./);
		expect(await note.inputValue()).toBe('Too slow for us');
		expect(await note.evaluate((el) => el === document.activeElement)).toBe(true);
		expect(await panel(ana).getByRole('button', { name: 'Reject decision' }).count()).toBe(0);
		// The status is in a live region, so the change is announced.
		expect(await panel(ana).getByRole('status').filter({ has: ana.getByTestId('decision-status') }).textContent()).toMatch(/^\s*Accepted\s*$/);
		await panel(ana).getByRole('button', { name: 'Close', exact: true }).click();
		await expect.poll(() => note.count(), POLL).toBe(0);
		await expect.poll(() => ana.evaluate(() => document.activeElement?.closest('[role=group]')?.getAttribute('aria-label') ?? null), POLL).toBe('Change status');

		// Ana is editing the details when Ben accepts: the form stays for its tags and says her
		// other change was not saved; focus on the owner field that went moves to the tags.
		await changeStatus(ben, 'Reopen', '');
		await expect.poll(() => panel(ana).getByRole('button', { name: 'Edit details' }).count(), POLL).toBe(1);
		await panel(ana).getByRole('button', { name: 'Edit details' }).click();
		await panel(ana).getByRole('textbox', { name: 'Tags' }).fill('ci, build, pipelines');
		const owner = panel(ana).getByRole('combobox', { name: 'Owner' });
		await owner.selectOption({ label: 'Ana' });
		await owner.focus();
		await changeStatus(ben, 'Accept', '');
		await expect.poll(() => panel(ana).getByTestId('edit-notice').textContent(), POLL).toMatch(/accepted by a teammate: only its tags can change now\. Your changes to its owner.* were not saved\./);
		expect(await owner.count()).toBe(0);
		expect(await panel(ana).getByRole('textbox', { name: 'Tags' }).inputValue()).toBe('ci, build, pipelines');
		await expect.poll(() => ana.evaluate(() => (document.activeElement as HTMLInputElement | null)?.placeholder ?? null), POLL).toBe('comma-separated');
		await panel(ana).getByRole('button', { name: 'Save', exact: true }).click();
		for (const page of [ana, ben]) {
			await expect.poll(() => panel(page).getByTestId('decision-tags').textContent(), POLL).toMatch(/^build\s*ci\s*pipelines$/);
			expect(await panel(page).getByTestId('decision-owner').textContent()).toBe('Ben');
		}
	});
});
