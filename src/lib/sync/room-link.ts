/**
 * One document's link to the relay over a shared connection: runs y-protocols sync for the room,
 * relays awareness, and tracks what the relay has durably stored.
 *
 * Durability is counted, not guessed: every sync write this link sends (its step-2 reply and each
 * update) gets the next number on this connection, remembered with the document's local version
 * at that moment; when the relay answers `stored(n)`, every local change up to the version sent
 * with write n is committed on the relay. A fresh connection starts the count at zero, and its
 * first write — the step-2 reply to the relay's state vector — carries everything the relay lacks,
 * deletions included, so nothing is called stored that the relay does not have. (A new device's
 * first connection, holding only what the relay sent, has nothing to reply with and sends nothing.)
 *
 * A new device joining a workspace receives every page at once: 20 MB into 2,000 documents for
 * 1,000 pages, most of which nobody opens soon. With a `Deferral` (the session gives one to page
 * bodies and discussions), what the relay sends to such a document — empty, nothing of its own, on
 * its first connection — is written to the device's storage as it arrives and applied to the
 * Y.Doc later, in idle time (`applyDeferred`): storing is cheap, integrating it into Yjs is the
 * join's main cost. The room is `received` (its copy is on the device) at once and `synced` (in
 * the doc) once applied. Anything that needs the content now applies it first: opening the page
 * (the session), a reconnect (so the step 1 states what the device has), and a document someone
 * wants applied once (`applyDeferred` makes the link eager from then on).
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as authProtocol from 'y-protocols/auth';
import { CloseCode, MessageType, SyncType, encodeSyncPayload, readRoomError, readStored, encodeMessage } from '../protocol/index.ts';
import { Origin } from '../model/origins.ts';
import { applyReceived } from './received.ts';
import { isEmptyUpdate } from '../protocol/changes.ts';

export type RoomRelayState =
	| { readonly kind: 'offline' }
	| { readonly kind: 'syncing' }
	| { readonly kind: 'stored' }
	| { readonly kind: 'pending' }
	| { readonly kind: 'error'; readonly code: number; readonly reason: string };

/**
 * The largest WebSocket message every relay accepts (PROTOCOL.md, Limits: `MAX_MESSAGE_BYTES` may
 * be raised, never set below this). A bigger one would close the shared socket with 1009 — every
 * room of the workspace, again on each reconnect, as the change stays in the document — so a
 * link holds such a write back and shows its room in error instead.
 */
export const relayMessageLimit = 16 * 1024 * 1024;

/** Bytes the connection's frame adds to a message: varString(room) (PROTOCOL.md, Messages). */
function frameOverhead(room: string): number {
	const length = new TextEncoder().encode(room).byteLength;
	let prefix = 1;
	for (let n = length; n >= 0x80; n >>>= 7) prefix++;
	return prefix + length;
}

/** Where a link puts what the relay sent before applying it later (see above). */
export interface Deferral {
	/** Writes what the relay sent to this document's storage on the device, now. */
	store(update: Uint8Array): void;
	/** Asks for `link.applyDeferred()` in idle time. */
	schedule(link: RoomLink): void;
}

export interface RoomTransport {
	/** Sends one message of this room (the connection adds the frame). False when not connected. */
	send(message: Uint8Array): boolean;
	readonly isOpen: boolean;
}

export class RoomLink {
	readonly room: string;
	readonly doc: Y.Doc;
	#awareness: awarenessProtocol.Awareness | null = null;
	readonly #transport: RoomTransport;
	#canWrite: boolean;
	/** Bumped by every change that did not come from the relay. Starts at 1: what was loaded from the device is unproven. */
	#version = 1;
	#storedVersion = 0;
	#sent = 0;
	#inFlight: { count: number; version: number; stateVector: Uint8Array; handshake: boolean }[] = [];
	#storedStateVector: Uint8Array | null = null;
	#synced = false;
	/**
	 * Nothing in the doc came from this device: it held nothing when linked, no local change was
	 * made since, and it has connected at most once — so everything it holds came from the relay on
	 * this link's first connection, and it has nothing to answer the relay's step 1 with (see receive).
	 */
	#onlyFromRelay: boolean;
	#connections = 0;
	/** This connection's step-2 reply (everything the relay lacked) has been sent / acknowledged. */
	#handshakeSent = false;
	#handshakeAcked = false;
	#error: { code: number; reason: string } | null = null;
	readonly #maxMessageBytes: number;
	/** Null once the link is eager (or never had one): what the relay sends is applied at once. */
	#deferral: Deferral | null;
	/** Stored on the device, not yet applied to the doc, in the order received. */
	#deferred: Uint8Array[] = [];
	/** Whether this connection's step 2 is among the deferred. */
	#deferredStep2 = false;
	#listeners = new Set<() => void>();

	constructor(
		room: string,
		doc: Y.Doc,
		transport: RoomTransport,
		options: { canWrite: boolean; storedStateVector?: Uint8Array | null; maxMessageBytes?: number; deferral?: Deferral | null }
	) {
		this.room = room;
		this.doc = doc;
		this.#deferral = options.deferral ?? null;
		this.#maxMessageBytes = options.maxMessageBytes ?? relayMessageLimit;
		this.#transport = transport;
		this.#canWrite = options.canWrite;
		// What the relay confirmed last time (persisted by the session): if it covers everything the
		// device holds, nothing is waiting for the relay, even before this connection proves it. A
		// document holding nothing (a page's discussion opened offline, never synced) has nothing
		// to wait for either.
		this.#onlyFromRelay = isEmpty(doc);
		if (doc.store.clients.size === 0) {
			this.#storedVersion = this.#version;
		} else if (options.storedStateVector && covers(options.storedStateVector, Y.encodeStateVector(doc))) {
			this.#storedVersion = this.#version;
			this.#storedStateVector = options.storedStateVector;
		}
		doc.on('update', this.#onUpdate);
	}

	get awareness(): awarenessProtocol.Awareness | null {
		return this.#awareness;
	}

	/** Shares presence (cursors, names) in this room while a page is open; null stops it. */
	setAwareness(awareness: awarenessProtocol.Awareness | null): void {
		this.#awareness?.off('update', this.#onAwareness);
		this.#awareness = awareness;
		awareness?.on('update', this.#onAwareness);
		if (awareness?.getLocalState() && this.#transport.isOpen) {
			this.#transport.send(awarenessMessage(awareness, [this.doc.clientID]));
			this.#transport.send(encodeMessage((e) => encoding.writeVarUint(e, MessageType.queryAwareness)));
		}
	}

	/** The state vector the relay last confirmed storing (for the session to persist). */
	get storedStateVector(): Uint8Array | null {
		return this.#storedStateVector;
	}

	/**
	 * The member's role changed (the session asks the relay, sync/workspace-session.ts). A link that
	 * may no longer write stops counting anything as waiting for the relay, which would refuse it.
	 * One that gains writing needs a fresh handshake for its step-2 reply to count: the session
	 * reconnects.
	 */
	set canWrite(value: boolean) {
		if (value === this.#canWrite) return;
		this.#canWrite = value;
		this.#emit();
	}

	get canWrite(): boolean {
		return this.#canWrite;
	}

	/** The relay's copy is in the doc (this connection's step 2 applied). */
	get synced(): boolean {
		return this.#synced;
	}

	/** The relay's copy is on this device: in the doc, or stored and waiting to be applied. */
	get received(): boolean {
		return this.#synced || this.#deferredStep2;
	}

	/** Content stored on the device that the doc does not hold yet (see above). */
	get hasDeferred(): boolean {
		return this.#deferred.length > 0;
	}

	/**
	 * Applies what was stored and deferred, now; and from now on applies what the relay sends as it
	 * arrives (the page is open, or about to be).
	 */
	applyDeferred(): void {
		this.#deferral = null;
		this.#applyDeferred();
	}

	#applyDeferred(): void {
		const deferred = this.#deferred;
		if (deferred.length === 0) return;
		this.#deferred = [];
		for (const update of deferred) this.#apply(update, Origin.stored);
		if (this.#deferredStep2) {
			this.#deferredStep2 = false;
			this.#synced = true;
		}
		this.#emit();
	}

	get state(): RoomRelayState {
		if (this.#error) return { kind: 'error', ...this.#error };
		if (!this.#transport.isOpen) return { kind: 'offline' };
		if (!this.#synced) return { kind: 'syncing' };
		// A member who may not write here has nothing of theirs to store: synced is all there is.
		if (!this.hasUnstored) return { kind: 'stored' };
		return { kind: 'pending' };
	}

	/**
	 * True when local changes exist that the relay has not confirmed storing. While connected, that
	 * includes the time until this connection's step-2 reply is acknowledged: what was remembered
	 * from earlier connections is not proof that the relay still has it (a restored backup, say).
	 */
	get hasUnstored(): boolean {
		if (!this.#canWrite) return false;
		if (this.#storedVersion < this.#version) return true;
		return this.#transport.isOpen && !this.#handshakeAcked;
	}

	onChange(listener: () => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** Called by the connection when the socket opens: start the sync handshake. */
	connected(): void {
		// The step 1 below states what the doc holds: all of what is on the device.
		this.#applyDeferred();
		this.#connections++;
		this.#sent = 0;
		this.#inFlight = [];
		this.#synced = false;
		this.#handshakeSent = false;
		this.#handshakeAcked = false;
		this.#error = null;
		this.#transport.send(encodeMessage((e) => {
			encoding.writeVarUint(e, MessageType.sync);
			syncProtocol.writeSyncStep1(e, this.doc);
		}));
		const state = this.#awareness?.getLocalState();
		if (this.#awareness && state) {
			// Announced afresh, not re-sent: when the last socket went, the relay removed this state
			// with its clock + 1, and awareness drops a state whose clock is not newer than what it
			// has — the others would not see us until the next renewal (15 s). Null then the state
			// again is clock + 2; both updates go out through #onAwareness.
			this.#awareness.setLocalState(null);
			this.#awareness.setLocalState(state);
		}
		this.#emit();
	}

	/** Called by the connection when the socket closes. */
	disconnected(): void {
		this.#applyDeferred();
		this.#synced = false;
		this.#handshakeSent = false;
		this.#handshakeAcked = false;
		this.#inFlight = [];
		if (this.#awareness) {
			// Remote cursors vanish when we can no longer hear them leave.
			const others = [...this.#awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
			awarenessProtocol.removeAwarenessStates(this.#awareness, others, this);
		}
		this.#emit();
	}

	/** Handles one message of this room from the relay. Throws on a malformed message. */
	receive(message: Uint8Array): void {
		const decoder = decoding.createDecoder(message);
		const type = decoding.readVarUint(decoder);
		switch (type) {
			case MessageType.sync: {
				const syncType = decoding.readVarUint(decoder);
				if (syncType === syncProtocol.messageYjsSyncStep1) {
					const stateVector = decoding.readVarUint8Array(decoder);
					if (this.#onlyFromRelay && this.#connections === 1) {
						// A new device joining: everything here came from the relay, so there is nothing to
						// answer with. Answering anyway — the doc's whole delete set — would make the relay
						// check it against a document it need not build ([R32]) and acknowledge it: two
						// messages per room, 4,000 for a 1,000-page workspace. Later changes count from 1.
						this.#handshakeSent = true;
						this.#handshakeAcked = true;
						this.#caughtUp();
						this.#emit();
						break;
					}
					const reply = encoding.createEncoder();
					encoding.writeVarUint(reply, MessageType.sync);
					syncProtocol.writeSyncStep2(reply, this.doc, stateVector);
					this.#answerStep1(encoding.toUint8Array(reply));
				} else if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) {
					const update = decoding.readVarUint8Array(decoder);
					const step2 = syncType === syncProtocol.messageYjsSyncStep2 && !this.#synced && !this.#deferredStep2;
					if (this.#deferral && (this.#deferred.length > 0 || (step2 && this.#onlyFromRelay && this.#connections === 1 && isEmpty(this.doc)))) {
						// A new device's first copy, and whatever follows it until applied: stored now, applied later.
						if (!isEmptyUpdate(update)) {
							this.#deferral.store(update);
							this.#deferred.push(update);
						}
						if (step2) {
							if (this.#deferred.length > 0) this.#deferredStep2 = true;
							else this.#synced = true;
							this.#emit();
						}
						if (this.#deferred.length === 1) this.#deferral.schedule(this);
						break;
					}
					this.#apply(update, Origin.relay);
					if (step2) {
						this.#synced = true;
						this.#emit();
					}
				} else throw new Error(`Unknown sync message type ${syncType} in room ${this.room}`);
				break;
			}
			case MessageType.awareness:
				if (this.#awareness) awarenessProtocol.applyAwarenessUpdate(this.#awareness, decoding.readVarUint8Array(decoder), this);
				break;
			case MessageType.queryAwareness:
				if (this.#awareness) this.#transport.send(awarenessMessage(this.#awareness, [...this.#awareness.getStates().keys()]));
				break;
			case MessageType.auth:
				authProtocol.readAuthMessage(decoder, this.doc, (_doc, reason) => {
					this.#error = { code: 4403, reason };
					this.#emit();
				});
				break;
			case MessageType.stored:
				this.#acknowledge(readStored(decoder));
				break;
			case MessageType.roomError:
				this.#error = readRoomError(decoder);
				this.#emit();
				break;
			default:
				throw new Error(`Unknown message type ${type} in room ${this.room}`);
		}
	}

	destroy(): void {
		this.#deferral = null;
		this.doc.off('update', this.#onUpdate);
		this.#awareness?.off('update', this.#onAwareness);
		this.#listeners.clear();
	}

	#apply(update: Uint8Array, origin: typeof Origin.relay | typeof Origin.stored): void {
		try {
			applyReceived(this.doc, update, origin);
		} catch (error) {
			// As y-protocols does: one bad update does not end the connection for every room.
			console.error('[meridian] an update from the relay did not apply', this.room, error);
		}
	}

	#onUpdate = (update: Uint8Array, origin: unknown): void => {
		if (origin === Origin.relay || origin === Origin.stored) {
			// What came from the relay is not this device's to upload: with every local change
			// acknowledged, all the doc holds is on the relay (so a reload knows it, too).
			if (this.#caughtUp()) this.#emit();
			return;
		}
		this.#version++;
		this.#onlyFromRelay = false;
		// Until the step-2 reply has gone out, changes wait for it: it will carry them.
		if (this.#canWrite && this.#transport.isOpen && this.#handshakeSent) {
			this.#sendWrite(encodeSyncPayload(SyncType.update, update));
		}
		this.#emit();
	};

	/**
	 * Sends the step-2 reply. It carries everything the relay lacks, so it must be the first write of
	 * this connection: a change sent before it would be acknowledged as if it carried the offline
	 * work too (see #onUpdate).
	 */
	#answerStep1(reply: Uint8Array): void {
		if (this.#canWrite) {
			this.#sendWrite(reply, true);
			this.#handshakeSent = true;
		} else this.#transport.send(reply);
	}

	#onAwareness = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
		if (origin === this || !this.#awareness) return;
		this.#transport.send(awarenessMessage(this.#awareness, [...added, ...updated, ...removed]));
	};

	#sendWrite(message: Uint8Array, handshake = false): void {
		// After one write too large to send, none goes out until a reconnect: an acknowledged later
		// write would count the held-back change as stored. The next step-2 reply carries it again.
		if (this.#error?.code === CloseCode.tooLarge) return;
		const size = message.byteLength + frameOverhead(this.room);
		if (size > this.#maxMessageBytes) {
			const megabytes = Math.ceil((size / (1024 * 1024)) * 10) / 10;
			this.#error = {
				code: CloseCode.tooLarge,
				reason: `This page has a change larger than the relay accepts (${megabytes} MB); it stays on this device`
			};
			this.#emit();
			return;
		}
		if (!this.#transport.send(message)) return;
		this.#sent++;
		this.#inFlight.push({ count: this.#sent, version: this.#version, stateVector: Y.encodeStateVector(this.doc), handshake });
	}

	#acknowledge(count: number): void {
		while (this.#inFlight.length > 0 && this.#inFlight[0]!.count <= count) {
			const write = this.#inFlight.shift()!;
			if (write.handshake) this.#handshakeAcked = true;
			if (write.version >= this.#storedVersion) {
				this.#storedVersion = write.version;
				this.#storedStateVector = write.stateVector;
			}
		}
		// Content that arrived from the relay meanwhile is in no write's state vector.
		this.#caughtUp();
		this.#emit();
	}

	/**
	 * When no local change awaits the relay, moves the stored state vector up to the whole doc
	 * (the rest came from the relay). Returns whether it moved.
	 *
	 * The record answers "is this device's work on the relay?". Content received from the relay
	 * may still be in the relay's commit queue; if the relay loses it, it is not this device's to
	 * re-send — its author's device has no acknowledgement for it and sends it again.
	 */
	#caughtUp(): boolean {
		// While content waits to be applied, the doc's state vector is not what the device holds:
		// it moves up once that is applied (a record per room saved twice on a join, else).
		if (!this.#canWrite || this.hasUnstored || this.#deferred.length > 0) return false;
		const stateVector = Y.encodeStateVector(this.doc);
		if (this.#storedStateVector && sameBytes(this.#storedStateVector, stateVector)) return false;
		this.#storedStateVector = stateVector;
		return true;
	}

	#emit(): void {
		for (const listener of this.#listeners) listener();
	}
}

/**
 * Whether state vector `stored` has every struct that `local` has. Every local change to Meridian's
 * documents creates structs (map sets; page-body deletions are recorded by authorship.ts), so a
 * covered state vector means nothing local is missing from the relay.
 */
function covers(stored: Uint8Array, local: Uint8Array): boolean {
	const have = Y.decodeStateVector(stored);
	for (const [client, clock] of Y.decodeStateVector(local)) {
		if ((have.get(client) ?? 0) < clock) return false;
	}
	return true;
}

/** A doc holding nothing, not even structs waiting on missing ones. */
function isEmpty(doc: Y.Doc): boolean {
	return doc.store.clients.size === 0 && doc.store.pendingStructs === null && doc.store.pendingDs === null;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function awarenessMessage(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
	return encodeMessage((e) => {
		encoding.writeVarUint(e, MessageType.awareness);
		encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
	});
}
