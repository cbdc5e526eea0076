/**
 * The app in Chromium (issue 9): the built app, served by our relay, opening a long real page from
 * IndexedDB, typing in it while a teammate types too, and the JavaScript a first visit downloads.
 *
 * Setup: the app is built into build-appbench/ (MERIDIAN_BUILD=appbench; BENCH_APP_BUILD=0 reuses
 * the last build while iterating, BENCH_APP_BUILD_DIR=<dir> serves another build, BENCH_APP_FIRST_LOAD=1
 * measures only the first-load JS; BENCH_APP_PROFILE=<dir>
 * writes CPU profiles of the in-app opens and the typing with the teammate) and served by our relay (servers.ts, a child process). A Node peer
 * writes the workspace document (the index, with the bench page and a short second page) and the
 * page body (page.ts: the automerge-paper trace replayed) to the relay; the browser then joins the
 * workspace with a token link, as a member does, and the app syncs every page and stores it in
 * IndexedDB itself. So what the app opens is what the app wrote. The service worker is installed
 * and in control before anything is timed, as it is for a returning member.
 *
 * Figures (probes.ts says exactly what is timed):
 * - open, in-app (the goal): clicking the page in the sidebar, from the short page, until the editor
 *   shows the whole page and is editable; then one key is typed to check it is accepted. Within an
 *   open workspace the session already holds every page's document in memory (it syncs them all),
 *   so this is building the ProseMirror view of 1,173 paragraphs from the Yjs body.
 * - open, full load: going to the page's URL (the shell from the service worker, the workspace and
 *   the page from IndexedDB) until the same moment.
 * - keystroke p95 (the goal) while the peer types ~10 characters a second, through the relay, into
 *   a paragraph two below the caret; and the same without the peer.
 * - floors (floor.ts): the same typing runs on the same page in a bare contenteditable, ProseMirror
 *   alone, ProseMirror with y-prosemirror, and the app's editor outside the app, the last two also
 *   with a teammate: what the browser and the libraries cost on this page and machine.
 * - first-load JS: every JavaScript response of a load with an empty cache, each body gzip'd (zlib
 *   level 9), for the start page in a fresh context and for the page's URL on a device that holds
 *   the workspace (its HTTP cache, Cache Storage and service worker cleared). The service worker's
 *   precache of the whole build, fetched after the load for offline use, is listed apart.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as Y from 'yjs';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { goal, info, type Row, type Scenario, type ScenarioResult } from '../lib/scenario.ts';
import { ms, summarize, type Summary } from '../lib/stats.ts';
import { startServer, type BenchServer } from '../relay/servers.ts';
import { BenchClient } from '../relay/client.ts';
import { newId } from '../../src/lib/model/ids.ts';
import { createPage, initWorkspace, upsertMember } from '../../src/lib/model/workspace.ts';
import { newPageDoc, bodyFragment } from '../../src/lib/model/page.ts';
import { pageRoom, workspaceRoom } from '../../src/lib/protocol/rooms.ts';
import { benchPage, PAGE_ID, type BenchPage } from './page.ts';
import { installProbes, type OpenTiming, type ProbeApi, type ProbeOptions } from './probes.ts';
import { measureFloors } from './floor.ts';

const QUICK = process.env['BENCH_QUICK'] === '1';
/** BENCH_APP_FIRST_LOAD=1: only the first-load rows (under a minute; byte counts do not depend on the machine's load). */
const FIRST_LOAD_ONLY = process.env['BENCH_APP_FIRST_LOAD'] === '1';
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const root = resolve(import.meta.dirname, '../..');
const BUILD_NAME = 'appbench';
/** BENCH_APP_BUILD_DIR serves another build as it is (a build of an earlier commit, for a before/after). */
const OTHER_BUILD = process.env['BENCH_APP_BUILD_DIR'];
const BUILD_DIR = OTHER_BUILD ? resolve(OTHER_BUILD) : join(root, `build-${BUILD_NAME}`);
const PAGE_TITLE = 'automerge-paper';
const OTHER_TITLE = 'Notes';
/** Opens of each kind; the first of each is counted too (it is what a member meets first). */
const OPENS = QUICK ? 3 : 8;
/** Keys per typing run, and the pause between them (a fast typist, about 20 keys a second). */
const KEYS = QUICK ? 60 : 300;
const KEY_DELAY_MS = 45;
/** The teammate's pace: one character every 100 ms, each its own update through the relay. */
const PEER_INTERVAL_MS = 100;
const TYPED = 'the local member types this sentence into the paper while a teammate writes below ';
const GOALS = { openMs: 150, keystrokeP95Ms: 16, firstLoadGzipBytes: 200 * 1024 } as const;

declare const meridianBench: ProbeApi;

/** Builds the app into build-appbench/ (never build/, which others serve), unless told to reuse it. */
async function buildApp(): Promise<void> {
	if (process.env['BENCH_APP_BUILD'] === '0' || OTHER_BUILD) {
		if (!existsSync(join(BUILD_DIR, 'index.html'))) throw new Error(`There is no ${BUILD_DIR}/index.html to reuse`);
		return;
	}
	await new Promise<void>((resolveBuild, reject) => {
		const child = spawn('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: root, env: { ...process.env, MERIDIAN_BUILD: BUILD_NAME }, stdio: ['ignore', 'ignore', 'pipe'] });
		let stderr = '';
		child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		child.once('error', reject);
		child.once('exit', (code) => (code === 0 ? resolveBuild() : reject(new Error(`the app build failed (${code}): ${stderr}`))));
	});
}

/** Writes the workspace index and the page body to the relay, as a teammate's device would have. */
async function seedRelay(server: BenchServer, workspaceId: string, page: BenchPage): Promise<void> {
	const actor = { memberId: 'bench-writer', now: Date.now() };
	const workspace = new Y.Doc();
	initWorkspace(workspace, 'Bench', actor);
	upsertMember(workspace, { id: actor.memberId, name: 'Writer', color: '#3b82f6', timeZone: 'UTC' });
	createPage(workspace, { title: OTHER_TITLE }, actor);
	createPage(workspace, { id: PAGE_ID, title: PAGE_TITLE }, actor);
	const body = newPageDoc();
	Y.applyUpdate(body, page.update);
	const token = await server.token(workspaceId, actor.memberId);
	const clients = [
		new BenchClient({ server, room: workspaceRoom(workspaceId), token, doc: workspace }),
		new BenchClient({ server, room: pageRoom(workspaceId, PAGE_ID), token, doc: body })
	];
	try {
		await Promise.all(clients.map((client) => client.ready()));
	} finally {
		await Promise.all(clients.map((client) => client.close()));
	}
	// On the relay: a fresh reader gets all of it. (BenchClient does not ask for our relay's durable
	// acknowledgements, and the browser syncs from the relay's memory anyway.)
	const deadline = Date.now() + 30_000;
	for (const written of clients) {
		const want = Y.encodeStateVector(written.doc);
		for (;;) {
			const reader = new BenchClient({ server, room: written.room, token });
			try {
				await reader.ready();
				if (Buffer.compare(Y.encodeStateVector(reader.doc), want) === 0) break;
			} finally {
				await reader.close();
			}
			if (Date.now() > deadline) throw new Error(`the relay does not hold what was written to ${written.room}`);
			await new Promise((r) => setTimeout(r, 100));
		}
	}
}

/** Bytes of the updates IndexedDB holds for one document of the workspace (the app's LocalStore layout). */
function storedBytes(page: Page, workspaceId: string, docName: string): Promise<number> {
	return page.evaluate(
		([db, doc]) =>
			new Promise<number>((resolveBytes, reject) => {
				const open = indexedDB.open(db);
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const database = open.result;
					if (!database.objectStoreNames.contains('updates')) return (database.close(), resolveBytes(0));
					const request = database.transaction('updates').objectStore('updates').index('doc').getAll(IDBKeyRange.only(doc));
					request.onsuccess = () => {
						database.close();
						resolveBytes((request.result as { update: Uint8Array }[]).reduce((sum, row) => sum + row.update.byteLength, 0));
					};
					request.onerror = () => reject(request.error);
				};
			}),
		[`meridian-ws-${workspaceId}`, docName] as const
	);
}

async function waitFor<T>(what: string, check: () => Promise<T | null | false>, timeoutMs = 60_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== null && value !== false) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 25));
	}
}

function editor(page: Page) {
	return page.locator('[data-testid=editor] .ProseMirror');
}

function treeLink(page: Page, title: string) {
	return page.getByRole('navigation', { name: 'Pages' }).getByRole('tree').getByRole('link', { name: title, exact: true });
}

async function openedTiming(page: Page): Promise<OpenTiming> {
	return waitFor('the page to open', () => page.evaluate(() => meridianBench.opened()));
}

/** Types one key at the start of the first paragraph, checks it landed, and takes it back out. */
async function checkAcceptsKeys(page: Page, firstLine: string): Promise<void> {
	await editor(page).locator(':scope > *').first().click({ position: { x: 1, y: 4 } });
	await page.keyboard.press('Control+Home');
	await page.keyboard.type('§');
	await waitFor('the typed key to show', () => editor(page).locator(':scope > *').first().evaluate((block, line) => block.textContent === `§${line}`, firstLine), 10_000);
	await page.keyboard.press('Backspace');
	await waitFor('the key to be taken out', () => editor(page).locator(':scope > *').first().evaluate((block, line) => block.textContent === line, firstLine), 10_000);
}

async function openInApp(page: Page, firstLine: string): Promise<number[]> {
	const times: number[] = [];
	for (let i = 0; i < OPENS; i++) {
		await treeLink(page, OTHER_TITLE).click();
		await page.waitForURL((url) => !url.pathname.endsWith(`/p/${PAGE_ID}`));
		await editor(page).waitFor();
		// Let the short page settle (its seed, presence) so the next open starts from quiet.
		await page.waitForTimeout(300);
		await treeLink(page, PAGE_TITLE).click();
		const timing = await openedTiming(page);
		if (timing.kind !== 'click') throw new Error('the in-app open was not timed from the click');
		times.push(timing.ready - timing.start);
		await checkAcceptsKeys(page, firstLine);
	}
	return times;
}

async function openByLoad(page: Page, url: string, firstLine: string): Promise<number[]> {
	const times: number[] = [];
	for (let i = 0; i < OPENS; i++) {
		await page.goto(url);
		const timing = await openedTiming(page);
		if (timing.kind !== 'load') throw new Error('the full load was not timed from the navigation');
		times.push(timing.ready - timing.start);
		await checkAcceptsKeys(page, firstLine);
		await page.waitForTimeout(300);
	}
	return times;
}

/**
 * Runs `work` under Chromium's CPU profiler when BENCH_APP_PROFILE names a directory, and writes
 * `<dir>/<name>.cpuprofile` (open it in DevTools' Performance panel). The profiler costs time, so
 * figures of a profiled run are not the ones to record.
 */
async function profiled<T>(page: Page, name: string, work: () => Promise<T>): Promise<T> {
	const traceDir = process.env['BENCH_APP_TRACE'];
	if (traceDir) return traced(page, traceDir, name, work);
	const dir = process.env['BENCH_APP_PROFILE'];
	if (!dir) return work();
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Profiler.enable');
	await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
	await cdp.send('Profiler.start');
	try {
		return await work();
	} finally {
		const { profile } = await cdp.send('Profiler.stop');
		mkdirSync(dir, { recursive: true });
		writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
		await cdp.detach();
	}
}

/**
 * BENCH_APP_TRACE=<dir>: records a Chromium trace (devtools.timeline) of `work` instead, writes
 * `<dir>/<name>.json` (DevTools' Performance panel loads it) and prints the renderer main thread's
 * time by kind: script, style, layout, paint and the rest — what a CPU profile shows only as
 * "(program)".
 */
async function traced<T>(page: Page, dir: string, name: string, work: () => Promise<T>): Promise<T> {
	const browser = page.context().browser()!;
	mkdirSync(dir, { recursive: true });
	const path = join(dir, `${name}.json`);
	await browser.startTracing(page, { path, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute'] });
	try {
		return await work();
	} finally {
		await browser.stopTracing();
		const { traceEvents } = JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: TraceEvent[] };
		const main = traceEvents.find((event) => event.name === 'thread_name' && event.args?.name === 'CrRendererMain');
		const totals = new Map<string, number>();
		for (const event of traceEvents) {
			if (!main || event.pid !== main.pid || event.tid !== main.tid || event.ph !== 'X' || !TRACE_KINDS[event.name]) continue;
			const kind = TRACE_KINDS[event.name]!;
			totals.set(kind, (totals.get(kind) ?? 0) + (event.dur ?? 0) / 1000);
		}
		console.log(`  [app] ${name}: renderer main thread, ms by kind: ${[...totals].map(([kind, total]) => `${kind} ${total.toFixed(0)}`).join(', ')}`);
	}
}

interface TraceEvent {
	readonly name: string;
	readonly ph: string;
	readonly pid: number;
	readonly tid: number;
	readonly dur?: number;
	readonly args?: { name?: string };
}

/** Top-level trace events of the renderer's main thread, by kind (they do not nest in each other). */
const TRACE_KINDS: Record<string, string> = {
	RunTask: 'tasks (all)',
	FunctionCall: 'script',
	EventDispatch: 'script (events)',
	TimerFire: 'script (timers)',
	FireAnimationFrame: 'script (rAF)',
	UpdateLayoutTree: 'style',
	Layout: 'layout',
	PrePaint: 'pre-paint',
	Paint: 'paint',
	Layerize: 'layerize',
	'MajorGC': 'gc',
	'MinorGC': 'gc'
};

interface TypingRun {
	readonly latencies: number[];
	readonly latency: Summary;
	readonly longTasks: number;
	/**
	 * The renderer's main-thread time during the run, per key typed (Chromium's Performance domain:
	 * TaskDuration, and the ScriptDuration part of it): all the work typing brought, the teammate's
	 * updates and the indexes following them included. Steadier than the latencies on a shared
	 * machine, so a change's effect shows in it first.
	 */
	readonly perKey: { readonly taskMs: number; readonly scriptMs: number };
}

function perKey(run: TypingRun): string {
	return `${ms(run.perKey.taskMs)} / ${ms(run.perKey.scriptMs)}`;
}

/** Chromium's cumulative main-thread durations of a page, in ms. */
async function mainThread(cdp: CDPSession): Promise<{ task: number; script: number }> {
	const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
	const value = (name: string) => (metrics.find((metric) => metric.name === name)?.value ?? 0) * 1000;
	return { task: value('TaskDuration'), script: value('ScriptDuration') };
}

/** Types KEYS characters at the end of paragraph `at`, and returns what the page recorded. */
async function typing(page: Page, at: number, run: number): Promise<TypingRun> {
	const block = editor(page).locator(':scope > *').nth(at);
	await block.scrollIntoViewIfNeeded();
	await block.click();
	await page.keyboard.press('End');
	const text = `[${run}] ${TYPED.repeat(8)}`.slice(0, KEYS);
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Performance.enable');
	await page.evaluate(() => meridianBench.startKeys());
	const before = await mainThread(cdp);
	await page.keyboard.type(text, { delay: KEY_DELAY_MS });
	const recorded = await page.evaluate(() => meridianBench.stopKeys());
	const after = await mainThread(cdp);
	await cdp.detach();
	const content = await block.textContent();
	if (!content?.includes(text)) throw new Error(`typing run ${run}: paragraph ${at} does not hold the typed text`);
	if (recorded.latencies.length !== text.length) throw new Error(`typing run ${run}: ${recorded.latencies.length} latencies for ${text.length} keys`);
	const perKey = { taskMs: (after.task - before.task) / text.length, scriptMs: (after.script - before.script) / text.length };
	return { latencies: recorded.latencies, latency: summarize(recorded.latencies), longTasks: recorded.longTasks, perKey };
}

/** A teammate typing into paragraph `at` through the relay, one character per PEER_INTERVAL_MS. */
async function startPeer(server: BenchServer, workspaceId: string, page: BenchPage, at: number): Promise<{ typed: () => string; stop: () => Promise<void> }> {
	const doc = newPageDoc();
	Y.applyUpdate(doc, page.update);
	const client = new BenchClient({ server, room: pageRoom(workspaceId, PAGE_ID), token: await server.token(workspaceId, 'bench-peer'), doc });
	await client.ready();
	const block = bodyFragment(doc).get(at);
	const text = block instanceof Y.XmlElement ? block.get(0) : null;
	if (!(text instanceof Y.XmlText)) throw new Error(`paragraph ${at} has no text for the peer to extend`);
	const words = ' and the teammate keeps writing here';
	let typed = '';
	const timer = setInterval(() => {
		const char = words[typed.length % words.length]!;
		text.insert(text.length, char);
		typed += char;
	}, PEER_INTERVAL_MS);
	return {
		typed: () => typed,
		async stop() {
			clearInterval(timer);
			if (client.error) throw client.error;
			await client.close();
		}
	};
}

interface ScriptLoad {
	readonly url: string;
	readonly bytes: number;
	readonly gzipBytes: number;
}

/** Records every JavaScript response the pages of `context` receive (not its service worker's). */
function recordScripts(context: BrowserContext): { scripts: Promise<ScriptLoad>[]; precache: string[] } {
	const scripts: Promise<ScriptLoad>[] = [];
	const precache: string[] = [];
	context.on('response', (response) => {
		const type = response.headers()['content-type'] ?? '';
		const url = response.url();
		if (!/javascript|ecmascript/.test(type) && !new URL(url).pathname.endsWith('.js')) return;
		if (response.request().serviceWorker() !== null) {
			precache.push(url);
			return;
		}
		scripts.push(response.body().then((body) => ({ url, bytes: body.byteLength, gzipBytes: gzipSync(body, { level: 9 }).byteLength })));
	});
	return { scripts, precache };
}

interface FirstLoad {
	readonly scripts: ScriptLoad[];
	readonly gzipBytes: number;
	readonly bytes: number;
}

async function firstLoad(recorded: Promise<ScriptLoad>[]): Promise<FirstLoad> {
	const scripts = (await Promise.all(recorded)).sort((a, b) => b.gzipBytes - a.gzipBytes);
	return { scripts, gzipBytes: scripts.reduce((sum, s) => sum + s.gzipBytes, 0), bytes: scripts.reduce((sum, s) => sum + s.bytes, 0) };
}

/** Every .js file of the build, gzip'd: what the service worker precaches for offline use. */
function wholeBuildJs(): { files: number; gzipBytes: number } {
	let files = 0;
	let gzipBytes = 0;
	const walk = (dir: string): void => {
		for (const name of readdirSync(dir)) {
			const path = join(dir, name);
			if (statSync(path).isDirectory()) walk(path);
			else if (name.endsWith('.js')) {
				files++;
				gzipBytes += gzipSync(readFileSync(path), { level: 9 }).byteLength;
			}
		}
	};
	walk(BUILD_DIR);
	return { files, gzipBytes };
}

/**
 * The page's URL loaded with an empty cache, on a device that holds the workspace (`tab`'s context:
 * its HTTP cache, Cache Storage and service worker cleared first); closes `tab` and the context.
 */
async function coldPageLoad(context: BrowserContext, tab: Page, pageUrl: string, errors: string[]): Promise<{ pageLoad: FirstLoad; precache: string[] }> {
	const cdp = await context.newCDPSession(tab);
	await cdp.send('Network.clearBrowserCache');
	await tab.evaluate(async () => {
		for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
		for (const key of await caches.keys()) await caches.delete(key);
	});
	await tab.close();
	const recording = recordScripts(context);
	const cold = await context.newPage();
	cold.on('pageerror', (error) => errors.push(error.message));
	await cold.goto(pageUrl);
	await openedTiming(cold);
	await cold.waitForLoadState('networkidle');
	const pageLoad = await firstLoad(recording.scripts);
	await context.close();
	if (errors.length > 0) throw new Error(`the app failed: ${errors.join('; ')}`);
	return { pageLoad, precache: recording.precache };
}

function firstLoadRows(startLoad: FirstLoad, pageLoad: FirstLoad, whole: { files: number; gzipBytes: number }): Row[] {
	return [
		goal(`first-load JS, start page (${startLoad.scripts.length} files, ${kb(startLoad.bytes)} raw)`, `${kb(startLoad.gzipBytes)} gzip`, `≤ ${kb(GOALS.firstLoadGzipBytes)}`, startLoad.gzipBytes <= GOALS.firstLoadGzipBytes),
		info('  largest', startLoad.scripts.slice(0, 4).map((s) => `${short(s.url)} ${kb(s.gzipBytes)}`).join(', ')),
		goal(`first-load JS, page URL (${pageLoad.scripts.length} files, ${kb(pageLoad.bytes)} raw)`, `${kb(pageLoad.gzipBytes)} gzip`, `≤ ${kb(GOALS.firstLoadGzipBytes)}`, pageLoad.gzipBytes <= GOALS.firstLoadGzipBytes),
		info('  largest', pageLoad.scripts.slice(0, 4).map((s) => `${short(s.url)} ${kb(s.gzipBytes)}`).join(', ')),
		info('whole build JS (the service worker precaches it after the load)', `${whole.files} files, ${kb(whole.gzipBytes)} gzip`)
	];
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const short = (url: string) => new URL(url).pathname.replace(/^.*\/(_app\/immutable\/)?/, '');

async function measure(server: BenchServer, page: BenchPage): Promise<ScenarioResult> {
	const workspaceId = newId();
	await seedRelay(server, workspaceId, page);
	const origin = server.origin.replace(/^ws:/, 'http:');
	const lines = page.text.split('\n');
	const probe: ProbeOptions = { pagePath: `/p/${PAGE_ID}`, paragraphs: page.paragraphs, lastLine: lines.at(-1)! };
	const pageUrl = `${origin}/w/${workspaceId}/p/${PAGE_ID}`;
	const firstLine = lines[0]!;
	if (firstLine === '') throw new Error('the page\'s first line is empty: the keystroke check needs text there');

	const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
	try {
		// The start page, as a first-time visitor gets it.
		const fresh = await browser.newContext();
		const startRecording = recordScripts(fresh);
		const start = await fresh.newPage();
		await start.goto(origin);
		await start.getByRole('button', { name: 'Create workspace' }).waitFor();
		await start.waitForLoadState('networkidle');
		const startLoad = await firstLoad(startRecording.scripts);
		await fresh.close();

		const context = await browser.newContext();
		const errors: string[] = [];
		// tsx compiles with esbuild's keepNames, whose __name helper the serialised function calls.
		const probeScript = `var __name = (f) => f; (${installProbes.toString()})(${JSON.stringify(probe)});`;
		await context.addInitScript({ content: probeScript });
		const tab = await context.newPage();
		tab.on('pageerror', (error) => errors.push(error.message));
		await tab.goto(`${origin}/join#${await server.token(workspaceId, 'bench-member')}`);
		await tab.getByRole('textbox', { name: 'Your name' }).fill('Member');
		await tab.getByRole('button', { name: 'Join' }).click();
		await tab.waitForURL(/\/w\/[^/]+$/);
		const synced = await waitFor('the page body to be stored on the device', async () => (await storedBytes(tab, workspaceId, pageRoom(workspaceId, PAGE_ID))) >= page.update.byteLength * 0.9 || null, 120_000);
		if (!synced) throw new Error('unreachable');
		await tab.evaluate(() => navigator.serviceWorker.ready);
		await tab.reload();
		await tab.waitForFunction(() => navigator.serviceWorker.controller !== null);

		if (FIRST_LOAD_ONLY) {
			const { pageLoad, precache } = await coldPageLoad(context, tab, pageUrl, errors);
			const whole = wholeBuildJs();
			return {
				rows: [info('Chromium', browser.version()), ...firstLoadRows(startLoad, pageLoad, whole)],
				data: { chromium: browser.version(), firstLoadOnly: true, firstLoad: { start: startLoad, page: pageLoad, precacheSeen: [...startRecording.precache, ...precache], wholeBuild: whole } }
			};
		}

		// Full loads first: the app's first open of the page is one of them.
		const loads = await openByLoad(tab, pageUrl, firstLine);
		const clicks = await profiled(tab, 'open', () => openInApp(tab, firstLine));

		// Typing: in a paragraph in the middle, the teammate two paragraphs below.
		let local = Math.floor(lines.length / 2);
		while (lines[local] === '') local++;
		let remote = local + 2;
		while (lines[remote] === '') remote++;
		const quiet = await typing(tab, local, 0);
		const peer = await startPeer(server, workspaceId, page, remote);
		let busy: TypingRun;
		let peerTyped: string;
		try {
			// The peer's first characters are through before typing starts.
			await tab.waitForTimeout(1000);
			busy = await profiled(tab, 'typing', () => typing(tab, local, 1));
		} finally {
			peerTyped = peer.typed();
			await peer.stop();
		}
		const remoteBlock = editor(tab).locator(':scope > *').nth(remote);
		await waitFor('the teammate\'s text in the editor', async () => ((await remoteBlock.textContent()) ?? '').endsWith(peerTyped), 20_000);

		const { pageLoad, precache } = await coldPageLoad(context, tab, pageUrl, errors);

		// The same typing, with and without a teammate, in less and less than the app.
		const floors = await measureFloors(browser, page.update, probeScript, local, remote, typing);

		const whole = wholeBuildJs();
		const open = { inApp: summarize(clicks), load: summarize(loads) };
		const rows: Row[] = [
			info('Chromium', browser.version()),
			info('page', `${page.edits.toLocaleString('en')} edits, ${page.text.length.toLocaleString('en')} characters, ${page.paragraphs} paragraphs, update ${kb(page.update.byteLength)}`),
			goal(`open in-app (sidebar click → editable), median / max of ${clicks.length}`, `${ms(open.inApp.p50)} / ${ms(open.inApp.max)}`, `≤ ${GOALS.openMs} ms`, open.inApp.p50 <= GOALS.openMs),
			info('  each, in order', clicks.map(ms).join(', ')),
			info(`open by full load of the URL → editable, median / max of ${loads.length}`, `${ms(open.load.p50)} / ${ms(open.load.max)}`),
			info('  each, in order (the first: the first open after joining)', loads.map(ms).join(', ')),
			info('keystroke p50 / p95 / max: quiet', `${ms(quiet.latency.p50)} / ${ms(quiet.latency.p95)} / ${ms(quiet.latency.max)} (${quiet.longTasks} long tasks)`),
			info('  main thread per key: all tasks / script', perKey(quiet)),
			goal(
				`keystroke p50 / p95 / max: teammate typing (${busy.latency.n} keys, ${peerTyped.length} remote)`,
				`${ms(busy.latency.p50)} / ${ms(busy.latency.p95)} / ${ms(busy.latency.max)} (${busy.longTasks} long tasks)`,
				`p95 ≤ ${GOALS.keystrokeP95Ms} ms`,
				busy.latency.p95 <= GOALS.keystrokeP95Ms
			),
			info('  main thread per key: all tasks / script', perKey(busy)),
			info('the same typing, same page, without the app (floors): keystroke p50 / p95 / max · main thread per key', ''),
			...floors.map(({ floor, run }) => info(`  ${floor.label}`, `${ms(run.latency.p50)} / ${ms(run.latency.p95)} / ${ms(run.latency.max)} · ${perKey(run)}`)),
			...firstLoadRows(startLoad, pageLoad, whole)
		];
		return {
			rows,
			data: {
				chromium: browser.version(),
				quick: QUICK,
				page: { edits: page.edits, characters: page.text.length, paragraphs: page.paragraphs, updateBytes: page.update.byteLength },
				open: { inApp: clicks, load: loads, inAppSummary: open.inApp, loadSummary: open.load },
				typing: { keys: KEYS, keyDelayMs: KEY_DELAY_MS, peerIntervalMs: PEER_INTERVAL_MS, peerTyped: peerTyped.length, quiet, busy },
				floors: floors.map(({ floor, run }) => ({ ...floor, ...run })),
				firstLoad: { start: startLoad, page: pageLoad, precacheSeen: [...startRecording.precache, ...precache], wholeBuild: whole }
			}
		};
	} finally {
		await browser.close();
	}
}

export const appBrowser: Scenario = {
	group: 'app',
	name: `app in Chromium${QUICK ? ' (quick)' : ''}${FIRST_LOAD_ONLY ? ' (first load only)' : ''}`,
	async run(): Promise<ScenarioResult> {
		if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM} (set CHROMIUM_PATH); the app benchmark cannot run.`);
		const page = benchPage();
		await buildApp();
		const server = await startServer('meridian', { env: { BUILD_DIR } });
		try {
			const result = await measure(server, page);
			const made = info('page update', page.built ? `replayed now in ${ms(page.buildMs)}` : 'from node_modules/.cache/');
			return { rows: [...result.rows, made], data: { ...result.data, pageBuiltMs: page.built ? page.buildMs : null } };
		} finally {
			await server.stop();
		}
	}
};
