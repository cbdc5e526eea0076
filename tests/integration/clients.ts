/**
 * Test clients over real `ws` sockets: a raw recorder, a multiplexed client with a Y.Doc per
 * room, and stock y-websocket providers.
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { WebsocketProvider } from 'y-websocket';
import {
	MessageType,
	SyncType,
	decodeFrame,
	encodeFrame,
	encodeMessage,
	meridianProtocol,
	readRoomError,
	readStored,
	tokenProtocolPrefix,
	writeLeave
} from '../../src/lib/protocol/index.ts';

export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
	const start = Date.now();
	while (!check()) {
		if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

export interface Closed {
	readonly code: number;
	readonly reason: string;
}

/** A WebSocket that records every binary message and how it closed. */
export class RecordingSocket {
	readonly ws: WebSocket;
	readonly messages: Uint8Array[] = [];
	readonly opened: Promise<void>;
	readonly closed: Promise<Closed>;
	closeInfo: Closed | null = null;

	constructor(url: string, protocols: string[] = [], headers: Record<string, string> = {}) {
		this.ws = new WebSocket(url, protocols, { headers });
		this.ws.binaryType = 'nodebuffer';
		this.ws.on('message', (data: Buffer) => this.messages.push(new Uint8Array(data)));
		this.ws.on('error', () => {});
		this.opened = new Promise((resolve) => this.ws.once('open', () => resolve()));
		this.closed = new Promise((resolve) =>
			this.ws.once('close', (code, reason) => {
				this.closeInfo = { code, reason: reason.toString() };
				resolve(this.closeInfo);
			})
		);
	}

	send(data: Uint8Array): void {
		this.ws.send(data);
	}

	close(): void {
		this.ws.close();
	}
}

/** The sub-protocols a Meridian client offers: the protocol version and its token. */
export function meridianProtocols(token: string): string[] {
	return [meridianProtocol, tokenProtocolPrefix + token];
}

function syncMessage(syncType: number, payload: Uint8Array): Uint8Array {
	return encodeMessage((e) => {
		encoding.writeVarUint(e, MessageType.sync);
		encoding.writeVarUint(e, syncType);
		encoding.writeVarUint8Array(e, payload);
	});
}

/** A multiplexed client: one socket, a Y.Doc per joined room, acks and room errors recorded. */
export class MuxClient {
	readonly socket: RecordingSocket;
	readonly docs = new Map<string, Y.Doc>();
	/** Highest `stored` count per room. */
	readonly stored = new Map<string, number>();
	/** Writes (step2 + update) sent per room: the count the relay acknowledges. */
	readonly writes = new Map<string, number>();
	readonly roomErrors = new Map<string, { code: number; reason: string }>();
	/** Sync messages received, per room (document bytes). */
	readonly syncMessages = new Map<string, number>();

	constructor(syncUrl: string, token: string | null, via: 'protocol' | 'query' = 'protocol') {
		const url = via === 'query' && token ? `${syncUrl}?token=${encodeURIComponent(token)}` : syncUrl;
		this.socket = new RecordingSocket(url, via === 'protocol' && token ? meridianProtocols(token) : []);
		this.socket.ws.on('message', (data: Buffer) => this.#receive(new Uint8Array(data)));
	}

	get opened(): Promise<void> {
		return this.socket.opened;
	}

	join(room: string, doc = new Y.Doc()): Y.Doc {
		this.docs.set(room, doc);
		doc.on('update', (update: Uint8Array, origin: unknown) => {
			if (origin !== this) this.#write(room, SyncType.update, update);
		});
		this.socket.send(encodeFrame(room, syncMessage(SyncType.step1, Y.encodeStateVector(doc))));
		return doc;
	}

	leave(room: string): void {
		this.docs.delete(room);
		this.socket.send(encodeFrame(room, encodeMessage(writeLeave)));
	}

	/** Resolves once every write sent in `room` is acknowledged as stored. */
	async allStored(room: string, timeoutMs = 10_000): Promise<void> {
		await waitFor(
			() => (this.stored.get(room) ?? 0) >= (this.writes.get(room) ?? 0) && (this.writes.get(room) ?? 0) > 0,
			`stored ack in ${room}`,
			timeoutMs
		);
	}

	text(room: string, name = 't'): string {
		return this.docs.get(room)?.getText(name).toString() ?? '';
	}

	close(): void {
		this.socket.close();
	}

	#write(room: string, syncType: number, update: Uint8Array): void {
		if (this.socket.ws.readyState !== WebSocket.OPEN) return;
		this.writes.set(room, (this.writes.get(room) ?? 0) + 1);
		this.socket.send(encodeFrame(room, syncMessage(syncType, update)));
	}

	#receive(frame: Uint8Array): void {
		const { room, message } = decodeFrame(frame);
		const decoder = decoding.createDecoder(message);
		const type = decoding.readVarUint(decoder);
		switch (type) {
			case MessageType.sync: {
				this.syncMessages.set(room, (this.syncMessages.get(room) ?? 0) + 1);
				const doc = this.docs.get(room);
				const syncType = decoding.readVarUint(decoder);
				const payload = decoding.readVarUint8Array(decoder);
				if (!doc) return;
				if (syncType === SyncType.step1) {
					this.#write(room, SyncType.step2, Y.encodeStateAsUpdate(doc, payload));
				} else {
					Y.applyUpdate(doc, payload, this);
				}
				return;
			}
			case MessageType.stored:
				this.stored.set(room, Math.max(this.stored.get(room) ?? 0, readStored(decoder)));
				return;
			case MessageType.roomError:
				this.roomErrors.set(room, readRoomError(decoder));
				return;
			default:
				return;
		}
	}
}

/**
 * Writes `textOf(i)` into the text `t` of each of `rooms` through a multiplexed client, and
 * resolves once the relay has acknowledged every write as stored.
 */
export async function seedRooms(syncUrl: string, token: string, rooms: readonly string[], textOf: (index: number) => string): Promise<void> {
	const writer = new MuxClient(syncUrl, token);
	await writer.opened;
	for (const [i, room] of rooms.entries()) {
		writer.join(room);
		writer.docs.get(room)!.getText('t').insert(0, textOf(i));
	}
	for (const room of rooms) await writer.allStored(room);
	writer.close();
}

/** A stock y-websocket provider, token in the query string as stock clients do it. */
export function stockProvider(syncUrl: string, room: string, doc: Y.Doc, token: string): WebsocketProvider {
	return new WebsocketProvider(syncUrl, room, doc, {
		WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
		params: { token },
		disableBc: true
	});
}

export function texts(...docs: Y.Doc[]): string[] {
	return docs.map((doc) => doc.getText('t').toString());
}
