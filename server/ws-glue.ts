/**
 * The thin layer between `ws` and the relay: HTTP upgrade on /sync and /sync/<room>, token
 * check before any document byte is sent, sub-protocol selection, and the socket adapter.
 * Request URLs are never logged: they may carry ?token=.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
	CloseCode,
	meridianProtocol,
	parseRoomName,
	refuseRoom,
	tokenProtocolPrefix
} from '../src/lib/protocol/index.ts';
import type { TokenVerifier } from './auth.ts';
import { MuxConnection, RoomConnection, type Connection } from './connection.ts';
import type { RoomRegistry } from './rooms.ts';
import type { SocketLike } from './session.ts';
import { errorText, type Logger } from './log.ts';

export interface SyncEndpointOptions {
	readonly registry: RoomRegistry;
	readonly verify: TokenVerifier;
	readonly log: Logger;
	readonly maxMessageBytes: number;
	/** How often to ping each socket; one that has not answered the previous ping is cut off. */
	readonly pingIntervalMs?: number;
}

export interface SyncEndpoint {
	readonly connections: ReadonlySet<Connection>;
	/** Refuse new upgrades and stop handling messages on open sockets. */
	stopAccepting(): void;
	/** Close every socket with `code` and wait (briefly) for the close handshakes. */
	closeAll(code: number, reason: string): Promise<void>;
}

function adapt(ws: WebSocket): SocketLike {
	return {
		send: (data) => ws.send(data),
		close: (code, reason) => ws.close(code, reason),
		get isOpen() {
			return ws.readyState === ws.OPEN;
		}
	};
}

function offeredProtocols(req: IncomingMessage): string[] {
	const header = req.headers['sec-websocket-protocol'];
	if (!header) return [];
	return header.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
}

function tokenOf(req: IncomingMessage, url: URL): string | null {
	const fromProtocol = offeredProtocols(req).find((p) => p.startsWith(tokenProtocolPrefix));
	if (fromProtocol) return fromProtocol.slice(tokenProtocolPrefix.length);
	return url.searchParams.get('token');
}

export function attachSyncEndpoint(server: Server, options: SyncEndpointOptions): SyncEndpoint {
	const { registry, verify, log } = options;
	const connections = new Set<Connection>();
	const sockets = new Set<WebSocket>();
	const answered = new WeakMap<WebSocket, boolean>();
	let accepting = true;

	// A peer that vanished without a close (a laptop lid, a dead network) would hold its sessions
	// and awareness, and keep its rooms loaded, forever. Browsers answer pings by themselves.
	const heartbeat = setInterval(() => {
		for (const ws of sockets) {
			if (answered.get(ws) === false) {
				log('debug', 'socket did not answer a ping; terminating');
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
		// meridian.v1 is not offered (token-only), echo the first one.
		handleProtocols: (protocols) => {
			if (protocols.has(meridianProtocol)) return meridianProtocol;
			const [first] = protocols;
			return first ?? false;
		}
	});

	const refuse = (socket: Duplex, status: string): void => {
		socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
	};

	server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
		socket.on('error', () => socket.destroy());
		const url = new URL(req.url ?? '/', 'http://relay.invalid');
		const path = url.pathname;
		if (path !== '/sync' && !path.startsWith('/sync/')) return refuse(socket, '404 Not Found');
		if (!accepting) return refuse(socket, '503 Service Unavailable');
		verify(tokenOf(req, url))
			.then((claims) => {
				wss.handleUpgrade(req, socket, head, (ws) => {
					sockets.add(ws);
					answered.set(ws, true);
					ws.on('pong', () => answered.set(ws, true));
					ws.on('close', () => sockets.delete(ws));
					ws.on('error', (error) => log('warn', 'socket error', { error: errorText(error) }));
					// Nothing is sent before these checks pass: a refused socket gets no document bytes.
					if (!claims) return ws.close(CloseCode.unauthorized, 'unauthorized');
					let connection: Connection;
					if (path === '/sync') {
						connection = new MuxConnection(adapt(ws), registry, log, claims);
					} else {
						let room: string;
						try {
							room = decodeURIComponent(path.slice('/sync/'.length));
						} catch {
							return ws.close(CloseCode.unknownRoom, 'unknown room');
						}
						const name = parseRoomName(room);
						if (!name) return ws.close(CloseCode.unknownRoom, 'unknown room');
						const refused = refuseRoom(claims, name);
						if (refused !== null) return ws.close(CloseCode.forbidden, refused);
						const acks = ws.protocol === meridianProtocol;
						connection = new RoomConnection(adapt(ws), registry, log, claims, room, name, acks);
					}
					connections.add(connection);
					ws.on('message', (data, isBinary) => {
						if (!isBinary) return connection.close(CloseCode.malformed, 'text message');
						const buffer = Array.isArray(data)
							? Buffer.concat(data)
							: Buffer.isBuffer(data)
								? data
								: Buffer.from(data);
						connection.receive(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
					});
					ws.on('close', (code) => {
						connections.delete(connection);
						connection.closed();
						log('debug', 'socket closed', { code, mux: path === '/sync' });
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
						ws.close(code, reason);
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
