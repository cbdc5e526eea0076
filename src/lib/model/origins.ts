/**
 * Every Yjs transaction carries one of these origins, so that no provider echoes its own
 * updates back and the authorship tracker can tell the member's edits from everything else.
 */
export const Origin = {
	/** The member's own edit through the app's model functions. */
	local: 'local',
	/** Loaded from or written by this device's IndexedDB. */
	indexeddb: 'indexeddb',
	/** Arrived from another tab of this browser. */
	tab: 'tab',
	/** Arrived from the relay. */
	relay: 'relay',
	/** Arrived from the relay, written to this device as it came, applied later (sync/room-link.ts, Deferral). */
	stored: 'stored',
	/** The deterministic first content of a page (see page.ts `seedPageBody`). */
	seed: 'seed',
	/** Bookkeeping of who wrote what (see authorship.ts). */
	authorship: 'authorship',
	/** A version of a page body recorded (see versions.ts). */
	versions: 'versions'
} as const;
export type Origin = (typeof Origin)[keyof typeof Origin];

/** Updates with these origins came from somewhere else and must not be written back there. */
export function isRemoteOrigin(origin: unknown): boolean {
	return origin === Origin.indexeddb || origin === Origin.tab || origin === Origin.relay || origin === Origin.stored;
}
