/**
 * The wiki editor in real Chromium: Markdown shortcuts as a person types them, task checkboxes,
 * exporting a page as Markdown, paste (sanitised HTML, Markdown text, a URL onto a selection), the
 * slash menu and the floating toolbar, and undo that undoes only your own edit (two devices, a relay).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumPath, newDevice, takeUncaughtErrors } from './support/browser.ts';
import type { Relay } from './support/relay.ts';
import { joinTeam, startWorld, type World } from './support/world.ts';
import { POLL, downloadText, createLocalWorkspace, createPage, editor, typeAtEnd, waitForStatus, waitForText } from './support/app.ts';

describe.skipIf(!chromiumPath)('the editor', () => {
	let world: World;
	let relay: Relay;
	let browser: Browser;
	let device: BrowserContext;
	let page: Page;

	beforeAll(async () => {
		world = await startWorld();
		({ relay, browser } = world);
		device = await newDevice(browser, 'A');
		page = await createLocalWorkspace(device, relay.url, 'Editor tests', 'Ana');
	});

	afterAll(() => world?.close());

	afterEach(() => {
		expect(takeUncaughtErrors(device), 'uncaught exceptions').toEqual([]);
	});

	it('Markdown shortcuts format as you type', async () => {
		await createPage(page, 'Shortcuts');
		await typeAtEnd(page, '# Plan');
		await page.keyboard.press('Enter');
		await page.keyboard.type('We ship **on time** and `fast`.');
		await page.keyboard.press('Enter');
		await page.keyboard.type('[] write docs');
		await waitForText(page, (text) => text.includes('write docs'));

		await expect.poll(() => editor(page).locator('h1').textContent(), POLL).toBe('Plan');
		expect(await editor(page).locator('strong').textContent()).toBe('on time');
		expect(await editor(page).locator('p code').textContent()).toBe('fast');
		const task = editor(page).locator('li[data-type=taskItem]');
		expect(await task.getAttribute('data-checked')).toBe('false');

		// The checkbox is a real one, and ticking it is an edit.
		await task.getByRole('checkbox', { name: 'Done' }).click();
		await expect.poll(() => task.getAttribute('data-checked'), POLL).toBe('true');
		await editor(page).click();
		await page.keyboard.press('Control+End');
		await page.keyboard.press('Control+Enter');
		await expect.poll(() => task.getAttribute('data-checked'), POLL).toBe('false');
	});

	it('downloads the page as a .md file named after its title', async () => {
		await createPage(page, 'Export: "me" / now');
		await typeAtEnd(page, '## Steps');
		await page.keyboard.press('Enter');
		await page.keyboard.type('- one');
		await page.keyboard.press('Enter');
		await page.keyboard.type('two');
		await waitForText(page, (text) => text.includes('two'));

		const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .md' }).click()]);
		expect(download.suggestedFilename()).toBe('Export- -me- - now.md');
		const text = await downloadText(download);
		expect(text).toBe('# Export: "me" / now\n\n## Steps\n\n- one\n- two\n');
	});

	it('paste: HTML is cleaned to the schema without running or fetching anything; Markdown text is parsed; a URL links the selection', async () => {
		await createPage(page, 'Paste');
		await typeAtEnd(page, 'start');
		const fetched: string[] = [];
		page.on('request', (request) => {
			if (request.url().includes('never-fetched')) fetched.push(request.url());
		});
		const html = [
			'<p>Hi <b>bold</b> <a href="javascript:alert(1)" onclick="window.__pwned=1">bad</a> <a href="https://ok.example/">ok</a>',
			`<img src="${relay.url}/never-fetched.png" onerror="window.__pwned=2" alt="pic"><script>window.__pwned=3</script></p>`,
			'<style>p { font-weight: bold }</style>',
			'<ul><li><input type="checkbox" checked> done</li><li><input type="checkbox"> todo</li></ul>',
			`<iframe src="${relay.url}/never-fetched-frame"></iframe>`
		].join('');
		const paste = (data: Record<string, string>) =>
			editor(page).evaluate((element, entries) => {
				const transfer = new DataTransfer();
				for (const [type, value] of Object.entries(entries)) transfer.setData(type, value);
				element.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
			}, data);

		await paste({ 'text/html': html, 'text/plain': 'Hi bold bad ok' });
		await waitForText(page, (text) => text.includes('todo'));
		const root = editor(page);
		expect(await root.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['https://ok.example/']);
		expect(await root.locator('strong').allTextContents()).toEqual(['bold']);
		expect(await root.locator('img, script, style, iframe, [onclick], [onerror]').count()).toBe(0);
		expect(await root.textContent()).toContain('pic');
		const tasks = root.locator('li[data-type=taskItem]');
		expect(await tasks.evaluateAll((items) => items.map((li) => li.getAttribute('data-checked')))).toEqual(['true', 'false']);

		await page.keyboard.press('Control+End');
		await page.keyboard.press('Enter');
		await page.keyboard.press('Enter');
		await paste({ 'text/plain': '## Pasted heading\n\n- alpha\n- beta\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n' });
		await expect.poll(() => root.locator('h2').textContent(), POLL).toBe('Pasted heading');
		expect(await root.locator('ul:not([data-type]) > li').allTextContents()).toEqual(['alpha', 'beta']);
		expect(await root.locator('table th').allTextContents()).toEqual(['a', 'b']);

		// Select a line and paste an address onto it.
		await page.keyboard.press('Control+End');
		await page.keyboard.press('Enter');
		await page.keyboard.type('link me');
		await page.keyboard.press('Shift+Home');
		// The synthetic paste reads the editor's state: wait until the selection has reached it
		// (ProseMirror reads DOM selection changes asynchronously; the toolbar shows it has).
		await page.getByRole('toolbar', { name: 'Formatting' }).waitFor();
		await paste({ 'text/plain': 'https://example.com/docs' });
		await expect.poll(() => root.locator('a[href="https://example.com/docs"]').textContent(), POLL).toBe('link me');

		expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
		expect(fetched).toEqual([]);
		page.removeAllListeners('request');
	});

	it('the slash menu filters, is driven by the keyboard, and inserts a heading', async () => {
		await createPage(page, 'Slash');
		await typeAtEnd(page, 'Intro');
		await page.keyboard.press('Enter');
		await page.keyboard.type('/');
		const menu = page.getByRole('listbox', { name: 'Insert block' });
		await menu.waitFor();
		expect(await menu.getByRole('option').count()).toBeGreaterThan(8);
		expect(await editor(page).getAttribute('aria-controls')).toBe('slash-menu');
		expect(await editor(page).getAttribute('aria-activedescendant')).toBe('slash-option-text');

		await page.keyboard.type('head');
		await expect.poll(() => menu.locator('[role=option] .label').allTextContents(), POLL).toEqual(['Heading 1', 'Heading 2', 'Heading 3']);
		await page.keyboard.press('ArrowDown');
		expect(await menu.getByRole('option', { selected: true }).textContent()).toContain('Heading 2');
		expect(await editor(page).getAttribute('aria-activedescendant')).toBe('slash-option-h2');
		await page.keyboard.press('Enter');
		await menu.waitFor({ state: 'detached' });
		await page.keyboard.type('Details');
		await expect.poll(() => editor(page).locator('h2').textContent(), POLL).toBe('Details');
		expect(await editor(page).getAttribute('aria-activedescendant')).toBeNull();

		// Escape closes it and leaves the slash as text; the mouse works too.
		await page.keyboard.press('Enter');
		await page.keyboard.type('a/');
		expect(await menu.count()).toBe(0); // not after a letter
		await page.keyboard.type(' /');
		await menu.waitFor();
		await page.keyboard.press('Escape');
		await menu.waitFor({ state: 'detached' });
		await page.keyboard.press('Enter');
		await page.keyboard.type('/div');
		await menu.getByRole('option', { name: /Divider/ }).click();
		await expect.poll(() => editor(page).locator('hr').count(), POLL).toBe(1);
		await waitForText(page, (text) => text.includes('a/ /'));
	});

	it('the floating toolbar formats the selection', async () => {
		await createPage(page, 'Toolbar');
		await typeAtEnd(page, 'make this bold');
		const bar = page.getByRole('toolbar', { name: 'Formatting' });
		expect(await bar.count()).toBe(0);
		await page.keyboard.press('Shift+Home');
		await bar.waitFor();
		await bar.getByRole('button', { name: 'Bold' }).click();
		await expect.poll(() => editor(page).locator('strong').textContent(), POLL).toBe('make this bold');
		expect(await bar.getByRole('button', { name: 'Bold' }).getAttribute('aria-pressed')).toBe('true');
		await bar.getByRole('button', { name: 'Strikethrough' }).click();
		await expect.poll(() => editor(page).locator('s').count(), POLL).toBe(1);
		// Alt-F10 reaches it from the keyboard; Escape goes back to the text.
		await page.keyboard.press('Alt+F10');
		await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')), POLL).toBe('Bold');
		await page.keyboard.press('ArrowRight');
		await page.keyboard.press('ArrowRight');
		await page.keyboard.press('Enter');
		await expect.poll(() => editor(page).locator('s').count(), POLL).toBe(0);
		await page.keyboard.press('Escape');
		await page.keyboard.press('End');
		await bar.waitFor({ state: 'detached' });
	});

	it('undo undoes only your own edit; a teammate’s edit stays', async () => {
		const workspace = `undo-${Date.now().toString(36)}`;
		const {
			devices: [deviceA, deviceB],
			pages: [ana, bo]
		} = await joinTeam(world, workspace, [
			{ device: 'undo-A', member: 'ana', name: 'Ana' },
			{ device: 'undo-B', member: 'bo', name: 'Bo' }
		]);
		try {
			const path = await createPage(ana, 'Undo');
			await typeAtEnd(ana, 'Shared start.');
			await bo.goto(relay.url + path);
			await waitForText(bo, (text) => text === 'Shared start.');

			await editor(ana).click();
			await ana.keyboard.press('Control+End');
			await ana.keyboard.press('Enter');
			await ana.keyboard.type('Ana adds this.');
			await waitForText(bo, (text) => text.includes('Ana adds this.'));
			// y-prosemirror groups edits made within 500 ms into one undo step; Bo edits after that.
			await bo.waitForTimeout(600);
			await typeAtEnd(bo, ' Bo adds this.');
			await waitForText(ana, (text) => text.includes('Bo adds this.'));

			await editor(ana).focus();
			await ana.keyboard.press('Control+z');
			await waitForText(ana, (text) => !text.includes('Ana adds this.') && text.includes('Bo adds this.'));
			await waitForText(bo, (text) => !text.includes('Ana adds this.') && text.includes('Bo adds this.'));
			// Redo brings Ana's back, Bo's still there.
			await ana.keyboard.press('Control+Shift+z');
			await waitForText(bo, (text) => text.includes('Ana adds this.') && text.includes('Bo adds this.'));
			await waitForStatus(ana, 'stored');
			expect(takeUncaughtErrors(deviceA)).toEqual([]);
			expect(takeUncaughtErrors(deviceB)).toEqual([]);
		} finally {
			await Promise.all([deviceA.close(), deviceB.close()]);
		}
	});

	it('code blocks take a language label, callouts a tone, and a link under the caret can be edited or removed', async () => {
		await createPage(page, 'Blocks');
		await typeAtEnd(page, '```ts');
		await page.keyboard.press('Enter');
		await page.keyboard.type('const x = 1;');
		const language = editor(page).getByRole('textbox', { name: 'Code language' });
		await expect.poll(() => language.inputValue(), POLL).toBe('ts');
		await language.fill('Python');
		await language.press('Enter');
		await expect.poll(() => editor(page).locator('pre code').getAttribute('class'), POLL).toBe('language-python');
		expect(await language.inputValue()).toBe('python');

		await page.keyboard.press('Control+End');
		await page.keyboard.press('Control+Enter'); // leaves the code block
		await page.keyboard.type('/callout');
		await page.keyboard.press('Enter');
		await page.keyboard.type('Careful here');
		const callout = editor(page).locator('.callout');
		await expect.poll(() => callout.getAttribute('data-callout'), POLL).toBe('info');
		await callout.getByRole('combobox', { name: 'Callout type' }).selectOption('warning');
		await expect.poll(() => callout.getAttribute('data-callout'), POLL).toBe('warning');
		await waitForText(page, (text) => text.includes('Careful here'));

		// Link the word "here" with Mod-K, then edit and remove it from the link bar.
		await editor(page).click();
		await page.keyboard.press('Control+End');
		for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowLeft');
		page.once('dialog', (dialog) => void dialog.accept('https://one.example/'));
		await page.keyboard.press('Control+k');
		await expect.poll(() => editor(page).locator('a').getAttribute('href'), POLL).toBe('https://one.example/');
		await page.keyboard.press('ArrowLeft');
		const linkBar = page.getByRole('toolbar', { name: 'Link' });
		await linkBar.waitFor();
		expect(await linkBar.getByRole('link').getAttribute('href')).toBe('https://one.example/');
		page.once('dialog', (dialog) => void dialog.accept('two.example'));
		await linkBar.getByRole('button', { name: 'Edit' }).click();
		await expect.poll(() => editor(page).locator('a').getAttribute('href'), POLL).toBe('https://two.example');
		await linkBar.getByRole('button', { name: 'Remove' }).click();
		await expect.poll(() => editor(page).locator('a').count(), POLL).toBe(0);
		await waitForText(page, (text) => text.includes('Careful here'));
	});

	it('deleting everything leaves a paragraph to type in (the schema allows an empty page)', async () => {
		await createPage(page, 'Empty');
		await typeAtEnd(page, '> quoted');
		await page.keyboard.press('Enter');
		await page.keyboard.press('Enter');
		await page.keyboard.type('[] task');
		await page.keyboard.press('Control+a');
		await page.keyboard.press('Backspace');
		await page.keyboard.type('fresh start');
		await waitForText(page, (text) => text === 'fresh start');
		expect(await editor(page).locator(':scope > p').count()).toBe(1);
	});

	it('a table from the slash menu: Tab moves and grows it, the table bar adds and removes rows and columns', async () => {
		await createPage(page, 'Table');
		await typeAtEnd(page, '/table');
		await page.keyboard.press('Enter');
		const table = editor(page).locator('table');
		await table.waitFor();
		await page.keyboard.type('Name');
		await page.keyboard.press('Tab');
		await page.keyboard.type('Role');
		expect(await table.locator('th').allTextContents()).toEqual(['Name', 'Role', '']);
		const bar = page.getByRole('toolbar', { name: 'Table' });
		await bar.getByRole('button', { name: 'Add column right' }).click();
		await expect.poll(() => table.locator('tr').first().locator('th').count(), POLL).toBe(4);
		await bar.getByRole('button', { name: 'Add row below' }).click();
		await expect.poll(() => table.locator('tr').count(), POLL).toBe(4);
		// New cells have a paragraph to type in.
		expect(await table.locator('td:not(:has(p))').count()).toBe(0);
		await bar.getByRole('button', { name: 'Delete column' }).click();
		await expect.poll(() => table.locator('tr').first().locator('th').count(), POLL).toBe(3);
		await bar.getByRole('button', { name: 'Delete table' }).click();
		await expect.poll(() => table.count(), POLL).toBe(0);
	});
});
