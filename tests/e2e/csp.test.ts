/**
 * The app under the relay's Content-Security-Policy in real Chromium (issue 8 item 4): a member
 * joins through an invite, writes a page, finds it with search (the index runs in a worker started
 * from a blob: URL) and gets the service worker — with no policy violation anywhere. A script the
 * policy does not allow is injected on purpose first, to show violations are seen and blocked.
 * The token travels in Sec-WebSocket-Protocol, never in the URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { chromiumPath, newDevice, takeUncaughtErrors } from './support/browser.ts';
import { startWorld, type World } from './support/world.ts';
import { POLL, createPage, sidebar, typeAtEnd, waitForServiceWorker, waitForStatus } from './support/app.ts';

declare global {
	interface Window {
		__violations?: string[];
		__injectedRan?: boolean;
	}
}

describe.skipIf(!chromiumPath)('content security policy', () => {
	let world: World;
	let device: BrowserContext;
	beforeAll(async () => {
		world = await startWorld();
		device = await newDevice(world.browser, 'csp');
	});
	afterAll(async () => {
		await device?.close();
		await world?.close();
	});

	it('the app joins, syncs, edits, searches through its worker and registers its service worker without a violation', async () => {
		const workspace = `e2e-csp-${Date.now().toString(36)}`;
		const token = await world.relay.token({ workspace, role: 'editor', member: 'cara' });
		const page: Page = await device.newPage();
		await page.addInitScript(() => {
			window.__violations = [];
			document.addEventListener('securitypolicyviolation', (event) => {
				window.__violations!.push(`${event.violatedDirective} ${event.blockedURI}`);
			});
		});
		const consoleViolations: string[] = [];
		page.on('console', (message) => {
			if (/Content.Security.Policy/i.test(message.text())) consoleViolations.push(message.text());
		});
		const cdp = await device.newCDPSession(page);
		const offered: string[] = [];
		cdp.on('Network.webSocketWillSendHandshakeRequest', (event) => {
			const headers = Object.fromEntries(Object.entries(event.request.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
			offered.push(headers['sec-websocket-protocol'] ?? '');
		});
		const created: string[] = [];
		cdp.on('Network.webSocketCreated', (event) => created.push(event.url));
		await cdp.send('Network.enable');

		const response = await page.goto(`${world.relay.url}/join#${token}`);
		const policy = response?.headers()['content-security-policy'] ?? '';
		expect(policy).toMatch(/script-src 'self'( 'sha256-[A-Za-z0-9+/=]+'){2};/);

		// The control: an inline script the policy has no hash for is reported and does not run.
		await page.evaluate(() => {
			const script = document.createElement('script');
			script.textContent = 'window.__injectedRan = true;';
			document.head.append(script);
		});
		await expect.poll(() => page.evaluate(() => window.__violations!.length), POLL).toBe(1);
		expect(await page.evaluate(() => window.__injectedRan ?? false)).toBe(false);
		expect(await page.evaluate(() => window.__violations![0])).toBe('script-src-elem inline');
		await expect.poll(() => consoleViolations.length, POLL).toBe(1);
		expect(consoleViolations.splice(0)[0]).toMatch(/^Executing inline script violates/);

		await page.getByRole('textbox', { name: 'Your name' }).fill('Cara Diaz');
		await page.getByRole('button', { name: 'Join' }).click();
		await page.waitForURL(/\/w\/[^/]+$/);
		await waitForStatus(page, 'stored');

		await createPage(page, 'Policy notes');
		await typeAtEnd(page, 'Wombats dig under a strict policy.');
		await waitForStatus(page, 'stored');

		await sidebar(page).getByRole('link', { name: 'Search', exact: true }).click();
		await page.waitForURL(/\/search$/);
		await page.getByRole('searchbox', { name: 'Search pages, decisions and comments' }).fill('wombats');
		await expect
			.poll(() => page.getByTestId('search-results').getByTestId('search-result').allTextContents(), POLL)
			.toEqual([expect.stringContaining('Policy notes')]);
		// The index ran in its worker, not in the page's fallback engine.
		const workers = page.workers().map((worker) => worker.url());
		expect(workers.some((url) => url.startsWith('blob:') || url.startsWith('data:')), workers.join(', ')).toBe(true);

		await waitForServiceWorker(page);

		expect(await page.evaluate(() => window.__violations)).toEqual(['script-src-elem inline']);
		expect(consoleViolations).toEqual([]);
		expect(takeUncaughtErrors(device)).toEqual([]);

		// The token went as a sub-protocol of the one socket, never in a URL.
		expect(created.length).toBeGreaterThan(0);
		for (const url of created) expect(url).not.toContain('token');
		expect(offered).toContain(`meridian.v2, meridian.v1, meridian-token.${token}`);
	});
});
