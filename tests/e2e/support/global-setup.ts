/**
 * vitest globalSetup of the e2e project: one relay and one Chromium (a Playwright browser server)
 * for the whole run, handed to the test files through `provide` (see `startWorld` in world.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { chromiumPath, launchBrowserServer } from './browser.ts';
import { startRelay } from './relay.ts';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
	if (!chromiumPath) {
		project.provide('e2eWorld', null);
		return;
	}
	const logDir = await mkdtemp(join(tmpdir(), 'meridian-e2e-log-'));
	const logFile = join(logDir, 'relay.log');
	const [relay, server] = await Promise.all([startRelay({ logFile }), launchBrowserServer()]);
	project.provide('e2eWorld', { relay: { url: relay.url, dataDir: relay.dataDir, logFile }, browserEndpoint: server.wsEndpoint() });
	return async () => {
		await server.close();
		await relay.stop();
		await rm(logDir, { recursive: true, force: true });
	};
}
