/**
 * Runs the real relay as a child process — `node <bundle>`, the bundle of server/main.ts that
 * relay-bundle.ts builds once per run, or `node --import tsx server/main.ts` as `npm run relay` —
 * with PORT=0, a temp DATA_DIR and a fixed MERIDIAN_SECRET, waiting for its one stdout line
 * "Meridian relay listening on http://HOST:PORT". Every process started here is tracked so a
 * test file's afterAll can stop whatever is left (`stopAllRelays`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';
import { signToken } from '../../server/auth.ts';
import type { Role } from '../../src/lib/protocol/index.ts';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const testSecret = 'integration-test-secret-0123456789abcdef';
const listening = /^Meridian relay listening on (http:\/\/\S+)$/m;
const running = new Set<ChildProcess>();
/** Directories tempDir made (spawnRelay's data directories among them): removed by stopAllRelays. */
const createdDirs = new Set<string>();

export interface RelayOptions {
	/** Extra environment (ROOM_IDLE_MS, MAX_MESSAGE_BYTES, …); `MERIDIAN_SECRET: ''` to use DATA_DIR/secret. */
	readonly env?: Record<string, string>;
	/** Reuse a data directory (default: a new temp dir). */
	readonly dataDir?: string;
	/**
	 * How the relay starts: 'bundle' (default) runs this run's bundle of server/main.ts
	 * (relay-bundle.ts), ~0.2 s a start; 'sources' runs `node --import tsx server/main.ts` as
	 * `npm run relay` does (tsx's loader on every import, ~1 s of CPU), for the tests that keep
	 * that entry covered.
	 */
	readonly entry?: 'bundle' | 'sources';
}

export interface Exit {
	readonly code: number | null;
	readonly signal: NodeJS.Signals | null;
}

export interface RelayProcess {
	/** http://127.0.0.1:PORT */
	readonly url: string;
	/** ws://127.0.0.1:PORT/sync */
	readonly syncUrl: string;
	readonly dataDir: string;
	/** Everything the process wrote to stdout / stderr so far (across restarts). */
	readonly stdout: string;
	readonly stderr: string;
	readonly pid: number;
	/** Sends the signal and resolves when the process has exited. */
	kill(signal?: NodeJS.Signals): Promise<Exit>;
	/** Kills (SIGTERM unless told) if running, then starts again on the same DATA_DIR and env. */
	restart(signal?: NodeJS.Signals): Promise<void>;
	/** A token signed with the test secret. */
	token(role: Role, workspaceId?: string, options?: { expiresInSeconds?: number; memberId?: string }): Promise<string>;
}

/** A new directory under the system's temporary one, removed by stopAllRelays (in afterAll). */
export function tempDir(prefix: string): string {
	const dir = mkdtempSync(join(tmpdir(), prefix));
	createdDirs.add(dir);
	return dir;
}

export async function spawnRelay(options: RelayOptions = {}): Promise<RelayProcess> {
	const dataDir = options.dataDir ?? tempDir('meridian-relay-');
	const env: NodeJS.ProcessEnv = {
		...process.env,
		PORT: '0',
		HOST: '127.0.0.1',
		DATA_DIR: dataDir,
		MERIDIAN_SECRET: testSecret,
		ROOM_IDLE_MS: '30000',
		LOG_LEVEL: 'debug',
		...options.env
	};
	let stdout = '';
	let stderr = '';
	let child!: ChildProcess;
	let exited!: Promise<Exit>;
	let url = '';
	const nodeArgs = options.entry === 'sources' ? ['--import', 'tsx', 'server/main.ts'] : [inject('relayBundle')];

	const start = async (): Promise<void> => {
		child = spawn(process.execPath, nodeArgs, {
			cwd: repoRoot,
			env,
			stdio: ['ignore', 'pipe', 'pipe']
		});
		running.add(child);
		const current = child;
		exited = new Promise((done) =>
			current.once('exit', (code, signal) => {
				running.delete(current);
				done({ code, signal });
			})
		);
		const startStdout = stdout.length;
		url = await new Promise<string>((ready, fail) => {
			const timer = setTimeout(() => fail(new Error(`relay did not start in 20 s:\n${stderr}`)), 20_000);
			current.stdout!.on('data', (chunk: Buffer) => {
				stdout += chunk.toString();
				const match = listening.exec(stdout.slice(startStdout));
				if (match) {
					clearTimeout(timer);
					ready(match[1]!);
				}
			});
			current.stderr!.on('data', (chunk: Buffer) => {
				stderr += chunk.toString();
			});
			void exited.then((exit) => {
				clearTimeout(timer);
				fail(new Error(`relay exited before listening (${exit.code ?? exit.signal}):\n${stderr}`));
			});
		});
	};

	await start();
	const relay: RelayProcess = {
		get url() {
			return url;
		},
		get syncUrl() {
			return url.replace(/^http/, 'ws') + '/sync';
		},
		dataDir,
		get stdout() {
			return stdout;
		},
		get stderr() {
			return stderr;
		},
		get pid() {
			return child.pid ?? -1;
		},
		async kill(signal = 'SIGTERM') {
			if (child.exitCode === null && child.signalCode === null) child.kill(signal);
			return exited;
		},
		async restart(signal = 'SIGTERM') {
			await relay.kill(signal);
			await start();
		},
		token(role, workspaceId = 'ws1', tokenOptions = {}) {
			return signToken(new TextEncoder().encode(testSecret), {
				workspaceId,
				role,
				memberId: tokenOptions.memberId ?? `m-${role}`,
				expiresInSeconds: tokenOptions.expiresInSeconds ?? 3600
			});
		}
	};
	return relay;
}

/**
 * Stops every relay process still running and removes the directories tempDir made, spawnRelay's
 * data directories among them (afterAll: every test file that spawns relays calls it last).
 */
export async function stopAllRelays(): Promise<void> {
	await Promise.all(
		[...running].map(
			(child) =>
				new Promise<void>((done) => {
					child.once('exit', () => done());
					child.kill('SIGKILL');
				})
		)
	);
	for (const dir of createdDirs) rmSync(dir, { recursive: true, force: true });
	createdDirs.clear();
}
