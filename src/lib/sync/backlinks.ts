/**
 * The backlinks index: for every page, the pages whose bodies link to it. Kept incrementally and
 * off the typing path: a page-body update (a local keystroke, or a teammate's edit arriving from the
 * relay or another tab) only marks that page dirty; dirty pages are re-read in a later batch
 * (`schedule`, by default an idle callback with a short deadline), each one's outgoing links
 * recomputed from its own body alone and diffed into `target → Set<source>`. A long page is read again at
 * most once per PACE × its last read's time, and while the member types in it only once they pause
 * (pace.ts): the link they typed shows on its target's page a second later.
 *
 * `backlinksFor(session)` builds one index per open workspace and feeds it every page body: with a
 * relay these are loaded anyway (syncAllPages); without one, from IndexedDB. So the index covers
 * every page on the device, offline too.
 */
import type * as Y from 'yjs';
import { bodyFragment } from '../model/page.ts';
import { pageLinkTargets } from '../model/links.ts';
import { followEveryPage } from './each-page.ts';
import { Pacer } from './pace.ts';
import type { WorkspaceSession } from './workspace-session.ts';

export type Schedule = (run: () => void) => void;

/** Runs `run` when the browser is idle (at most ~300 ms later), or after a short timeout elsewhere. */
export const idleSchedule: Schedule = (run) => {
	const idle = (globalThis as { requestIdleCallback?: (cb: () => void, opts?: { timeout: number }) => number }).requestIdleCallback;
	if (idle) idle(run, { timeout: 300 });
	else setTimeout(run, 50);
};

/** Runs `run` once on `schedule` for however many requests came before it ran; none after `stop`. */
export class Batch {
	readonly #schedule: Schedule;
	readonly #run: () => void;
	#scheduled = false;
	#stopped = false;

	constructor(schedule: Schedule, run: () => void) {
		this.#schedule = schedule;
		this.#run = run;
	}

	request(): void {
		if (this.#scheduled || this.#stopped) return;
		this.#scheduled = true;
		this.#schedule(() => {
			this.#scheduled = false;
			if (!this.#stopped) this.#run();
		});
	}

	stop(): void {
		this.#stopped = true;
	}
}

export class BacklinkIndex {
	readonly #outgoing = new Map<string, Set<string>>();
	readonly #incoming = new Map<string, Set<string>>();
	readonly #tracked = new Map<string, { doc: Y.Doc; stop: () => void }>();
	readonly #dirty = new Set<string>();
	readonly #listeners = new Set<(changedTargets: ReadonlySet<string>) => void>();
	readonly #batch: Batch;
	/** A long page is read again at most once per PACE × its last read's time (pace.ts). */
	readonly #pacer: Pacer;

	constructor(schedule: Schedule = idleSchedule, now: () => number = () => performance.now()) {
		this.#batch = new Batch(schedule, () => this.#runBatch());
		this.#pacer = new Pacer(now, () => this.#batch.request());
	}

	/** Follows a page body: its links are read now (in the next batch) and after every update. */
	track(sourceId: string, doc: Y.Doc): void {
		if (this.#tracked.get(sourceId)?.doc === doc) return;
		this.untrack(sourceId);
		const onUpdate = (_update: Uint8Array, origin: unknown) => {
			this.#markDirty(sourceId);
			// The member typing in a long body: its links are read once they pause (pace.ts).
			this.#pacer.changed(sourceId, origin);
		};
		doc.on('update', onUpdate);
		this.#tracked.set(sourceId, { doc, stop: () => doc.off('update', onUpdate) });
		this.#markDirty(sourceId);
	}

	/** Stops following a page and forgets its links. */
	untrack(sourceId: string): void {
		const tracked = this.#tracked.get(sourceId);
		if (!tracked) return;
		tracked.stop();
		this.#tracked.delete(sourceId);
		this.#dirty.delete(sourceId);
		this.#pacer.forget(sourceId);
		const changed = new Set<string>();
		this.#setOutgoing(sourceId, new Set(), changed);
		this.#emit(changed);
	}

	/** Ids of the pages that link to `targetId` (never itself), sorted. */
	backlinks(targetId: string): string[] {
		return [...(this.#incoming.get(targetId) ?? [])].filter((id) => id !== targetId).sort();
	}

	/** Ids `sourceId` links to, as last indexed. */
	outgoing(sourceId: string): string[] {
		return [...(this.#outgoing.get(sourceId) ?? [])].sort();
	}

	/** Called after each batch with the targets whose backlinks changed. */
	onChange(listener: (changedTargets: ReadonlySet<string>) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** Processes every pending page now, paced or not (tests; and anything that needs the index settled). */
	flush(): void {
		const changed = new Set<string>();
		for (const sourceId of [...this.#dirty]) this.#read(sourceId, changed);
		this.#emit(changed);
	}

	destroy(): void {
		for (const id of [...this.#tracked.keys()]) this.untrack(id);
		this.#listeners.clear();
		this.#batch.stop();
		this.#pacer.stop();
	}

	/** A scheduled batch: the dirty pages that may be read again now; the others when they may. */
	#runBatch(): void {
		const changed = new Set<string>();
		for (const sourceId of [...this.#dirty]) if (this.#pacer.due(sourceId)) this.#read(sourceId, changed);
		this.#emit(changed);
	}

	#read(sourceId: string, changed: Set<string>): void {
		this.#dirty.delete(sourceId);
		const tracked = this.#tracked.get(sourceId);
		if (!tracked) return;
		this.#pacer.read(sourceId, () => this.#setOutgoing(sourceId, pageLinkTargets(bodyFragment(tracked.doc)), changed));
	}

	#markDirty(sourceId: string): void {
		this.#dirty.add(sourceId);
		this.#batch.request();
	}

	#setOutgoing(sourceId: string, next: Set<string>, changed: Set<string>): void {
		const previous = this.#outgoing.get(sourceId) ?? new Set<string>();
		for (const target of previous) {
			if (next.has(target)) continue;
			const sources = this.#incoming.get(target);
			sources?.delete(sourceId);
			if (sources?.size === 0) this.#incoming.delete(target);
			changed.add(target);
		}
		for (const target of next) {
			if (previous.has(target)) continue;
			let sources = this.#incoming.get(target);
			if (!sources) this.#incoming.set(target, (sources = new Set()));
			sources.add(sourceId);
			changed.add(target);
		}
		if (next.size === 0) this.#outgoing.delete(sourceId);
		else this.#outgoing.set(sourceId, next);
	}

	#emit(changed: ReadonlySet<string>): void {
		if (changed.size === 0) return;
		for (const listener of this.#listeners) listener(changed);
	}
}

const indexes = new WeakMap<WorkspaceSession, BacklinkIndex>();

/** The backlinks index of an open workspace, fed with every page body on this device. */
export function backlinksFor(session: WorkspaceSession): BacklinkIndex {
	let index = indexes.get(session);
	if (index) return index;
	const created = new BacklinkIndex();
	indexes.set(session, created);
	const stop = followEveryPage(session.workspaceDoc, {
		// The same shared document the editor and the relay link use (followPage: seeded after it syncs).
		add: (pageId, wanted) =>
			session.followPage(pageId).then((opened) => {
				if (wanted()) created.track(pageId, opened.doc);
			}),
		// A page deleted for good no longer links anywhere.
		remove: (pageId) => created.untrack(pageId)
	});
	session.onClose(stop);
	index = created;
	return index;
}
