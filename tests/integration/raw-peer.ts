/**
 * A multiplexed peer that sends exactly the frames a test builds and records every message the
 * relay sends back, per room and type (including `auth`, which MuxClient ignores); plus reading
 * the relay's SQLite file directly, to check stored bytes without going through the relay.
 * For the authorisation matrix, the limits and the fuzz tests.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import {
	MessageType,
	SyncType,
	decodeBatch,
	decodeFrame,
	encodeFrame,
	encodeMessage,
	isBatch,
	meridianBatchProtocol,
	readRoomError,
	readStored
} from '../../src/lib/protocol/index.ts';
import { RecordingSocket, meridianProtocols, waitFor } from './clients.ts';

export interface RoomLog {
	step2: Uint8Array[];
	updates: Uint8Array[];
	step1: number;
	awareness: Uint8Array[];
	auth: string[];
	stored: number;
	roomErrors: { code: number; reason: string }[];
}

const emptyLog = (): RoomLog => ({ step2: [], updates: [], step1: 0, awareness: [], auth: [], stored: 0, roomErrors: [] });

export class RawPeer {
	readonly socket: RecordingSocket;
	readonly rooms = new Map<string, RoomLog>();
	/** WebSocket messages received, and how many of them were batches (meridian.v2 only, [R34]). */
	messages = 0;
	batches = 0;

	/** `protocols`: what the socket offers; meridian.v1 and the token unless a test says otherwise. */
	constructor(syncUrl: string, token: string, protocols: string[] = meridianProtocols(token)) {
		this.socket = new RecordingSocket(syncUrl, protocols);
		this.socket.ws.on('message', (data: Buffer) => {
			const bytes = new Uint8Array(data);
			this.messages++;
			if (this.socket.ws.protocol === meridianBatchProtocol && isBatch(bytes)) {
				this.batches++;
				for (const frame of decodeBatch(bytes)) this.#receive(frame);
			} else this.#receive(bytes);
		});
	}

	get opened(): Promise<void> {
		return this.socket.opened;
	}

	log(room: string): RoomLog {
		let log = this.rooms.get(room);
		if (!log) this.rooms.set(room, (log = emptyLog()));
		return log;
	}

	send(room: string, message: Uint8Array): void {
		this.socket.send(encodeFrame(room, message));
	}

	/** Joins (or, if joined, asks again): sync step 1 with an empty state vector. */
	step1(room: string): void {
		this.send(room, syncMessage(SyncType.step1, Y.encodeStateVector(new Y.Doc())));
	}

	/**
	 * Resolves once the relay has handled everything this peer sent before (it answers a step 1
	 * in order). Not for rooms the relay refuses: those answer with roomError, counted instead.
	 */
	async barrier(room: string): Promise<void> {
		const before = this.log(room).step2.length;
		this.step1(room);
		await waitFor(() => this.log(room).step2.length > before, `barrier in ${room}`);
	}

	/** The document this peer has heard of in `room` (every step 2 and update applied). */
	doc(room: string): Y.Doc {
		const doc = new Y.Doc();
		const log = this.log(room);
		for (const update of [...log.step2, ...log.updates]) Y.applyUpdate(doc, update);
		return doc;
	}

	/** The awareness states this peer has heard in `room`. */
	presence(room: string): Map<number, Record<string, unknown>> {
		const awareness = new awarenessProtocol.Awareness(new Y.Doc());
		for (const update of this.log(room).awareness) awarenessProtocol.applyAwarenessUpdate(awareness, update, null);
		const states = new Map(awareness.getStates() as Map<number, Record<string, unknown>>);
		states.delete(awareness.clientID);
		awareness.destroy();
		return states;
	}

	close(): void {
		this.socket.close();
	}

	#receive(frame: Uint8Array): void {
		const { room, message } = decodeFrame(frame);
		const log = this.log(room);
		const decoder = decoding.createDecoder(message);
		switch (decoding.readVarUint(decoder)) {
			case MessageType.sync: {
				const syncType = decoding.readVarUint(decoder);
				const payload = decoding.readVarUint8Array(decoder);
				if (syncType === SyncType.step1) log.step1++;
				else if (syncType === SyncType.step2) log.step2.push(payload);
				else log.updates.push(payload);
				return;
			}
			case MessageType.awareness:
				log.awareness.push(decoding.readVarUint8Array(decoder));
				return;
			case MessageType.auth:
				decoding.readVarUint(decoder);
				log.auth.push(decoding.readVarString(decoder));
				return;
			case MessageType.stored:
				log.stored = Math.max(log.stored, readStored(decoder));
				return;
			case MessageType.roomError:
				log.roomErrors.push(readRoomError(decoder));
				return;
		}
	}
}

export function syncMessage(syncType: number, payload: Uint8Array): Uint8Array {
	return encodeMessage((e) => {
		encoding.writeVarUint(e, MessageType.sync);
		encoding.writeVarUint(e, syncType);
		encoding.writeVarUint8Array(e, payload);
	});
}

/** An awareness message setting one client's state. */
export function awarenessMessage(clientId: number, clock: number, state: unknown): Uint8Array {
	return encodeMessage((e) => {
		encoding.writeVarUint(e, MessageType.awareness);
		const inner = encoding.createEncoder();
		encoding.writeVarUint(inner, 1);
		encoding.writeVarUint(inner, clientId);
		encoding.writeVarUint(inner, clock);
		encoding.writeVarString(inner, JSON.stringify(state));
		encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
	});
}

/** Every stored row of every room, straight from the relay's SQLite file (read-only). */
export function storedRows(dataDir: string): Map<string, Uint8Array[]> {
	const db = new Database(join(dataDir, 'meridian.sqlite'), { readonly: true, fileMustExist: true });
	try {
		const rows = db.prepare('SELECT room, data FROM updates ORDER BY seq').all() as { room: string; data: Buffer }[];
		const byRoom = new Map<string, Uint8Array[]>();
		for (const { room, data } of rows) {
			const list = byRoom.get(room) ?? [];
			list.push(new Uint8Array(data));
			byRoom.set(room, list);
		}
		return byRoom;
	} finally {
		db.close();
	}
}

/** A room's stored rows applied to a fresh doc. */
export function storedDoc(rows: Map<string, Uint8Array[]>, room: string): Y.Doc {
	const doc = new Y.Doc();
	for (const row of rows.get(room) ?? []) Y.applyUpdate(doc, row);
	return doc;
}
