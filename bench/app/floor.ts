/**
 * The app scenario's floors: the same page, typed into the same way, in editors that are less and
 * less than the app (floor/main.ts says what each is). A keystroke budget is only meaningful beside
 * what the browser and the libraries cost alone on the same page and machine; these rows say it.
 *
 * The floor page is bundled with Vite's build API into a temporary directory and served, with the
 * page body, on 127.0.0.1 and a free port, for the run.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { Browser, Page } from 'playwright-core';

export type FloorMode = 'contenteditable' | 'prosemirror' | 'y-prosemirror' | 'editor';

export interface Floor {
	readonly mode: FloorMode;
	/** A teammate types into this paragraph during the run (Yjs modes only). */
	readonly teammate: boolean;
	readonly label: string;
}

/** In order of what they add. */
export const FLOORS: readonly Floor[] = [
	{ mode: 'contenteditable', teammate: false, label: 'contenteditable, no script' },
	{ mode: 'prosemirror', teammate: false, label: 'ProseMirror alone (no Yjs)' },
	{ mode: 'y-prosemirror', teammate: false, label: 'ProseMirror + y-prosemirror' },
	{ mode: 'y-prosemirror', teammate: true, label: 'ProseMirror + y-prosemirror, teammate typing' },
	{ mode: 'editor', teammate: false, label: "Meridian's editor outside the app" },
	{ mode: 'editor', teammate: true, label: "Meridian's editor outside the app, teammate typing" }
];

export interface FloorRun<T> {
	readonly floor: Floor;
	readonly run: T;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

async function bundle(): Promise<string> {
	const outDir = mkdtempSync(join(tmpdir(), 'meridian-bench-floor-'));
	await build({
		configFile: false,
		root: fileURLToPath(new URL('./floor/', import.meta.url)),
		logLevel: 'warn',
		build: { outDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false, chunkSizeWarningLimit: 10_000 }
	});
	return outDir;
}

function serve(root: string, body: Uint8Array): Promise<{ server: Server; origin: string }> {
	const server = createServer((request, response) => {
		const path = new URL(request.url ?? '/', 'http://localhost').pathname;
		if (path === '/page.bin') return void response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
		const file = normalize(join(root, path === '/' ? 'index.html' : path));
		if (!file.startsWith(root) || !existsSync(file)) return void response.writeHead(404).end();
		response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

/**
 * Types into paragraph `local` of each floor with `type` (the app's own typing run, so keys, pace
 * and probe are the app's), the teammate typing into `remote` where the floor has one.
 */
export async function measureFloors<T>(
	browser: Browser,
	body: Uint8Array,
	probeScript: string,
	local: number,
	remote: number,
	type: (tab: Page, at: number, run: number) => Promise<T>
): Promise<FloorRun<T>[]> {
	const dir = await bundle();
	const { server, origin } = await serve(dir, body);
	const runs: FloorRun<T>[] = [];
	try {
		for (const floor of FLOORS) {
			const context = await browser.newContext();
			try {
				await context.addInitScript({ content: probeScript });
				const tab = await context.newPage();
				const errors: string[] = [];
				tab.on('pageerror', (error) => errors.push(error.message));
				await tab.goto(`${origin}/${floor.teammate ? `?teammate=${remote}` : ''}#${floor.mode}`);
				await tab.waitForFunction(() => window.floorReady === true || window.floorError !== undefined, null, { timeout: 60_000 });
				const failed = await tab.evaluate(() => window.floorError);
				if (failed !== undefined) throw new Error(`the ${floor.mode} floor failed: ${failed}`);
				// As in the app: the teammate's first characters are through before typing starts.
				if (floor.teammate) await tab.waitForTimeout(1000);
				const run = await type(tab, local, runs.length + 2);
				if (floor.teammate && (await tab.evaluate(() => window.teammateTyped?.() ?? 0)) === 0) throw new Error(`the teammate typed nothing in the ${floor.mode} floor`);
				if (errors.length > 0) throw new Error(`the ${floor.mode} floor failed: ${errors.join('; ')}`);
				runs.push({ floor, run });
			} finally {
				await context.close();
			}
		}
	} finally {
		server.close();
		rmSync(dir, { recursive: true, force: true });
	}
	return runs;
}
