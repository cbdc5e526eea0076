/**
 * The browser for the e2e tests: Debian's Chromium (or CHROMIUM_PATH), driven by playwright-core.
 * Nothing is ever downloaded.
 *
 * Without a Chromium the tests skip — loudly — on a laptop, and fail under CI: a green CI run must
 * mean the browser tests ran. Test files use `describe.skipIf(!chromiumPath)`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { chromium, type Browser, type BrowserContext, type BrowserServer, type Page } from 'playwright-core';

const ci = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';

// Same lookup order as scripts/test.js.
const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The Chromium binary the tests drive, or null when there is none (tests then skip). */
export const chromiumPath: string | null = candidates.find((path): path is string => Boolean(path) && existsSync(path!)) ?? null;

if (!chromiumPath) {
	if (ci) {
		throw new Error(
			'No Chromium found and CI is set, so the browser tests cannot run. Install chromium or set CHROMIUM_PATH.'
		);
	}
	if (firstInThisRun()) {
		const line = '!'.repeat(78);
		console.warn(`${line}\n!!! BROWSER TESTS SKIPPED: no Chromium found (set CHROMIUM_PATH)\n${line}`);
	}
}

/**
 * Whether no other test file of this vitest run has printed the banner yet. Every file gets fresh
 * module state, so a file named after vitest's main process marks it: that is this process when
 * tests run in worker threads, else the parent of this forked worker.
 */
function firstInThisRun(): boolean {
	const runner = isMainThread ? process.ppid : process.pid;
	try {
		writeFileSync(join(tmpdir(), `meridian-e2e-skip-banner-${runner}`), '', { flag: 'wx' });
		return true;
	} catch {
		return false;
	}
}

/** Chromium's command line for every browser the tests start (storage-errors.test.ts's profiles too). */
export const LAUNCH_ARGS: readonly string[] = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
	'--disable-quic'
];

function launchOptions() {
	if (!chromiumPath) throw new Error('BROWSER TESTS SKIPPED: no Chromium found (set CHROMIUM_PATH)');
	return { executablePath: chromiumPath, headless: true, args: [...LAUNCH_ARGS] };
}

export async function launchBrowser(): Promise<Browser> {
	return chromium.launch(launchOptions());
}

/**
 * A Chromium that test files connect to (`connectBrowser`), started once for the whole run by
 * global-setup.ts. Each file's contexts are still its own: closing a connected browser closes them.
 */
export async function launchBrowserServer(): Promise<BrowserServer> {
	return chromium.launchServer(launchOptions());
}

export async function connectBrowser(wsEndpoint: string): Promise<Browser> {
	return chromium.connect(wsEndpoint);
}

/**
 * A fresh context (its own IndexedDB, caches and service workers: a separate device) whose pages
 * report console errors and uncaught exceptions on the test's output, tagged with `label`.
 * Uncaught exceptions are also collected: see `takeUncaughtErrors`. `timezoneId` (IANA) sets the
 * device's time zone, as a member elsewhere in the world would have it.
 */
export async function newDevice(browser: Browser, label: string, options: { timezoneId?: string } = {}): Promise<BrowserContext> {
	const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, ...options });
	context.setDefaultTimeout(20_000);
	const errors: string[] = [];
	uncaught.set(context, errors);
	context.on('page', (page) => watch(page, label, errors));
	return context;
}

const uncaught = new WeakMap<BrowserContext, string[]>();

/**
 * Exceptions the app's pages threw and nobody caught since the last call (which clears them). The
 * UI often carries on after one, so tests assert this is empty rather than hoping a later step fails.
 */
export function takeUncaughtErrors(context: BrowserContext): string[] {
	const errors = uncaught.get(context) ?? [];
	return errors.splice(0, errors.length);
}

function watch(page: Page, label: string, errors: string[]): void {
	page.on('pageerror', (error) => {
		errors.push(error.message);
		console.error(`[${label}] page error: ${error.stack ?? error.message}`);
	});
	page.on('console', (message) => {
		// Failed WebSocket connections while a device is offline are expected; they are still shown.
		if (message.type() === 'error') console.error(`[${label}] console: ${message.text()}`);
	});
}
