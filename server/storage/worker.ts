/**
 * The SQLite store on its own thread. better-sqlite3 is synchronous, and a commit with
 * synchronous=FULL waits for fsync: on the relay's event loop that wait stalled every socket —
 * forwarding a keystroke to the room's other members waited for somebody's commit (on these
 * machines, commits took 0.6 ms at the median but 10–300 ms at the tail under disk load). Here
 * the main thread posts each call to a worker thread that owns the database, and goes on relaying;
 * acknowledgements still wait for the worker's answer that the transaction committed ([R12]).
 *
 * The worker's side is sqlite-worker.ts.
 *
 * Faults: an error in the worker (SQLITE_FULL, SQLITE_BUSY, I/O) comes back as an Error with the
 * same message and `code`, nothing committed, as from SqliteStore. If the worker itself dies, every
 * call in flight fails (the persister keeps those updates and retries) and the next call starts a
 * new worker, which opens the database afresh.
 */
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AppendEntry, Store, StoredRow } from './types.ts';

export type Call =
	| { readonly op: 'load'; readonly room: string }
	| { readonly op: 'append'; readonly entries: readonly AppendEntry[] }
	| { readonly op: 'compact'; readonly room: string; readonly merged: Uint8Array; readonly upToSeq: number; readonly stateVector?: Uint8Array }
	| { readonly op: 'quarantine'; readonly room: string; readonly seq: number; readonly reason: string }
	| { readonly op: 'close' };

export interface Counts {
	readonly bytes: number;
	readonly quarantined: number;
}

export type Reply =
	| ({ readonly id: number; readonly ok: true; readonly value: unknown } & Counts)
	| { readonly id: number; readonly ok: false; readonly message: string; readonly code?: string };

export type Ready = ({ readonly ready: true } & Counts) | { readonly ready: false; readonly message: string };

export interface StoreWorkerData {
	/** The database file. */
	readonly path: string;
}

/** The relay's store: SQLite on a worker thread. */
export function openSqliteStore(path: string): Promise<Store> {
	return WorkerStore.open(path);
}

/**
 * The storage thread's V8 limits. Its young generation is capped at 3 MB (a 1 MB semi-space; V8
 * lets it grow to 48 MB, and under the fan-out benchmark it reached 8 MB, against 2 MB capped):
 * what the thread allocates are message copies and rows that die within one call, so a small
 * nursery only means more scavenges (~1 ms each). Its old generation is NOT limited: a thread that
 * reaches that limit dies (ERR_WORKER_OUT_OF_MEMORY) and fails every call in flight, and loading a
 * big room's rows legitimately needs what it needs.
 */
const storageThreadLimits = { maxYoungGenerationSizeMb: 3 } as const;

/**
 * The worker: sqlite-worker.ts — from the TypeScript sources (`npm run relay`, the tests) after
 * tsx has registered its loader in the worker (loader hooks are per thread; the parent's are not
 * inherited); from the relay's bundle (tests, benchmarks), the sqlite-worker.mjs bundled beside it.
 * Only the store's code loads there (the whole relay again cost ~4 MB more).
 */
function startWorker(path: string): Worker {
	const here = import.meta.url;
	const workerData = { path } satisfies StoreWorkerData;
	const resourceLimits = storageThreadLimits;
	if (!here.endsWith('.ts')) return new Worker(new URL('./sqlite-worker.mjs', here), { workerData, resourceLimits });
	const entry = new URL('./sqlite-worker.ts', here).href;
	// tsx's ESM API as `import` resolves it (createRequire would give its CommonJS build).
	const manifest = createRequire(here).resolve('tsx/package.json');
	const api = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api']!.import.default;
	const tsx = pathToFileURL(join(dirname(manifest), api)).href;
	const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
	return new Worker(code, { eval: true, workerData, resourceLimits });
}

/** One storage thread and the calls it has in flight. */
interface Thread {
	readonly worker: Promise<Worker>;
	readonly calls: Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>;
}

export class WorkerStore implements Store {
	/** Rows are decoded on the worker as they load ([R19]): the main thread only applies them. */
	readonly decodesRows = true;
	readonly #path: string;
	/** The thread calls go to; null after it died (the next call starts another). */
	#thread: Thread | null = null;
	#nextId = 1;
	#bytes = 0;
	#quarantined = 0;
	#closed = false;

	private constructor(path: string) {
		this.#path = path;
	}

	/** Starts the worker and opens the database; rejects as `new SqliteStore(path)` would throw. */
	static async open(path: string): Promise<WorkerStore> {
		const store = new WorkerStore(path);
		await store.#start().worker;
		return store;
	}

	load(room: string): Promise<StoredRow[]> {
		return this.#call({ op: 'load', room }) as Promise<StoredRow[]>;
	}

	append(entries: readonly AppendEntry[]): Promise<number[]> {
		if (entries.length === 0) return Promise.resolve([]);
		// An update received from a socket is a view into the socket's read buffer, and posting a
		// view copies its whole buffer (up to 64 KB for a one-character write): copy just the bytes.
		const compact = entries.map(({ room, update }) => ({ room, update: update.byteLength === update.buffer.byteLength ? update : update.slice() }));
		return this.#call({ op: 'append', entries: compact }) as Promise<number[]>;
	}

	async compact(room: string, merged: Uint8Array, upToSeq: number, stateVector?: Uint8Array): Promise<void> {
		await this.#call({ op: 'compact', room, merged, upToSeq, ...(stateVector ? { stateVector } : {}) });
	}

	async quarantine(room: string, seq: number, reason: string): Promise<void> {
		await this.#call({ op: 'quarantine', room, seq, reason });
	}

	quarantinedCount(): number {
		return this.#quarantined;
	}

	storedBytes(): number {
		return this.#bytes;
	}

	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		const thread = this.#thread;
		if (!thread) return;
		await this.#call({ op: 'close' }, true).catch(() => undefined);
		await (await thread.worker.catch(() => null))?.terminate();
	}

	#start(): Thread {
		const calls: Thread['calls'] = new Map();
		let thread: Thread;
		const worker = new Promise<Worker>((resolve, reject) => {
			const started = startWorker(this.#path);
			let ready = false;
			started.on('message', (message: Reply | Ready) => {
				if ('ready' in message) {
					if (!message.ready) return reject(new Error(message.message));
					ready = true;
					this.#counts(message);
					resolve(started);
					return;
				}
				const call = calls.get(message.id);
				if (!call) return;
				calls.delete(message.id);
				if (message.ok) {
					this.#counts(message);
					call.resolve(message.value);
				} else {
					call.reject(Object.assign(new Error(message.message), message.code ? { code: message.code } : {}));
				}
			});
			// 'error' and then 'exit': only this thread's own calls fail (the persister keeps their
			// updates and retries), and a thread started since is left alone.
			const died = (error: Error): void => {
				if (!ready) reject(error);
				if (this.#thread === thread) this.#thread = null;
				const failed = [...calls.values()];
				calls.clear();
				for (const call of failed) call.reject(error);
				void started.terminate();
			};
			started.on('error', died);
			started.on('exit', (code) => died(new Error(`storage worker exited (${code})`)));
		});
		thread = { worker, calls };
		this.#thread = thread;
		worker.catch(() => {
			if (this.#thread === thread) this.#thread = null;
		});
		return thread;
	}

	async #call(call: Call, closing = false): Promise<unknown> {
		if (this.#closed && !closing) throw new Error('store closed');
		const thread = this.#thread ?? this.#start();
		const worker = await thread.worker;
		const id = this.#nextId++;
		return new Promise((resolve, reject) => {
			thread.calls.set(id, { resolve, reject });
			try {
				worker.postMessage({ id, call });
			} catch (error) {
				thread.calls.delete(id);
				reject(error as Error);
			}
		});
	}

	#counts({ bytes, quarantined }: Counts): void {
		this.#bytes = bytes;
		this.#quarantined = quarantined;
	}
}
