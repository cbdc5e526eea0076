/**
 * Wires the relay together: storage, group commit, rooms, the members table, HTTP (with the
 * invites and members API) and the sync endpoint. A role change or removal made through the API
 * reaches the member's open sockets through the endpoint's `reauthorize`.
 * main.ts adds the process concerns (environment, signals, exit code).
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CloseCode } from '../src/lib/protocol/index.ts';
import { createApiHandler } from './api.ts';
import { createMemberVerifier, loadSecret } from './auth.ts';
import type { Config } from './config.ts';
import { createRequestHandler } from './http.ts';
import type { Logger } from './log.ts';
import { Members } from './members.ts';
import { RelayMetrics } from './metrics.ts';
import { Persister } from './persister.ts';
import { RoomRegistry } from './rooms.ts';
import { openSqliteStore } from './storage/worker.ts';
import type { Store } from './storage/types.ts';
import { attachSyncEndpoint } from './ws-glue.ts';

export const databaseFileName = 'meridian.sqlite';

export interface Relay {
	readonly url: string;
	readonly server: Server;
	/** Stops accepting, stores everything, compacts, closes sockets (1001) and storage. */
	shutdown(): Promise<ShutdownResult>;
}

export interface ShutdownResult {
	/** True when every accepted update was committed. */
	readonly flushed: boolean;
	readonly unstoredUpdates: number;
	readonly unstoredBytes: number;
}

/** How long a members-table write waits for the storage thread's write lock (see startRelay). */
const MEMBERS_BUSY_TIMEOUT_MS = 1_000;

export async function startRelay(config: Config, log: Logger, store?: Store): Promise<Relay> {
	mkdirSync(config.dataDir, { recursive: true });
	const secret = loadSecret(config.dataDir, config.secret);
	const metrics = new RelayMetrics();
	const storage = store ?? (await openSqliteStore(join(config.dataDir, databaseFileName)));
	// In the documents' database file (even beside another store), so a backup copies them too.
	// The members table is written from this thread while documents are committed from the storage
	// thread, in the same file: a member write (a first connection, an invite, a role change, rare)
	// may wait for a document commit's fsync. It waits up to a second rather than failing with
	// SQLITE_BUSY after the store's 100 ms, blocking this thread only for that rare write.
	const members = new Members(join(config.dataDir, databaseFileName), { busyTimeoutMs: MEMBERS_BUSY_TIMEOUT_MS });
	const verify = createMemberVerifier(secret, (claims) => members.admit(claims));
	const persister = new Persister(storage, log, {
		delayMs: config.flushDelayMs,
		onCommit: (ms, updates) => metrics.committed(ms / 1000, updates)
	});
	const registry = new RoomRegistry({
		store: storage,
		persister,
		log,
		idleMs: config.roomIdleMs,
		compactThreshold: config.compactThreshold,
		limits: config.limits
	});

	let endpoint: ReturnType<typeof attachSyncEndpoint> | null = null;
	const server = createServer(
		createRequestHandler({
			buildDir: config.buildDir,
			metrics: () =>
				metrics.render({
					roomsLoaded: () => registry.size,
					connections: () => endpoint?.connections.size ?? 0,
					sessions: () => [...(endpoint?.connections ?? [])].reduce((n, c) => n + c.sessionCount, 0),
					pendingUpdates: () => persister.pendingCount,
					failedCommits: () => persister.failedCommits,
					storageFaulted: () => persister.faulted,
					faultEpisodes: () => persister.faultEpisodes,
					quarantinedRows: () => registry.quarantinedRows,
					pendingBytes: () => persister.pendingBytes,
					storedBytes: () => storage.storedBytes()
				}),
			api: createApiHandler({
				members,
				verify,
				secret,
				log,
				trustProxy: config.trustProxy,
				metrics,
				onAccessChanged: (workspaceId, memberId, role) => {
					const count = endpoint?.reauthorize(workspaceId, memberId, role) ?? 0;
					if (count > 0) log('info', 'connections reauthorized', { workspace: workspaceId, member: memberId, role, connections: count });
				}
			})
		})
	);
	endpoint = attachSyncEndpoint(server, {
		registry,
		verify,
		recheck: (claims) => members.admit(claims),
		log,
		maxMessageBytes: config.maxMessageBytes,
		pingIntervalMs: config.pingIntervalMs,
		allowedOrigins: new Set(config.allowedOrigins),
		maxConnectionsPerAddress: config.maxConnectionsPerAddress,
		trustProxy: config.trustProxy,
		limits: config.limits,
		metrics
	});
	const sync = endpoint;

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(config.port, config.host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const address = server.address() as AddressInfo;
	const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

	let shuttingDown: Promise<ShutdownResult> | null = null;
	const shutdown = async (): Promise<ShutdownResult> => {
		sync.stopAccepting();
		server.close();
		persister.stop();
		// A failing disk gets a few more chances before we give up on what is still in memory.
		let flushed = await persister.flush();
		for (let attempt = 1; !flushed && attempt <= 3; attempt++) {
			await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
			flushed = await persister.flush();
		}
		const result = { flushed, unstoredUpdates: persister.pendingCount, unstoredBytes: persister.pendingBytes };
		await registry.closeAll();
		await sync.closeAll(CloseCode.goingAway, 'relay shutting down');
		server.closeAllConnections();
		await storage.close();
		members.close();
		return result;
	};

	return {
		url: `http://${host}:${address.port}`,
		server,
		shutdown: () => (shuttingDown ??= shutdown())
	};
}
