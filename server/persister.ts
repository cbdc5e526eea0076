/**
 * Group commit: rooms enqueue accepted updates; the persister appends everything queued in one
 * storage transaction and then tells each entry its seq. Entries are committed strictly in queue
 * order (a flush takes a prefix of the queue), which is what lets a connection's acks be a simple
 * count. A failed transaction leaves its entries at the head of the queue and is retried with
 * backoff; nothing is dropped and nothing is acknowledged until it commits.
 *
 * A fault episode (from the first failed transaction to the next commit) is logged once when it
 * starts, with the storage error's code, and once when it ends (how long, how many attempts);
 * the attempts between go to debug, so a disk that stays full for an hour does not flood the log.
 * `faulted`, `failedCommits` and `faultEpisodes` are there for /metrics; `onCommit` reports each
 * transaction's latency.
 */
import type { Store } from './storage/types.ts';
import { errorText, type Logger } from './log.ts';

export interface PendingEntry {
	readonly room: string;
	/**
	 * The update to append, or null for a barrier: an entry that stores nothing and whose
	 * callback runs once everything queued before it has committed (see Room: a write that
	 * changed nothing is acknowledged only when what it repeated is on disk).
	 */
	readonly update: Uint8Array | null;
	/** Called after the transaction holding this entry committed (seq 0 for a barrier). */
	readonly onCommitted: (seq: number) => void;
	/** Writes of clients this row holds (a burst applied together is one row, [R31]); 1 if absent. */
	readonly writes?: number;
}

export interface PersisterOptions {
	/** Wait this long after a busy flush before the next one, to gather a group. */
	readonly delayMs: number;
	readonly retryMinMs?: number;
	readonly retryMaxMs?: number;
	/** Called after each committed transaction: its duration and how many entries it carried. */
	readonly onCommit?: (ms: number, entries: number) => void;
}

/** SQLite's error code (SQLITE_BUSY, SQLITE_FULL, …) when the error carries one. */
function errorCode(error: unknown): string | undefined {
	const code = (error as { code?: unknown } | null)?.code;
	return typeof code === 'string' ? code : undefined;
}

export class Persister {
	readonly #store: Store;
	readonly #log: Logger;
	readonly #delayMs: number;
	readonly #retryMinMs: number;
	readonly #retryMaxMs: number;
	#queue: PendingEntry[] = [];
	#pendingBytes = 0;
	#timer: NodeJS.Timeout | null = null;
	#flushing: Promise<boolean> | null = null;
	#lastFlushAt = 0;
	#failures = 0;
	#failedCommits = 0;
	#faultEpisodes = 0;
	#faultSince = 0;
	#stopped = false;
	readonly #onCommit: ((ms: number, entries: number) => void) | undefined;

	constructor(store: Store, log: Logger, options: PersisterOptions) {
		this.#store = store;
		this.#log = log;
		this.#delayMs = options.delayMs;
		this.#retryMinMs = options.retryMinMs ?? 50;
		this.#retryMaxMs = options.retryMaxMs ?? 5000;
		this.#onCommit = options.onCommit;
	}

	/** True from a failed transaction until the next one commits (nothing is acknowledged meanwhile). */
	get faulted(): boolean {
		return this.#failures > 0;
	}
	/** Transactions that failed, ever (each retry counts). */
	get failedCommits(): number {
		return this.#failedCommits;
	}
	/** Fault episodes begun, ever. */
	get faultEpisodes(): number {
		return this.#faultEpisodes;
	}

	get pendingCount(): number {
		return this.#queue.length;
	}
	get pendingBytes(): number {
		return this.#pendingBytes;
	}

	enqueue(entry: PendingEntry): void {
		this.#queue.push(entry);
		this.#pendingBytes += entry.update?.byteLength ?? 0;
		this.#schedule();
	}

	/**
	 * Commits everything queued now (and whatever is queued while it runs, in a following
	 * transaction). Resolves true when the queue is empty, false when a transaction failed.
	 */
	async flush(): Promise<boolean> {
		if (this.#timer) {
			clearTimeout(this.#timer);
			this.#timer = null;
		}
		while (this.#flushing) await this.#flushing;
		while (this.#queue.length > 0) {
			this.#flushing = this.#flushOnce();
			const ok = await this.#flushing;
			this.#flushing = null;
			if (!ok) {
				this.#schedule();
				return false;
			}
		}
		return true;
	}

	/** Stops timers (shutdown); a final `flush()` may still be called. */
	stop(): void {
		this.#stopped = true;
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = null;
	}

	async #flushOnce(): Promise<boolean> {
		const batch = this.#queue.slice();
		const writes = batch.flatMap(({ room, update }) => (update ? [{ room, update }] : []));
		let seqs: number[];
		const started = performance.now();
		try {
			seqs = writes.length > 0 ? await this.#store.append(writes) : [];
		} catch (error) {
			this.#failures++;
			this.#failedCommits++;
			const fields = {
				error: errorText(error),
				code: errorCode(error),
				pendingUpdates: this.#queue.length,
				pendingBytes: this.#pendingBytes,
				attempt: this.#failures
			};
			if (this.#failures === 1) {
				this.#faultEpisodes++;
				this.#faultSince = Date.now();
				this.#log('error', 'storage append failed; updates kept in memory and retried', fields);
			} else {
				this.#log('debug', 'storage append failed again', fields);
			}
			return false;
		}
		if (writes.length > 0) {
			const updates = batch.reduce((sum, entry) => sum + (entry.update ? (entry.writes ?? 1) : 0), 0);
			this.#onCommit?.(performance.now() - started, updates);
		}
		if (this.#failures > 0) {
			this.#log('info', 'storage recovered; held updates committed', {
				attempts: this.#failures + 1,
				faultMs: Date.now() - this.#faultSince,
				committedUpdates: writes.length
			});
		}
		this.#failures = 0;
		this.#lastFlushAt = Date.now();
		this.#queue.splice(0, batch.length);
		let next = 0;
		for (const entry of batch) {
			this.#pendingBytes -= entry.update?.byteLength ?? 0;
			const seq = entry.update ? (seqs[next++] ?? 0) : 0;
			try {
				entry.onCommitted(seq);
			} catch (error) {
				this.#log('error', 'commit callback failed', { room: entry.room, error: errorText(error) });
			}
		}
		return true;
	}

	#schedule(): void {
		if (this.#timer || this.#stopped || this.#queue.length === 0) return;
		let delay: number;
		if (this.#failures > 0) {
			delay = Math.min(this.#retryMaxMs, this.#retryMinMs * 2 ** (this.#failures - 1));
		} else {
			// Idle (nothing committed within the last delay): flush at once for the lowest latency;
			// busy: wait a little so the next transaction carries a group.
			delay = Date.now() - this.#lastFlushAt >= this.#delayMs ? 0 : this.#delayMs;
		}
		this.#timer = setTimeout(() => {
			this.#timer = null;
			void this.flush();
		}, delay);
	}
}
