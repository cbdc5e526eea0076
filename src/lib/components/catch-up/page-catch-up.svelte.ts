/**
 * Catch-up on one open page: what teammates changed since the member last looked (highlighted by
 * editor/changes-since.ts and listed in ChangesBanner), and recording the new "last seen".
 *
 * The baseline — the member's last look — is captured once, when their state has loaded, before
 * anything new is recorded: the highlights stay for the whole visit, also for changes arriving
 * while the page is open, until the member chooses "Clear".
 *
 * The baseline waits for the index to trust the member's state (sync/catch-up.ts: on a new device,
 * until their private room has synced), and nothing is recorded before it is captured.
 *
 * When the page counts as seen (sync/catch-up.ts `see`: written only when the page was never seen
 * or something by someone else is new since the stored look, so typing alone writes nothing):
 * when the member leaves the page, when the tab is hidden, once when it is closed (`pagehide`),
 * and on "Clear". Never on a timer while the page stays open: every look is a body snapshot (up to
 * kilobytes on a long page) and the relay keeps every value overwritten in the member's room, so
 * a look every 30 s while a teammate types would grow it by a megabyte an hour.
 */
import type * as Y from 'yjs';
import { lastSeen, type BodyChanges } from '$lib/model/catch-up.ts';
import { changesSincePlugin, type ChangesSinceHooks } from '$lib/editor/changes-since.ts';
import type { CatchUpIndex } from '$lib/sync/catch-up.ts';
import { changedTitle } from './news-text.ts';

export class PageCatchUp {
	readonly #index: CatchUpIndex;
	readonly #pageId: string;
	readonly #nameOf: (member: string | null) => string;
	readonly #listeners = new Set<() => void>();
	#baseline: Y.Snapshot | null = null;
	#captured = false;
	#stopIndex: () => void = () => undefined;
	#destroyed = false;
	readonly me: string;
	/** Changes by others since the last look, as the editor last read them (null: nothing to show). */
	changes = $state.raw<BodyChanges | null>(null);
	/** When the member last looked (null: never, or not known yet). */
	seenAt = $state<number | null>(null);

	constructor(index: CatchUpIndex, pageId: string, me: string, nameOf: (member: string | null) => string) {
		this.#index = index;
		this.#pageId = pageId;
		this.me = me;
		this.#nameOf = nameOf;
		this.#capture();
		if (!this.#captured) this.#stopIndex = index.onChange(() => this.#capture());
		document.addEventListener('visibilitychange', this.#onVisibility);
		window.addEventListener('pagehide', this.#look);
	}

	/** The editor plugin for a view of this page's body (a new one for each view). */
	plugin(fragment: Y.XmlFragment) {
		const hooks: ChangesSinceHooks = {
			me: this.me,
			baseline: () => this.#baseline,
			describe: (member, at) => changedTitle(this.#nameOf(member), at),
			subscribe: (listener) => {
				this.#listeners.add(listener);
				return () => this.#listeners.delete(listener);
			},
			report: (changes) => {
				this.changes = changes && (changes.insertions.length > 0 || changes.deletions.length > 0) ? changes : null;
			}
		};
		return changesSincePlugin({ fragment, hooks });
	}

	/** "Clear": the highlights go, and the page is recorded as seen now. */
	clear(): void {
		this.#baseline = null;
		this.changes = null;
		this.#index.see(this.#pageId, true);
		for (const listener of [...this.#listeners]) listener();
	}

	destroy(): void {
		if (this.#destroyed) return;
		this.#look();
		this.#destroyed = true;
		this.#stopIndex();
		document.removeEventListener('visibilitychange', this.#onVisibility);
		window.removeEventListener('pagehide', this.#look);
	}

	/** Takes the last look from the member's state, once the index trusts it and before anything is recorded. */
	#capture(): void {
		const state = this.#index.state;
		if (this.#captured || !state) return;
		this.#captured = true;
		this.#stopIndex();
		const seen = lastSeen(state, this.#pageId);
		this.#baseline = seen?.body ?? null;
		this.seenAt = seen?.at ?? null;
		for (const listener of [...this.#listeners]) listener();
	}

	readonly #look = (): void => {
		if (this.#destroyed || !this.#captured) return;
		try {
			this.#index.see(this.#pageId);
		} catch (error) {
			// A newer app wrote the member's state: it is read-only here.
			console.warn('[meridian] could not record this page as seen', error);
		}
	};

	readonly #onVisibility = (): void => {
		if (document.visibilityState === 'hidden') this.#look();
	};
}
