/**
 * Cold sync (issue 9): a new device joins a workspace of 1,000 pages (~20 MB of Yjs state) — how
 * long until every page, body and discussion, is in its local storage. Ours (the app's workspace
 * sync: one IndexedDB database, one multiplexed socket to our relay) against the stock pieces (a
 * y-websocket WebsocketProvider and a y-indexeddb IndexeddbPersistence per document, 200 at a time
 * as Chromium allows a page only 255 sockets: browser/main.ts says why), the latter against the
 * y-websocket 1.x reference server and against our relay's per-room endpoint.
 *
 * The workspace (workspace.ts) is seeded before any clock starts: into the y-websocket server
 * (memory only) through its sockets, and into one run of our relay through its sockets, whose data
 * directory is then copied for every run against our relay — so each run meets a relay that has
 * just started and loads every room from SQLite, as after a restart, and none finds the rooms still
 * in memory from the previous run.
 *
 * Each run is a new Chromium profile on disk (IndexedDB empty, and written to disk as on a real
 * device: an in-memory incognito profile would make commits free). The bench page
 * (browser/main.ts) is bundled with Vite's build API and served from 127.0.0.1 with /api/ passed
 * to the relay, so the app's session finds its HTTP API where it expects it.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { build } from 'vite';
import { chromium } from 'playwright-core';
import { goal, info, type Row, type Scenario, type ScenarioResult } from '../lib/scenario.ts';
import { ms } from '../lib/stats.ts';
import { startServer, type BenchServer } from '../relay/servers.ts';
import { coldWorkspace, type ColdWorkspace } from './workspace.ts';
import { seedServer } from './seed.ts';
import type { OursParams, OursResult, StockParams, StockResult } from './browser/main.ts';

const QUICK = process.env.BENCH_QUICK === '1';
/**
 * COLDSYNC_PROFILE=<dir>: runs ours once, writing a CPU profile of the page (CDP Profiler) and one
 * of the relay (--cpu-prof) to <dir>, with the page's timeline of WebSocket messages (when each
 * arrived and its bytes, when each was sent), and skips the stock runs. For finding where the time goes.
 */
const PROFILE = process.env.COLDSYNC_PROFILE ?? null;
/** COLDSYNC_OURS_ONLY=1: skips the stock runs (while working on ours). */
const OURS_ONLY = PROFILE !== null || process.env.COLDSYNC_OURS_ONLY === '1';
const PAGES = QUICK ? 200 : 1000;
/** Runs of ours (the figure is their median); the stock runs take long and run once each. */
const OURS_RUNS = 3;
const MEMBER = 'newcomer';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.css': 'text/css' };

interface Bench {
	ours(params: OursParams): Promise<OursResult>;
	stock(params: StockParams): Promise<StockResult>;
	timeline(): { started: number; arrivals: number[]; sends: number[] };
}
declare const bench: Bench;

/** Bundles browser/ (and the app code it imports) into a fresh temporary directory. */
async function bundle(): Promise<string> {
	const outDir = mkdtempSync(join(tmpdir(), 'meridian-coldsync-page-'));
	await build({
		configFile: false,
		root: fileURLToPath(new URL('./browser/', import.meta.url)),
		logLevel: 'warn',
		// Readable function names in a profile.
		build: { outDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false, chunkSizeWarningLimit: 10_000, minify: PROFILE === null }
	});
	return outDir;
}

/** Serves the bundle on 127.0.0.1 and a free port; /api/ goes to `api.target` (the relay of the run). */
async function serve(root: string, api: { target: string | null }): Promise<{ server: Server; url: string }> {
	const server = createServer((req, res) => {
		const path = new URL(req.url ?? '/', 'http://localhost').pathname;
		if (path.startsWith('/api/')) {
			if (!api.target) return void res.writeHead(502).end();
			const target = new URL(req.url ?? '/', api.target);
			const forward = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			});
			forward.on('error', () => res.writeHead(502).end());
			req.pipe(forward);
			return;
		}
		const file = normalize(join(root, path === '/' ? 'index.html' : path));
		if (!file.startsWith(root) || !existsSync(file)) return void res.writeHead(404).end();
		res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** What a run cost besides its wall time: busy time of the page's main thread, and the server's CPU. */
interface Cost {
	/** Milliseconds the page's main thread spent running tasks (CDP Performance `TaskDuration`). */
	readonly pageMainThreadMs: number;
	/** CPU seconds of the server process during the run. */
	readonly serverCpuSeconds: number;
}

/**
 * Runs `work` in a new Chromium with a new profile on disk (empty IndexedDB), closed and removed
 * after, and measures what it cost: on a machine shared with other work the wall times measure the
 * load too, while these say how much work each side did.
 */
async function inFreshBrowser<T extends object>(url: string, server: BenchServer, work: (page: import('playwright-core').Page) => Promise<T>): Promise<T & Cost> {
	const profile = mkdtempSync(join(tmpdir(), 'meridian-coldsync-profile-'));
	const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		const errors: string[] = [];
		page.on('pageerror', (error) => errors.push(error.message));
		await page.goto(`${url}/`);
		await page.waitForFunction(() => document.title === 'ready');
		const cdp = await context.newCDPSession(page);
		await cdp.send('Performance.enable');
		const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((metric) => metric.name === 'TaskDuration')?.value ?? NaN;
		const tasksBefore = await taskSeconds();
		const cpuBefore = server.usage().cpuSeconds;
		const result = await work(page);
		const cost: Cost = { pageMainThreadMs: ((await taskSeconds()) - tasksBefore) * 1000, serverCpuSeconds: server.usage().cpuSeconds - cpuBefore };
		if (errors.length > 0) throw new Error(`the bench page failed: ${errors.join('; ')}`);
		return { ...result, ...cost };
	} finally {
		await context.close();
		rmSync(profile, { recursive: true, force: true });
	}
}

/** Our relay on a copy of the seeded data directory: just started, every room still on disk. */
async function freshRelay(seeded: string, origin: string): Promise<{ relay: BenchServer; dataDir: string }> {
	const dataDir = mkdtempSync(join(tmpdir(), 'meridian-coldsync-relay-'));
	cpSync(seeded, dataDir, { recursive: true });
	const nodeArgs = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : [];
	const relay = await startServer('meridian', { dataDir, env: { ALLOWED_ORIGINS: origin }, nodeArgs });
	return { relay, dataDir };
}

/** The relay's HTTP origin from its WebSocket one. */
function httpOrigin(relay: BenchServer): string {
	return relay.origin.replace(/^ws/, 'http');
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

interface Measured {
	readonly workspace: ColdWorkspace;
	readonly ours: (OursResult & Cost)[];
	readonly stockYWebsocket: StockResult & Cost;
	readonly stockOurs: StockResult & Cost;
}

/** Progress on stderr: the scenario takes minutes, most of them preparing. */
function note(text: string): void {
	process.stderr.write(`  [coldsync ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

async function measure(): Promise<Measured> {
	if (PROFILE) mkdirSync(PROFILE, { recursive: true });
	note(`building ${PAGES} pages`);
	const workspace = coldWorkspace(PAGES);
	const pageIds = workspace.rooms.filter((room) => room.kind === 'page').map((room) => room.room.slice(room.room.indexOf('/') + 1));
	const stockRooms = workspace.rooms.map(({ room, kind }) => ({ room, kind }));
	const outDir = await bundle();
	const api: { target: string | null } = { target: null };
	const { server: web, url } = await serve(outDir, api);
	const seeded = mkdtempSync(join(tmpdir(), 'meridian-coldsync-seeded-'));
	const servers: BenchServer[] = [];
	const dirs: string[] = [outDir, seeded];
	try {
		note(`seeding ${workspace.rooms.length} rooms, ${mb(workspace.bytes)}`);
		const seeder = await startServer('meridian', { dataDir: seeded });
		servers.push(seeder);
		await seedServer(seeder, workspace);
		// Stopping flushes and closes the database: the copies are complete.
		await seeder.stop();
		const yws = await startServer('y-websocket');
		servers.push(yws);
		await seedServer(yws, workspace);

		const ours: Measured['ours'] = [];
		for (let run = 0; run < (PROFILE ? 1 : OURS_RUNS); run++) {
			const { relay, dataDir } = await freshRelay(seeded, url);
			servers.push(relay);
			dirs.push(dataDir);
			api.target = httpOrigin(relay);
			const token = await relay.token(workspace.workspaceId, MEMBER);
			const params: OursParams = { relayUrl: `${relay.origin}/sync`, workspaceId: workspace.workspaceId, memberId: MEMBER, token, pageIds };
			note(`ours, run ${run + 1}`);
			const result = await inFreshBrowser(url, relay, async (page) => {
				if (!PROFILE) return page.evaluate((p) => bench.ours(p), params);
				const cdp = await page.context().newCDPSession(page);
				await cdp.send('Profiler.enable');
				await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
				await cdp.send('Profiler.start');
				const measured = await page.evaluate((p) => bench.ours(p), params);
				const { profile } = await cdp.send('Profiler.stop');
				writeFileSync(join(PROFILE, `chromium-${Date.now()}.cpuprofile`), JSON.stringify(profile));
				writeFileSync(join(PROFILE, `timeline-${Date.now()}.json`), JSON.stringify(await page.evaluate(() => bench.timeline())));
				return measured;
			});
			ours.push(result);
			await relay.stop();
		}

		if (OURS_ONLY) {
			const skipped = { firstSynced: NaN, allSynced: NaN, committed: NaN, rooms: 0, bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0, sockets: 0, pageMainThreadMs: NaN, serverCpuSeconds: NaN };
			return { workspace, ours, stockYWebsocket: skipped, stockOurs: skipped };
		}
		note('stock against the y-websocket server');
		const ywsToken = await yws.token(workspace.workspaceId, MEMBER);
		const stockYWebsocket = await inFreshBrowser(url, yws, (page) => page.evaluate((p) => bench.stock(p), { serverUrl: yws.origin, token: ywsToken, rooms: stockRooms }));
		await yws.stop();

		note('stock against our relay');
		const { relay, dataDir } = await freshRelay(seeded, url);
		servers.push(relay);
		dirs.push(dataDir);
		api.target = httpOrigin(relay);
		const token = await relay.token(workspace.workspaceId, MEMBER);
		const stockOurs = await inFreshBrowser(url, relay, (page) => page.evaluate((p) => bench.stock(p), { serverUrl: `${relay.origin}/sync`, token, rooms: stockRooms }));
		await relay.stop();
		return { workspace, ours, stockYWebsocket, stockOurs };
	} finally {
		await Promise.allSettled(servers.map((server) => server.stop()));
		await new Promise((resolve) => web.close(resolve));
		for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
	}
}

function median<T>(runs: readonly T[], key: (run: T) => number): T {
	return [...runs].sort((a, b) => key(a) - key(b))[Math.floor(runs.length / 2)]!;
}

const cpu = (run: Cost) => `page main thread ${ms(run.pageMainThreadMs)}, server CPU ${run.serverCpuSeconds.toFixed(2)} s`;

function stockRows(name: string, run: StockResult & Cost): Row[] {
	return [
		info(`stock, ${name}: every doc in local storage`, ms(run.committed)),
		info('  first doc synced / last synced', `${ms(run.firstSynced)} / ${ms(run.allSynced)}`),
		info('  bytes in / out, sockets', `${mb(run.bytesIn)} / ${mb(run.bytesOut)}, ${run.sockets}`),
		info('  work', cpu(run))
	];
}

export const coldSync: Scenario = {
	group: 'coldsync',
	name: `cold sync, ${PAGES.toLocaleString('en')} pages${QUICK ? ' (quick)' : ''}`,
	async run(): Promise<ScenarioResult> {
		if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM} (set CHROMIUM_PATH); the cold-sync benchmark cannot run.`);
		const { workspace, ours, stockYWebsocket, stockOurs } = await measure();
		const typical = median(ours, (run) => run.committed);
		const fasterStock = Math.min(stockYWebsocket.committed, stockOurs.committed);
		const ratio = fasterStock / typical.committed;
		const rows: Row[] = [
			info('workspace', `${workspace.pages} pages, ${workspace.rooms.length} rooms, ${mb(workspace.bytes)} of Yjs state`),
			goal(`ours: every page in local storage (median of ${ours.length})`, ms(typical.committed), '≤ 3 s', typical.committed <= 3000),
			info('  all runs', ours.map((run) => ms(run.committed)).join(', ')),
			info('  session open (IndexedDB, workspace loaded)', ms(typical.opened)),
			info('  socket open / workspace room synced', `${ms(typical.connected)} / ${ms(typical.workspaceSynced)}`),
			info('  every room read from IndexedDB and joined', ms(typical.allJoined)),
			info('  first page room / last room on the device (received)', `${ms(typical.firstPageSynced)} / ${ms(typical.allSynced)}`),
			info('  IndexedDB commit after the last room received', ms(typical.committed - typical.allSynced)),
			info('  every room applied to its document (idle slices, after)', ms(typical.allApplied)),
			info('  bytes in / out (WebSocket messages), sockets', `${mb(typical.bytesIn)} / ${mb(typical.bytesOut)} (${typical.messagesIn} / ${typical.messagesOut}), ${typical.sockets}`),
			info('  work', cpu(typical)),
			...stockRows('y-websocket 1.x server', stockYWebsocket),
			...stockRows('our relay per room', stockOurs),
			goal('stock / ours (against the faster stock run)', `${ratio.toFixed(1)}×`, '≥ 5×', ratio >= 5)
		];
		return { rows, data: { pages: workspace.pages, rooms: workspace.rooms.length, stateBytes: workspace.bytes, loadAtEnd: loadavg()[0], ours, stockYWebsocket, stockOurs, ratio } };
	}
};
