/**
 * Connections: the two ways a peer talks to rooms over one socket.
 * - RoomConnection: `/sync/<room>`, stock y-websocket, one room per socket.
 * - MuxConnection: `/sync`, every message a frame `varString(room) • message`, many rooms.
 * Both are authenticated before they exist (the glue checks the token); they depend on a
 * SocketLike, so tests drive them with an in-memory socket pair. Each connection carries its own
 * rate limits (updates, awareness: 4429) and, multiplexed, a bound on rooms joined at once (4414).
 */
import * as decoding from 'lib0/decoding';
import {
	CloseCode,
	MessageType,
	SyncType,
	canWrite,
	decodeFrame,
	encodeFrame,
	encodeMessage,
	parseRoomName,
	refuseRoom,
	writeRoomError,
	type RoomName,
	type TokenClaims
} from '../src/lib/protocol/index.ts';
import { environmentLimits, type Limits } from './config.ts';
import { TokenBucket } from './rate-limit.ts';
import type { RoomRegistry } from './rooms.ts';
import { Session, type RateKind, type SessionHost, type SocketLike } from './session.ts';
import type { Logger } from './log.ts';

export interface Connection {
	/** One WebSocket message from the peer. */
	receive(data: Uint8Array): void;
	/** The socket closed (either side): leave every room. Idempotent. */
	closed(): void;
	/** Shutdown: stop handling incoming messages (they will not be acknowledged). */
	freeze(): void;
	close(code: number, reason: string): void;
	/**
	 * The member's access changed while connected (a new role, removal, a revoked token): applies
	 * `claims` to every room at once. Null closes the socket with 4401; a room the new claims may
	 * not open is left with 4403 (per-room: close; multiplexed: roomError); elsewhere the role's
	 * write permission is recomputed, and a reader who was told "read-only" is told again if it
	 * writes again.
	 */
	reauthorize(claims: TokenClaims | null): void;
	readonly sessionCount: number;
}

abstract class BaseConnection implements Connection, SessionHost {
	protected readonly socket: SocketLike;
	protected readonly registry: RoomRegistry;
	protected readonly log: Logger;
	protected readonly limits: Limits;
	/** What the token (or the latest reauthorize) allows. */
	protected claims: TokenClaims;
	protected frozen = false;
	#closed = false;
	readonly #buckets: Record<RateKind, TokenBucket>;

	constructor(socket: SocketLike, registry: RoomRegistry, log: Logger, claims: TokenClaims, limits: Limits) {
		this.socket = socket;
		this.claims = claims;
		this.registry = registry;
		this.log = log;
		this.limits = limits;
		this.#buckets = {
			update: new TokenBucket(limits.updatesPerSecond, limits.updateBurst),
			awareness: new TokenBucket(limits.awarenessPerSecond, limits.awarenessBurst)
		};
	}

	abstract receive(data: Uint8Array): void;
	abstract deliver(session: Session, message: Uint8Array): void;
	abstract reject(session: Session, code: number, reason: string): void;
	protected abstract sessions(): Iterable<Session>;
	abstract readonly sessionCount: number;

	get isClosed(): boolean {
		return this.#closed;
	}

	malformed(reason: string): void {
		this.close(CloseCode.malformed, reason);
	}

	admit(kind: RateKind): boolean {
		if (this.#buckets[kind].take()) return true;
		this.log('info', 'rate limit exceeded; closing the socket', { kind });
		this.close(CloseCode.rateLimited, kind === 'update' ? 'too many updates per second' : 'too many awareness messages per second');
		return false;
	}

	close(code: number, reason: string): void {
		if (this.socket.isOpen) this.socket.close(code, reason);
		this.closed();
	}

	closed(): void {
		if (this.#closed) return;
		this.#closed = true;
		for (const session of [...this.sessions()]) this.registry.leave(session);
	}

	freeze(): void {
		this.frozen = true;
	}

	reauthorize(claims: TokenClaims | null): void {
		if (this.#closed) return;
		if (!claims) {
			this.close(CloseCode.unauthorized, 'access revoked');
			return;
		}
		this.claims = claims;
		for (const session of [...this.sessions()]) {
			const name = parseRoomName(session.roomName);
			const refused = name ? refuseRoom(claims, name) : 'unknown room';
			if (!name || refused !== null) {
				this.registry.leave(session);
				this.reject(session, CloseCode.forbidden, refused ?? 'forbidden');
				if (this.#closed) return;
				continue;
			}
			const may = canWrite(claims.role, name.kind);
			if (may !== session.canWrite) session.toldReadOnly = false;
			session.canWrite = may;
		}
	}

	protected send(data: Uint8Array): void {
		if (this.socket.isOpen) this.socket.send(data);
	}
}

/** `/sync/<room>`: the stock y-websocket protocol for one room. */
export class RoomConnection extends BaseConnection {
	readonly #session: Session;

	constructor(
		socket: SocketLike,
		registry: RoomRegistry,
		log: Logger,
		claims: TokenClaims,
		room: string,
		name: RoomName,
		wantsAcks: boolean,
		limits: Limits = environmentLimits()
	) {
		super(socket, registry, log, claims, limits);
		this.#session = new Session(room, this, canWrite(claims.role, name.kind), wantsAcks, claims.memberId);
		registry.join(room, name.kind, this.#session);
	}

	get sessionCount(): number {
		return this.isClosed ? 0 : 1;
	}

	protected sessions(): Iterable<Session> {
		return [this.#session];
	}

	receive(data: Uint8Array): void {
		if (this.frozen || this.isClosed) return;
		const room = this.#session.room;
		if (room) room.receive(this.#session, data);
	}

	deliver(_session: Session, message: Uint8Array): void {
		this.send(message);
	}

	reject(_session: Session, code: number, reason: string): void {
		this.close(code, reason);
	}
}

/** `/sync`: many rooms of one workspace over one socket. */
export class MuxConnection extends BaseConnection {
	readonly #sessions = new Map<string, Session>();
	/**
	 * Rooms joined on this connection so far, for the free first join (Session.firstJoin). Bounded
	 * at twice the rooms one may hold at once: past that every new room's join is charged too,
	 * which normal use (the app joins each room once per connection) never reaches.
	 */
	readonly #joinedBefore = new Set<string>();

	constructor(socket: SocketLike, registry: RoomRegistry, log: Logger, claims: TokenClaims, limits: Limits = environmentLimits()) {
		super(socket, registry, log, claims, limits);
	}

	get sessionCount(): number {
		return this.#sessions.size;
	}

	protected sessions(): Iterable<Session> {
		return this.#sessions.values();
	}

	receive(data: Uint8Array): void {
		if (this.frozen || this.isClosed) return;
		let room: string;
		let message: Uint8Array;
		let type: number;
		let syncType: number | null = null;
		try {
			({ room, message } = decodeFrame(data));
			const decoder = decoding.createDecoder(message);
			type = decoding.readVarUint(decoder);
			if (type === MessageType.sync) syncType = decoding.readVarUint(decoder);
		} catch {
			this.malformed('undecodable frame');
			return;
		}
		const session = this.#sessions.get(room);
		if (type === MessageType.leave) {
			if (session) this.#leave(session);
			return;
		}
		if (session) {
			session.room?.receive(session, message);
			return;
		}
		if (type > MessageType.leave) {
			this.malformed(`unknown message type ${type}`);
			return;
		}
		// Not in this room yet: only sync step 1 joins. Anything else (say, awareness that crossed
		// our roomError on the wire) is dropped; it carried nothing the peer expects an answer to.
		if (syncType !== SyncType.step1) return;
		const name = parseRoomName(room);
		if (!name) {
			this.#sendRoomError(room, CloseCode.unknownRoom, 'unknown room');
			return;
		}
		const refused = refuseRoom(this.claims, name);
		if (refused !== null) {
			this.#sendRoomError(room, CloseCode.forbidden, refused);
			return;
		}
		if (this.#sessions.size >= this.limits.maxRoomsPerConnection) {
			this.#sendRoomError(room, CloseCode.tooManyRooms, `more than ${this.limits.maxRoomsPerConnection} rooms on one connection`);
			return;
		}
		const firstJoin = !this.#joinedBefore.has(room) && this.#joinedBefore.size < 2 * this.limits.maxRoomsPerConnection;
		if (firstJoin) this.#joinedBefore.add(room);
		const joined = new Session(room, this, canWrite(this.claims.role, name.kind), true, this.claims.memberId, firstJoin);
		this.#sessions.set(room, joined);
		this.registry.join(room, name.kind, joined, message);
	}

	deliver(session: Session, message: Uint8Array): void {
		this.send(encodeFrame(session.roomName, message));
	}

	reject(session: Session, code: number, reason: string): void {
		if (this.#sessions.get(session.roomName) === session) this.#sessions.delete(session.roomName);
		session.closed = true;
		this.#sendRoomError(session.roomName, code, reason);
	}

	#leave(session: Session): void {
		this.#sessions.delete(session.roomName);
		this.registry.leave(session);
	}

	#sendRoomError(room: string, code: number, reason: string): void {
		// Room names here come straight off the wire, unvalidated: keep log lines bounded.
		this.log('info', 'room refused on multiplexed connection', { room: room.slice(0, 160), code });
		this.send(encodeFrame(room, encodeMessage((encoder) => writeRoomError(encoder, code, reason))));
	}
}
