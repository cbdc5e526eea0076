/**
 * One IndexedDB database per workspace holding every document of that workspace, with
 * y-indexeddb's semantics (append each update, load by merging, compact past a size) but:
 *  - one database for all documents: a thousand-page workspace is one database, not a thousand
 *    (creating 1,000 databases costs ~2 s in Chromium; see DESIGN.md);
 *  - updates are batched into one transaction per task, and a write counts as saved only when
 *    its transaction has committed;
 *  - failures (quota, closed connection, versionchange, aborted transactions) are reported to the
 *    status listener and retried with backoff; the updates stay queued in memory until written.
 *    y-indexeddb swallows all of these (its issues #28 and #44);
 *  - reads (`load`, `getMeta`) and fact writes (`putMeta`) asked for in the same task share one
 *    transaction. Joining a workspace opens every document at once: one transaction each was
 *    ~4,000 transactions for 1,000 pages, each a round trip to the browser's storage process, and
 *    the slowest part of a cold sync on the device (docs/performance.md, "Cold sync"). A large
 *    batch reads its whole key range in two requests (RANGE_READ_FROM).
 */
import * as Y from 'yjs';
import { describeStorageError, openDatabase, transactionDone } from './idb.ts';

const DB_VERSION = 1;
const UPDATES = 'updates';
const DOC_INDEX = 'doc';
/** Small per-document facts, such as the state vector the relay last confirmed storing. */
const META = 'meta';
/**
 * A batch of this many reads (a join, or a session opening every document) reads the whole key
 * range from its first name to its last in two requests, instead of two per name: 4,004 requests
 * for 1,000 pages took ~0.5 s of the cold sync before the first join went out. What lies between
 * the names but was not asked for is read and dropped — little, as such a batch asks for nearly
 * every document of the workspace.
 */
export const RANGE_READ_FROM = 256;
/** How much larger than an update its buffer may be for the update to be stored without a copy. */
const VIEW_SLACK_BYTES = 1024;
/** Past this many stored updates a document is compacted into one (y-indexeddb uses 500). */
export const COMPACT_AFTER = 500;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

interface UpdateRow {
	doc: string;
	update: Uint8Array;
}

/** Requests waiting for the batch transaction of their task (see the top of the file). */
interface Batched<Request, Result> {
	readonly request: Request;
	readonly resolve: (result: Result) => void;
	readonly reject: (error: unknown) => void;
}

export type LocalStoreStatus =
	| { readonly state: 'saved' }
	| { readonly state: 'saving'; readonly pending: number }
	| { readonly state: 'error'; readonly kind: 'quota' | 'closed' | 'failed'; readonly message: string; readonly pending: number };

export class LocalStore {
	readonly name: string;
	#db: Promise<IDBDatabase> | null = null;
	#pending: UpdateRow[] = [];
	#flushing = false;
	#scheduled = false;
	#retryDelay = RETRY_MIN_MS;
	#retryTimer: ReturnType<typeof setTimeout> | null = null;
	#knownKeys = new Map<string, IDBValidKey[]>();
	#status: LocalStoreStatus = { state: 'saved' };
	#listeners = new Set<(status: LocalStoreStatus) => void>();
	#idleWaiters: (() => void)[] = [];
	#loads: Batched<string, Uint8Array[]>[] = [];
	#metaReads: Batched<string, unknown>[] = [];
	#metaWrites: Batched<{ key: string; value: unknown }, void>[] = [];
	#closed = false;

	constructor(workspaceId: string) {
		this.name = `meridian-ws-${workspaceId}`;
	}

	get status(): LocalStoreStatus {
		return this.#status;
	}

	/** Documents with updates not yet committed to IndexedDB. */
	pendingDocs(): Set<string> {
		return new Set(this.#pending.map((row) => row.doc));
	}

	onStatus(listener: (status: LocalStoreStatus) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** All stored updates of a document, oldest first. Loads asked for in one task share one transaction. */
	load(doc: string): Promise<Uint8Array[]> {
		return this.#batch(this.#loads, doc, (batch) => this.#loadBatch(batch));
	}

	async #loadBatch(batch: readonly Batched<string, Uint8Array[]>[]): Promise<void> {
		const db = await this.#open();
		const tx = db.transaction(UPDATES, 'readonly');
		const index = tx.objectStore(UPDATES).index(DOC_INDEX);
		const found = new Map<string, { rows: Uint8Array[]; keys: IDBValidKey[] }>(batch.map(({ request: doc }) => [doc, { rows: [], keys: [] }]));
		// Both in index order (the document, then the key it was written under: oldest first).
		if (batch.length >= RANGE_READ_FROM) {
			const range = keyRange(batch.map(({ request }) => request));
			const rows = index.getAll(range);
			const keys = index.getAllKeys(range);
			await transactionDone(tx);
			(rows.result as UpdateRow[]).forEach((row, i) => {
				const doc = found.get(row.doc);
				if (!doc) return; // Between two asked for, not asked for itself.
				doc.rows.push(row.update);
				doc.keys.push(keys.result[i]!);
			});
		} else {
			const requests = batch.map(({ request: doc }) => ({ doc, rows: index.getAll(IDBKeyRange.only(doc)), keys: index.getAllKeys(IDBKeyRange.only(doc)) }));
			await transactionDone(tx);
			for (const { doc, rows, keys } of requests) found.set(doc, { rows: (rows.result as UpdateRow[]).map((row) => row.update), keys: keys.result });
		}
		for (const { request: doc, resolve } of batch) {
			const { rows, keys } = found.get(doc)!;
			this.#knownKeys.set(doc, keys);
			// Updates queued but not yet written are part of the document too.
			resolve([...rows, ...this.#pending.filter((row) => row.doc === doc).map((row) => row.update)]);
		}
	}

	/** Names of every document stored in this workspace database. */
	async listDocs(): Promise<string[]> {
		const db = await this.#open();
		const tx = db.transaction(UPDATES, 'readonly');
		const names = new Set<string>();
		await new Promise<void>((resolve, reject) => {
			const request = tx.objectStore(UPDATES).index(DOC_INDEX).openKeyCursor(null, 'nextunique');
			request.onsuccess = () => {
				const cursor = request.result;
				if (!cursor) return resolve();
				names.add(String(cursor.key));
				cursor.continue();
			};
			request.onerror = () => reject(request.error);
		});
		return [...names];
	}

	/**
	 * Queues an update of `doc` for writing; it is written in the next batch. A view into a much
	 * larger buffer is copied to its own: IndexedDB clones a typed array's whole buffer. (An update
	 * received from the relay is a view into its frame, a few dozen bytes more: stored as it is.)
	 */
	append(doc: string, update: Uint8Array): void {
		if (this.#closed) throw new Error('The local store is closed.');
		const own = update.buffer.byteLength - update.byteLength <= VIEW_SLACK_BYTES ? update : update.slice();
		this.#pending.push({ doc, update: own });
		this.#setStatus(this.#status.state === 'error' ? { ...this.#status, pending: this.#pending.length } : { state: 'saving', pending: this.#pending.length });
		this.#schedule();
	}

	/** Resolves once everything queued so far is committed (or never, while writes keep failing). */
	whenSaved(): Promise<void> {
		if (this.#pending.length === 0 && !this.#flushing) return Promise.resolve();
		return new Promise((resolve) => this.#idleWaiters.push(resolve));
	}

	/**
	 * Replaces the rows of a document that this store has loaded or written with one merged
	 * update (y-indexeddb's trim). `merged` must hold at least everything in those rows — the
	 * caller passes the state of the in-memory document, which has applied all of them. Rows
	 * another tab wrote that this tab has not loaded are left alone: their content may not have
	 * reached this tab yet, and deleting them could lose it.
	 */
	async compact(doc: string, merged: Uint8Array): Promise<void> {
		// A copy: rows this tab writes while the compaction runs are added to the live list and must stay in it.
		const known = [...(this.#knownKeys.get(doc) ?? [])];
		if (known.length < 2) return;
		const db = await this.#open();
		const tx = db.transaction(UPDATES, 'readwrite');
		const store = tx.objectStore(UPDATES);
		// Delete and add in one transaction: a crash leaves either the old rows or the merged one.
		for (const key of known) store.delete(key);
		const added = store.add({ doc, update: merged } satisfies UpdateRow);
		await transactionDone(tx);
		const remaining = (this.#knownKeys.get(doc) ?? []).filter((key) => !known.includes(key));
		this.#knownKeys.set(doc, [added.result, ...remaining]);
	}

	/** A small fact, or null. Reads asked for in one task share one transaction. */
	async getMeta<T>(key: string): Promise<T | null> {
		return ((await this.#batch(this.#metaReads, key, (batch) => this.#metaReadBatch(batch))) as T | undefined) ?? null;
	}

	async #metaReadBatch(batch: readonly Batched<string, unknown>[]): Promise<void> {
		const db = await this.#open();
		const tx = db.transaction(META, 'readonly');
		const store = tx.objectStore(META);
		if (batch.length >= RANGE_READ_FROM) {
			const range = keyRange(batch.map(({ request }) => request));
			const values = store.getAll(range);
			const keys = store.getAllKeys(range);
			await transactionDone(tx);
			const byKey = new Map<IDBValidKey, unknown>(keys.result.map((key, i) => [key, values.result[i]]));
			for (const { request: key, resolve } of batch) resolve(byKey.get(key));
			return;
		}
		const requests = batch.map(({ request: key }) => store.get(key));
		await transactionDone(tx);
		batch.forEach(({ resolve }, i) => resolve(requests[i]!.result));
	}

	/**
	 * Writes a small fact. Failures are reported like update writes, but not retried: facts are
	 * rewritten often. Writes asked for in one task share one transaction (in the order asked, so
	 * the last write of a key wins), which commits or fails as one.
	 */
	putMeta(key: string, value: unknown): Promise<void> {
		return this.#batch(this.#metaWrites, { key, value }, (batch) => this.#metaWriteBatch(batch));
	}

	async #metaWriteBatch(batch: readonly Batched<{ key: string; value: unknown }, void>[]): Promise<void> {
		const db = await this.#open();
		const tx = db.transaction(META, 'readwrite');
		const store = tx.objectStore(META);
		for (const { request } of batch) store.put(request.value, request.key);
		await transactionDone(tx);
		for (const { resolve } of batch) resolve();
	}

	/**
	 * Queues `request` on `queue`; the first request of a task schedules `run` for the whole queue
	 * in a microtask, so every request made until then (a loop opening a thousand documents, or the
	 * continuations of a batch resolved together) goes in one transaction. A failure fails them all.
	 */
	#batch<Request, Result>(queue: Batched<Request, Result>[], request: Request, run: (batch: Batched<Request, Result>[]) => Promise<void>): Promise<Result> {
		return new Promise<Result>((resolve, reject) => {
			queue.push({ request, resolve, reject });
			if (queue.length > 1) return;
			queueMicrotask(() => {
				const batch = queue.splice(0);
				run(batch).catch((error: unknown) => {
					for (const waiting of batch) waiting.reject(error);
				});
			});
		});
	}

	/** How many rows of a document this store knows of (loaded or written by this tab). */
	rowCount(doc: string): number {
		return this.#knownKeys.get(doc)?.length ?? 0;
	}

	async close(): Promise<void> {
		await this.whenSaved();
		this.#closed = true;
		if (this.#retryTimer) clearTimeout(this.#retryTimer);
		const db = await this.#db?.catch(() => null);
		db?.close();
	}

	#open(): Promise<IDBDatabase> {
		if (!this.#db) {
			this.#db = openDatabase(this.name, DB_VERSION, (db) => {
				const store = db.createObjectStore(UPDATES, { autoIncrement: true });
				store.createIndex(DOC_INDEX, DOC_INDEX);
				db.createObjectStore(META);
			}).then((db) => {
				// Another tab upgrading the schema, or the browser clearing storage: let go, and
				// open again on the next write instead of failing every write from now on.
				db.onversionchange = () => {
					db.close();
					this.#db = null;
				};
				db.onclose = () => {
					this.#db = null;
				};
				return db;
			});
			this.#db.catch(() => {
				this.#db = null;
			});
		}
		return this.#db;
	}

	#schedule(): void {
		if (this.#scheduled || this.#flushing || this.#retryTimer) return;
		this.#scheduled = true;
		// One macrotask: a burst of keystrokes in one task becomes one transaction, and the write
		// starts before the browser would let a closing tab go.
		setTimeout(() => {
			this.#scheduled = false;
			void this.#flush();
		}, 0);
	}

	async #flush(): Promise<void> {
		if (this.#flushing || this.#pending.length === 0) return;
		this.#flushing = true;
		const batch = this.#pending.slice();
		try {
			const db = await this.#open();
			const tx = db.transaction(UPDATES, 'readwrite');
			const store = tx.objectStore(UPDATES);
			const requests = batch.map((row) => store.add(row));
			await transactionDone(tx);
			this.#pending.splice(0, batch.length);
			batch.forEach((row, i) => {
				const keys = this.#knownKeys.get(row.doc) ?? [];
				keys.push(requests[i]!.result);
				this.#knownKeys.set(row.doc, keys);
			});
			this.#retryDelay = RETRY_MIN_MS;
			this.#setStatus(this.#pending.length === 0 ? { state: 'saved' } : { state: 'saving', pending: this.#pending.length });
		} catch (error) {
			const { kind, message } = describeStorageError(error);
			console.error('[meridian] saving on this device failed', error);
			this.#setStatus({ state: 'error', kind, message, pending: this.#pending.length });
			this.#retryTimer = setTimeout(() => {
				this.#retryTimer = null;
				void this.#flush();
			}, this.#retryDelay * (0.5 + Math.random()));
			this.#retryDelay = Math.min(this.#retryDelay * 2, RETRY_MAX_MS);
		} finally {
			this.#flushing = false;
		}
		if (this.#pending.length > 0 && !this.#retryTimer) this.#schedule();
		if (this.#pending.length === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
	}

	#setStatus(status: LocalStoreStatus): void {
		this.#status = status;
		for (const listener of this.#listeners) listener(status);
	}
}

/** The key range from the least of `keys` to the greatest. */
function keyRange(keys: readonly string[]): IDBKeyRange {
	let low = keys[0]!;
	let high = keys[0]!;
	for (const key of keys) {
		if (key < low) low = key;
		if (key > high) high = key;
	}
	return IDBKeyRange.bound(low, high);
}

/** Loads a document's stored updates into `doc` in one transaction. */
export function applyStored(doc: Y.Doc, updates: readonly Uint8Array[], origin: unknown): void {
	if (updates.length === 0) return;
	Y.applyUpdate(doc, Y.mergeUpdates(updates as Uint8Array[]), origin);
}
