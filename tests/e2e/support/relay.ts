/**
 * A real relay process for the browser tests: `node --import tsx server/main.ts` on 127.0.0.1 and
 * a free port, with its own temporary DATA_DIR and a fixed secret, serving the built app from
 * build/. Tokens are signed here with that secret by `signToken`, the function the token CLI
 * (server/cli/token.ts) calls: starting the CLI costs half a second of Node and tsx per token,
 * and the CLI itself is tested against a relay in tests/integration/auth.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { signToken } from '../../../server/auth.ts';

const root = resolve(import.meta.dirname, '../../..');
const LISTENING = /Meridian relay listening on (http:\/\/\S+)/;
/** The build to serve: build/, or build-<name>/ under MERIDIAN_BUILD=<name> (see svelte.config.js). */
const variant = process.env['MERIDIAN_BUILD']?.replace(/[^A-Za-z0-9_-]/g, '') ?? '';
const buildDir = join(root, variant ? `build-${variant}` : 'build');
const SECRET = 'meridian-e2e-secret-not-for-production-0123456789';
/** As the CLI's default `--expires-in 30d`. */
const TOKEN_LIFETIME_S = 30 * 86_400;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export type Role = 'viewer' | 'commenter' | 'editor' | 'admin';

export interface Relay {
	/** e.g. http://127.0.0.1:41234 — serves the app and the /sync endpoint. */
	readonly url: string;
	readonly dataDir: string;
	/** Everything the relay wrote to stderr so far (JSON log lines), for failure messages. */
	readonly log: () => string;
	/** A token signed by this relay's secret, as `server/cli/token.ts` makes it. */
	token(options: { workspace: string; role: Role; member?: string }): Promise<string>;
	/** An invite link as the app expects it: `<origin>/join#<token>`. */
	invite(options: { workspace: string; role: Role; member?: string }): Promise<string>;
	/** SIGTERM and wait for exit (SIGKILL if it hangs); removes DATA_DIR. Safe to call twice. */
	stop(): Promise<void>;
}

/** Where a relay started with `startRelay({ logFile })` also writes its stderr, for `attachRelay`. */
export interface SharedRelay {
	readonly url: string;
	readonly dataDir: string;
	readonly logFile: string;
}

/**
 * The relay global-setup.ts started for the whole run, seen from a test file: tokens are signed
 * here as usual; `stop` does nothing (the global setup stops it when the run ends).
 */
export function attachRelay({ url, dataDir, logFile }: SharedRelay): Relay {
	return {
		url,
		dataDir,
		log: () => {
			try {
				return readFileSync(logFile, 'utf8');
			} catch {
				return '';
			}
		},
		token: mintToken,
		invite: async (options) => `${url}/join#${await mintToken(options)}`,
		stop: async () => {}
	};
}

async function mintToken({ workspace, role, member }: { workspace: string; role: Role; member?: string }): Promise<string> {
	return signToken(new TextEncoder().encode(SECRET), {
		workspaceId: workspace,
		role,
		// The CLI's default for a token without --member: a random id.
		memberId: member ?? randomBytes(12).toString('base64url'),
		expiresInSeconds: TOKEN_LIFETIME_S
	});
}

export async function startRelay({ logFile }: { logFile?: string } = {}): Promise<Relay> {
	if (!existsSync(join(buildDir, 'index.html'))) {
		throw new Error(`The app is not built (no ${buildDir}/index.html): run npm run build first.`);
	}
	const dataDir = await mkdtemp(join(tmpdir(), 'meridian-e2e-'));
	const env: NodeJS.ProcessEnv = {
		...process.env,
		PORT: '0',
		HOST: '127.0.0.1',
		DATA_DIR: dataDir,
		BUILD_DIR: buildDir,
		MERIDIAN_SECRET: SECRET,
		LOG_LEVEL: 'warn'
	};
	const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
		cwd: root,
		env,
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let stderr = '';
	child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
		if (logFile) appendFileSync(logFile, chunk);
	});

	let url: string;
	try {
		url = await waitForListening(child, () => stderr);
	} catch (error) {
		await kill(child);
		await rm(dataDir, { recursive: true, force: true });
		throw error;
	}

	let stopped: Promise<void> | null = null;
	return {
		url,
		dataDir,
		log: () => stderr,
		token: mintToken,
		invite: async (options) => `${url}/join#${await mintToken(options)}`,
		stop: () =>
			(stopped ??= (async () => {
				await kill(child);
				await rm(dataDir, { recursive: true, force: true });
			})())
	};
}

function waitForListening(child: ChildProcess, stderr: () => string): Promise<string> {
	return new Promise((resolvePromise, reject) => {
		let stdout = '';
		const timer = setTimeout(() => fail(`the relay did not print its listening line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
		const fail = (why: string) => {
			clearTimeout(timer);
			reject(new Error(`${why}\nstdout: ${stdout}\nstderr: ${stderr()}`));
		};
		child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
			stdout += chunk;
			const match = LISTENING.exec(stdout);
			if (match) {
				clearTimeout(timer);
				resolvePromise(match[1]!);
			}
		});
		child.once('exit', (code, signal) => fail(`the relay exited before listening (code ${code}, signal ${signal})`));
		child.once('error', (error) => fail(`the relay could not be started: ${error.message}`));
	});
}

async function kill(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolvePromise) => child.once('exit', () => resolvePromise()));
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
	await exited;
	clearTimeout(timer);
}
