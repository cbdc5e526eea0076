/**
 * WorkerStore when its storage thread dies: the calls in flight on that thread fail (the persister
 * keeps their updates and retries), the next call starts a new thread, and the dead thread's late
 * events never touch the new one's calls. The death is staged by emitting the events Node emits
 * for a crashed worker ('error', then 'exit') on the first thread.
 */
import { afterAll, expect, it } from 'vitest';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker as WorkerType } from 'node:worker_threads';

const threads = createRequire(import.meta.url)('node:worker_threads') as { Worker: typeof WorkerType };
const Original = threads.Worker;
const started: WorkerType[] = [];
threads.Worker = class extends Original {
	constructor(...args: ConstructorParameters<typeof WorkerType>) {
		super(...args);
		started.push(this);
	}
} as typeof WorkerType;
syncBuiltinESMExports();
afterAll(() => {
	threads.Worker = Original;
	syncBuiltinESMExports();
});

it('[R20] a dead storage thread fails only its own calls; the next call gets a new thread, and the old one\'s late exit leaves it alone', async () => {
	const { WorkerStore } = await import('../../server/storage/worker.ts');
	const dir = mkdtempSync(join(tmpdir(), 'meridian-store-'));
	const store = await WorkerStore.open(join(dir, 'meridian.sqlite'));
	try {
		const first = started.at(-1)!;
		first.emit('error', new Error('crashed'));
		// A call after the crash starts a second thread.
		expect(await store.load('a')).toEqual([]);
		const inFlight = store.append([{ room: 'a', update: new Uint8Array([0, 0]) }]);
		// The first thread's 'exit' arrives while the second has a call in flight.
		first.emit('exit', 1);
		expect(await inFlight).toHaveLength(1);
		expect(await store.load('a')).toHaveLength(1);
		expect(started.filter((worker) => worker.threadId !== -1).length).toBeLessThanOrEqual(2);
	} finally {
		await store.close();
		rmSync(dir, { recursive: true, force: true });
	}
	await new Promise((resolve) => setTimeout(resolve, 100));
	expect(started.every((worker) => worker.threadId === -1)).toBe(true);
});
