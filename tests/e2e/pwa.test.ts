/**
 * The installable app: the manifest and its icons as the relay serves them, and the service worker
 * that makes the app shell — deep links included — load without a network.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { chromiumPath, newDevice, takeUncaughtErrors } from './support/browser.ts';
import type { Relay } from './support/relay.ts';
import { startWorld, type World } from './support/world.ts';
import { createPage, join, titleInput, typeAtEnd, waitForServiceWorker, waitForStatus, waitForText } from './support/app.ts';

interface ManifestIcon {
	src: string;
	sizes?: string;
	type?: string;
	purpose?: string;
}

/** Width and height from a PNG's IHDR chunk (bytes 16–23, big-endian). */
function pngSize(bytes: Uint8Array): string {
	const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
	if (!signature.every((byte, i) => bytes[i] === byte)) return 'not a PNG';
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	return `${view.getUint32(16)}x${view.getUint32(20)}`;
}

describe.skipIf(!chromiumPath)('installable, offline-capable app', () => {
	let world: World;
	let relay: Relay;
	let browser: Browser;

	beforeAll(async () => {
		world = await startWorld();
		({ relay, browser } = world);
	});

	afterAll(() => world?.close());

	it('serves a web app manifest with a name, a start URL, standalone display and loadable 192 and 512 px icons', async () => {
		const manifestUrl = new URL('/manifest.webmanifest', relay.url);
		const response = await fetch(manifestUrl);
		expect(response.status).toBe(200);
		const manifest = (await response.json()) as { name?: string; start_url?: string; display?: string; icons?: ManifestIcon[] };
		expect(manifest.name).toEqual(expect.any(String));
		expect(manifest.name!.length).toBeGreaterThan(0);
		expect(manifest.start_url).toEqual(expect.any(String));
		expect(manifest.display).toBe('standalone');

		const icons = manifest.icons ?? [];
		for (const size of ['192x192', '512x512']) {
			const matching = icons.filter((icon) => icon.sizes?.split(/\s+/).includes(size));
			expect(matching, `an icon of ${size}`).not.toHaveLength(0);
			for (const icon of matching) {
				const image = await fetch(new URL(icon.src, manifestUrl));
				expect(image.status, icon.src).toBe(200);
				expect(image.headers.get('content-type'), icon.src).toBe('image/png');
				expect(pngSize(new Uint8Array(await image.arrayBuffer())), icon.src).toBe(size);
			}
		}

		// The pages link it, so browsers find it.
		const html = await (await fetch(relay.url)).text();
		expect(html).toMatch(/<link rel="manifest" href="[^"]*manifest\.webmanifest"/);
	});

	it('registers a service worker that controls the page after a reload', async () => {
		const device = await newDevice(browser, 'pwa');
		try {
			const page = await device.newPage();
			await page.goto(relay.url);
			await page.evaluate(() => navigator.serviceWorker.ready);
			await page.reload();
			await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
			const script = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);
			expect(script).toBe(`${relay.url}/service-worker.js`);
			expect(takeUncaughtErrors(device)).toEqual([]);
		} finally {
			await device.close();
		}
	});

	it('reloads a deep link to a page while offline and renders the app, not the browser’s error page', async () => {
		const device = await newDevice(browser, 'pwa');
		try {
			const page = await join(device, await relay.invite({ workspace: 'pwa-offline', role: 'editor', member: 'dana' }), 'Dana');
			const path = await createPage(page, 'Field notes');
			await typeAtEnd(page, 'Written before the train left.');
			await waitForStatus(page, 'stored');
			await waitForServiceWorker(page);

			await device.setOffline(true);
			const response = await page.reload();
			// Answered by the service worker, from its cached shell.
			expect(response?.fromServiceWorker()).toBe(true);
			expect(new URL(page.url()).pathname).toBe(path);
			await expect.poll(() => titleInput(page).inputValue(), { timeout: 20_000 }).toBe('Field notes');
			await waitForText(page, (text) => text === 'Written before the train left.');
			await waitForStatus(page, 'offline');
			expect(takeUncaughtErrors(device)).toEqual([]);
		} finally {
			await device.close();
		}
	});
});
