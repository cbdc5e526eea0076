/**
 * People and time zones in real Chromium against a real relay: Ana, an editor in Berlin, and
 * Kenji, a viewer in Tokyo, on devices of their own (issue 5 item 4).
 *
 * [PP1] Each sets working hours and availability on the people page (a viewer too: every role
 *       writes its own profile in the people room); the other sees them with the right local
 *       time and zone, "working now" or "outside working hours — back … your time", and the
 *       availability with its end in the viewer's time.
 * [PP2] The team-overlap line gives the next stretch both are at work, in each viewer's own time,
 *       and says when fewer than two people are counted.
 * [PP3] The viewer, who is in no members list, can be named consulted on a decision (not owner: an
 *       owner accepts or rejects, which takes an editor); a position's
 *       time shows the author's own local time on hover and focus (title and accessible
 *       description).
 * [PP4] Bad input (an empty name) is refused with a message, and nothing changes for the other.
 * [PP5] The people page passes axe-core's WCAG 2 A/AA rules (light theme) at desktop width and at
 *       390 px, where it also fits without scrolling sideways.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { axeViolations } from './support/axe.ts';
import { chromiumPath, takeUncaughtErrors } from './support/browser.ts';
import { joinTeam, startWorld, type World } from './support/world.ts';
import { POLL, sidebar } from './support/app.ts';

const BERLIN = 'Europe/Berlin';
const TOKYO = 'Asia/Tokyo';
const H = 3_600_000;

/** The wall clock at `ms` in `zone`, independently of the app's code. */
function wall(ms: number, zone: string): { weekday: string; hh: string; mm: string; hour: number } {
	const parts = Object.fromEntries(
		new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
			.formatToParts(ms)
			.map((p) => [p.type, p.value])
	);
	return { weekday: parts['weekday']!, hh: parts['hour']!, mm: parts['minute']!, hour: Number(parts['hour']) };
}
const dayTime = (ms: number, zone: string) => `${wall(ms, zone).weekday} ${wall(ms, zone).hh}:${wall(ms, zone).mm}`;
const clockAt = (ms: number, zone: string) => `${wall(ms, zone).hh}:${wall(ms, zone).mm} ${wall(ms, zone).weekday}`;
const hhmm = (ms: number, zone: string) => `${wall(ms, zone).hh}:${wall(ms, zone).mm}`;
const hourInput = (hour: number) => `${String(((hour % 24) + 24) % 24).padStart(2, '0')}:00`;

/** A time as a `datetime-local` value in `timeZone` (what a member there types). */
function localInput(ms: number, timeZone: string): string {
	const parts = Object.fromEntries(
		new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
			.formatToParts(ms)
			.map((p) => [p.type, p.value])
	);
	return `${parts['year']}-${parts['month']}-${parts['day']}T${parts['hour']}:${parts['minute']}`;
}

function card(page: Page, member: string): Locator {
	return page.locator(`[data-testid=person][data-member=${member}]`);
}

function profileForm(page: Page): Locator {
	return page.getByRole('form', { name: 'Your profile' });
}

async function openPeople(page: Page): Promise<void> {
	const link = sidebar(page).getByRole('link', { name: 'People', exact: true });
	if (await link.count()) await link.click();
	else await page.goto(new URL(`${new URL(page.url()).pathname.replace(/\/(p\/[^/]+|decisions|people)$/, '')}/people`, page.url()).toString());
	await page.waitForURL(/\/people$/);
	await profileForm(page).waitFor();
}

/** Fills in working days (every day) and hours, and saves. */
async function setHours(page: Page, start: string, end: string): Promise<void> {
	const form = profileForm(page);
	const days = form.getByRole('group', { name: 'Working days' });
	for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']) await days.getByRole('checkbox', { name: day }).check();
	await form.getByLabel('Start').fill(start);
	await form.getByLabel('End').fill(end);
	await form.getByRole('button', { name: 'Save profile' }).click();
	await expect.poll(() => form.getByRole('status').textContent(), POLL).toBe('Profile saved.');
}

async function text(locator: Locator): Promise<string> {
	return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

describe.skipIf(!chromiumPath)('people and time zones', () => {
	const workspace = `e2e-people-${Date.now().toString(36)}`;
	let world: World;
	let deviceA: BrowserContext;
	let deviceK: BrowserContext;
	let ana: Page;
	let kenji: Page;
	// Whole hours: Berlin and Tokyo are both a whole number of hours from UTC, so "the start of this
	// hour" is the same instant in both.
	const base = Date.now() - (Date.now() % H);

	beforeAll(async () => {
		world = await startWorld();
		({ devices: [deviceA, deviceK], pages: [ana, kenji] } = await joinTeam(world, workspace, [
			{ device: 'A', member: 'ana', name: 'Ana', timeZone: BERLIN },
			{ device: 'K', member: 'kenji', name: 'Kenji', timeZone: TOKYO, role: 'viewer' }
		]));
		await Promise.all([openPeople(ana), openPeople(kenji)]);
	});

	afterAll(() => world?.close());

	afterEach(async () => {
		expect(takeUncaughtErrors(deviceA), 'uncaught exceptions on device A').toEqual([]);
		expect(takeUncaughtErrors(deviceK), 'uncaught exceptions on device K').toEqual([]);
	});

	it('[PP1] each sets hours and availability; the other sees them in the right time', async () => {
		// Profiles exist from the first open, with each device's zone: Kenji's too, a viewer.
		await expect.poll(() => text(card(ana, 'kenji').getByTestId('zone')), POLL).toBe(TOKYO);
		await expect.poll(() => text(card(kenji, 'ana').getByTestId('zone')), POLL).toBe(BERLIN);
		expect(await profileForm(kenji).getByLabel('Time zone').inputValue()).toBe(TOKYO);

		// Kenji works every day from an hour ago until three hours from the start of this hour.
		await setHours(kenji, hourInput(wall(base, TOKYO).hour - 1), hourInput(wall(base, TOKYO).hour + 3));
		await profileForm(kenji).getByLabel('Availability').selectOption('off');
		await profileForm(kenji).getByLabel('Note (optional)').fill('Holiday <b>in</b> Kyoto');
		await profileForm(kenji).getByRole('button', { name: 'Save profile' }).click();
		await expect.poll(() => profileForm(kenji).getByRole('status').textContent(), POLL).toBe('Profile saved.');

		// Ana's day starts two hours after the start of this hour: she is outside it now.
		await setHours(ana, hourInput(wall(base, BERLIN).hour + 2), hourInput(wall(base, BERLIN).hour + 3));
		const until = base + 5 * H;
		await profileForm(ana).getByLabel('Availability').selectOption('focus');
		await profileForm(ana).getByLabel('Until (optional)').fill(localInput(until, BERLIN));
		await profileForm(ana).getByLabel('Note (optional)').fill('Writing the plan');
		await profileForm(ana).getByRole('button', { name: 'Save profile' }).click();
		await expect.poll(() => profileForm(ana).getByRole('status').textContent(), POLL).toBe('Profile saved.');

		// Ana sees Kenji: his time in Tokyo, working now, off, the note as text.
		await expect.poll(() => text(card(ana, 'kenji').getByTestId('working')), POLL).toBe('Working now');
		await expect.poll(() => text(card(ana, 'kenji').getByTestId('local-time')), POLL).toBe(clockAt(Date.now(), TOKYO));
		await expect.poll(() => text(card(ana, 'kenji').getByTestId('availability')), POLL).toBe('Off — Holiday <b>in</b> Kyoto');
		expect(await card(ana, 'kenji').locator('b').count()).toBe(0);

		// Kenji sees Ana: her time in Berlin, outside her hours until her start in his time, focus
		// time until 5 hours from the hour, in his time.
		await expect.poll(() => text(card(kenji, 'ana').getByTestId('working')), POLL).toBe(`Outside working hours — back ${dayTime(base + 2 * H, TOKYO)} your time`);
		await expect.poll(() => text(card(kenji, 'ana').getByTestId('local-time')), POLL).toBe(clockAt(Date.now(), BERLIN));
		expect(await text(card(kenji, 'ana').getByTestId('availability'))).toBe(`Focus time until ${hhmm(until, TOKYO)} your time — Writing the plan`);
		expect(await text(card(kenji, 'ana').getByTestId('hours'))).toBe(
			`Hours: Every day ${hourInput(wall(base, BERLIN).hour + 2)}–${hourInput(wall(base, BERLIN).hour + 3)}${(wall(base, BERLIN).hour + 3) % 24 < (wall(base, BERLIN).hour + 2) % 24 ? ' (next day)' : ''} their time`
		);
		// Their own cards say "(you)".
		expect(await text(card(ana, 'ana').locator('h4'))).toBe('Ana (you)');
	});

	it('[PP2] the team-overlap line gives the next shared hour in each viewer’s time', async () => {
		const expected = (zone: string) => {
			const start = base + 2 * H;
			const end = base + 3 * H;
			const endText = wall(start, zone).weekday === wall(end, zone).weekday ? hhmm(end, zone) : dayTime(end, zone);
			return `Team overlap: next ${dayTime(start, zone)}–${endText} your time (1 h)`;
		};
		await expect.poll(() => text(ana.getByTestId('team-overlap')), POLL).toBe(expected(BERLIN));
		await expect.poll(() => text(kenji.getByTestId('team-overlap')), POLL).toBe(expected(TOKYO));

		// Choosing only himself leaves nothing to overlap with; ticking Ana back restores it.
		await kenji.getByText('Choose people').click();
		const chooser = kenji.getByRole('group', { name: 'Overlap of' });
		await chooser.getByRole('checkbox', { name: 'Ana' }).uncheck();
		await expect.poll(() => text(kenji.getByTestId('team-overlap')), POLL).toBe('Team overlap: needs working hours from at least two people.');
		await chooser.getByRole('checkbox', { name: 'Ana' }).check();
		await expect.poll(() => text(kenji.getByTestId('team-overlap')), POLL).toBe(expected(TOKYO));
	});

	it('[PP3] the viewer can be consulted on a decision; a position’s time shows its author’s time', async () => {
		await sidebar(ana).getByRole('button', { name: 'New decision' }).click();
		const dialog = ana.getByRole('dialog', { name: 'New decision' });
		await dialog.getByRole('textbox', { name: 'Title' }).fill('Meet on Tuesdays');
		// Kenji is a viewer: in no members list, but he has a profile.
		const consulted = dialog.getByRole('group', { name: 'Consulted' });
		await consulted.getByRole('checkbox', { name: 'Kenji' }).check();
		// The owner accepts or rejects, which a viewer cannot: owners come from the members list.
		expect(await dialog.getByRole('combobox', { name: 'Owner' }).locator('option', { hasText: 'Kenji' }).count()).toBe(0);
		await dialog.getByRole('group', { name: 'Deciders' }).getByRole('checkbox', { name: 'Ana' }).check();
		await dialog.getByRole('button', { name: 'Propose decision' }).click();
		await ana.waitForURL(/\/w\/[^/]+\/p\/[^/]+$/);
		const path = new URL(ana.url()).pathname;
		const panelA = ana.getByTestId('decision-panel');
		await expect.poll(() => text(panelA.getByTestId('decision-consulted')), POLL).toBe('Kenji');

		const form = panelA.getByRole('group', { name: 'Your position' });
		await form.getByRole('radio', { name: 'Agree', exact: true }).check();
		await form.getByRole('textbox', { name: 'Why (a sentence or two)' }).fill('Tuesdays overlap best.');
		await form.getByRole('button', { name: 'Save position' }).click();
		await expect.poll(() => text(panelA.getByTestId('waiting')), POLL).toBe('Waiting for: Kenji');

		await kenji.goto(new URL(path, kenji.url()).toString());
		const panelK = kenji.getByTestId('decision-panel');
		await expect.poll(() => text(panelK.getByTestId('waiting')), POLL).toBe('Waiting for: Kenji');
		const time = panelK.getByTestId('position').filter({ hasText: 'Ana' }).locator('time');
		await time.waitFor();
		const at = Date.parse((await time.getAttribute('datetime'))!);
		const authorTime = `Ana's time: ${clockAt(at, BERLIN)} (${BERLIN})`;
		// Shown in Kenji's zone; the author's own time on hover (title) and to assistive tech (description).
		expect(await time.textContent()).toBe(
			new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: TOKYO }).format(at)
		);
		await time.hover();
		expect(await time.getAttribute('title')).toBe(authorTime);
		await time.focus();
		expect(await time.evaluate((el) => el === document.activeElement)).toBe(true);
		const description = await time.evaluate((el) =>
			(el.getAttribute('aria-describedby') ?? '')
				.split(' ')
				.map((id) => document.getElementById(id)?.textContent ?? '')
				.join(' ')
		);
		expect(description).toBe(authorTime);
		// The status log's first line (who proposed it) is a Timestamp too.
		expect(await panelK.getByTestId('status-log').locator('time').first().getAttribute('title')).toMatch(/^Ana's time: \d\d:\d\d \w{3} \(Europe\/Berlin\)$/);
		await openPeople(kenji);
		await openPeople(ana);
	});

	it('[PP4] an empty name is refused with a message; nothing changes for the other', async () => {
		const form = profileForm(kenji);
		await form.getByLabel('Name').fill('   ');
		await form.getByRole('button', { name: 'Save profile' }).click();
		await expect.poll(() => text(form.getByRole('alert')), POLL).toBe('Your name cannot be empty.');
		expect(await text(form.getByRole('status'))).toBe('');
		// A save that does go through reaches Ana; the refused one never did.
		await expect.poll(() => text(card(ana, 'kenji').locator('h4')), POLL).toBe('Kenji');
		await form.getByLabel('Name').fill('Kenji Sato');
		await form.getByRole('button', { name: 'Save profile' }).click();
		await expect.poll(() => text(card(ana, 'kenji').locator('h4')), POLL).toBe('Kenji Sato');
		expect(await form.getByRole('alert').count()).toBe(0);
	});

	it('[PP5] the people page passes axe WCAG 2 A/AA at desktop width and at 390 px, without sideways scrolling', async () => {
		expect(await axeViolations(kenji, { colorScheme: 'light' })).toEqual([]);
		await kenji.setViewportSize({ width: 390, height: 844 });
		try {
			await expect.poll(async () => kenji.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), POLL).toBe(true);
			expect(await axeViolations(kenji, { colorScheme: 'light' })).toEqual([]);
		} finally {
			await kenji.setViewportSize({ width: 1100, height: 800 });
		}
	});
});
