/**
 * The page's side of the search worker (src/lib/search/backend.ts `WorkerSearchBackend`) against a
 * stand-in worker that runs the real worker's job (`handleRequest` on a `SearchEngine`). Messages
 * are structured-cloned and queued both ways, and the test delivers them by hand, in order, so
 * every interleaving below is the one written (a real worker is only ever later, never reordered).
 *
 * [SB1] Searches sent together are answered in order, each with its own results; an apply sent
 *       before a search is seen by it.
 * [SB2] A search the engine fails on is rejected with the engine's message; the others are answered.
 * [SB3] A worker 'error' rejects pending searches and every later one with its message; applies
 *       after it are not sent; the failure listeners hear it once, with the message (the live index
 *       then falls back to the engine on the page: search-index.test.ts [SX13]).
 * [SB4] Destroying terminates the worker and rejects pending searches; a search after it is
 *       rejected rather than left waiting; a search that cannot be sent fails at once.
 */
import { describe, expect, it } from 'vitest';
import { SearchEngine, type SearchQuery, type SearchResults, type SearchUnit } from '../../src/lib/search/engine.ts';
import { handleRequest, WorkerSearchBackend, type WorkerLike, type WorkerReply, type WorkerRequest } from '../../src/lib/search/backend.ts';

function unit(id: string, text: string): SearchUnit {
	const pageId = id.slice(2);
	return { id, kind: 'page', pageId, threadId: null, title: '', context: '', tags: [], text, status: 'active', archived: false, authors: ['ana'], at: 0 };
}

/** An engine that fails on one query word, as a bug in the worker would. */
class BrokenEngine extends SearchEngine {
	override search(query: SearchQuery): SearchResults {
		if (query.text === 'boom') throw new Error('the index is broken');
		return super.search(query);
	}
}

/** A worker whose two message queues the test flushes by hand. */
class QueuedWorker implements WorkerLike {
	readonly engine: SearchEngine;
	/** Requests posted to the worker, not yet handled. */
	readonly inbox: WorkerRequest[] = [];
	/** Replies posted by the worker, not yet delivered to the page. */
	readonly outbox: WorkerReply[] = [];
	terminated = false;
	readonly #onMessage: ((event: MessageEvent<WorkerReply>) => void)[] = [];
	readonly #onError: ((event: Event) => void)[] = [];

	constructor(engine: SearchEngine = new SearchEngine()) {
		this.engine = engine;
	}

	postMessage(message: WorkerRequest): void {
		// Like a real worker: the message is copied now, later changes to it do not travel.
		if (!this.terminated) this.inbox.push(structuredClone(message));
	}

	addEventListener(type: 'message', listener: (event: MessageEvent<WorkerReply>) => void): void;
	addEventListener(type: 'error', listener: (event: Event) => void): void;
	addEventListener(type: 'message' | 'error', listener: ((event: MessageEvent<WorkerReply>) => void) | ((event: Event) => void)): void {
		if (type === 'message') this.#onMessage.push(listener as (event: MessageEvent<WorkerReply>) => void);
		else this.#onError.push(listener as (event: Event) => void);
	}

	terminate(): void {
		this.terminated = true;
		this.inbox.length = 0;
		this.outbox.length = 0;
	}

	/** The worker handles what it was sent, in order. */
	handle(): void {
		for (const request of this.inbox.splice(0)) {
			const reply = handleRequest(this.engine, request);
			if (reply) this.outbox.push(structuredClone(reply));
		}
	}

	/** The page receives what the worker sent, in order, each in a task of its own. */
	async deliver(): Promise<void> {
		for (const reply of this.outbox.splice(0)) {
			for (const listener of this.#onMessage) listener({ data: reply } as MessageEvent<WorkerReply>);
			await new Promise((resolve) => setTimeout(resolve, 0));
		}
	}

	async run(): Promise<void> {
		this.handle();
		await this.deliver();
	}

	fail(message?: string): void {
		const event = Object.assign(new Event('error'), message === undefined ? {} : { message });
		for (const listener of this.#onError) listener(event);
	}
}

/** Settles a promise into a value the test can look at without awaiting it first. */
function settled<T>(promise: Promise<T>): { value?: T; error?: Error; done: boolean } {
	const state: { value?: T; error?: Error; done: boolean } = { done: false };
	promise.then(
		(value) => Object.assign(state, { value, done: true }),
		(error: Error) => Object.assign(state, { error, done: true })
	);
	return state;
}

const ids = (results: SearchResults | undefined) => results?.hits.map((hit) => hit.id);

describe('WorkerSearchBackend', () => {
	it('[SB1] answers searches sent together in order, each with its own results', async () => {
		const worker = new QueuedWorker();
		const backend = new WorkerSearchBackend(worker);
		backend.apply([unit('p:a', 'pelican harbour'), unit('p:b', 'heron harbour')], []);
		const pelican = settled(backend.search({ text: 'pelican' }));
		const heron = settled(backend.search({ text: 'heron' }));
		backend.apply([], ['p:a']);
		const after = settled(backend.search({ text: 'harbour' }));
		expect(worker.inbox.map((request) => request.type)).toEqual(['apply', 'search', 'search', 'apply', 'search']);
		await worker.run();
		expect(ids(pelican.value)).toEqual(['p:a']);
		expect(ids(heron.value)).toEqual(['p:b']);
		// The removal was sent before this search: it is not found.
		expect(ids(after.value)).toEqual(['p:b']);
	});

	it('[SB1] a search waits for its own answer, not the next one to arrive', async () => {
		const worker = new QueuedWorker();
		const backend = new WorkerSearchBackend(worker);
		backend.apply([unit('p:a', 'pelican')], []);
		const first = settled(backend.search({ text: 'pelican' }));
		worker.handle();
		const second = settled(backend.search({ text: 'nothing' }));
		await worker.deliver();
		expect(first.done).toBe(true);
		expect(second.done).toBe(false);
		await worker.run();
		expect(ids(first.value)).toEqual(['p:a']);
		expect(ids(second.value)).toEqual([]);
	});

	it('[SB2] rejects a search the engine fails on, and answers the others', async () => {
		const worker = new QueuedWorker(new BrokenEngine());
		const backend = new WorkerSearchBackend(worker);
		backend.apply([unit('p:a', 'pelican')], []);
		const before = settled(backend.search({ text: 'pelican' }));
		const broken = settled(backend.search({ text: 'boom' }));
		const after = settled(backend.search({ text: 'pelican' }));
		await worker.run();
		expect(ids(before.value)).toEqual(['p:a']);
		expect(broken.error?.message).toBe('the index is broken');
		expect(ids(after.value)).toEqual(['p:a']);
	});

	it('[SB3] a worker error rejects pending and later searches with its message', async () => {
		const worker = new QueuedWorker();
		const backend = new WorkerSearchBackend(worker);
		const heard: string[] = [];
		backend.onFailure((reason) => heard.push(reason));
		const pending = settled(backend.search({ text: 'pelican' }));
		worker.fail('Uncaught SyntaxError: bad worker script');
		await Promise.resolve();
		expect(pending.error?.message).toBe('Uncaught SyntaxError: bad worker script');
		expect(heard).toEqual(['Uncaught SyntaxError: bad worker script']);
		await expect(backend.search({ text: 'heron' })).rejects.toThrow('Uncaught SyntaxError: bad worker script');

		const posted = worker.inbox.length;
		backend.apply([unit('p:a', 'pelican')], []);
		expect(worker.inbox.length).toBe(posted);
		// A late answer to the rejected search changes nothing.
		await worker.run();
		expect(pending.error?.message).toBe('Uncaught SyntaxError: bad worker script');
	});

	it('[SB3] an error without a message still says the worker stopped', async () => {
		const worker = new QueuedWorker();
		const backend = new WorkerSearchBackend(worker);
		worker.fail();
		await expect(backend.search({ text: 'pelican' })).rejects.toThrow('the search worker stopped');
	});

	it('[SB4] destroying rejects pending searches, and later ones too', async () => {
		const worker = new QueuedWorker();
		const backend = new WorkerSearchBackend(worker);
		backend.apply([unit('p:a', 'pelican')], []);
		const pending = settled(backend.search({ text: 'pelican' }));
		worker.handle();
		backend.destroy();
		expect(worker.terminated).toBe(true);
		await Promise.resolve();
		expect(pending.error?.message).toBe('search closed');
		// Before the fix this search waited for ever: the terminated worker answers nothing.
		const later = settled(backend.search({ text: 'pelican' }));
		await new Promise((resolve) => setTimeout(resolve, 0));
		expect(later.error?.message).toBe('search closed');
		backend.apply([unit('p:b', 'heron')], []);
		expect(worker.inbox).toEqual([]);
	});

	it('[SB4] a search that cannot be sent fails at once, and the next one is answered', async () => {
		const worker = new QueuedWorker();
		const backend = new WorkerSearchBackend(worker);
		// A function cannot be structured-cloned: postMessage throws, as a real worker's does.
		const query = { text: 'pelican', kinds: [() => 'page'] } as unknown as SearchQuery;
		await expect(backend.search(query)).rejects.toThrow();
		const next = settled(backend.search({ text: 'pelican' }));
		await worker.run();
		expect(ids(next.value)).toEqual([]);
	});
});
