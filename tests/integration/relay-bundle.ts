/**
 * vitest globalSetup of the integration project: bundles the relay once per run (server/bundle.ts), so every relay a
 * test file spawns starts in ~0.2 s instead of the ~1 s of CPU tsx spends on its loader hooks
 * (which see every import). The bundle is server/main.ts as tsx would run it — esbuild applies the
 * same per-file transform — in one file, with the dependencies external, loaded from
 * node_modules as always: the same code from the same entry.
 *
 * It is built from the current sources at the start of every run, into a fresh directory removed
 * at the end, so no test ever starts a stale relay. The directory sits under node_modules/.cache
 * because Node resolves a bundle's bare imports (ws, better-sqlite3) from the file's own location.
 * The path reaches the test files through `provide` (`inject('relayBundle')` in relay-process.ts).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { bundleRelay } from '../../server/bundle.ts';

declare module 'vitest' {
	export interface ProvidedContext {
		/** The relay bundled from server/main.ts for this run (an .mjs file to start with node). */
		relayBundle: string;
	}
}

const repoRoot = resolve(import.meta.dirname, '../..');

export default async function setup(project: TestProject): Promise<() => void> {
	const cache = join(repoRoot, 'node_modules/.cache');
	mkdirSync(cache, { recursive: true });
	const dir = mkdtempSync(join(cache, 'meridian-relay-'));
	const outfile = await bundleRelay(dir);
	project.provide('relayBundle', outfile);
	return () => rmSync(dir, { recursive: true, force: true });
}
