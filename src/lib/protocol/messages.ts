/**
 * Meridian's wire messages: the y-websocket message set (sync, awareness, auth, query-awareness)
 * plus three messages of ours, and the frame that carries many rooms over one socket.
 * Pure lib0 encoding, no sockets. The spec is PROTOCOL.md; keep the two in step.
 */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';

export const MessageType = {
	/** y-protocols sync: step 1, step 2, update. */
	sync: 0,
	/** y-protocols awareness update. */
	awareness: 1,
	/** y-protocols auth: permission denied with a reason. */
	auth: 2,
	/** Ask the peer to send its whole awareness state. */
	queryAwareness: 3,
	/** Relay → client: the first `count` writes this connection sent in this room are committed to storage. */
	stored: 4,
	/** Relay → client, multiplexed connections only: this room can't be served; see CloseCode for `code`. */
	roomError: 5,
	/** Client → relay, multiplexed connections only: stop sending me this room. */
	leave: 6
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** y-protocols sync sub-types, repeated here so callers need not import y-protocols to read a type. */
export const SyncType = { step1: 0, step2: 1, update: 2 } as const;
export type SyncType = (typeof SyncType)[keyof typeof SyncType];

/** stored := varUint(4) • varUint(count) */
export function writeStored(encoder: encoding.Encoder, count: number): void {
	encoding.writeVarUint(encoder, MessageType.stored);
	encoding.writeVarUint(encoder, count);
}

/** Reads the body of a stored message (after its type). */
export function readStored(decoder: decoding.Decoder): number {
	return decoding.readVarUint(decoder);
}

/** roomError := varUint(5) • varUint(code) • varString(reason) */
export function writeRoomError(encoder: encoding.Encoder, code: number, reason: string): void {
	encoding.writeVarUint(encoder, MessageType.roomError);
	encoding.writeVarUint(encoder, code);
	encoding.writeVarString(encoder, reason);
}

/** Reads the body of a roomError message (after its type). */
export function readRoomError(decoder: decoding.Decoder): { code: number; reason: string } {
	const code = decoding.readVarUint(decoder);
	const reason = decoding.readVarString(decoder);
	return { code, reason };
}

/** leave := varUint(6) */
export function writeLeave(encoder: encoding.Encoder): void {
	encoding.writeVarUint(encoder, MessageType.leave);
}

/** frame := varString(room) • message — the unit of the multiplexed connection. */
export function encodeFrame(room: string, message: Uint8Array): Uint8Array {
	// The room's name, then the message copied once into a frame of its exact size: lib0's encoder
	// copies a message past its first buffer twice (on a join, every room's whole row).
	return prefixed(encodeMessage((encoder) => encoding.writeVarString(encoder, room)), message);
}

/** A sync message of `type` carrying `payload` (a step 2 or an update), with the payload copied once. */
export function encodeSyncPayload(type: SyncType, payload: Uint8Array): Uint8Array {
	return prefixed(
		encodeMessage((encoder) => {
			encoding.writeVarUint(encoder, MessageType.sync);
			encoding.writeVarUint(encoder, type);
			encoding.writeVarUint(encoder, payload.byteLength);
		}),
		payload
	);
}

function prefixed(head: Uint8Array, tail: Uint8Array): Uint8Array {
	const whole = new Uint8Array(head.byteLength + tail.byteLength);
	whole.set(head);
	whole.set(tail, head.byteLength);
	return whole;
}

/** Splits a frame into its room and the message it carries. Throws on a truncated frame. */
export function decodeFrame(frame: Uint8Array): { room: string; message: Uint8Array } {
	const decoder = decoding.createDecoder(frame);
	const room = decoding.readVarString(decoder);
	const message = decoding.readTailAsUint8Array(decoder);
	return { room, message };
}

/**
 * The most frame bytes one batch gathers; a frame larger than this travels alone. Far under the
 * relay's MAX_MESSAGE_BYTES (16 MiB by default), and small enough that the page handles one batch
 * in a short task.
 */
export const MAX_BATCH_BYTES = 256 * 1024;

/**
 * batch := varString("") • (varByteArray(frame))+ — several frames in one WebSocket message, on a
 * connection that negotiated meridian.v2 (PROTOCOL.md [R34]). A room's name is never empty, so a
 * message whose first byte is 0 is a batch. Each frame is copied once.
 */
export function encodeBatch(frames: readonly Uint8Array[]): Uint8Array {
	let size = 1;
	for (const frame of frames) size += varUintSize(frame.byteLength) + frame.byteLength;
	const batch = new Uint8Array(size);
	let at = 1; // batch[0] = 0: the empty room name
	for (const frame of frames) {
		for (let n = frame.byteLength; ; n = Math.floor(n / 128)) {
			if (n < 128) {
				batch[at++] = n;
				break;
			}
			batch[at++] = 0x80 | (n & 0x7f);
		}
		batch.set(frame, at);
		at += frame.byteLength;
	}
	return batch;
}

/** Whether a multiplexed connection's WebSocket message is a batch (its first byte, an empty room name). */
export function isBatch(data: Uint8Array): boolean {
	return data.byteLength > 0 && data[0] === 0;
}

/**
 * The frames of a batch, as views into it. Throws on a truncated batch, and on a frame without a
 * room ([R34]: it would be answered with a frame the peer reads as a batch).
 */
export function decodeBatch(batch: Uint8Array): Uint8Array[] {
	const decoder = decoding.createDecoder(batch);
	if (decoding.readVarUint(decoder) !== 0) throw new Error('not a batch');
	const frames: Uint8Array[] = [];
	while (decoding.hasContent(decoder)) {
		const length = decoding.readVarUint(decoder);
		// Checked here: a view's buffer can be larger than the view (a socket's read buffer), so
		// reading past the batch's end would not throw by itself.
		if (length === 0 || decoder.pos + length > batch.byteLength) throw new Error('truncated batch');
		const frame = batch.subarray(decoder.pos, decoder.pos + length);
		if (isBatch(frame)) throw new Error('a frame without a room in a batch');
		frames.push(frame);
		decoder.pos += length;
	}
	if (frames.length === 0) throw new Error('empty batch');
	return frames;
}

/**
 * Frames sent on one batching connection ([R34]), gathered until `schedule` runs and then sent as
 * one batch of up to MAX_BATCH_BYTES of frames (a frame alone, or one larger than that, goes as
 * itself). The relay schedules with setImmediate, the app with a microtask (server/ws-glue.ts,
 * sync/relay-connection.ts say why).
 */
export class Outbox {
	readonly #write: (data: Uint8Array) => void;
	readonly #schedule: (flush: () => void) => void;
	#frames: Uint8Array[] = [];
	#bytes = 0;
	#scheduled = false;

	constructor(write: (data: Uint8Array) => void, schedule: (flush: () => void) => void) {
		this.#write = write;
		this.#schedule = schedule;
	}

	add(frame: Uint8Array): void {
		if (this.#bytes + frame.byteLength > MAX_BATCH_BYTES) this.flush();
		this.#frames.push(frame);
		this.#bytes += frame.byteLength;
		if (this.#scheduled) return;
		this.#scheduled = true;
		this.#schedule(() => {
			this.#scheduled = false;
			this.flush();
		});
	}

	/** Sends what is gathered now (before a close, say). */
	flush(): void {
		const frames = this.#frames;
		if (frames.length === 0) return;
		this.#frames = [];
		this.#bytes = 0;
		this.#write(frames.length === 1 ? frames[0]! : encodeBatch(frames));
	}
}

function varUintSize(n: number): number {
	let size = 1;
	while (n >= 128) {
		n = Math.floor(n / 128);
		size++;
	}
	return size;
}

/** Builds a message with `write` and returns its bytes. */
export function encodeMessage(write: (encoder: encoding.Encoder) => void): Uint8Array {
	const encoder = encoding.createEncoder();
	write(encoder);
	return encoding.toUint8Array(encoder);
}
