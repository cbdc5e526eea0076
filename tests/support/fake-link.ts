/**
 * A room link for unit tests of the live indexes (sync/inbox.ts, sync/catch-up.ts): whether the
 * room has synced with the relay once, set by the test, with the listeners a real RoomLink calls.
 */
import type { SyncSource } from '../../src/lib/sync/state-room.ts';

export class FakeLink implements SyncSource {
	synced = false;
	storedStateVector: Uint8Array | null = null;
	readonly #listeners = new Set<() => void>();

	onChange(listener: () => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	set(synced: boolean): void {
		this.synced = synced;
		for (const listener of [...this.#listeners]) listener();
	}

	/** How many listeners are attached (an index must let go of a link it no longer follows). */
	get listeners(): number {
		return this.#listeners.size;
	}
}
