/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />

/**
 * Meridian's service worker: makes the app shell available offline, and lets a new version wait
 * until the user asks for it.
 *
 * - install: precache this version's build output, static files and the SPA shell (`/index.html`)
 *   into a cache named after the version. No skipWaiting here: a new version installs and then
 *   waits, and the page offers "Reload to update" (src/lib/state/app-update.svelte.ts). Swapping the
 *   code under an open editor could load chunks of one version into a page running another.
 * - message `{ type: 'SKIP_WAITING' }`: the page asks us to take over, after the user clicked.
 * - activate: delete caches of earlier versions; claim the open pages only when this is the first
 *   version ever installed (so the first visit works offline without a reload).
 * - fetch: only same-origin GETs, never the relay's own endpoints. Precached files cache-first;
 *   navigations network-first with a short timeout, falling back to the cached shell, so a deep
 *   link such as /w/abc/p/def reloads offline and the client router renders it.
 */
import { base, build, files, prerendered, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;

const CACHE_PREFIX = 'meridian-';
const CACHE = `${CACHE_PREFIX}${version}`;

/**
 * adapter-static writes the fallback page to build/index.html, but it is not in `build`, `files` or
 * `prerendered`, so it is added by hand. The relay serves this same file for `/` and every path
 * that is not a file. Vite's dev server has no such file, so in dev there is no offline shell.
 */
const SHELL = `${base}/index.html`;

const PRECACHE = [...new Set([...build, ...files, ...prerendered, ...(import.meta.env.DEV ? [] : [SHELL])])];
const PRECACHED = new Set(PRECACHE);

/** Hashed file names never change content, so the HTTP cache may supply them. */
const IMMUTABLE = `${base}/_app/immutable/`;

/** How long a navigation waits for the network before the cached shell is served (lie-fi). */
const NAVIGATION_TIMEOUT_MS = 3000;

/** Paths that belong to the relay, not the app: never answered from a cache. */
function isRelayPath(pathname: string): boolean {
	return (
		pathname === `${base}/sync` ||
		pathname.startsWith(`${base}/sync/`) ||
		pathname === `${base}/healthz` ||
		pathname === `${base}/metrics`
	);
}

sw.addEventListener('install', (event) => {
	event.waitUntil(
		(async () => {
			const cache = await caches.open(CACHE);
			// Revalidate everything that is not content-hashed: a stale HTTP-cached index.html would
			// pair this version's worker with another version's shell.
			await cache.addAll(
				PRECACHE.map((url) => new Request(url, { cache: url.startsWith(IMMUTABLE) ? 'default' : 'no-cache' }))
			);
		})()
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			const earlier = (await caches.keys()).filter((key) => key.startsWith(CACHE_PREFIX) && key !== CACHE);
			await Promise.all(earlier.map((key) => caches.delete(key)));
			// On an update the pages that were controlled by the old worker move to this one by
			// themselves (and reload: app-update listens for controllerchange). Claiming would also
			// grab pages that deliberately bypassed the worker (shift-reload), so only the very first
			// install claims, to make the page that installed it work offline straight away.
			if (earlier.length === 0) await sw.clients.claim();
		})()
	);
});

sw.addEventListener('message', (event) => {
	const data: unknown = event.data;
	if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'SKIP_WAITING') {
		event.waitUntil(sw.skipWaiting());
	}
});

sw.addEventListener('fetch', (event) => {
	const { request } = event;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== sw.location.origin || isRelayPath(url.pathname)) return;

	if (PRECACHED.has(url.pathname) && url.search === '') {
		event.respondWith(cacheFirst(request, url.pathname));
	} else if (request.mode === 'navigate') {
		event.respondWith(navigate(request));
	}
	// Anything else goes to the network as if there were no worker.
});

async function cacheFirst(request: Request, pathname: string): Promise<Response> {
	const cache = await caches.open(CACHE);
	return (await cache.match(pathname)) ?? fetch(request);
}

/**
 * Network first, so an online reload sees the relay's current shell; the cached shell when the
 * network fails, times out or answers with a server error. The cached shell is never replaced by a
 * network copy: it has to stay the one that matches this version's precached chunks.
 */
async function navigate(request: Request): Promise<Response> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<undefined>((resolve) => {
		timer = setTimeout(() => resolve(undefined), NAVIGATION_TIMEOUT_MS);
	});
	try {
		const response = await Promise.race([fetch(request), timeout]);
		if (response && response.status < 500) return response;
	} catch {
		// Offline or the relay is down: fall through to the shell.
	} finally {
		clearTimeout(timer);
	}
	const cache = await caches.open(CACHE);
	return (await cache.match(SHELL)) ?? fetch(request);
}
