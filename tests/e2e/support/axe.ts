/**
 * axe-core in the page under test: its WCAG 2 A/AA violations, as "rule: element selectors"
 * lines (empty when there are none), so a failing assertion says what and where.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource: string | null = null;

/**
 * Puts axe-core into the page, once. Evaluated through the DevTools protocol rather than added as
 * a <script>: the relay's Content-Security-Policy blocks inline scripts, and page.addScriptTag
 * writes one.
 */
export async function injectAxe(page: Page): Promise<void> {
	if (await page.evaluate(() => 'axe' in window)) return;
	await page.evaluate((axeSource ??= readFileSync(AXE_PATH, 'utf8')) + '\n;undefined');
	if (!(await page.evaluate(() => 'axe' in window))) throw new Error('axe-core did not load into the page');
}

export interface AxeOptions {
	/** A selector to audit only part of the page (e.g. 'dialog[open]'); the whole page if absent. */
	readonly scope?: string | null;
	/** Emulates this colour scheme first (the app follows the system theme by default). */
	readonly colorScheme?: 'light' | 'dark';
}

export async function axeViolations(page: Page, { scope = null, colorScheme }: AxeOptions = {}): Promise<string[]> {
	if (colorScheme) await page.emulateMedia({ colorScheme });
	await injectAxe(page);
	return page.evaluate(async (selector) => {
		type Result = { violations: { id: string; nodes: { target: unknown[] }[] }[] };
		const { axe } = window as unknown as { axe: { run: (context: Element | Document, options: object) => Promise<Result> } };
		const context = selector ? document.querySelector(selector) : document;
		if (!context) throw new Error(`axe: nothing matches ${selector}`);
		const result = await axe.run(context, { runOnly: ['wcag2a', 'wcag2aa'], resultTypes: ['violations'] });
		return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
	}, scope);
}
