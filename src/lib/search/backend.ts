/**
 * Where the search index lives: in a Web Worker in the app (`WorkerSearchBackend`), so indexing and
 * querying never take time from typing; in-process in tests, in benchmarks, and in a browser that
 * cannot start the worker (`LocalSearchBackend`).
 *
 * The protocol between the page and the worker is two messages in, one out:
 *   { type: 'apply', puts, removes }     units to add or replace, unit ids to remove
 *   { type: 'search', seq, query }       answered by { type: 'results', seq, results } or { type: 'failed', seq, error }
 * A worker handles its messages in order, so a search always sees every apply sent before it.
 */
import { SearchEngine, type SearchQuery, type SearchResults, type SearchUnit } from './engine.ts';

export interface SearchBackend {
	apply(puts: readonly SearchUnit[], removes: readonly string[]): void;
	search(query: SearchQuery): Promise<SearchResults>;
	destroy(): void;
	/**
	 * Tells `listener` when the backend has stopped for good (a worker that crashed or never
	 * loaded): it answers nothing more and has lost what it held. Absent: it cannot fail so.
	 */
	onFailure?(listener: (reason: string) => void): void;
}

export type WorkerRequest =
	| { readonly type: 'apply'; readonly puts: readonly SearchUnit[]; readonly removes: readonly string[] }
	| { readonly type: 'search'; readonly seq: number; readonly query: SearchQuery };

export type WorkerReply =
	| { readonly type: 'results'; readonly seq: number; readonly results: SearchResults }
	| { readonly type: 'failed'; readonly seq: number; readonly error: string };

/** Applies a request to an engine; the reply to send, if any (the worker's whole job, testable without one). */
export function handleRequest(engine: SearchEngine, request: WorkerRequest): WorkerReply | null {
	if (request.type === 'apply') {
		for (const id of request.removes) engine.remove(id);
		for (const unit of request.puts) engine.put(unit);
		return null;
	}
	try {
		return { type: 'results', seq: request.seq, results: engine.search(request.query) };
	} catch (error) {
		return { type: 'failed', seq: request.seq, error: error instanceof Error ? error.message : String(error) };
	}
}

export class LocalSearchBackend implements SearchBackend {
	readonly engine = new SearchEngine();

	apply(puts: readonly SearchUnit[], removes: readonly string[]): void {
		handleRequest(this.engine, { type: 'apply', puts, removes });
	}

	search(query: SearchQuery): Promise<SearchResults> {
		const reply = handleRequest(this.engine, { type: 'search', seq: 0, query });
		return reply?.type === 'results' ? Promise.resolve(reply.results) : Promise.reject(new Error(reply?.type === 'failed' ? reply.error : 'no reply'));
	}

	destroy(): void {
		// Nothing to stop.
	}
}

/** What the page needs of a worker (a Worker; tests may pass their own). */
export interface WorkerLike {
	postMessage(message: WorkerRequest): void;
	addEventListener(type: 'message', listener: (event: MessageEvent<WorkerReply>) => void): void;
	addEventListener(type: 'error', listener: (event: Event) => void): void;
	terminate(): void;
}

export class WorkerSearchBackend implements SearchBackend {
	readonly #worker: WorkerLike;
	readonly #pending = new Map<number, { resolve: (results: SearchResults) => void; reject: (error: Error) => void }>();
	#seq = 0;
	#failed: string | null = null;
	readonly #failureListeners: ((reason: string) => void)[] = [];

	constructor(worker: WorkerLike) {
		this.#worker = worker;
		worker.addEventListener('message', (event: MessageEvent<WorkerReply>) => {
			const reply = event.data;
			const pending = this.#pending.get(reply.seq);
			if (!pending) return;
			this.#pending.delete(reply.seq);
			if (reply.type === 'results') pending.resolve(reply.results);
			else pending.reject(new Error(reply.error));
		});
		worker.addEventListener('error', (event: Event) => {
			// A worker that failed to load or crashed answers nothing more: every search says so.
			const message = (event as { message?: unknown }).message;
			this.#failed = typeof message === 'string' && message !== '' ? message : 'the search worker stopped';
			for (const pending of this.#pending.values()) pending.reject(new Error(this.#failed));
			this.#pending.clear();
			for (const listener of this.#failureListeners) listener(this.#failed);
		});
	}

	onFailure(listener: (reason: string) => void): void {
		this.#failureListeners.push(listener);
	}

	apply(puts: readonly SearchUnit[], removes: readonly string[]): void {
		if (this.#failed === null) this.#worker.postMessage({ type: 'apply', puts, removes });
	}

	search(query: SearchQuery): Promise<SearchResults> {
		if (this.#failed !== null) return Promise.reject(new Error(this.#failed));
		const seq = ++this.#seq;
		return new Promise((resolve, reject) => {
			this.#pending.set(seq, { resolve, reject });
			this.#worker.postMessage({ type: 'search', seq, query });
		});
	}

	destroy(): void {
		// A terminated worker answers nothing: later searches must fail, not wait forever.
		this.#failed ??= 'search closed';
		this.#worker.terminate();
		for (const pending of this.#pending.values()) pending.reject(new Error('search closed'));
		this.#pending.clear();
	}
}
