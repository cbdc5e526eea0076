/**
 * One room: a Y.Doc (gc off, always — page bodies keep their history), its awareness, and the
 * sessions in it. It speaks the y-websocket protocol with each session, applies writes from
 * sessions allowed to write, queues them for group commit and acknowledges them once committed.
 * It knows sockets only through Session/SessionHost and storage only through Store/Persister.
 *
 * Lifecycle: loading → ready | failed → unloaded. A failed room (its stored rows did not load)
 * serves nobody and never writes: its stored data stays exactly as it was.
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as authProtocol from 'y-protocols/auth';
import { CloseCode, MessageType, SyncType, encodeSyncPayload, readOnlyReason, type RoomKind } from '../src/lib/protocol/index.ts';
import { changedBy, isEmptyUpdate, leftPending, pendingOf } from '../src/lib/protocol/changes.ts';
import { environmentLimits, type Limits } from './config.ts';
import type { Store } from './storage/types.ts';
import type { Persister } from './persister.ts';
import type { Session } from './session.ts';
import { errorText, type Logger } from './log.ts';

export type RoomState = 'loading' | 'ready' | 'failed' | 'unloaded';

export interface RoomDeps {
	readonly store: Store;
	readonly persister: Persister;
	readonly log: Logger;
	readonly compactThreshold: number;
	/** Only maxDocumentBytes is read here; the process environment's when absent. */
	readonly limits?: Limits;
	/** Where compactions wait their turn: one at a time for the whole relay (see CompactionQueue). */
	readonly compactions: CompactionQueue;
}

/**
 * Runs the rooms' compactions one at a time. A compaction is one storage transaction (delete a
 * room's rows, write the merged one) on the same storage thread as the commits that acknowledge
 * writes, in the order they were asked for; rooms written at the same pace reach their threshold
 * together (the fan-out benchmark: 100 rooms within a second), and a hundred compactions queued at
 * once held every commit behind them — the acknowledgement p99 was 140–190 ms. One at a time, a
 * commit waits for at most one compaction.
 */
export class CompactionQueue {
	#tail: Promise<void> = Promise.resolve();

	run(task: () => Promise<void>): Promise<void> {
		const turn = this.#tail.then(task);
		this.#tail = turn.catch(() => undefined);
		return turn;
	}
}

/** Thrown while reading a message that does not decode; the connection closes with 4400. */
/** Characters of one presence state (its JSON): a name, a colour, a page, a cursor — never more. */
export const MAX_AWARENESS_STATE_CHARS = 16 * 1024;
/** Awareness client ids one connection may set in one room (a tab's doc has one; tests a few). */
export const MAX_AWARENESS_IDS = 16;
/**
 * Client ids whose owner a room remembers ([R26]). Owners outlive their states (so nobody takes
 * over a teammate's id after they leave), which lets a peer that reconnects over and over grow the
 * map without end; past this size the owners of ids with no state are forgotten.
 */
export const MAX_AWARENESS_OWNERS = 10_000;

export class MalformedMessage extends Error {
	override name = 'MalformedMessage';
}

/**
 * A lone row at least this large is written again with its state vector when its room unloads
 * ([R33]). Reading a vector off a smaller row costs little at load, and each rewrite is a
 * committed write that holds the database's lock: a relay unloading many small rooms at once kept
 * its HTTP API's writes waiting into SQLITE_BUSY (a join answered 503 in the browser tests).
 */
const REWRITE_LONE_ROW_FROM = 4096;

/** Thrown when a room's stored row fails to apply as its doc is built: the room has failed, its sessions are told. */
class RoomFailed extends Error {
	override name = 'RoomFailed';
}

type AwarenessChange = { added: number[]; updated: number[]; removed: number[] };

export class Room {
	readonly name: string;
	readonly kind: RoomKind;
	readonly #doc: Y.Doc;
	/**
	 * The room's stored state, not yet applied to the doc: a room that loads from one row (the usual
	 * room, compacted when it last unloaded) answers joins from the row itself — a step 2 is the row
	 * (or Y.diffUpdate of it), the greeting's state vector is read off its bytes — and builds the doc
	 * only when something needs the doc's content: a write with content, a read-only peer's write to
	 * check, a compaction. A new device joining a thousand rooms then costs the relay the rows'
	 * bytes, not a thousand documents built and encoded again (docs/performance.md, "Cold sync").
	 */
	#unapplied: Uint8Array | null = null;
	#unappliedSeq = 0;
	#unappliedStateVector: Uint8Array | null = null;
	/**
	 * The room's stored row carries its state vector (it was compacted with it). A room stored as
	 * one row of REWRITE_LONE_ROW_FROM bytes or more without one (appended, or compacted before state
	 * vectors were stored) is compacted all the same when it unloads, so its next load parses
	 * nothing (storage/checked.ts).
	 */
	#rowHasStateVector = false;
	readonly awareness: awarenessProtocol.Awareness;
	readonly #deps: RoomDeps;
	readonly #sessions = new Set<Session>();
	/** Work that arrived while loading, replayed in order once ready. */
	#waiting: (() => void)[] = [];
	#state: RoomState = 'loading';
	/** Entries of this room in the persister's queue. The room never unloads while > 0. */
	#pending = 0;
	/** Rows stored for this room, and the highest seq among them (for compaction). */
	#rows = 0;
	#lastSeq = 0;
	/** Bytes of this room's committed rows, and of its writes queued for commit ([R27]). */
	#committedBytes = 0;
	#pendingBytes = 0;
	/** Committed bytes just after the last compaction (or the load): what the next compaction re-encodes, roughly. */
	#compactedBytes = 0;
	#compacting: Promise<void> | null = null;
	/** Set if applying a decoded update threw: the in-memory doc may hold a partial update, so it is never compacted into storage. */
	#tainted = false;
	/** Awareness client id → the member who set it first ([R26]). */
	readonly #awarenessOwners = new Map<number, string>();
	/** Set by the transaction handler while a session's write is being applied. */
	#changed = false;
	/** Writes received in this turn of the event loop, applied together at its end ([R31]). */
	#incoming: { readonly session: Session; readonly update: Uint8Array; readonly step2: boolean }[] = [];
	/** A write was applied in this turn: later ones wait in #incoming for its end. */
	#turnStarted = false;
	onIdle: ((room: Room) => void) | null = null;

	constructor(name: string, kind: RoomKind, deps: RoomDeps) {
		this.name = name;
		this.kind = kind;
		this.#deps = deps;
		// Named, so Yjs does not draw a random guid for it (uuidv4 asks crypto for 31 numbers one by
		// one: a quarter of the relay's CPU when a new device joined 2,000 rooms).
		this.#doc = new Y.Doc({ gc: false, guid: name });
		this.awareness = new awarenessProtocol.Awareness(this.#doc);
		// The relay has no presence of its own.
		this.awareness.setLocalState(null);
		// Whether a write changed the doc is read off its transaction, not from an 'update' event:
		// with no 'update' listener Yjs does not encode each transaction again (writes are forwarded
		// as received, see #forward; a quarter of the relay's time in a typing burst was that encoding).
		this.#doc.on('afterTransaction', (transaction: Y.Transaction) => {
			if (transaction.origin !== 'storage' && changedBy(transaction)) this.#changed = true;
		});
		this.awareness.on('update', (change: AwarenessChange, origin: unknown) =>
			this.#onAwarenessUpdate(change, origin)
		);
	}

	get state(): RoomState {
		return this.#state;
	}
	/** The document, every stored row applied. Reading it builds it (see #unapplied). */
	get doc(): Y.Doc {
		this.#applyStored();
		return this.#doc;
	}
	/** Whether the doc has been built from what is stored (false while joins are answered from the row). */
	get built(): boolean {
		return this.#unapplied === null;
	}
	get sessionCount(): number {
		return this.#sessions.size;
	}
	get pendingCount(): number {
		return this.#pending;
	}
	get rowCount(): number {
		return this.#rows;
	}
	/** Bytes stored for this room plus bytes queued for storage: what MAX_DOCUMENT_BYTES bounds. */
	get storedBytes(): number {
		return this.#committedBytes + this.#pendingBytes;
	}
	/** No sessions, nothing unstored, nothing in flight: safe to unload. */
	get idle(): boolean {
		return this.#state !== 'loading' && this.#sessions.size === 0 && this.#pending === 0 && this.#incoming.length === 0 && !this.#compacting;
	}

	/** Loads the stored rows. `after` is an earlier instance's unload (compaction) to wait for. */
	async load(after?: Promise<void>): Promise<void> {
		try {
			await after;
			const rows = await this.#deps.store.load(this.name);
			// Every row has been decoded already (the registry loads through CheckedStore, which
			// quarantines what does not decode), so none fails half applied. Should applying still
			// throw, the room fails and is never written (here, or later in #applyStored).
			if (rows.length === 1) {
				this.#unapplied = rows[0]!.update;
				this.#unappliedSeq = rows[0]!.seq;
				this.#unappliedStateVector = rows[0]!.stateVector ?? null;
				this.#rowHasStateVector = rows[0]!.storedStateVector !== undefined;
			}
			else {
				this.#doc.transact(() => {
					for (const row of rows) Y.applyUpdate(this.#doc, row.update, 'storage');
				}, 'storage');
			}
			this.#rows = rows.length;
			this.#committedBytes = rows.reduce((sum, row) => sum + row.update.byteLength, 0);
			this.#compactedBytes = this.#committedBytes;
			this.#lastSeq = rows.at(-1)?.seq ?? 0;
			this.#state = 'ready';
			this.#deps.log('debug', 'room loaded', { room: this.name, rows: rows.length });
		} catch (error) {
			this.#fail(error);
		}
		const waiting = this.#waiting;
		this.#waiting = [];
		if (this.#state === 'ready') for (const run of waiting) run();
		this.#checkIdle();
	}

	/**
	 * Adds a session. Per-room sockets join with no message: the room greets them (sync step 1 and
	 * awareness). Multiplexed sessions join with their sync step 1, answered before the greeting.
	 */
	join(session: Session, first?: Uint8Array): void {
		if (this.#state === 'failed' || this.#state === 'unloaded') {
			session.room = null;
			session.host.reject(session, CloseCode.roomUnavailable, 'room unavailable');
			// The registry cancelled the unload timer for this join; re-arm it, so a failed room is
			// dropped and loaded afresh later ([R19]) instead of refusing everyone until a restart.
			this.#checkIdle();
			return;
		}
		this.#applyIncoming();
		session.room = this;
		this.#sessions.add(session);
		const start = (): void => {
			if (!this.#sessions.has(session)) return;
			if (first) this.receive(session, first);
			this.#greet(session);
		};
		if (this.#state === 'loading') this.#waiting.push(start);
		else start();
	}

	/** Removes a session (disconnect or leave) and the awareness states it controlled. */
	leave(session: Session): void {
		if (!this.#sessions.has(session)) return;
		// What it sent before leaving is applied, stored and forwarded first, as it would have been
		// one at a time.
		this.#applyIncoming();
		if (!this.#sessions.delete(session)) return;
		session.closed = true;
		if (session.awarenessIds.size > 0) {
			awarenessProtocol.removeAwarenessStates(this.awareness, [...session.awarenessIds], null);
		}
		this.#checkIdle();
	}

	/** Handles one y-websocket message from a session; malformed input closes its connection. */
	receive(session: Session, message: Uint8Array): void {
		if (this.#state === 'loading') {
			this.#waiting.push(() => this.receive(session, message));
			return;
		}
		if (this.#state !== 'ready' || !this.#sessions.has(session)) return;
		try {
			this.#read(session, message);
		} catch (error) {
			// The stored row did not apply: every session was told the room is unavailable.
			if (error instanceof RoomFailed) return;
			const reason = error instanceof MalformedMessage ? error.message : 'undecodable message';
			this.#deps.log('warn', 'malformed message', { room: this.name, reason });
			session.host.malformed(reason);
		}
	}

	/**
	 * Stores the current document as one row replacing every row committed so far, when its turn
	 * comes (one compaction at a time for the relay: CompactionQueue). Skipped unless ready and
	 * untainted: a doc that failed to load, or may hold a partially applied update, must never
	 * replace what is stored.
	 */
	compact(): Promise<void> {
		if (this.#compacting) return this.#compacting;
		this.#applyIncoming();
		if (!this.#compactable()) return Promise.resolve();
		this.#compacting = this.#deps.compactions
			.run(() => this.#compactNow())
			.finally(() => {
				this.#compacting = null;
				this.#checkIdle();
			});
		return this.#compacting;
	}

	#compactable(): boolean {
		return this.#state === 'ready' && !this.#tainted && (this.#rows > 1 || (this.#rows === 1 && !this.#rowHasStateVector && this.#committedBytes >= REWRITE_LONE_ROW_FROM));
	}

	/** The compaction itself, when its turn comes (CompactionQueue): what is stored then, merged. */
	async #compactNow(): Promise<void> {
		if (!this.#compactable()) return;
		const upToSeq = this.#lastSeq;
		const rowsBefore = this.#rows;
		const bytesBefore = this.#committedBytes;
		let merged: Uint8Array;
		let stateVector: Uint8Array;
		try {
			if (this.#unapplied && this.#rows === 1) {
				// A lone row never built, stored without its state vector: the same bytes again, with
				// the vector read off them — nothing built, nothing re-encoded ([R33]).
				merged = this.#unapplied;
				stateVector = this.#stateVector();
			} else {
				// Everything with seq ≤ upToSeq was applied to this doc before it was queued or loaded,
				// so the merged state contains it. It may also contain queued, uncommitted updates;
				// storing them early is harmless (Yjs updates are idempotent) and they still get their
				// own row. Reading `doc` may build it from a lone row, which fails the room if the row
				// does not apply (#applyStored): then there is nothing to compact.
				const doc = this.doc;
				merged = Y.encodeStateAsUpdate(doc);
				// Of the same document at the same moment: merged's own state vector, stored with it.
				stateVector = Y.encodeStateVector(doc);
			}
		} catch (error) {
			this.#deps.log('error', 'compaction skipped: the stored state could not be read', { room: this.name, error: errorText(error) });
			return;
		}
		try {
			await this.#deps.store.compact(this.name, merged, upToSeq, stateVector);
			this.#rows = this.#rows - rowsBefore + 1;
			this.#rowHasStateVector = true;
			this.#committedBytes = this.#committedBytes - bytesBefore + merged.byteLength;
			this.#compactedBytes = merged.byteLength;
			this.#deps.log('debug', 'room compacted', { room: this.name, rows: rowsBefore, bytes: merged.byteLength });
		} catch (error) {
			this.#deps.log('error', 'compaction failed; rows kept as they were', {
				room: this.name,
				error: errorText(error)
			});
		}
	}

	/** Frees the doc and awareness. The registry calls this only when idle. */
	destroy(): void {
		this.#state = 'unloaded';
		this.awareness.destroy();
		this.#doc.destroy();
	}

	#read(session: Session, message: Uint8Array): void {
		const decoder = decoding.createDecoder(message);
		const type = decoding.readVarUint(decoder);
		// Writes wait for the end of the turn; anything else sees every write received before it.
		if (type !== MessageType.sync || message[1] === SyncType.step1 || !session.canWrite) this.#applyIncoming();
		switch (type) {
			case MessageType.sync:
				this.#readSync(session, decoder);
				return;
			case MessageType.awareness:
				if (!session.host.admit('awareness')) return;
				this.#applyAwareness(session, decoding.readVarUint8Array(decoder));
				return;
			case MessageType.auth:
				// Only the relay has something to say about permissions; a client's auth message is ignored.
				return;
			case MessageType.queryAwareness:
				// Answered with every state in the room: counted like awareness, or it amplifies a flood.
				if (!session.host.admit('awareness')) return;
				session.send(this.#awarenessMessage([...this.awareness.getStates().keys()]));
				return;
			default:
				throw new MalformedMessage(`unknown message type ${type}`);
		}
	}

	#readSync(session: Session, decoder: decoding.Decoder): void {
		const syncType = decoding.readVarUint(decoder);
		switch (syncType) {
			case SyncType.step1: {
				const stateVector = decoding.readVarUint8Array(decoder);
				// The first step 1 (the first join) is free; asking again, or rejoining, costs the
				// relay a diff of the whole document each time, so it counts like a write.
				if (session.askedStep1 && !session.host.admit('update')) return;
				session.askedStep1 = true;
				let diff: Uint8Array;
				try {
					diff = this.#unapplied ? diffStored(this.#unapplied, stateVector) : Y.encodeStateAsUpdate(this.#doc, stateVector);
				} catch {
					throw new MalformedMessage('bad state vector');
				}
				session.send(encodeSyncPayload(SyncType.step2, diff));
				return;
			}
			case SyncType.step2:
			case SyncType.update: {
				const update = decoding.readVarUint8Array(decoder);
				// The one answer to the relay's own step 1 is free: joining a thousand rooms sends a
				// thousand of them at once. Every other write counts against the rate limit.
				const answer = syncType === SyncType.step2 && session.answerDue;
				if (syncType === SyncType.step2) session.answerDue = false;
				if (!answer && !session.host.admit('update')) return;
				// Roles are enforced per document: a write from a peer that may not write is not
				// applied, stored, forwarded or counted ([R15]).
				if (session.canWrite) this.#queueWrite(session, update, syncType === SyncType.step2);
				else this.#refuseReadOnly(session, update);
				return;
			}
			default:
				throw new MalformedMessage(`unknown sync message type ${syncType}`);
		}
	}

	/**
	 * Takes a write from a session that may write. Soundness: Y.applyUpdate integrates structs as it
	 * reads them, so a malformed update could be half applied before it throws. Y.decodeUpdate
	 * parses the whole update (structs and delete set) without touching the doc, here, as it
	 * arrives: one that does not decode closes the connection at once, and only updates that decode
	 * are applied. Should applying still throw, the doc is marked tainted (never compacted into
	 * storage) and the update is neither stored nor acknowledged.
	 *
	 * The writes of one turn of the event loop (the messages of one socket read: a fast typist's
	 * burst, a reconnecting client's backlog) are applied together when it ends ([R31]).
	 */
	#queueWrite(session: Session, update: Uint8Array, step2: boolean): void {
		decodeOrThrow(update);
		if (this.#turnStarted) {
			this.#incoming.push({ session, update, step2 });
			return;
		}
		// The first write of a turn is applied at once (a keystroke is never held back); those
		// after it in the same turn wait for its end.
		this.#turnStarted = true;
		queueMicrotask(() => {
			this.#turnStarted = false;
			this.#applyIncoming();
		});
		this.#write(session, update, step2);
	}

	/**
	 * Applies the queued writes. From one session (the common case: one typist), in one Yjs
	 * transaction: Yjs then encodes their changes once, as one update, which is stored as one row
	 * and forwarded as one message — each peer applies one update instead of hundreds. From several
	 * sessions, one at a time as they came. Either way each write is counted, checked against the
	 * limits and acknowledged exactly as if it had been applied alone.
	 */
	#applyIncoming(): void {
		const batch = this.#incoming;
		if (batch.length === 0) return;
		this.#incoming = [];
		const session = batch[0]!.session;
		if (batch.length > 1 && batch.every((entry) => entry.session === session)) {
			this.#guarded(session, () => this.#writeTogether(session, batch.map((entry) => entry.update)));
		} else {
			for (const entry of batch) this.#guarded(entry.session, () => this.#write(entry.session, entry.update, entry.step2));
		}
		this.#checkIdle();
	}

	/** Runs a session's write; a write that fails to apply closes its connection (4400), as in receive(). */
	#guarded(session: Session, write: () => void): void {
		if (this.#state !== 'ready' || !this.#sessions.has(session)) return;
		try {
			write();
		} catch (error) {
			if (error instanceof RoomFailed) return;
			const reason = error instanceof MalformedMessage ? error.message : 'undecodable message';
			this.#deps.log('warn', 'malformed message', { room: this.name, reason });
			session.host.malformed(reason);
		}
	}

	/** A session's writes of one turn, in one transaction (see #applyIncoming); the rules of #write, for each. */
	#writeTogether(session: Session, updates: readonly Uint8Array[]): void {
		const events: Uint8Array[] = [];
		const capture = (update: Uint8Array): void => void events.push(update);
		// Writes applied, as received; of them, those that left structs waiting on missing ones (in no
		// update event yet, so stored and forwarded as received too).
		const accepted: Uint8Array[] = [];
		const waiting: Uint8Array[] = [];
		const first = session.received + 1;
		let applied = 0;
		let failure: unknown = null;
		let refusal: Refusal | null = null;
		this.doc.on('update', capture);
		try {
			this.doc.transact(() => {
				for (const update of updates) {
					refusal = this.#refusal(update, applied);
					if (refusal) return;
					session.received++;
					const before = pendingOf(this.doc);
					try {
						Y.applyUpdate(this.doc, update, session);
					} catch (error) {
						failure = error;
						session.received--;
						return;
					}
					applied += update.byteLength;
					accepted.push(update);
					if (leftPending(this.doc, before)) waiting.push(update);
				}
			}, session);
		} finally {
			this.doc.off('update', capture);
		}
		const last = session.received;
		if (last >= first) {
			// The transaction's own update holds exactly the burst's changes — unless a write failed
			// half way: what it integrated before throwing is in that update too, and must never be
			// stored or forwarded ([R10]). Then the writes that applied go as received, one by one.
			const rows = failure !== null ? accepted : [...waiting, ...events];
			if (rows.length === 0) this.#acknowledgeNoChange(session, last);
			for (const update of rows) this.#forward(session, update);
			// Every row commits in the same transaction; the last one acknowledges the batch (and
			// stands for every write it holds, in the storage metrics).
			rows.forEach((update, index) => {
				const final = index === rows.length - 1;
				const writes = failure !== null || !final ? 1 : accepted.length - waiting.length - (events.length - 1);
				this.#queueRow(session, final ? last : first - 1, update, Math.max(1, writes));
			});
		}
		// Refused or malformed only now: the writes before it are forwarded and queued first.
		const refused = refusal as Refusal | null;
		if (refused) this.#refuse(session, refused.code, refused.reason);
		if (failure !== null) this.#failedToApply(failure);
	}

	/** Whether a write passes the limits ([R27], [R20]), else why not. `ahead`: bytes of this turn's writes applied but not yet queued. */
	#refusal(update: Uint8Array, ahead = 0): Refusal | null {
		if (this.storedBytes + ahead + update.byteLength > this.#limits.maxDocumentBytes && this.#wouldChange(update)) {
			return { code: CloseCode.documentTooLarge, reason: `document is at the relay's size limit (${this.#limits.maxDocumentBytes} bytes)` };
		}
		// During a long storage fault accepted writes pile up in memory (they are kept until they
		// commit, [R20]): past MAX_PENDING_BYTES, new ones are refused unapplied and unacknowledged,
		// so the client keeps them and sends them again when it rejoins.
		if (this.#deps.persister.pendingBytes >= this.#limits.maxPendingBytes && this.#wouldChange(update)) {
			return { code: CloseCode.storageUnavailable, reason: 'storage unavailable, retry later' };
		}
		return null;
	}

	#failedToApply(error: unknown): never {
		this.#tainted = true;
		this.#deps.log('error', 'decoded update failed to apply; room will not be compacted', {
			room: this.name,
			error: errorText(error)
		});
		throw new MalformedMessage('update failed to apply');
	}

	/**
	 * A write that changed nothing — but the doc runs ahead of the disk: what it repeats may be
	 * another session's write still queued (a second tab sending the same change, or this client's
	 * own write from before a reconnect, or one whose commit is failing). Acknowledged at once only
	 * if nothing of this room is queued; otherwise by a barrier whose commit comes after everything
	 * queued before it ([R12]).
	 */
	#acknowledgeNoChange(session: Session, count: number): void {
		if (this.#pending === 0 && session.outstanding === 0) {
			session.ack(count);
			return;
		}
		session.outstanding++;
		this.#pending++;
		this.#deps.persister.enqueue({
			room: this.name,
			update: null,
			onCommitted: () => this.#barrierPassed(session, count)
		});
	}

	#write(session: Session, update: Uint8Array, step2 = false): void {
		const refusal = this.#refusal(update);
		if (refusal) {
			this.#refuse(session, refusal.code, refusal.reason);
			return;
		}
		const count = ++session.received;
		// Nothing in it (what a new device answers the greeting with): no need to build the doc to know.
		if (isEmptyUpdate(update)) {
			this.#acknowledgeNoChange(session, count);
			return;
		}
		const before = pendingOf(this.doc);
		this.#changed = false;
		// A step 2 carries the writer's whole delete set (every deletion in the page's history): its
		// peers get Yjs's encoding of what it changed instead, as the 'update' event has it.
		const events: Uint8Array[] = [];
		const capture = (change: Uint8Array): void => void events.push(change);
		if (step2) this.doc.on('update', capture);
		try {
			Y.applyUpdate(this.doc, update, session);
		} catch (error) {
			this.#failedToApply(error);
		} finally {
			if (step2) this.doc.off('update', capture);
		}
		// Store the bytes as received whenever they changed the doc or left structs pending on
		// missing dependencies (those are in no update event yet, but are part of what we got).
		const pending = leftPending(this.doc, before);
		if (!this.#changed && !pending) {
			this.#acknowledgeNoChange(session, count);
			return;
		}
		for (const change of step2 && !pending && events.length > 0 ? events : [update]) this.#forward(session, change);
		this.#queueRow(session, count, update);
	}

	/** Queues a row for the next commit, whose commit acknowledges the session's writes up to `count` ([R12]). */
	#queueRow(session: Session, count: number, update: Uint8Array, writes = 1): void {
		session.outstanding++;
		this.#pending++;
		this.#pendingBytes += update.byteLength;
		this.#deps.persister.enqueue({
			room: this.name,
			update,
			writes,
			onCommitted: (seq) => this.#committed(session, count, seq, update.byteLength)
		});
	}

	/**
	 * A write from a peer whose role may only read this room: never applied. It is still parsed
	 * (garbage is malformed whatever the role), and the first one that would have changed the
	 * document is answered with y-protocols `auth` permission denied ([R15]); answers to the
	 * relay's step 1 that carry nothing new — what every reader sends — are dropped quietly.
	 */
	#refuseReadOnly(session: Session, update: Uint8Array): void {
		decodeOrThrow(update);
		if (session.toldReadOnly || !this.#wouldChange(update)) return;
		session.toldReadOnly = true;
		this.#deps.log('info', 'write refused', { room: this.name, reason: 'read-only' });
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, MessageType.auth);
		authProtocol.writePermissionDenied(encoder, readOnlyReason);
		session.send(encoding.toUint8Array(encoder));
	}

	/** Whether applying this (decodable) update would add structs or deletions to the document. */
	#wouldChange(update: Uint8Array): boolean {
		// An empty update ([0, 0]) is what a peer with nothing new answers step 1 with: skip the snapshot.
		if (update.byteLength <= 2) return false;
		return !Y.snapshotContainsUpdate(Y.snapshot(this.doc), update);
	}

	/** Takes the session out of the room and tells it why: close (per-room) or roomError (multiplexed). */
	#refuse(session: Session, code: number, reason: string): void {
		this.#deps.log('info', 'write refused', { room: this.name, code });
		this.leave(session);
		session.room = null;
		session.host.reject(session, code, reason);
	}

	get #limits(): Limits {
		return this.#deps.limits ?? environmentLimits();
	}

	#committed(session: Session, count: number, seq: number, bytes: number): void {
		this.#pending--;
		this.#pendingBytes -= bytes;
		this.#committedBytes += bytes;
		this.#rows++;
		this.#rowHasStateVector = false;
		this.#lastSeq = Math.max(this.#lastSeq, seq);
		session.outstanding--;
		// Commits happen in queue order, so every earlier write of this session is committed too.
		// With nothing of it left queued, the no-op writes after `count` are covered as well.
		session.ackSoon(session.outstanding === 0 ? session.received : count);
		if (this.#compactionDue()) void this.compact();
		this.#checkIdle();
	}

	/**
	 * Compaction re-encodes the whole document, so its cost grows with the document: past
	 * `compactThreshold` rows a room compacts once the rows written since the last compaction add
	 * up to half the document's bytes — amortised, each stored byte is re-encoded a bounded number
	 * of times — or once it has 25× the threshold rows, which bounds the work of loading it. (A
	 * fixed row count re-encoded a long page every 200 keystrokes: typing the 259,778 edits of the
	 * automerge-paper trace compacted ~1,300 times, each a 100–300 KB document.)
	 */
	#compactionDue(): boolean {
		const threshold = this.#deps.compactThreshold;
		if (this.#rows <= threshold) return false;
		return this.#committedBytes - this.#compactedBytes >= this.#compactedBytes / 2 || this.#rows > 25 * threshold;
	}

	#barrierPassed(session: Session, count: number): void {
		this.#pending--;
		session.outstanding--;
		session.ackSoon(session.outstanding === 0 ? session.received : count);
		this.#checkIdle();
	}

	#greet(session: Session): void {
		session.answerDue = session.firstJoin;
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, MessageType.sync);
		encoding.writeVarUint(encoder, SyncType.step1);
		encoding.writeVarUint8Array(encoder, this.#stateVector());
		session.send(encoding.toUint8Array(encoder));
		const clients = [...this.awareness.getStates().keys()];
		if (clients.length > 0) session.send(this.#awarenessMessage(clients));
	}

	/**
	 * The doc's state vector, or the stored row's while the doc is not built. They differ only for
	 * structs waiting on missing ones (the row's counts them, the doc's does not), and either way
	 * the peer sends what the relay lacks: the missing structs are past both.
	 */
	#stateVector(): Uint8Array {
		if (this.#unapplied) return (this.#unappliedStateVector ??= Y.encodeStateVectorFromUpdate(this.#unapplied));
		return Y.encodeStateVector(this.#doc);
	}

	/**
	 * Builds the doc from the stored row (see #unapplied). If that fails the room fails, as a failed
	 * load does, and the row is quarantined ([R19]): its checksum matched (storage/checked.ts), so it
	 * is what was written and will never apply; the next load serves the room without it, and the
	 * members' devices send back what it held.
	 */
	#applyStored(): void {
		const stored = this.#unapplied;
		if (stored === null) return;
		this.#unapplied = null;
		this.#unappliedStateVector = null;
		try {
			this.#doc.transact(() => Y.applyUpdate(this.#doc, stored, 'storage'), 'storage');
		} catch (error) {
			const reason = `does not apply as a Yjs update (${errorText(error)})`;
			const seq = this.#unappliedSeq;
			this.#deps.store.quarantine(this.name, seq, reason).then(
				() => this.#deps.log('error', 'corrupt stored row quarantined; the room is served without it once loaded again', { room: this.name, seq, reason }),
				(failed: unknown) => this.#deps.log('error', 'could not quarantine a stored row that does not apply', { room: this.name, seq, error: errorText(failed) })
			);
			this.#fail(error);
			// Unloaded once idle, and loaded afresh by a later join ([R19]), as after a failed load.
			this.#checkIdle();
			throw new RoomFailed(this.name);
		}
	}

	#fail(error: unknown): void {
		this.#state = 'failed';
		this.#deps.log('error', 'room failed to load; serving nobody and writing nothing', {
			room: this.name,
			error: errorText(error)
		});
		for (const session of [...this.#sessions]) this.#reject(session);
	}

	/**
	 * Sends a write to the room's other sessions, as received: it changed the doc (or waits in it on
	 * missing structs, as it will in each peer), so the bytes the writer sent are the change. Yjs is
	 * not asked to encode the transaction again (no 'update' listener).
	 */
	#forward(from: Session, update: Uint8Array): void {
		if (this.#sessions.size === 0 || (this.#sessions.size === 1 && this.#sessions.has(from))) return;
		const message = encodeSyncPayload(SyncType.update, update);
		for (const peer of this.#sessions) if (peer !== from) peer.send(message);
	}

	/**
	 * Applies a peer's awareness update as its token allows ([R26]): each state it sets carries the
	 * token's member id in `user.memberId` (stamped here, whatever the peer wrote), so nobody appears
	 * as somebody else. A client id belongs to the member who first set it in this room, for as long
	 * as the room is loaded: another member's entries for it are dropped (so nobody can take over a
	 * teammate's id after they leave), while the same member may carry it on from a new connection
	 * (a reconnect before the old socket was found dead), which then removes it when it leaves.
	 * A state over MAX_AWARENESS_STATE_CHARS, more than MAX_AWARENESS_IDS ids for one peer, or an
	 * update that does not decode closes the socket with 4400. Awareness is not a document, so
	 * this is no filtering inside one.
	 */
	#applyAwareness(session: Session, update: Uint8Array): void {
		const kept: { clientId: number; clock: number; json: string }[] = [];
		try {
			const decoder = decoding.createDecoder(update);
			const count = decoding.readVarUint(decoder);
			for (let i = 0; i < count; i++) {
				const clientId = decoding.readVarUint(decoder);
				const clock = decoding.readVarUint(decoder);
				const text = decoding.readVarString(decoder);
				if (text.length > MAX_AWARENESS_STATE_CHARS) throw new MalformedMessage('awareness state too large');
				// Parsed before the owner check: a state that is not JSON closes the socket even when it
				// names a client id another member owns (it is dropped either way).
				const state = JSON.parse(text) as unknown;
				const owner = this.#awarenessOwners.get(clientId);
				if (owner !== undefined && owner !== session.memberId) continue;
				kept.push({ clientId, clock, json: JSON.stringify(stampMember(state, session.memberId)) });
			}
		} catch (error) {
			throw error instanceof MalformedMessage ? error : new MalformedMessage('awareness update does not decode');
		}
		const ids = new Set([...session.awarenessIds, ...kept.map((entry) => entry.clientId)]);
		if (ids.size > MAX_AWARENESS_IDS) throw new MalformedMessage('too many awareness ids');
		if (kept.length === 0) return;
		for (const { clientId } of kept) {
			this.#awarenessOwners.set(clientId, session.memberId);
			if (this.#awarenessOwners.size > MAX_AWARENESS_OWNERS) this.#forgetAbsentOwners();
			// Carried on by this connection: an older connection of the same member leaving later
			// must not remove it.
			for (const peer of this.#sessions) if (peer !== session) peer.awarenessIds.delete(clientId);
		}
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, kept.length);
		for (const { clientId, clock, json } of kept) {
			encoding.writeVarUint(encoder, clientId);
			encoding.writeVarUint(encoder, clock);
			encoding.writeVarString(encoder, json);
		}
		awarenessProtocol.applyAwarenessUpdate(this.awareness, encoding.toUint8Array(encoder), session);
	}

	#forgetAbsentOwners(): void {
		const present = this.awareness.getStates();
		for (const id of this.#awarenessOwners.keys()) if (!present.has(id)) this.#awarenessOwners.delete(id);
	}

	/** Client ids whose owner this room remembers (for tests and metrics). */
	get awarenessOwnerCount(): number {
		return this.#awarenessOwners.size;
	}

	#onAwarenessUpdate({ added, updated, removed }: AwarenessChange, origin: unknown): void {
		const owner = this.#sessions.has(origin as Session) ? (origin as Session) : null;
		if (owner) {
			for (const id of added) owner.awarenessIds.add(id);
			for (const id of updated) owner.awarenessIds.add(id);
			for (const id of removed) owner.awarenessIds.delete(id);
		}
		const message = this.#awarenessMessage([...added, ...updated, ...removed]);
		for (const peer of this.#sessions) peer.send(message);
	}

	#awarenessMessage(clients: number[]): Uint8Array {
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, MessageType.awareness);
		encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
		return encoding.toUint8Array(encoder);
	}

	#reject(session: Session): void {
		this.#sessions.delete(session);
		session.room = null;
		session.closed = true;
		session.host.reject(session, CloseCode.roomUnavailable, 'room unavailable');
	}

	#checkIdle(): void {
		if (this.idle) this.onIdle?.(this);
	}
}

interface Refusal {
	readonly code: number;
	readonly reason: string;
}

/** What of a stored row a peer with `stateVector` lacks: the row itself for a peer with nothing. */
function diffStored(row: Uint8Array, stateVector: Uint8Array): Uint8Array {
	if (stateVector.byteLength === 1 && stateVector[0] === 0) return row;
	return Y.diffUpdate(row, stateVector);
}

/** Parses a whole update without touching any doc; throws MalformedMessage if it does not decode. */
function decodeOrThrow(update: Uint8Array): void {
	try {
		Y.decodeUpdate(update);
	} catch {
		throw new MalformedMessage('update does not decode');
	}
}

/** A state with `user.memberId` set to the token's member (null, a removal, stays null). */
function stampMember(state: unknown, memberId: string): unknown {
	if (state === null) return null;
	const base = typeof state === 'object' && !Array.isArray(state) ? (state as Record<string, unknown>) : {};
	const user = typeof base['user'] === 'object' && base['user'] !== null && !Array.isArray(base['user']) ? (base['user'] as Record<string, unknown>) : {};
	return { ...base, user: { ...user, memberId } };
}
