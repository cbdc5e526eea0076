/**
 * One lightweight sync client for every server the relay scenarios compare: a Y.Doc on one
 * WebSocket (`ws`), speaking the y-websocket protocol (y-protocols sync messages) or Hocuspocus's
 * dialect of it (every message prefixed with the document name, a token message first, a
 * SyncStatus after each applied update). The same client code against every server, so a
 * difference in the figures is the server's. No awareness: the scenarios measure documents.
 *
 * Local changes to `doc` are sent as they happen (one message per Yjs update, as the stock
 * providers do); remote ones are applied with this client as the transaction origin — or, once a
 * scenario sets `onRemoteUpdate`, handed to it as received, unapplied (a reader that only needs to
 * know what arrived, and when).
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import type { BenchServer, Dialect } from './servers.ts';

const SYNC = 0;
const AUTH = 2;
/** Ours: relay → client, "the first `count` of your writes in this room are durable". */
const STORED = 4;
/** Hocuspocus: relay → client after an update is applied (in memory). */
const HOCUSPOCUS_SYNC_STATUS = 8;

export interface ClientOptions {
	readonly server: BenchServer;
	readonly room: string;
	readonly token: string;
	/** The document to sync (default: a new one). */
	readonly doc?: Y.Doc;
	/**
	 * WebSocket sub-protocols to offer (default: the server's `protocols`, so `meridian.v1` to ours).
	 * Our relay sends `stored` on a per-room socket only when it selected `meridian.v1`
	 * (PROTOCOL.md [R14]); `[]` is what a stock y-websocket client offers.
	 */
	readonly protocols?: readonly string[];
	/**
	 * Whether local changes to `doc` are sent as they happen (default true). False: the scenario
	 * sends its writes itself with `sendUpdate`. For a client that applies many remote updates:
	 * while a doc has an 'update' listener, Yjs encodes every transaction's update, remote ones
	 * too (about a quarter of the client's time in the fan-out scenario), only for it to be ignored.
	 */
	readonly sendLocalUpdates?: boolean;
}

export class BenchClient {
	readonly doc: Y.Doc;
	readonly room: string;
	readonly #dialect: Dialect;
	readonly #socket: WebSocket;
	/** Resolves once the server's state has been applied (its answer to our step 1). */
	readonly synced: Promise<void>;
	#resolveSynced!: () => void;
	/** Update messages (step 2 and updates) sent since the socket opened. */
	sent = 0;
	/** The highest acknowledgement so far: ours counts durable writes; Hocuspocus's counts applied ones. */
	acknowledged = 0;
	/** Called with each acknowledgement's count (ours: stored(count); Hocuspocus: one per SyncStatus). */
	onAcknowledged: ((count: number) => void) | null = null;
	/**
	 * When set, the Yjs update of every sync step 2 and update message is handed to it instead of
	 * being applied to `doc`, with the performance.now() at which the socket delivered the message
	 * (taken before any decoding). `update` is a view into the message: copy what you keep. Set it
	 * after `synced`: `doc` no longer follows the server, so its answer to a later step 1 would be stale.
	 */
	onRemoteUpdate: ((update: Uint8Array, receivedAt: number) => void) | null = null;
	/** Bytes of messages sent and received. */
	bytesOut = 0;
	bytesIn = 0;
	#closed: Promise<void>;
	#error: Error | null = null;

	constructor(options: ClientOptions) {
		this.doc = options.doc ?? new Y.Doc();
		this.room = options.room;
		this.#dialect = options.server.dialect;
		this.synced = new Promise((resolve) => (this.#resolveSynced = resolve));
		this.#socket = new WebSocket(options.server.socketUrl(options.room, options.token), [...(options.protocols ?? options.server.protocols)], { perMessageDeflate: false });
		this.#socket.binaryType = 'nodebuffer';
		this.#closed = new Promise((resolve) => this.#socket.once('close', () => resolve()));
		this.#socket.on('error', (error) => (this.#error = error));
		this.#socket.on('close', (code, reason) => {
			if (code !== 1000 && code !== 1005) this.#error ??= new Error(`${this.room}: socket closed ${code} ${reason.toString()}`);
		});
		this.#socket.on('open', () => {
			if (this.#dialect === 'hocuspocus') {
				this.#send((encoder) => {
					encoding.writeVarUint(encoder, AUTH);
					encoding.writeVarUint(encoder, 0);
					encoding.writeVarString(encoder, options.token);
				});
			}
			this.#send((encoder) => {
				encoding.writeVarUint(encoder, SYNC);
				syncProtocol.writeSyncStep1(encoder, this.doc);
			});
		});
		this.#socket.on('message', (data: Buffer) => this.#receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), performance.now()));
		if (options.sendLocalUpdates === false) return;
		this.doc.on('update', (update: Uint8Array, origin: unknown) => {
			if (origin === this) return;
			this.sendUpdate(update);
		});
	}

	/** Sends one update message (counted in `sent`): what a local change sends, or a scenario's own write. */
	sendUpdate(update: Uint8Array): void {
		this.sent++;
		this.#send((encoder) => {
			encoding.writeVarUint(encoder, SYNC);
			syncProtocol.writeUpdate(encoder, update);
		});
	}

	/** A connection failure or an unexpected close, if one happened. */
	get error(): Error | null {
		return this.#error;
	}

	/** Opens the socket and waits for the first sync; rejects if the socket fails first. */
	async ready(timeoutMs = 30_000): Promise<void> {
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([
			this.synced,
			this.#closed.then(() => Promise.reject(this.#error ?? new Error(`${this.room}: closed before sync`))),
			new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${this.room}: no sync in ${timeoutMs} ms`)), timeoutMs)))
		]).finally(() => clearTimeout(timer));
	}

	/** Bytes queued in the socket and not yet handed to the kernel. */
	get buffered(): number {
		return this.#socket.bufferedAmount;
	}

	close(): Promise<void> {
		this.#socket.close(1000);
		return this.#closed;
	}

	#send(write: (encoder: encoding.Encoder) => void): void {
		if (this.#socket.readyState !== WebSocket.OPEN) return;
		const encoder = encoding.createEncoder();
		if (this.#dialect === 'hocuspocus') encoding.writeVarString(encoder, this.room);
		write(encoder);
		const message = encoding.toUint8Array(encoder);
		this.bytesOut += message.byteLength;
		this.#corkForThisTurn();
		this.#socket.send(message);
	}

	#corked = false;
	/**
	 * Messages sent in one turn of the event loop go to the kernel together, as the relay does with
	 * its own (server/ws-glue.ts): uncorked, a typist sending one message per edit spent most of its
	 * time in one system call per message, and the trace scenario measured the client, not the
	 * server. Every server gets the same client.
	 */
	#corkForThisTurn(): void {
		if (this.#corked) return;
		const socket = (this.#socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
		if (!socket) return;
		this.#corked = true;
		socket.cork();
		queueMicrotask(() => {
			this.#corked = false;
			socket.uncork();
		});
	}

	#receive(message: Uint8Array, receivedAt: number): void {
		this.bytesIn += message.byteLength;
		const decoder = decoding.createDecoder(message);
		if (this.#dialect === 'hocuspocus') decoding.readVarString(decoder);
		const type = decoding.readVarUint(decoder);
		if (type === SYNC || (this.#dialect === 'hocuspocus' && type === 4)) {
			const carried = decoding.peekVarUint(decoder);
			if (this.onRemoteUpdate && (carried === syncProtocol.messageYjsUpdate || carried === syncProtocol.messageYjsSyncStep2)) {
				decoding.readVarUint(decoder);
				this.onRemoteUpdate(decoding.readVarUint8Array(decoder), receivedAt);
				return;
			}
			const reply = encoding.createEncoder();
			if (this.#dialect === 'hocuspocus') encoding.writeVarString(reply, this.room);
			encoding.writeVarUint(reply, SYNC);
			const before = encoding.length(reply);
			const syncType = syncProtocol.readSyncMessage(decoder, reply, this.doc, this);
			if (syncType === syncProtocol.messageYjsSyncStep2) this.#resolveSynced();
			if (encoding.length(reply) > before) {
				// Our answer to the server's step 1: a write like any other (ours counts it).
				this.sent++;
				const bytes = encoding.toUint8Array(reply);
				this.bytesOut += bytes.byteLength;
				this.#socket.send(bytes);
			}
		} else if (this.#dialect === 'y-websocket' && type === STORED) {
			this.acknowledged = decoding.readVarUint(decoder);
			this.onAcknowledged?.(this.acknowledged);
		} else if (this.#dialect === 'hocuspocus' && type === HOCUSPOCUS_SYNC_STATUS) {
			if (decoding.readVarUint(decoder) === 1) {
				this.acknowledged++;
				this.onAcknowledged?.(this.acknowledged);
			}
		}
		// Awareness, auth (Hocuspocus's "authenticated") and anything else: not measured here.
	}
}
