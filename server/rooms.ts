/**
 * The room registry: rooms load lazily on first join and unload when idle (no sessions, nothing
 * unstored) for `idleMs`, compacting on the way out. A room that is being unloaded finishes its
 * compaction before a new instance of it loads, so the new one reads what the old one wrote.
 * Rooms read storage through a CheckedStore: a corrupt row is quarantined and the room is served
 * without it (see storage/checked.ts); `quarantinedRows` counts them for /metrics.
 */
import type { RoomKind } from '../src/lib/protocol/index.ts';
import { CompactionQueue, Room, type RoomDeps } from './room.ts';
import type { Session } from './session.ts';
import { CheckedStore } from './storage/checked.ts';
import { errorText } from './log.ts';

export interface RegistryOptions extends Omit<RoomDeps, 'compactions'> {
	readonly idleMs: number;
}

export class RoomRegistry {
	readonly #options: RegistryOptions & RoomDeps;
	readonly #rooms = new Map<string, Room>();
	readonly #unloading = new Map<string, Promise<void>>();
	readonly #idleTimers = new Map<Room, NodeJS.Timeout>();

	constructor(options: RegistryOptions) {
		this.#options = { ...options, store: new CheckedStore(options.store, options.log), compactions: new CompactionQueue() };
	}

	/** Stored rows moved into the quarantine (ever, in this database). */
	get quarantinedRows(): number {
		return this.#options.store.quarantinedCount();
	}

	get size(): number {
		return this.#rooms.size;
	}

	get(name: string): Room | undefined {
		return this.#rooms.get(name);
	}

	rooms(): IterableIterator<Room> {
		return this.#rooms.values();
	}

	/** Puts a session into a room, loading the room if needed. See Room.join for `first`. */
	join(name: string, kind: RoomKind, session: Session, first?: Uint8Array): Room {
		let room = this.#rooms.get(name);
		if (!room) {
			room = new Room(name, kind, this.#options);
			room.onIdle = (idle) => this.#scheduleUnload(idle);
			this.#rooms.set(name, room);
			void room.load(this.#unloading.get(name));
		}
		this.#cancelUnload(room);
		room.join(session, first);
		return room;
	}

	leave(session: Session): void {
		const room = session.room;
		session.room = null;
		session.closed = true;
		room?.leave(session);
	}

	/** Shutdown: compacts every loaded room and frees it (sessions are closed by the caller). */
	async closeAll(): Promise<void> {
		for (const timer of this.#idleTimers.values()) clearTimeout(timer);
		this.#idleTimers.clear();
		await Promise.all(this.#unloading.values());
		const rooms = [...this.#rooms.values()];
		this.#rooms.clear();
		for (const room of rooms) {
			// One room's failure does not keep the others from being compacted and freed.
			await room.compact().catch((error: unknown) => this.#options.log('error', 'compaction on shutdown failed', { room: room.name, error: errorText(error) }));
			room.destroy();
		}
	}

	#scheduleUnload(room: Room): void {
		if (this.#idleTimers.has(room) || this.#rooms.get(room.name) !== room) return;
		const timer = setTimeout(() => {
			this.#idleTimers.delete(room);
			void this.#unload(room);
		}, this.#options.idleMs);
		timer.unref();
		this.#idleTimers.set(room, timer);
	}

	#cancelUnload(room: Room): void {
		const timer = this.#idleTimers.get(room);
		if (timer) clearTimeout(timer);
		this.#idleTimers.delete(room);
	}

	async #unload(room: Room): Promise<void> {
		if (!room.idle || this.#rooms.get(room.name) !== room) return;
		this.#rooms.delete(room.name);
		// Whatever the compaction does, the room is freed and a later load does not wait on a failure.
		const done = room
			.compact()
			.catch((error: unknown) => this.#options.log('error', 'compaction on unload failed', { room: room.name, error: errorText(error) }))
			.finally(() => room.destroy());
		this.#unloading.set(room.name, done);
		await done;
		if (this.#unloading.get(room.name) === done) this.#unloading.delete(room.name);
		this.#options.log('debug', 'room unloaded', { room: room.name });
	}
}
