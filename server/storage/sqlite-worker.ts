/**
 * The storage thread's side of WorkerStore (worker.ts): one SqliteStore, its calls answered in
 * order. Rows are decoded here as they load, so the relay's thread only applies them.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { withChecks } from './checked.ts';
import { SqliteStore, sqliteOptionsFromEnv } from './sqlite.ts';
import type { Call, Counts, Ready, Reply, StoreWorkerData } from './worker.ts';

function serve(path: string): void {
	const port = parentPort!;
	let store: SqliteStore;
	try {
		store = new SqliteStore(path, sqliteOptionsFromEnv());
	} catch (error) {
		port.postMessage({ ready: false, message: (error as Error).message } satisfies Ready);
		return;
	}
	const counts = (): Counts => ({ bytes: store.storedBytes(), quarantined: store.quarantinedCount() });
	port.postMessage({ ready: true, ...counts() } satisfies Ready);
	port.on('message', ({ id, call }: { id: number; call: Call }) => {
		void run(store, call).then(
			(value) => port.postMessage({ id, ok: true, value, ...counts() } satisfies Reply),
			(error: unknown) => {
				const code = (error as { code?: unknown }).code;
				port.postMessage({ id, ok: false, message: (error as Error).message ?? String(error), ...(typeof code === 'string' ? { code } : {}) } satisfies Reply);
			}
		);
	});
}

function run(store: SqliteStore, call: Call): Promise<unknown> {
	switch (call.op) {
		case 'load':
			// Checked here, off the relay's thread: a row that does not decode (or, a room's only row,
			// does not apply) comes back with its problem; a room's only row with its state vector.
			return store.load(call.room).then(withChecks);
		case 'append':
			return store.append(call.entries);
		case 'compact':
			return store.compact(call.room, call.merged, call.upToSeq, call.stateVector);
		case 'quarantine':
			return store.quarantine(call.room, call.seq, call.reason);
		case 'close':
			return store.close();
	}
}

if (!isMainThread) serve((workerData as StoreWorkerData).path);
