import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	test: {
		// Two groups, one after the other (sequence.groupOrder): unit and integration tests first, four
		// files at a time — most integration files wait on relay processes, timers and sockets, not
		// the two cores — then the browser tests, two files at a time in the one shared Chromium.
		projects: [
			{
				extends: true,
				// The seeded fuzz and trace runs take a second or two alone, several times that when the
				// two cores are busy with the other projects: 15 s instead of 5 before calling one stuck.
				test: {
					name: 'unit',
					include: ['tests/unit/**/*.test.ts'],
					environment: 'node',
					testTimeout: 15_000,
					maxWorkers: 4,
					sequence: { groupOrder: 0 }
				}
			},
			{
				extends: true,
				test: {
					name: 'integration',
					include: ['tests/integration/**/*.test.ts'],
					environment: 'node',
					testTimeout: 30_000,
					hookTimeout: 60_000,
					// One bundle of server/main.ts per run, which spawnRelay starts (relay-bundle.ts).
					globalSetup: ['tests/integration/relay-bundle.ts'],
					maxWorkers: 4,
					sequence: { groupOrder: 0 }
				}
			},
			{
				extends: true,
				test: {
					name: 'e2e',
					include: ['tests/e2e/**/*.test.ts'],
					environment: 'node',
					testTimeout: 90_000,
					hookTimeout: 120_000,
					// One relay and one Chromium for every file (tests/e2e/support/world.ts).
					globalSetup: ['tests/e2e/support/global-setup.ts'],
					// Two files at a time, in the one shared Chromium: most of a browser test is waiting (for
					// the relay, a render, a poll), so two overlap well on the machines' two cores.
					fileParallelism: true,
					maxWorkers: 2,
					// Each worker runs file after file in one process: a fresh one per file cost a second or
					// more of startup and of importing playwright-core. The files share no module state but
					// the support code's, which keeps none between files (each connects and closes its own).
					isolate: false,
					sequence: { groupOrder: 1 }
				}
			}
		]
	}
});
