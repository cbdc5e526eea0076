import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { execSync } from 'node:child_process';

/**
 * The app version the service worker compares: the commit, so rebuilding the same code does not
 * offer a pointless "Reload to update". Outside a git checkout, SvelteKit's default (build time).
 */
function version() {
	try {
		const commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
		const dirty = execSync('git status --porcelain -- src static', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
		return dirty ? undefined : commit;
	} catch {
		return undefined;
	}
}

/**
 * MERIDIAN_BUILD=<name> builds into build-<name>/ (via .svelte-kit-<name>/), so two people (or
 * agents) working in one checkout can build and run the browser tests without overwriting each
 * other's build mid-run; tests/e2e/support/relay.ts serves the same directory. Unset: build/.
 */
const variant = process.env.MERIDIAN_BUILD?.replace(/[^A-Za-z0-9_-]/g, '') || '';
const buildDir = variant ? `build-${variant}` : 'build';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A client-only SPA: every route falls back to index.html, which the relay serves
		// for any path that is not a file, so deep links work offline through the service worker too.
		adapter: adapter({ pages: buildDir, assets: buildDir, fallback: 'index.html', strict: true }),
		// We register the service worker ourselves so a new version waits to be offered
		// ("Reload to update") instead of being swapped in under an open editor.
		serviceWorker: { register: false },
		// Read once per build: the config is loaded more than once during a build, and a commit made
		// between two loads (another worker in the same checkout) would name the pages and the scripts
		// after different versions, and the built app would not start.
		version: { name: (process.env.MERIDIAN_VERSION ??= version() ?? '') || undefined },
		...(variant ? { outDir: `.svelte-kit-${variant}` } : {})
	}
};

export default config;
