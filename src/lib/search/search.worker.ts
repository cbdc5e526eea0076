/// <reference lib="webworker" />
/**
 * The search index's thread (backend.ts): holds the engine, applies what the page sends, answers
 * searches. Started by sync/search.ts with `new Worker(new URL(...), { type: 'module' })`.
 */
import { SearchEngine } from './engine.ts';
import { handleRequest, type WorkerRequest } from './backend.ts';

const engine = new SearchEngine();
const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.addEventListener('message', (event: MessageEvent<WorkerRequest>) => {
	const reply = handleRequest(engine, event.data);
	if (reply) scope.postMessage(reply);
});
