/**
 * The relay as plain JavaScript for `node` (no tsx loader): server/main.ts bundled into
 * `<outDir>/main.mjs`, and the storage thread's entry into `<outDir>/sqlite-worker.mjs` beside it
 * (storage/worker.ts starts it from there). Each is what tsx would run — esbuild applies the same
 * per-file transform — with the dependencies external, loaded from node_modules as always, so
 * `outDir` must sit under the repository (Node resolves a bundle's bare imports from its own
 * location). The integration tests and the benchmarks start the relay this way: ~0.2 s a start
 * instead of tsx's ~1 s of CPU.
 */
import { build } from 'esbuild';
import { join, resolve } from 'node:path';

const serverDir = resolve(import.meta.dirname);

/** Builds the bundle into `outDir` and returns the path of its main.mjs. */
export async function bundleRelay(outDir: string): Promise<string> {
	await build({
		entryPoints: { main: join(serverDir, 'main.ts'), 'sqlite-worker': join(serverDir, 'storage/sqlite-worker.ts') },
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		outdir: outDir,
		outExtension: { '.js': '.mjs' },
		packages: 'external',
		logLevel: 'error'
	});
	return join(outDir, 'main.mjs');
}
