/**
 * The thin layer between `ws` and the relay: HTTP upgrade on /sync and /sync/<room>, admission
 * (Origin, sockets per address) and the token check before any document byte is sent,
 * sub-protocol selection, the socket adapter, and each connection's log lines and counters.
 * Request URLs and headers other than Origin are never logged: a URL may carry ?token= and
 * Sec-WebSocket-Protocol carries the token itself.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
	CloseCode,
	MessageType,
	SyncType,
	meridianBatchProtocol,
	meridianProtocol,
	decodeBatch,
	isBatch,
	MAX_BATCH_BYTES,
	Outbox,
	parseRoomName,
	refuseRoom,
	tokenProtocolPrefix,
	type Role,
	type TokenClaims
} from '../src/lib/protocol/index.ts';
import { AddressLimiter, clientAddress, originAllowed } from './admission.ts';
import type { TokenVerifier } from './auth.ts';
import { MuxConnection, RoomConnection, type Connection } from './connection.ts';
import type { Limits } from './config.ts';
import { requestUrl } from './http.ts';
import type { RoomRegistry } from './rooms.ts';
import type { SocketLike } from './session.ts';
import { errorText, type Logger } from './log.ts';
import { RelayMetrics, type Refusal } from './metrics.ts';

export interface SyncEndpointOptions {
	readonly registry: RoomRegistry;
	readonly verify: TokenVerifier;
	readonly log: Logger;
	readonly maxMessageBytes: number;
	/** How often to ping each socket; one that has not answered the previous ping is cut off. */
	readonly pingIntervalMs?: number;
	/** Origins allowed besides the relay's own host (ALLOWED_ORIGINS). */
	readonly allowedOrigins?: ReadonlySet<string>;
	/** Open (and opening) sockets allowed per client address; more are refused with 429. */
	readonly maxConnectionsPerAddress?: number;
	/** Take the client address from X-Forwarded-For (TRUST_PROXY). */
	readonly trustProxy?: boolean;
	readonly metrics?: RelayMetrics;
	/** Per-connection limits (rates, rooms); the process environment's when absent. */
	readonly limits?: Limits;
	/**
	 * Asks the members table again, synchronously, when the socket opens: a role changed or a
	 * member removed while their handshake was in flight must not slip in with the old claims.
	 */
	readonly recheck?: (claims: TokenClaims) => TokenClaims | null;
}

export interface SyncEndpoint {
	readonly connections: ReadonlySet<Connection>;
	/** Refuse new upgrades and stop handling messages on open sockets. */
	stopAccepting(): void;
	/** Close every socket with `code` and wait (briefly) for the close handshakes. */
	closeAll(code: number, reason: string): Promise<void>;
	/**
	 * A member's role changed (or null: removed): every open connection of that workspace and
	 * member is reauthorized at once. Returns how many connections were.
	 */
	reauthorize(workspaceId: string, memberId: string, role: Role | null): number;
}

function offeredProtocols(req: IncomingMessage): string[] {
	const header = req.headers['sec-websocket-protocol'];
	if (!header) return [];
	return header.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
}

function tokenOf(req: IncomingMessage, url: URL): string | null {
	const fromProtocol = offeredProtocols(req).find((p) => p.startsWith(tokenProtocolPrefix));
	if (fromProtocol) return fromProtocol.slice(tokenProtocolPrefix.length);
	// The stock y-websocket client can only pass parameters in the URL.
	return url.searchParams.get('token');
}

/** A varUint at `at` and the position after it; null past the end or beyond 2^35. */
function readVarUint(bytes: Uint8Array, at: number): { value: number; next: number } | null {
	let value = 0;
	for (let i = 0; i < 5 && at + i < bytes.length; i++) {
		const byte = bytes[at + i]!;
		value += (byte & 0x7f) * 2 ** (7 * i);
		if (byte < 0x80) return { value, next: at + i + 1 };
	}
	return null;
}

/**
 * Where the y-websocket message starts: 0 on a per-room socket, after the room name in a frame
 * `varString(room) • message` on /sync; -1 for a truncated frame (the connection deals with it).
 */
function messageOffset(bytes: Uint8Array, mux: boolean): number {
	if (!mux) return 0;
	const length = readVarUint(bytes, 0);
	return length && length.next + length.value <= bytes.length ? length.next + length.value : -1;
}

/** Whether the message at `at` carries document changes (syncStep2 or syncUpdate). */
function isDocumentUpdate(bytes: Uint8Array, at: number): boolean {
	return at >= 0 && bytes[at] === MessageType.sync && (bytes[at + 1] === SyncType.step2 || bytes[at + 1] === SyncType.update);
}

/** The close code `ws` itself sends when it gives up on a peer's bytes (its errors carry no public code). */
function wsErrorCloseCode(error: Error): number {
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return CloseCode.tooLarge;
	if (code === 'WS_ERR_INVALID_UTF8') return 1007;
	return 1002;
}

export function attachSyncEndpoint(server: Server, options: SyncEndpointOptions): SyncEndpoint {
	const { registry, verify, log } = options;
	const metrics = options.metrics ?? new RelayMetrics();
	const allowedOrigins = options.allowedOrigins ?? new Set<string>();
	const limiter = new AddressLimiter(options.maxConnectionsPerAddress ?? Number.POSITIVE_INFINITY);
	/** Sockets over the per-address limit, open only to be closed with a code (below). */
	const overflow = new AddressLimiter(options.maxConnectionsPerAddress ?? Number.POSITIVE_INFINITY);
	const trustProxy = options.trustProxy ?? false;
	const connections = new Set<Connection>();
	/** The claims each open connection holds now (its token's, as changed by reauthorize). */
	const claimsOf = new Map<Connection, TokenClaims>();
	const sockets = new Set<WebSocket>();
	const answered = new WeakMap<WebSocket, boolean>();
	/** The code the relay closed (or cut off) a socket with, which the metrics count over the peer's echo. */
	const closedWith = new WeakMap<WebSocket, number>();
	let accepting = true;
	let nextId = 1;

	/** Each batching socket's outbox ([R34]): what was sent before a close goes out before it. */
	const outboxes = new WeakMap<WebSocket, Outbox>();
	const closeSocket = (ws: WebSocket, code: number, reason: string): void => {
		outboxes.get(ws)?.flush();
		if (!closedWith.has(ws)) closedWith.set(ws, code);
		ws.close(code, reason);
	};

	// A peer that vanished without a close (a laptop lid, a dead network) would hold its sessions
	// and awareness, and keep its rooms loaded, forever. Browsers answer pings by themselves.
	const heartbeat = setInterval(() => {
		for (const ws of sockets) {
			if (answered.get(ws) === false) {
				log('debug', 'socket did not answer a ping; terminating');
				if (!closedWith.has(ws)) closedWith.set(ws, 1006);
				ws.terminate();
				continue;
			}
			answered.set(ws, false);
			ws.ping();
		}
	}, options.pingIntervalMs ?? 30_000);
	heartbeat.unref();

	const wss = new WebSocketServer({
		noServer: true,
		maxPayload: options.maxMessageBytes,
		// A browser fails the handshake if it offered protocols and none is selected, so when
		// neither meridian.v2 nor meridian.v1 is offered (token-only), echo the first one.
		handleProtocols: (protocols) => {
			// Batches only where a whole one fits under the message limit (a relay configured with a
			// small MAX_MESSAGE_BYTES, as some tests do, speaks meridian.v1).
			if (protocols.has(meridianBatchProtocol) && options.maxMessageBytes >= MIN_MESSAGE_BYTES_FOR_BATCHES) return meridianBatchProtocol;
			if (protocols.has(meridianProtocol)) return meridianProtocol;
			// Never meridian.v2 by this way round: a relay too small for batches must not turn them on.
			const [first] = [...protocols].filter((protocol) => protocol !== meridianBatchProtocol);
			return first ?? false;
		}
	});

	const respond = (socket: Duplex, status: string, body = ''): void => {
		socket.end(
			`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
				`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
		);
	};
	// A client hammering the relay is refused every time but logged once a minute per address and
	// reason, so it cannot fill the disk with log lines; /metrics counts every refusal.
	const lastLogged = new Map<string, number>();
	const logRefusal = (level: 'debug' | 'info' | 'warn', fields: Record<string, string | number>): void => {
		const key = `${fields['reason']} ${fields['address']}`;
		const now = Date.now();
		if (now - (lastLogged.get(key) ?? -Infinity) < 60_000) return;
		if (lastLogged.size >= 10_000) lastLogged.clear();
		lastLogged.set(key, now);
		log(level, 'connection refused', fields);
	};
	const refuse = (socket: Duplex, reason: Refusal, status: string, body: string, fields: Record<string, string>): void => {
		metrics.refused(reason);
		logRefusal(reason === 'shutting_down' ? 'debug' : 'warn', { reason, status: Number.parseInt(status), ...fields });
		respond(socket, status, body);
	};

	server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
		socket.on('error', () => socket.destroy());
		const url = requestUrl(req.url);
		if (!url) return respond(socket, '400 Bad Request');
		const path = url.pathname;
		if (path !== '/sync' && !path.startsWith('/sync/')) return respond(socket, '404 Not Found');
		if (!accepting) return refuse(socket, 'shutting_down', '503 Service Unavailable', 'relay shutting down\n', {});
		const address = clientAddress(req, trustProxy);
		// A browser shows a page nothing of a plain HTTP refusal (only close code 1006, "offline"), so
		// a refused origin and an address over its limit get a WebSocket closed at once with a code
		// the app can say (4406, 4430), and no document byte. Each such socket holds a slot of
		// `overflow` while it lives; an address holding all of those too (twice its limit: a flood)
		// gets plain HTTP 429, which costs no handshake.
		const within = limiter.take(address);
		if (!within && !overflow.take(address)) {
			return refuse(socket, 'address_limit', '429 Too Many Requests', 'too many connections from this address\n', { address });
		}
		// The raw socket closes once whatever becomes of it is over: a refused or failed handshake,
		// or the WebSocket's end. One release per take.
		socket.once('close', () => (within ? limiter : overflow).release(address));
		const origin = req.headers.origin;
		const refusal = !originAllowed(origin, req.headers.host, allowedOrigins)
			? // An origin is scheme://host[:port] and nothing else, but it is the client's to write: capped.
				{ reason: 'origin' as const, code: CloseCode.originNotAllowed, text: 'origin not allowed', fields: { origin: String(origin).slice(0, 200) } as Record<string, string> }
			: !within
				? { reason: 'address_limit' as const, code: CloseCode.tooManyConnections, text: 'too many connections from this address', fields: {} as Record<string, string> }
				: null;
		if (refusal) {
			metrics.refused(refusal.reason);
			logRefusal('warn', { reason: refusal.reason, code: refusal.code, ...refusal.fields, address });
			wss.handleUpgrade(req, socket, head, (ws) => {
				ws.on('error', () => {});
				closeSocket(ws, refusal.code, refusal.text);
			});
			return;
		}
		verify(tokenOf(req, url))
			.then((verified) => {
				wss.handleUpgrade(req, socket, head, (ws) => {
					sockets.add(ws);
					answered.set(ws, true);
					ws.on('pong', () => answered.set(ws, true));
					ws.on('close', (code) => {
						sockets.delete(ws);
						metrics.closed(closedWith.get(ws) ?? code);
					});
					ws.on('error', (error) => {
						if (!closedWith.has(ws)) closedWith.set(ws, wsErrorCloseCode(error));
						log('warn', 'socket error', { error: errorText(error) });
					});
					// Nothing is sent before these checks pass: a refused socket gets no document bytes.
					const deny = (code: number, reason: string, fields: Record<string, string> = {}): void => {
						logRefusal('info', { reason, code, address, ...fields });
						closeSocket(ws, code, reason);
					};
					let claims = verified;
					try {
						if (verified && options.recheck) claims = options.recheck(verified);
					} catch (error) {
						// The table was read a moment ago by the verifier; its answer stands.
						log('warn', 'members recheck failed', { error: errorText(error) });
					}
					if (!claims) return deny(CloseCode.unauthorized, 'unauthorized');
					const stats = { messagesIn: 0, messagesOut: 0 };
					const batches = path === '/sync' && ws.protocol === meridianBatchProtocol;
					const write = (data: Uint8Array): void => {
						if (ws.readyState !== ws.OPEN) return;
						metrics.messagesOut++;
						metrics.bytesOut += data.byteLength;
						stats.messagesOut++;
						corkForThisTurn(ws);
						ws.send(data);
					};
					const outbox = batches ? new Outbox(write, checkPhase) : null;
					if (outbox) outboxes.set(ws, outbox);
					const adapter: SocketLike = {
						send: (data) => {
							const at = messageOffset(data, path === '/sync');
							if (isDocumentUpdate(data, at)) metrics.updatesOut++;
							else if (at >= 0 && data[at] === MessageType.auth) metrics.permissionDenied++;
							else if (at >= 0 && data[at] === MessageType.roomError) {
								const code = readVarUint(data, at + 1);
								if (code) metrics.roomRefused(code.value);
							}
							if (outbox) outbox.add(data);
							else write(data);
						},
						close: (code, reason) => closeSocket(ws, code, reason),
						get isOpen() {
							return ws.readyState === ws.OPEN;
						}
					};
					let connection: Connection;
					let room: string | null = null;
					if (path === '/sync') {
						connection = new MuxConnection(adapter, registry, log, claims, options.limits);
					} else {
						try {
							room = decodeURIComponent(path.slice('/sync/'.length));
						} catch {
							return deny(CloseCode.unknownRoom, 'unknown room');
						}
						const name = parseRoomName(room);
						if (!name) return deny(CloseCode.unknownRoom, 'unknown room');
						const refused = refuseRoom(claims, name);
						if (refused !== null) return deny(CloseCode.forbidden, refused, { room });
						const acks = ws.protocol === meridianProtocol || ws.protocol === meridianBatchProtocol;
						connection = new RoomConnection(adapter, registry, log, claims, room, name, acks, options.limits);
					}
					const id = nextId++;
					const openedAt = Date.now();
					connections.add(connection);
					claimsOf.set(connection, claims);
					metrics.connectionsOpened++;
					log('info', 'connection opened', {
						conn: id,
						kind: path === '/sync' ? 'mux' : 'room',
						room,
						workspace: claims.workspaceId,
						member: claims.memberId,
						role: claims.role,
						address
					});
					ws.on('message', (data, isBinary) => {
						const buffer = Array.isArray(data)
							? Buffer.concat(data)
							: Buffer.isBuffer(data)
								? data
								: Buffer.from(data);
						metrics.messagesIn++;
						metrics.bytesIn += buffer.byteLength;
						stats.messagesIn++;
						if (!isBinary) return connection.close(CloseCode.malformed, 'text message');
						const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
						let frames: Uint8Array[] = [bytes];
						if (batches && isBatch(bytes)) {
							try {
								frames = decodeBatch(bytes);
							} catch {
								return connection.close(CloseCode.malformed, 'undecodable batch');
							}
						}
						for (const frame of frames) {
							if (isDocumentUpdate(frame, messageOffset(frame, path === '/sync'))) metrics.updatesIn++;
							connection.receive(frame);
						}
					});
					ws.on('close', (code) => {
						connections.delete(connection);
						claimsOf.delete(connection);
						connection.closed();
						const relayCode = closedWith.get(ws);
						log('info', 'connection closed', {
							conn: id,
							code: relayCode ?? code,
							by: relayCode === undefined ? 'client' : 'relay',
							durationMs: Date.now() - openedAt,
							messagesIn: stats.messagesIn,
							messagesOut: stats.messagesOut
						});
					});
				});
			})
			.catch((error: unknown) => {
				log('error', 'upgrade failed', { error: errorText(error) });
				socket.destroy();
			});
	});

	return {
		connections,
		reauthorize(workspaceId, memberId, role) {
			let count = 0;
			for (const [connection, claims] of [...claimsOf]) {
				if (claims.workspaceId !== workspaceId || claims.memberId !== memberId) continue;
				count++;
				if (role === null) {
					claimsOf.delete(connection);
					connection.reauthorize(null);
					continue;
				}
				const next = { ...claims, role };
				claimsOf.set(connection, next);
				connection.reauthorize(next);
			}
			return count;
		},
		stopAccepting() {
			accepting = false;
			for (const connection of connections) connection.freeze();
		},
		async closeAll(code, reason) {
			clearInterval(heartbeat);
			const closing = [...sockets].map(
				(ws) =>
					new Promise<void>((resolve) => {
						ws.once('close', () => resolve());
						closeSocket(ws, code, reason);
						// A peer that never answers the close handshake is cut off.
						setTimeout(() => {
							ws.terminate();
							resolve();
						}, 1000).unref();
					})
			);
			await Promise.all(closing);
			wss.close();
		}
	};
}

/**
 * The least MAX_MESSAGE_BYTES at which the relay offers batches: a batch of MAX_BATCH_BYTES of
 * frames plus their length prefixes (up to 3 bytes a frame; a join's frames are ~60 bytes), with room.
 */
const MIN_MESSAGE_BYTES_FOR_BATCHES = 2 * MAX_BATCH_BYTES;

/**
 * The relay's batching ([R34]; protocol/messages.ts Outbox) waits for the event loop's next check
 * phase: a join of a thousand rooms is answered as the storage thread's replies come in, many per
 * turn, and each reply is its own callback with microtasks run between them. The browser's cost is
 * per message as much as per byte (a Chromium page took 1.1–1.5 s to receive 20 MB as 4,000
 * messages, 0.4–0.5 s as 100: docs/performance.md, "Cold sync").
 */
const checkPhase = (flush: () => void): void => void setImmediate(flush);

const corked = new WeakSet<WebSocket>();
/**
 * Holds a socket's writes until the end of this turn of the event loop and then hands them to the
 * kernel together (one writev instead of one per message). A burst of writes read from one
 * socket — a fast typist, a reconnecting client — is forwarded as many messages to each peer;
 * uncorked, each was its own system call, the largest single cost of relaying such a burst. The
 * first message of a turn waits only for the rest of that turn's synchronous work. `_socket` is
 * the net.Socket under ws (not public API, stable since ws 1); without it nothing is corked.
 */
function corkForThisTurn(ws: WebSocket): void {
	if (corked.has(ws)) return;
	const socket = (ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
	if (!socket) return;
	corked.add(ws);
	socket.cork();
	queueMicrotask(() => {
		corked.delete(ws);
		socket.uncork();
	});
}
