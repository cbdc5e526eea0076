/**
 * Driving Meridian's UI the way a member does: invite links, the sidebar, the editor. Selectors are
 * the app's accessible names and data-testids (see src/routes/w/[ws]/Workspace.svelte, PageView.svelte).
 */
import { expect } from 'vitest';
import type { BrowserContext, Download, Page } from 'playwright-core';

/** Status kinds of `[data-testid=sync-status]` (src/lib/sync/status.ts). */
export type SyncKind = 'stored' | 'syncing' | 'offline' | 'device-only' | 'saving' | 'local-error' | 'denied';

/**
 * How long and how often the tests poll for what the app shows. Each attempt is one or two CDP
 * round trips (a few ms); a short interval matters because hundreds of polls per file each used
 * to wait a whole interval after a first miss.
 */
export const POLL = { timeout: 20_000, interval: 25 } as const;

/** Opens an invite link in a new tab, joins under `name`, and waits for the workspace to open. */
export async function join(context: BrowserContext, invite: string, name: string): Promise<Page> {
	const page = await context.newPage();
	await page.goto(invite);
	await page.getByRole('textbox', { name: 'Your name' }).fill(name);
	await page.getByRole('button', { name: 'Join' }).click();
	await page.waitForURL(/\/w\/[^/]+$/);
	await page.locator('[data-testid=sync-status]').waitFor();
	return page;
}

export function syncStatus(page: Page) {
	return page.locator('[data-testid=sync-status]');
}

export function pageStatus(page: Page) {
	return page.locator('[data-testid=page-status]');
}

export function editor(page: Page) {
	return page.locator('[data-testid=editor] .ProseMirror');
}

export function titleInput(page: Page) {
	return page.getByRole('textbox', { name: 'Page title' });
}

export function sidebar(page: Page) {
	return page.getByRole('navigation', { name: 'Pages' });
}

export async function statusKind(page: Page): Promise<string | null> {
	return syncStatus(page).getAttribute('data-status');
}

export async function waitForStatus(page: Page, kind: SyncKind, timeout: number = POLL.timeout): Promise<void> {
	await expect
		.poll(async () => `${await statusKind(page)} (${await syncStatus(page).textContent()})`, { timeout, interval: POLL.interval })
		.toMatch(new RegExp(`^${kind} `));
}

/** The editor's text, paragraph by paragraph (what a reader sees, without the cursor widgets). */
export async function editorText(page: Page): Promise<string> {
	return editor(page).evaluate((root) =>
		[...root.children]
			.map((block) => {
				const copy = block.cloneNode(true) as HTMLElement;
				for (const widget of copy.querySelectorAll('.ProseMirror-yjs-cursor')) widget.remove();
				return copy.textContent ?? '';
			})
			.join('\n')
	);
}

/** Waits until the editor's text satisfies `check`; fails with the last text seen. */
export async function waitForText(page: Page, check: (text: string) => boolean, timeout: number = POLL.timeout): Promise<string> {
	let last = '';
	await expect
		.poll(async () => check((last = await editorText(page))), { timeout, interval: POLL.interval, message: `editor text never matched; last seen: ${JSON.stringify(last)}` })
		.toBe(true);
	return last;
}

/** Puts the caret at the end of the editor's last block and types like a person. */
export async function typeAtEnd(page: Page, text: string): Promise<void> {
	await editor(page).click();
	await page.keyboard.press('Control+End');
	await page.keyboard.type(text);
}

/** Clicks "New page" and waits for the new page's editor; returns its path. */
export async function createPage(page: Page, title: string): Promise<string> {
	await page.getByRole('button', { name: 'New page' }).click();
	await page.waitForURL(/\/w\/[^/]+\/p\/[^/]+$/);
	await editor(page).waitFor();
	await titleInput(page).fill(title);
	// In the tree: the sidebar's other links ("Decision log") may share a page's title.
	await expect.poll(() => sidebar(page).getByRole('tree').getByRole('link', { name: title }).count(), POLL).toBe(1);
	return new URL(page.url()).pathname;
}

/** Names in the remote cursors y-prosemirror draws in this page's editor. */
export async function remoteCursorNames(page: Page): Promise<string[]> {
	// y-prosemirror wraps the name in U+2060 word joiners so the label never breaks a line.
	return page
		.locator('[data-testid=editor] .ProseMirror-yjs-cursor')
		.evaluateAll((cursors) => cursors.map((c) => (c.textContent ?? '').replace(/\u2060/g, '').trim()));
}

/** Until the page's saved state is in IndexedDB (the store writes asynchronously). */
export async function waitUntilSavedOnDevice(page: Page): Promise<void> {
	await expect.poll(() => pageStatus(page).textContent(), POLL).not.toMatch(/Saving on this device/);
	await expect.poll(() => statusKind(page), POLL).not.toBe('saving');
}

/**
 * Waits for the service worker to be active and in control of this page, so the app shell is
 * cached and a reload works offline.
 */
export async function waitForServiceWorker(page: Page, timeout = 20_000): Promise<void> {
	const ready = await page
		.evaluate(
			(ms) =>
				Promise.race([
					navigator.serviceWorker.ready.then(() => true),
					new Promise<false>((resolve) => setTimeout(() => resolve(false), ms))
				]),
			timeout
		)
		.catch(() => false);
	if (!ready) throw new Error(`No service worker became active within ${timeout} ms: is it registered (AppUpdate.start())?`);
	// The first install claims the page; a page loaded before that has no controller until it reloads.
	const controlled = await page.evaluate(() => navigator.serviceWorker.controller !== null);
	if (!controlled) await page.reload();
	await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout });
}

/**
 * Creates a workspace that lives on this device only (the home page's form: no token, so no relay)
 * in a new tab, and waits for it to open. Returns the tab, on the workspace overview.
 */
export async function createLocalWorkspace(context: BrowserContext, origin: string, name: string, memberName: string): Promise<Page> {
	const page = await context.newPage();
	await page.goto(origin);
	await page.getByRole('textbox', { name: 'Your name' }).fill(memberName);
	await page.getByRole('textbox', { name: 'Workspace name' }).fill(name);
	await page.getByRole('button', { name: 'Create workspace' }).click();
	await page.waitForURL(/\/w\/[^/]+$/);
	await page.locator('[data-testid=sync-status]').waitFor();
	return page;
}

/** The overview's `progress[data-testid=sync-progress]`: documents synced (`value`) of known (`max`). */
export async function syncProgress(page: Page): Promise<{ value: number; max: number }> {
	return page
		.locator('progress[data-testid=sync-progress]')
		.evaluate((bar: HTMLProgressElement) => ({ value: bar.value, max: bar.max }));
}

/**
 * Records the URL of every WebSocket any tab of `context` opens from now on (tabs opened later
 * included). Call before the first tab is opened to see them all.
 */
export function recordWebSockets(context: BrowserContext): string[] {
	const opened: string[] = [];
	const watch = (page: Page) => page.on('websocket', (socket) => opened.push(socket.url()));
	context.pages().forEach(watch);
	context.on('page', watch);
	return opened;
}

/**
 * A download's contents as text. The browser is a shared server the tests connect to
 * (world.ts), so `download.path()` is not available: the file is streamed over the connection.
 */
export async function downloadText(download: Download): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

/** Selects `text` (inside one text node) in the page's editor, as a member dragging over it would. */
export async function selectText(page: Page, text: string): Promise<void> {
	await editor(page).click();
	const found = await editor(page).evaluate((root, wanted) => {
		const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
		for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
			const at = node.data.indexOf(wanted);
			if (at < 0) continue;
			const range = document.createRange();
			range.setStart(node, at);
			range.setEnd(node, at + wanted.length);
			const selection = window.getSelection()!;
			selection.removeAllRanges();
			selection.addRange(range);
			return true;
		}
		return false;
	}, text);
	expect(found, `"${text}" in the editor`).toBe(true);
}
