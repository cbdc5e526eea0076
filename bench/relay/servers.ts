/**
 * The three servers the relay scenarios compare, each started as its own child process on
 * 127.0.0.1 and a free port, so its CPU time and peak memory are its own (read from /proc):
 *
 * - `meridian`: our relay (server/main.ts bundled with esbuild, run by plain node, as the
 *   integration tests run it), SQLite in a fresh temp directory, durable acknowledgements on.
 * - `hocuspocus`: @hocuspocus/server 3.x with no extensions (documents in memory).
 * - `y-websocket`: the y-websocket 1.x reference server, bin/utils (in memory, its default gc).
 *
 * The peers keep nothing on disk; ours commits every update to SQLite (synchronous=FULL) before it
 * acknowledges it. Every scenario says so beside its figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleRelay } from '../../server/bundle.ts';
import { signToken } from '../../server/auth.ts';

export type ServerKind = 'meridian' | 'hocuspocus' | 'y-websocket';
export const serverKinds: readonly ServerKind[] = ['meridian', 'hocuspocus', 'y-websocket'];

/** How a client talks to the server: y-websocket messages on one socket per room, or Hocuspocus's (room-prefixed, authenticated). */
export type Dialect = 'y-websocket' | 'hocuspocus';

export interface Usage {
	/** User + system CPU seconds the server process has used since it started. */
	readonly cpuSeconds: number;
	/** The process's peak resident set (VmHWM), bytes. */
	readonly peakRssBytes: number;
	/** Its resident set now (VmRSS), bytes. */
	readonly rssBytes: number;
}

export interface BenchServer {
	readonly kind: ServerKind;
	readonly dialect: Dialect;
	readonly pid: number;
	/** ws://127.0.0.1:PORT */
	readonly origin: string;
	/** Where a client opens `room` (for Hocuspocus every room shares the one endpoint). */
	socketUrl(room: string, token: string): string;
	/**
	 * WebSocket sub-protocols a client offers: ours sends durable acknowledgements (`stored`) on a
	 * per-room socket only to a client that offers `meridian.v1` (PROTOCOL.md, "Token transport").
	 */
	readonly protocols: readonly string[];
	/** A token the server accepts for an editor of `workspaceId` (peers accept anything). */
	token(workspaceId: string, memberId?: string): Promise<string>;
	usage(): Usage;
	/** Sets the peak resident set back to the current one, so a scenario's peak excludes what came before. */
	resetPeak(): void;
	/** SIGTERM, waits for exit (our relay flushes first), removes its data directory. */
	stop(): Promise<void>;
}

export interface ServerOptions {
	/** Extra environment for our relay (limits raised for a scenario, say). */
	readonly env?: Record<string, string>;
	/** Our relay's data directory (default: a new temp directory, removed on stop). */
	readonly dataDir?: string;
	/**
	 * Options for the server's node, e.g. `['--cpu-prof', '--cpu-prof-dir=/tmp/prof']` to profile
	 * it (the profile is written when it exits; node refuses --cpu-prof in NODE_OPTIONS).
	 */
	readonly nodeArgs?: readonly string[];
}

const repoRoot = resolve(import.meta.dirname, '../..');
const secret = 'bench-secret-0123456789abcdef0123456789';
const CLOCK_TICKS = 100;
let bundle: Promise<string> | null = null;

/** Our relay as one file, built once per bench run (bare imports resolve from node_modules). */
function relayBundle(): Promise<string> {
	return (bundle ??= (async () => {
		const dir = join(repoRoot, 'node_modules/.cache/meridian-bench-relay');
		mkdirSync(dir, { recursive: true });
		return bundleRelay(dir);
	})());
}

export async function startServer(kind: ServerKind, options: ServerOptions = {}): Promise<BenchServer> {
	let child: ChildProcess;
	let dataDir: string | null = null;
	const removeDir = options.dataDir === undefined;
	if (kind === 'meridian') {
		dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'meridian-bench-'));
		child = spawn(process.execPath, [...(options.nodeArgs ?? []), await relayBundle()], {
			cwd: repoRoot,
			env: {
				...process.env,
				PORT: '0',
				HOST: '127.0.0.1',
				DATA_DIR: dataDir,
				MERIDIAN_SECRET: secret,
				LOG_LEVEL: 'warn',
				// A benchmark opens a thousand sockets from one address.
				MAX_CONNECTIONS_PER_ADDRESS: '100000',
				...options.env
			},
			stdio: ['ignore', 'pipe', 'pipe']
		});
	} else {
		const script = kind === 'hocuspocus' ? 'hocuspocus.mjs' : 'y-websocket.cjs';
		child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(import.meta.dirname, 'peers', script)], {
			cwd: repoRoot,
			env: { ...process.env },
			stdio: ['ignore', 'pipe', 'pipe']
		});
	}
	let stderr = '';
	child.stderr!.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
		if (stderr.length > 64 * 1024) stderr = stderr.slice(-32 * 1024);
	});
	const port = await new Promise<number>((resolvePort, reject) => {
		let stdout = '';
		const pattern = kind === 'meridian' ? /listening on http:\/\/127\.0\.0\.1:(\d+)/ : /listening (\d+)/;
		child.stdout!.on('data', (chunk: Buffer) => {
			stdout += chunk.toString();
			const match = pattern.exec(stdout);
			if (match) resolvePort(Number(match[1]));
		});
		child.once('exit', (code) => reject(new Error(`${kind} exited with ${code} before listening: ${stderr}`)));
	});
	const pid = child.pid!;
	const exited = new Promise<void>((resolveExit) => {
		if (child.exitCode !== null) resolveExit();
		else child.once('exit', () => resolveExit());
	});
	const origin = `ws://127.0.0.1:${port}`;
	const secretKey = new TextEncoder().encode(secret);
	return {
		kind,
		dialect: kind === 'hocuspocus' ? 'hocuspocus' : 'y-websocket',
		protocols: kind === 'meridian' ? ['meridian.v1'] : [],
		pid,
		origin,
		socketUrl(room, token) {
			if (kind === 'meridian') return `${origin}/sync/${encodeURIComponent(room)}?token=${token}`;
			if (kind === 'hocuspocus') return origin;
			return `${origin}/${room}`;
		},
		token(workspaceId, memberId = 'bench') {
			return signToken(secretKey, { workspaceId, role: 'editor', memberId, expiresInSeconds: 24 * 3600 });
		},
		usage: () => usageOf(pid),
		resetPeak() {
			try {
				// Linux: writing 5 to clear_refs resets VmHWM to the current RSS.
				writeFileSync(`/proc/${pid}/clear_refs`, '5');
			} catch {
				// Not permitted or not Linux: the peak then includes what came before.
			}
		},
		async stop() {
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
			await exited;
			if (dataDir && removeDir) rmSync(dataDir, { recursive: true, force: true });
		}
	};
}

/** CPU seconds and resident memory of a process, from /proc (Linux). */
export function usageOf(pid: number): Usage {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	// Fields after the command name (which may hold spaces), 1-based from field 3.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	const utime = Number(fields[11]);
	const stime = Number(fields[12]);
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
	return { cpuSeconds: (utime + stime) / CLOCK_TICKS, peakRssBytes: kib('VmHWM'), rssBytes: kib('VmRSS') };
}
