/**
 * The relay's settings, read once from the environment. Every knob is listed in docs/operations.md.
 */
import { resolve } from 'node:path';
import { parseAllowedOrigins } from './admission.ts';

export interface Config {
	readonly port: number;
	readonly host: string;
	readonly dataDir: string;
	/** From MERIDIAN_SECRET; when absent the relay uses (or creates) DATA_DIR/secret. */
	readonly secret: string | null;
	readonly buildDir: string;
	/** Browser origins allowed to open sockets besides the relay's own host (ALLOWED_ORIGINS). */
	readonly allowedOrigins: readonly string[];
	/** Open sockets per client address; more are refused with HTTP 429. */
	readonly maxConnectionsPerAddress: number;
	/** Behind a reverse proxy: the client address is the last X-Forwarded-For entry. */
	readonly trustProxy: boolean;
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
	/** Per-document and per-connection limits (PROTOCOL.md, "Limits"). */
	readonly limits: Limits;
}

/**
 * What one connection or one document may use. The defaults leave room for the app's heaviest
 * normal use: a 1,000-page workspace joins ~2,000 rooms over one connection and answers each
 * room's sync step 1 (those answers are free), pastes and bulk moves send bursts of updates.
 */
export interface Limits {
	/** A write that would take a room's stored bytes past this is refused with 4413. */
	readonly maxDocumentBytes: number;
	/** Rooms one multiplexed connection may have joined at once; more get roomError 4414. */
	readonly maxRoomsPerConnection: number;
	/** Sustained sync updates per second per connection (token bucket refill rate)… */
	readonly updatesPerSecond: number;
	/** …and the burst it allows; one more closes the socket with 4429. */
	readonly updateBurst: number;
	/** The same for awareness messages. */
	readonly awarenessPerSecond: number;
	readonly awarenessBurst: number;
	/**
	 * Bytes of accepted updates held in memory for storage across all rooms (a long storage
	 * fault); while at or past it, a write that would change a document is refused with 4503.
	 */
	readonly maxPendingBytes: number;
}

export const defaultLimits: Limits = {
	maxDocumentBytes: 64 * 1024 * 1024,
	maxRoomsPerConnection: 10_000,
	updatesPerSecond: 200,
	updateBurst: 2_000,
	awarenessPerSecond: 100,
	awarenessBurst: 1_000,
	maxPendingBytes: 256 * 1024 * 1024
};

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

/** A number > 0, fractions allowed: a refill rate (tests use 0.001/s, so a pause never refills). */
function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
	const raw = env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a number > 0, got "${raw}"`);
	return value;
}

/** The limits knobs alone (a bad value throws ConfigError, like readConfig). */
export function readLimits(env: NodeJS.ProcessEnv = process.env): Limits {
	return {
		maxDocumentBytes: integer(env, 'MAX_DOCUMENT_BYTES', defaultLimits.maxDocumentBytes, 1),
		maxRoomsPerConnection: integer(env, 'MAX_ROOMS_PER_CONNECTION', defaultLimits.maxRoomsPerConnection, 1),
		updatesPerSecond: positive(env, 'UPDATES_PER_SECOND', defaultLimits.updatesPerSecond),
		updateBurst: integer(env, 'UPDATE_BURST', defaultLimits.updateBurst, 1),
		awarenessPerSecond: positive(env, 'AWARENESS_PER_SECOND', defaultLimits.awarenessPerSecond),
		awarenessBurst: integer(env, 'AWARENESS_BURST', defaultLimits.awarenessBurst, 1),
		maxPendingBytes: integer(env, 'MAX_PENDING_BYTES', defaultLimits.maxPendingBytes, 1)
	};
}

let processLimits: Limits | null = null;
/**
 * The limits of this process's environment, read once. Rooms and connections fall back to these
 * when whoever built them passed none (the glue in ws-glue.ts and relay.ts does not pass them
 * yet); main.ts has already validated the same variables through readConfig, so this never throws
 * in a relay that started.
 */
export function environmentLimits(): Limits {
	return (processLimits ??= readLimits(process.env));
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
	const logLevel = env.LOG_LEVEL ?? 'info';
	if (logLevel !== 'debug' && logLevel !== 'info' && logLevel !== 'warn' && logLevel !== 'error') {
		throw new ConfigError(`LOG_LEVEL must be debug, info, warn or error, got "${logLevel}"`);
	}
	const port = integer(env, 'PORT', 3000);
	if (port > 65535) throw new ConfigError(`PORT must be ≤ 65535, got ${port}`);
	let allowedOrigins: string[];
	try {
		allowedOrigins = parseAllowedOrigins(env.ALLOWED_ORIGINS ?? '');
	} catch (error) {
		throw new ConfigError(`ALLOWED_ORIGINS: ${(error as Error).message}`);
	}
	const trustProxy = env.TRUST_PROXY ?? '';
	if (!['', '0', '1', 'false', 'true'].includes(trustProxy)) {
		throw new ConfigError(`TRUST_PROXY must be 1/true or 0/false, got "${trustProxy}"`);
	}
	return {
		port,
		allowedOrigins,
		maxConnectionsPerAddress: integer(env, 'MAX_CONNECTIONS_PER_ADDRESS', 50, 1),
		trustProxy: trustProxy === '1' || trustProxy === 'true',
		host: env.HOST || '127.0.0.1',
		dataDir: resolve(env.DATA_DIR || './data'),
		secret: env.MERIDIAN_SECRET ? env.MERIDIAN_SECRET : null,
		buildDir: resolve(env.BUILD_DIR || './build'),
		roomIdleMs: integer(env, 'ROOM_IDLE_MS', 30_000),
		maxMessageBytes: integer(env, 'MAX_MESSAGE_BYTES', 16 * 1024 * 1024, 1),
		flushDelayMs: integer(env, 'FLUSH_DELAY_MS', 5),
		compactThreshold: integer(env, 'COMPACT_THRESHOLD', 200, 2),
		pingIntervalMs: integer(env, 'PING_INTERVAL_MS', 30_000, 10),
		logLevel,
		limits: readLimits(env)
	};
}
