/**
 * A session is one connection's membership in one room: what the room needs to know about a
 * peer (may it write, does it want acks, which awareness ids it controls) and the count behind
 * its durable acks. Per-room sockets have one session; a multiplexed connection has one per room.
 */
import { encodeMessage, writeStored } from '../src/lib/protocol/index.ts';
import type { Room } from './room.ts';

/** What the relay needs from a socket. The `ws` adapter and the tests' socket pair implement it. */
export interface SocketLike {
	send(data: Uint8Array): void;
	close(code: number, reason: string): void;
	readonly isOpen: boolean;
}

/** The connection a session belongs to; it knows how to put a room's message on its socket. */
export interface SessionHost {
	/** Sends one y-websocket message of this session's room (framed, on a multiplexed connection). */
	deliver(session: Session, message: Uint8Array): void;
	/** The room can't be served: close the socket (per-room) or send roomError (multiplexed). */
	reject(session: Session, code: number, reason: string): void;
	/** The peer sent something undecodable: close the socket with 4400. */
	malformed(reason: string): void;
	/**
	 * Counts one message of `kind` against the connection's per-second limit. False when over the
	 * limit: the host has then closed the socket with 4429 and the message must be dropped.
	 */
	admit(kind: RateKind): boolean;
}

/** What the per-connection rate limits count: sync writes, and awareness (sent or asked for). */
export type RateKind = 'update' | 'awareness';

export class Session {
	readonly roomName: string;
	readonly host: SessionHost;
	/**
	 * canWrite(role, room kind): whether sync step2/update from this peer are applied. Changes when
	 * the connection is reauthorized with a new role (Connection.reauthorize).
	 */
	canWrite: boolean;
	/**
	 * This connection's first join of this room: its step 1 and its answer to the room's step 1
	 * are free. A rejoin (leave, step 1 again) pays for both, or a leave/join loop would write and
	 * make the relay diff whole documents without ever meeting the rate limit.
	 */
	readonly firstJoin: boolean;
	/** The room sent this peer sync step 1 and its step-2 answer has not come yet: that answer is not rate-limited. */
	answerDue = false;
	/** This peer has sent its sync step 1 here (the join, unless a rejoin); further ones are rate-limited. */
	askedStep1: boolean;
	/** This peer may not write here and was told so once (y-protocols `auth`, [R15]). */
	toldReadOnly = false;
	/** Whether this peer understands `stored` (multiplexed, or negotiated meridian.v1). */
	readonly wantsAcks: boolean;
	/** The token's member: every awareness state this peer sets is stamped with it. */
	readonly memberId: string;
	room: Room | null = null;
	/** Awareness client ids this peer has set; removed from the room when it leaves. */
	readonly awarenessIds = new Set<number>();
	/** Counted writes (sync step2/update) received from this peer in this room. */
	received = 0;
	/** Of those, how many are queued for storage and not yet committed. */
	outstanding = 0;
	/** The highest count sent in a `stored` message. */
	acked = 0;
	closed = false;

	constructor(roomName: string, host: SessionHost, canWrite: boolean, wantsAcks: boolean, memberId: string, firstJoin = true) {
		this.roomName = roomName;
		this.firstJoin = firstJoin;
		this.askedStep1 = !firstJoin;
		this.host = host;
		this.canWrite = canWrite;
		this.wantsAcks = wantsAcks;
		this.memberId = memberId;
	}

	send(message: Uint8Array): void {
		if (!this.closed) this.host.deliver(this, message);
	}

	/** Acknowledges the first `count` writes as stored; never goes backwards, never repeats. */
	ack(count: number): void {
		if (count <= this.acked) return;
		this.acked = count;
		if (this.wantsAcks) this.send(encodeMessage((encoder) => writeStored(encoder, count)));
	}

	#ackScheduled = false;
	#ackLater = 0;
	/**
	 * Like ack, but after the current synchronous work: a transaction's commit callbacks all run
	 * in one loop, so a session with several writes in one commit gets one `stored`, not several.
	 */
	ackSoon(count: number): void {
		this.#ackLater = Math.max(this.#ackLater, count);
		if (this.#ackScheduled) return;
		this.#ackScheduled = true;
		queueMicrotask(() => {
			this.#ackScheduled = false;
			this.ack(this.#ackLater);
		});
	}
}
