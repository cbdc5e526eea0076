/**
 * One WebSocket per workspace that carries every room of it (see PROTOCOL.md, "frame"), so a
 * device holding a thousand pages keeps one socket, not a thousand. Reconnects with jittered
 * exponential backoff; each reconnect re-runs the sync handshake for every room, which heals any
 * message lost while the socket was down.
 */
import * as awarenessProtocol from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { writeVarUint } from 'lib0/encoding';
import {
	CloseCode,
	decodeBatch,
	decodeFrame,
	encodeFrame,
	encodeMessage,
	fatalCloseCodes,
	isBatch,
	MessageType,
	meridianBatchProtocol,
	meridianProtocol,
	Outbox,
	tokenProtocolPrefix,
	writeLeave
} from '../protocol/index.ts';
import { RoomLink, type Deferral } from './room-link.ts';
import { describeClose } from './status.ts';

export type ConnectionState =
	| { readonly kind: 'connecting'; readonly attempt: number }
	| { readonly kind: 'open' }
	/** `closedBy`: the code and reason the relay gave when it closed the last socket, if it did. */
	| { readonly kind: 'waiting'; readonly attempt: number; readonly retryAt: number; readonly closedBy?: { readonly code: number; readonly reason: string } }
	| { readonly kind: 'denied'; readonly code: number; readonly reason: string }
	| { readonly kind: 'closed' };

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 30_000;
/**
 * A socket can die without a close event (a sleeping laptop, a network that silently drops). When
 * nothing has arrived for a while the connection asks the relay for awareness states in one room,
 * which it always answers; if still nothing arrives, the socket is dropped and reconnected.
 */
const QUIET_MS = 15_000;
const DEAD_MS = 35_000;
/** A connection open this long counts as healthy: the next failure starts the backoff over. */
const HEALTHY_AFTER_MS = 10_000;

/**
 * The wait before reconnect attempt `attempt` (1 = the first after a drop): "full jitter",
 * uniform in [0, ceiling) with the ceiling doubling from 1 s up to 30 s. When a relay restarts,
 * every client loses its socket at the same instant; full jitter spreads their first attempts
 * evenly over the whole first second (a thousand clients: about one a millisecond) instead of
 * the second half of it, and keeps spreading those that hit a relay still starting.
 * tests/unit/reconnect-backoff.test.ts checks the distribution.
 */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
	const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(Math.max(attempt, 1), 16));
	return random() * ceiling;
}

export class RelayConnection {
	readonly url: string;
	readonly #token: string;
	#socket: WebSocket | null = null;
	#rooms = new Map<string, RoomLink>();
	#state: ConnectionState = { kind: 'closed' };
	#listeners = new Set<(state: ConnectionState) => void>();
	#retryTimer: ReturnType<typeof setTimeout> | null = null;
	#attempt = 0;
	#stopped = true;
	#lastHeard = 0;
	#heartbeat: ReturnType<typeof setInterval> | null = null;
	/** The open socket's frames of this task, one batch at its end (when the relay selected meridian.v2). */
	#outbox: Outbox | null = null;

	/** `url` is the relay's multiplexed endpoint, e.g. `wss://wiki.example.com/sync`. */
	constructor(url: string, token: string) {
		this.url = url;
		this.#token = token;
	}

	get state(): ConnectionState {
		return this.#state;
	}

	get isOpen(): boolean {
		return this.#socket?.readyState === WebSocket.OPEN;
	}

	get rooms(): ReadonlyMap<string, RoomLink> {
		return this.#rooms;
	}

	onState(listener: (state: ConnectionState) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** Starts syncing `doc` as `room`. The document should already hold what the device stored. */
	addRoom(room: string, doc: Y.Doc, options: { canWrite: boolean; storedStateVector?: Uint8Array | null; deferral?: Deferral | null }): RoomLink {
		const existing = this.#rooms.get(room);
		if (existing) return existing;
		const link = new RoomLink(room, doc, {
			send: (message) => this.#send(room, message),
			get isOpen() {
				return connection.isOpen;
			}
		}, options);
		const connection = this;
		this.#rooms.set(room, link);
		if (this.isOpen) link.connected();
		return link;
	}

	removeRoom(room: string): void {
		const link = this.#rooms.get(room);
		if (!link) return;
		if (link.awareness) awarenessProtocol.removeAwarenessStates(link.awareness, [link.doc.clientID], 'leave');
		this.#send(room, encodeMessage(writeLeave));
		link.destroy();
		this.#rooms.delete(room);
	}

	connect(): void {
		this.#stopped = false;
		if (this.#socket || this.#state.kind === 'denied') return;
		this.#open();
	}

	/** Closes the socket for good (until connect() is called again). */
	close(): void {
		this.#stopped = true;
		if (this.#retryTimer) clearTimeout(this.#retryTimer);
		this.#retryTimer = null;
		if (this.#heartbeat) clearInterval(this.#heartbeat);
		this.#heartbeat = null;
		this.#outbox?.flush();
		this.#socket?.close(1000);
		this.#socket = null;
		for (const link of this.#rooms.values()) link.disconnected();
		this.#setState({ kind: 'closed' });
	}

	/**
	 * The browser says the network is gone. A socket can stay "open" for a long while after that
	 * (Chromium does not close it), showing "syncing" when nothing can arrive: drop it now so the
	 * status says offline, and let the backoff (or `retryNow` on `online`) bring it back.
	 */
	networkLost(): void {
		const socket = this.#socket;
		if (!socket || this.#stopped) return;
		socket.close(1000);
		this.#socket = null;
		for (const link of this.#rooms.values()) link.disconnected();
		this.#scheduleRetry();
	}

	/** Reconnect now instead of waiting out the backoff (the browser says it is online again). */
	retryNow(): void {
		if (this.#stopped || this.#state.kind !== 'waiting') return;
		if (this.#retryTimer) clearTimeout(this.#retryTimer);
		this.#retryTimer = null;
		this.#open();
	}

	#open(): void {
		this.#setState({ kind: 'connecting', attempt: this.#attempt });
		let socket: WebSocket;
		try {
			// The token travels as a sub-protocol: browsers cannot set headers on a WebSocket, and a
			// query string would end up in access logs.
			socket = new WebSocket(this.url, [meridianBatchProtocol, meridianProtocol, tokenProtocolPrefix + this.#token]);
		} catch {
			this.#scheduleRetry();
			return;
		}
		socket.binaryType = 'arraybuffer';
		this.#socket = socket;
		// A microtask: joining a workspace sends its thousand joins in one task. Frames gathered for
		// a socket that has since closed are dropped, as a send to it would be: the next
		// connection's handshake carries what they did.
		this.#outbox = new Outbox((data) => {
			if (this.#socket === socket && socket.readyState === WebSocket.OPEN) socket.send(data);
		}, (flush) => queueMicrotask(flush));
		let openedAt = 0;
		socket.onopen = () => {
			openedAt = Date.now();
			this.#lastHeard = Date.now();
			this.#startHeartbeat(socket);
			this.#setState({ kind: 'open' });
			for (const link of this.#rooms.values()) link.connected();
		};
		socket.onmessage = (event: MessageEvent) => {
			this.#lastHeard = Date.now();
			if (!(event.data instanceof ArrayBuffer)) return;
			try {
				const data = new Uint8Array(event.data);
				// A batch's frames are copied out of it: what a room keeps of a frame (a deferred update,
				// binary values Yjs reads as views into the update) must not keep the whole batch alive.
				const frames = socket.protocol === meridianBatchProtocol && isBatch(data) ? decodeBatch(data).map((frame) => frame.slice()) : [data];
				for (const frame of frames) {
					const { room, message } = decodeFrame(frame);
					this.#rooms.get(room)?.receive(message);
					if (this.#socket !== socket) return; // a room's handling closed the socket
				}
			} catch (error) {
				// A message we cannot read means the two sides disagree; start over with a fresh handshake.
				console.error('[meridian] unreadable message from the relay', error);
				socket.close(CloseCode.malformed);
			}
		};
		socket.onclose = (event: CloseEvent) => {
			if (this.#socket !== socket) return;
			this.#socket = null;
			// Back off afresh only after a connection that lasted: a relay that closes every socket
			// at once (an oversized document, a refused message) must not be hammered twice a second.
			if (openedAt > 0 && Date.now() - openedAt > HEALTHY_AFTER_MS) this.#attempt = 0;
			for (const link of this.#rooms.values()) link.disconnected();
			if (fatalCloseCodes.has(event.code)) {
				this.#setState({ kind: 'denied', code: event.code, reason: describeClose(event.code) });
				return;
			}
			// 1000 and 1005/1006 (no code) are no word from the relay about why.
			const said = event.code >= 4000 || event.code === CloseCode.tooLarge || event.code === CloseCode.goingAway;
			if (!this.#stopped) this.#scheduleRetry(said ? { code: event.code, reason: event.reason } : undefined);
		};
	}

	#startHeartbeat(socket: WebSocket): void {
		if (this.#heartbeat) clearInterval(this.#heartbeat);
		this.#heartbeat = setInterval(() => {
			if (this.#socket !== socket) {
				clearInterval(this.#heartbeat!);
				this.#heartbeat = null;
				return;
			}
			const quiet = Date.now() - this.#lastHeard;
			if (quiet >= DEAD_MS) {
				console.warn('[meridian] no word from the relay; reconnecting');
				this.networkLost();
			} else if (quiet >= QUIET_MS) {
				// A room the relay serves: it ignores messages for rooms it refused.
				const room = [...this.#rooms.values()].find((link) => link.synced && link.state.kind !== 'error')?.room;
				if (room !== undefined) this.#send(room, encodeMessage((e) => writeVarUint(e, MessageType.queryAwareness)));
			}
		}, QUIET_MS / 3);
	}

	#scheduleRetry(closedBy?: { code: number; reason: string }): void {
		this.#attempt++;
		const delay = retryDelay(this.#attempt);
		this.#setState({ kind: 'waiting', attempt: this.#attempt, retryAt: Date.now() + delay, ...(closedBy ? { closedBy } : {}) });
		this.#retryTimer = setTimeout(() => {
			this.#retryTimer = null;
			this.#open();
		}, delay);
	}

	/**
	 * Sends a frame: at once on a relay that does not take batches; otherwise gathered with the
	 * others sent in this task and sent as one batch at its end ([R34]). Joining a workspace sends
	 * a thousand joins in one task: one WebSocket message for them instead of a thousand.
	 */
	#send(room: string, message: Uint8Array): boolean {
		const socket = this.#socket;
		if (!socket || socket.readyState !== WebSocket.OPEN) return false;
		const frame = encodeFrame(room, message);
		if (socket.protocol === meridianBatchProtocol) this.#outbox!.add(frame);
		else socket.send(frame);
		return true;
	}

	#setState(state: ConnectionState): void {
		this.#state = state;
		for (const listener of this.#listeners) listener(state);
	}
}

/** The relay's multiplexed endpoint on the origin that served the app. */
export function relayUrlForOrigin(origin: string): string {
	const url = new URL('/sync', origin);
	url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
	return url.toString();
}
