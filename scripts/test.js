// `npm test`: build the app, then run every vitest project (unit, integration, e2e; see
// vite.config.ts). Extra arguments go to vitest: `npm test -- --project unit`.
//
// The e2e tests drive a real Chromium. Without one they skip loudly on a laptop, but under CI=true
// a missing browser is a failure: a green CI run must mean the browser tests ran.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const ci = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';

// Same lookup order as the e2e helper in tests/e2e.
const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
const chromium = candidates.find((path) => path && existsSync(path));

function run(args) {
	const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
	if (result.error) throw result.error;
	return result.status ?? 1;
}

if (chromium) {
	console.log(`Browser tests will use Chromium at ${chromium}`);
} else if (ci) {
	console.error(
		'ERROR: no Chromium found and CI is set, so the browser tests cannot run.\n' +
			'Install chromium (bash .ci/run does) or set CHROMIUM_PATH to a Chromium binary.'
	);
	process.exit(1);
} else {
	const line = '!'.repeat(78);
	console.warn(`${line}\n!!! BROWSER TESTS WILL BE SKIPPED: no Chromium found (set CHROMIUM_PATH)\n${line}`);
}

const built = run(['node_modules/vite/bin/vite.js', 'build']);
if (built !== 0) process.exit(built);

process.exit(run(['node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(2)]));
