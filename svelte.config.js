import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A client-only SPA: every route falls back to index.html, which the relay serves
		// for any path that is not a file, so deep links work offline through the service worker too.
		adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
		// We register the service worker ourselves so a new version waits to be offered
		// ("Reload to update") instead of being swapped in under an open editor.
		serviceWorker: { register: false }
	}
};

export default config;
