/**
 * The relay's settings, read once from the environment. Every knob is listed in docs/operations.md.
 */
import { resolve } from 'node:path';

export interface Config {
	readonly port: number;
	readonly host: string;
	readonly dataDir: string;
	/** From MERIDIAN_SECRET; when absent the relay uses (or creates) DATA_DIR/secret. */
	readonly secret: string | null;
	readonly buildDir: string;
	/** A room with no connections and nothing unstored unloads after this long. */
	readonly roomIdleMs: number;
	/** Larger WebSocket messages close the socket with 1009. */
	readonly maxMessageBytes: number;
	/** Group-commit window while busy (an idle relay commits at once). */
	readonly flushDelayMs: number;
	/** A loaded room with more stored rows than this is compacted in the background. */
	readonly compactThreshold: number;
	/** Each socket is pinged this often; one that missed the previous ping is cut off. */
	readonly pingIntervalMs: number;
	readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export class ConfigError extends Error {
	override name = 'ConfigError';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
	const raw = env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < min) throw new ConfigError(`${name} must be an integer ≥ ${min}, got "${raw}"`);
	return value;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
	const logLevel = env.LOG_LEVEL ?? 'info';
	if (logLevel !== 'debug' && logLevel !== 'info' && logLevel !== 'warn' && logLevel !== 'error') {
		throw new ConfigError(`LOG_LEVEL must be debug, info, warn or error, got "${logLevel}"`);
	}
	const port = integer(env, 'PORT', 3000);
	if (port > 65535) throw new ConfigError(`PORT must be ≤ 65535, got ${port}`);
	return {
		port,
		host: env.HOST || '127.0.0.1',
		dataDir: resolve(env.DATA_DIR || './data'),
		secret: env.MERIDIAN_SECRET ? env.MERIDIAN_SECRET : null,
		buildDir: resolve(env.BUILD_DIR || './build'),
		roomIdleMs: integer(env, 'ROOM_IDLE_MS', 30_000),
		maxMessageBytes: integer(env, 'MAX_MESSAGE_BYTES', 16 * 1024 * 1024, 1),
		flushDelayMs: integer(env, 'FLUSH_DELAY_MS', 5),
		compactThreshold: integer(env, 'COMPACT_THRESHOLD', 200, 2),
		pingIntervalMs: integer(env, 'PING_INTERVAL_MS', 30_000, 10),
		logLevel
	};
}
