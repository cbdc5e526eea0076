/**
 * Mentions in page text in real Chromium against a real relay: Ana mentions Ben, who renames
 * himself (issue 5 item 2; the editor side is unit-tested in tests/unit/editor-mentions.test.ts).
 *
 * [MN1] Ana types `@` and part of Ben's name in a page: a listbox of members opens, tied to the
 *       editor by aria-activedescendant; Enter chooses, and the chip shows "@Ben" followed by
 *       what she types next; her own mention stands out (`mention-me`), and axe passes with the
 *       menu open and with the chips in both themes. Ben renames himself on the People page, and
 *       the chip on Ana's device follows. A pasted mention of a member nobody here knows shows as
 *       plain text, no chip.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { axeViolations } from './support/axe.ts';
import { chromiumPath } from './support/browser.ts';
import { useTeam } from './support/world.ts';
import { POLL, createPage, editor, sidebar, typeAtEnd, waitForText } from './support/app.ts';


/** Pastes `html` at the caret, as the clipboard would deliver it. */
async function pasteHtml(page: Page, html: string, text: string): Promise<void> {
	await editor(page).evaluate(
		(root, [html, text]) => {
			const data = new DataTransfer();
			data.setData('text/html', html!);
			data.setData('text/plain', text!);
			root.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
		},
		[html, text]
	);
}

describe.skipIf(!chromiumPath)('mentions in page text', () => {
	const workspace = `e2e-mentions-${Date.now().toString(36)}`;
	const team = useTeam(workspace, [
		{ device: 'A', member: 'ana', name: 'Ana' },
		{ device: 'B', member: 'ben', name: 'Ben' }
	]);
	let ana: Page;
	let ben: Page;

	beforeAll(() => {
		({ pages: [ana, ben] } = team);
	});

	it('[MN1] Ana mentions Ben from the @ menu; the chip follows his rename', async () => {
		await createPage(ana, 'Launch plan');
		await typeAtEnd(ana, 'Ask @Be');
		const menu = ana.getByRole('listbox', { name: 'Mention a member' });
		const option = menu.getByRole('option', { name: 'Ben' });
		await option.waitFor();
		expect(await option.getAttribute('aria-selected')).toBe('true');
		expect(await editor(ana).getAttribute('aria-activedescendant')).toBe(await option.getAttribute('id'));
		await ana.keyboard.press('Enter');
		await menu.waitFor({ state: 'detached' });
		await ana.keyboard.type('please');

		const chip = editor(ana).locator('.mention[data-mention=ben]');
		await expect.poll(() => chip.textContent(), POLL).toBe('@Ben');
		expect(await editor(ana).getAttribute('aria-activedescendant')).toBeNull();
		await waitForText(ana, (text) => text.endsWith('Ask @Ben please'));

		// Ana mentions herself too: her own chip stands out. The page passes axe with the menu open
		// (light theme) and with both chips (dark theme).
		await ana.keyboard.type(' @An');
		await menu.getByRole('option', { name: 'Ana (you)' }).waitFor();
		expect(await axeViolations(ana, { colorScheme: 'light' })).toEqual([]);
		await ana.keyboard.press('Enter');
		const mine = editor(ana).locator('.mention.mention-me[data-mention=ana]');
		await expect.poll(() => mine.textContent(), POLL).toBe('@Ana');
		expect(await axeViolations(ana, { scope: '[data-testid=editor]', colorScheme: 'dark' })).toEqual([]);
		await ana.emulateMedia({ colorScheme: 'light' });

		// Ben renames himself; Ana's chip follows without her doing anything.
		await sidebar(ben).getByRole('link', { name: 'People', exact: true }).click();
		const form = ben.getByRole('form', { name: 'Your profile' });
		await form.getByLabel('Name').fill('Benedict');
		await form.getByRole('button', { name: 'Save profile' }).click();
		await expect.poll(() => chip.textContent(), POLL).toBe('@Benedict');

		// Nobody here is called Zed: a pasted mention of him is text, not a chip.
		await pasteHtml(ana, '<span data-mention="zed" data-label="Zed">@Zed</span>', '@Zed');
		await waitForText(ana, (text) => text.endsWith('Ask @Benedict please @Ana @Zed'));
		const pasted = editor(ana).locator('span', { hasText: '@Zed' });
		expect(await pasted.evaluateAll((spans) => spans.map((s) => [s.className, s.getAttribute('data-mention'), s.getAttribute('contenteditable')]))).toEqual([['', null, 'false']]);
	});
});
