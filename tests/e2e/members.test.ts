/**
 * Invites and members from the app against a real relay (issue 8 item 2; PROTOCOL.md, "Invites
 * and members (HTTP API)"). Ana is the workspace's admin (a CLI-made admin token); Ben is new and
 * joins on a device of his own with the link Ana makes; Cleo tries the same link afterwards.
 *
 * [M1] Ana opens Members from the sidebar (her own row says "(you)", named by her profile: the
 *      relay knows her only by her token's member id, as it first saw her connect), creates an editor invite
 *      for one use and copies the link, shown once. Ben opens it, gives his name, lands in the
 *      workspace and can edit: his change is stored on the relay.
 * [M2] Ana sees Ben in Members and makes him a viewer: on Ben's device the editor turns read-only
 *      within seconds, without a reload. Making herself a viewer is refused (the last admin) and
 *      her select goes back to admin.
 * [M3] Ana removes Ben by keyboard (after a confirm; focus goes to the members heading): Ben's device says he
 *      was removed. The used-up link, opened on a third device, says so and adds nothing.
 * [M4] The Members page passes axe-core's WCAG 2 A/AA rules in light and dark, and at 390 px it
 *      fits without scrolling sideways; so does the join page showing its error.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { axeViolations } from './support/axe.ts';
import { chromiumPath, newDevice } from './support/browser.ts';
import { useTeam } from './support/world.ts';
import { POLL, createPage, editor, join, pageStatus, sidebar, typeAtEnd } from './support/app.ts';

function membersTable(page: Page) {
	return page.getByTestId('members');
}

describe.skipIf(!chromiumPath)('invites and members', () => {
	const workspace = `e2e-members-${Date.now().toString(36)}`;
	const team = useTeam(workspace, [{ device: 'A', member: 'ana', name: 'Ana Lima', role: 'admin' }]);

	it('[M1–M4] invite, join, demote, remove; a used-up link; accessible', async () => {
		const [ana] = team.pages;
		const [anaDevice] = team.devices;
		const origin = new URL(ana.url()).origin;
		await anaDevice.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
		const planPath = await createPage(ana, 'Plan');

		// [M1] Members, from the sidebar; Ana is known to the relay from her token.
		await sidebar(ana).getByRole('link', { name: 'Members', exact: true }).click();
		await ana.waitForURL(/\/members$/);
		await expect.poll(() => membersTable(ana).getByRole('rowheader').allTextContents(), POLL).toEqual(['Ana Lima\u00a0(you)']);

		await ana.getByLabel('Role', { exact: true }).selectOption('editor');
		await ana.getByLabel('Expires after').selectOption({ label: '7 days' });
		await ana.getByLabel('Uses', { exact: true }).selectOption('1');
		await ana.getByRole('button', { name: 'Create invite link' }).click();
		const field = ana.getByRole('textbox', { name: /^Invite link/ });
		await field.waitFor();
		const link = await field.inputValue();
		expect(link).toMatch(new RegExp(`^${origin}/join#invite=[A-Za-z0-9_-]{43}$`));
		expect(await field.getAttribute('readonly')).not.toBeNull();
		await ana.getByRole('button', { name: 'Copy', exact: true }).click();
		await expect.poll(() => ana.getByRole('status').filter({ hasText: 'Copied' }).count(), POLL).toBe(1);
		expect(await ana.evaluate(() => navigator.clipboard.readText())).toBe(link);
		const invites = ana.getByTestId('invites');
		expect((await invites.locator('tbody tr').first().locator('td').allTextContents()).filter((t, i) => i !== 2)).toEqual(['editor', '0 of 1', 'Active', 'Revoke']);

		const benDevice = await newDevice(team.browser, 'B');
		const cleoDevice = await newDevice(team.browser, 'C');
		try {
			const ben = await join(benDevice, link, 'Ben Okafor');
			// The code is out of the address bar at once, and the workspace opened is Ana's.
			expect(new URL(ben.url()).pathname).toBe(`/w/${workspace}`);
			await ben.goto(`${origin}${planPath}`);
			await typeAtEnd(ben, 'Ben was here');
			await expect.poll(() => pageStatus(ben).textContent(), POLL).toBe('Stored on the relay');

			// [M2] Ana sees Ben and makes him a viewer.
			await ana.getByRole('button', { name: 'Refresh' }).click();
			const benRole = ana.getByRole('combobox', { name: 'Role of Ben Okafor' });
			await benRole.waitFor();
			expect(await benRole.inputValue()).toBe('editor');
			expect(await invites.locator('tbody tr').first().locator('td').nth(3).textContent()).toBe('Used up');
			expect(await editor(ben).getAttribute('contenteditable')).toBe('true');
			await ben.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
			await benRole.selectOption('viewer');
			await expect.poll(() => ana.getByRole('status').filter({ hasText: 'Ben Okafor is now a viewer.' }).count(), POLL).toBe(1);
			await expect.poll(() => editor(ben).getAttribute('contenteditable'), POLL).toBe('false');
			expect(await ben.evaluate(() => (window as unknown as { stayed?: boolean }).stayed), 'no reload').toBe(true);

			const anaRole = ana.getByRole('combobox', { name: 'Role of Ana Lima (you)' });
			await anaRole.selectOption('viewer');
			await expect.poll(() => ana.getByRole('alert').filter({ hasText: 'Could not change Ana Lima’s role' }).textContent(), POLL).toMatch(/admin/);
			expect(await anaRole.inputValue()).toBe('admin');

			// [M4] axe on the page as it stands (both lists filled, an error shown), light and dark.
			expect(await axeViolations(ana, { colorScheme: 'light' })).toEqual([]);
			expect(await axeViolations(ana, { colorScheme: 'dark' })).toEqual([]);

			// [M3] Ana removes Ben.
			// By keyboard: the confirm opens on Cancel, the safe answer; Tab reaches Remove.
			await ana.getByRole('button', { name: 'Remove Ben Okafor' }).focus();
			await ana.keyboard.press('Enter');
			const dialog = ana.getByRole('alertdialog', { name: 'Remove Ben Okafor?' });
			await dialog.waitFor();
			expect(await ana.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
			await ana.keyboard.press('Tab');
			await ana.keyboard.press('Enter');
			await expect.poll(() => membersTable(ana).getByRole('rowheader').allTextContents(), POLL).toEqual(['Ana Lima\u00a0(you)']);
			expect(await ana.evaluate(() => document.activeElement?.id)).toBe('members-heading');
			await expect.poll(() => ben.getByTestId('access-ended').textContent(), POLL).toMatch(/You were removed from this workspace\./);

			// The used-up link on a third device: the relay's sentence, and no workspace added.
			const cleo = await cleoDevice.newPage();
			await cleo.goto(link);
			// The code leaves the address bar as soon as the page has read it.
			await expect.poll(() => new URL(cleo.url()).hash, POLL).toBe('');
			await cleo.getByRole('textbox', { name: 'Your name' }).fill('Cleo');
			await cleo.getByRole('button', { name: 'Join' }).click();
			await expect.poll(() => cleo.getByTestId('join-error').textContent(), POLL).toBe('This invite has been used as many times as it allows. Ask an admin for a new one.');
			expect(new URL(cleo.url()).pathname).toBe('/join');
			expect(await axeViolations(cleo, { colorScheme: 'light' })).toEqual([]);
		} finally {
			await Promise.all([benDevice.close(), cleoDevice.close()]);
		}

		// [M4] 390 px: no sideways scrolling, and still no violations.
		await ana.setViewportSize({ width: 390, height: 800 });
		await expect.poll(() => ana.evaluate(() => document.documentElement.scrollWidth), POLL).toBeLessThanOrEqual(390);
		expect(await axeViolations(ana, { colorScheme: 'light' })).toEqual([]);
	});
});
