/**
 * In-memory relay for unit tests: real rooms, registry, persister and connections over a
 * MemoryStore, with sockets whose outgoing queues the test reads by hand and a persister that
 * only commits when the test says so. No timers fire unless a test waits for them.
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import {
	MessageType,
	SyncType,
	decodeFrame,
	encodeFrame,
	parseRoomName,
	readRoomError,
	readStored,
	type Role,
	type TokenClaims
} from '../../src/lib/protocol/index.ts';
import { MuxConnection, RoomConnection } from '../../server/connection.ts';
import { memoryLogger } from '../../server/log.ts';
import { Persister } from '../../server/persister.ts';
import { RoomRegistry } from '../../server/rooms.ts';
import type { SocketLike } from '../../server/session.ts';
import { MemoryStore } from '../../server/storage/memory.ts';
import type { Limits } from '../../server/config.ts';

/** The relay's end of a socket pair: what the relay sends is queued until the test takes it. */
export class TestSocket implements SocketLike {
	readonly outbox: Uint8Array[] = [];
	isOpen = true;
	closeCode: number | null = null;
	send(data: Uint8Array): void {
		if (!this.isOpen) throw new Error('send on a closed socket');
		this.outbox.push(data);
	}
	close(code: number): void {
		this.isOpen = false;
		this.closeCode = code;
	}
	take(): Uint8Array[] {
		return this.outbox.splice(0);
	}
}

export type Decoded =
	| { kind: 'sync'; syncType: number; payload: Uint8Array }
	| { kind: 'awareness'; payload: Uint8Array }
	| { kind: 'stored'; count: number }
	| { kind: 'roomError'; code: number; reason: string }
	| { kind: 'other'; type: number };

export function decodeMessage(message: Uint8Array): Decoded {
	const decoder = decoding.createDecoder(message);
	const type = decoding.readVarUint(decoder);
	switch (type) {
		case MessageType.sync: {
			const syncType = decoding.readVarUint(decoder);
			return { kind: 'sync', syncType, payload: decoding.readVarUint8Array(decoder) };
		}
		case MessageType.awareness:
			return { kind: 'awareness', payload: decoding.readVarUint8Array(decoder) };
		case MessageType.stored:
			return { kind: 'stored', count: readStored(decoder) };
		case MessageType.roomError:
			return { kind: 'roomError', ...readRoomError(decoder) };
		default:
			return { kind: 'other', type };
	}
}

export function syncMessage(syncType: number, payload: Uint8Array): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, MessageType.sync);
	encoding.writeVarUint(encoder, syncType);
	encoding.writeVarUint8Array(encoder, payload);
	return encoding.toUint8Array(encoder);
}

export function step1(doc: Y.Doc): Uint8Array {
	return syncMessage(SyncType.step1, Y.encodeStateVector(doc));
}

export function updateMessage(update: Uint8Array): Uint8Array {
	return syncMessage(SyncType.update, update);
}

/** An update that inserts `text` into a fresh doc (each call a new client). */
export function textUpdate(text: string, doc = new Y.Doc()): Uint8Array {
	const before = Y.encodeStateVector(doc);
	doc.getText('t').insert(doc.getText('t').length, text);
	return Y.encodeStateAsUpdate(doc, before);
}

export function claims(role: Role, workspaceId = 'ws1', memberId = 'm1'): TokenClaims {
	return { workspaceId, role, memberId, expiresAt: 2 ** 31 };
}

export function createHarness(options: { idleMs?: number; compactThreshold?: number; store?: MemoryStore; limits?: Limits } = {}) {
	const store = options.store ?? new MemoryStore();
	const log = memoryLogger();
	// A day: commits happen only when the test calls persister.flush().
	const persister = new Persister(store, log, { delayMs: 86_400_000, retryMinMs: 86_400_000 });
	persister.stop();
	const registry = new RoomRegistry({
		store,
		persister,
		log,
		idleMs: options.idleMs ?? 86_400_000,
		compactThreshold: options.compactThreshold ?? 200,
		...(options.limits ? { limits: options.limits } : {})
	});

	/** A multiplexed client: frames in and out, decoded per room. */
	function mux(role: Role, workspaceId = 'ws1', memberId = 'm1') {
		const socket = new TestSocket();
		const connection = new MuxConnection(socket, registry, log, claims(role, workspaceId, memberId), options.limits);
		return {
			socket,
			connection,
			send(room: string, message: Uint8Array) {
				connection.receive(encodeFrame(room, message));
			},
			/** Takes everything sent so far, decoded, with its room. */
			take(): (Decoded & { room: string })[] {
				return socket.take().map((frame) => {
					const { room, message } = decodeFrame(frame);
					return { room, ...decodeMessage(message) };
				});
			}
		};
	}

	/** A per-room client (stock y-websocket, or with acks when it negotiated meridian.v1). */
	function perRoom(role: Role, room: string, wantsAcks = true) {
		const socket = new TestSocket();
		const name = parseRoomName(room);
		if (!name) throw new Error(`bad room ${room}`);
		const connection = new RoomConnection(socket, registry, log, claims(role), room, name, wantsAcks);
		return {
			socket,
			connection,
			send(message: Uint8Array) {
				connection.receive(message);
			},
			take(): Decoded[] {
				return socket.take().map(decodeMessage);
			}
		};
	}

	return { store, log, persister, registry, mux, perRoom };
}

/**
 * Ends the current turn of the event loop as far as the relay is concerned: it applies the first
 * write of a turn at once and the writes after it together when the turn ends ([R31]).
 */
export async function endTurn(): Promise<void> {
	await new Promise<void>((resolve) => queueMicrotask(resolve));
}

/** Lets pending promise callbacks (room loads) run. */
export async function settle(): Promise<void> {
	for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Two editors on multiplexed connections, joined to `room`, what the relay sent them taken: how most room tests start. */
export async function editorsIn(h: ReturnType<typeof createHarness>, room = 'ws1/p1') {
	const editors = [h.mux('editor'), h.mux('editor')] as const;
	for (const editor of editors) editor.send(room, step1(new Y.Doc()));
	await settle();
	for (const editor of editors) editor.take();
	return editors;
}

/** Applies every sync payload in `messages` to `doc` the way a client would. */
export function applyAll(doc: Y.Doc, messages: Decoded[]): void {
	for (const m of messages) {
		if (m.kind === 'sync' && m.syncType !== SyncType.step1) Y.applyUpdate(doc, m.payload);
	}
}

export { syncProtocol };

/**
 * An update that decodes but throws half way through being applied (client 777: clock 0 inserts
 * "EVIL" into the root text 't', clock 1 names a parent (777, 100) that does not exist).
 */
export function halfApplying(): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, 1);
	encoding.writeVarUint(e, 2);
	encoding.writeVarUint(e, 777);
	encoding.writeVarUint(e, 0);
	encoding.writeUint8(e, 4);
	encoding.writeVarUint(e, 1);
	encoding.writeVarString(e, 't');
	encoding.writeVarString(e, 'EVIL');
	encoding.writeUint8(e, 4);
	encoding.writeVarUint(e, 0);
	encoding.writeVarUint(e, 777);
	encoding.writeVarUint(e, 100);
	encoding.writeVarString(e, 'B');
	encoding.writeVarUint(e, 0);
	const update = encoding.toUint8Array(e);
	Y.decodeUpdate(update);
	let applies = true;
	try {
		Y.applyUpdate(new Y.Doc({ gc: false }), update);
	} catch {
		applies = false;
	}
	if (applies) throw new Error('halfApplying() applied: Yjs changed, the fixture needs another way to fail');
	return update;
}

