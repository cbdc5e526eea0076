/**
 * "Changed since you last looked": text teammates inserted since the member's last look at the page
 * is drawn as inline decorations (class `changed-since`, with who and when in a `title` and
 * `data-changed-by`), and the changes are reported to the page (its banner lists them, deletions
 * too, in words — so nothing is said by colour alone).
 *
 * What changed is read from Yjs (model/catch-up.ts `bodyChangesSince`, against the snapshot of the
 * last look the page captured when it opened) and placed with editor/y-ranges.ts. It is re-read
 * after the view has settled (one microtask), when the baseline changes (loaded, cleared) and when
 * a change arrives from elsewhere (relay, another tab, storage) — the member's own typing brings
 * nothing new to highlight, so it only maps the decorations (no body walk per keystroke). Who did
 * what comes from the body's shared attribution (history.ts `attributionOf`), re-indexed only when
 * the authorship records change.
 *
 * A re-read walks the whole body's history: on a long page (the automerge-paper benchmark, 260,000
 * edits) tens of milliseconds, which a teammate typing ten characters a second put in front of
 * every other keystroke. So changes from elsewhere are re-read at most every REMOTE_REFRESH_MS, and
 * not while the member types (RemoteRefresh); meanwhile the highlights are mapped through y-prosemirror's sync transactions by what actually
 * changed (`mapSync`), since the binding replaces the whole document, which would drop them all.
 */
import { Plugin, PluginKey, type EditorState, type Transaction } from 'prosemirror-state';
import { Mapping, StepMap } from 'prosemirror-transform';
import { Decoration, DecorationSet } from 'prosemirror-view';
import type * as Y from 'yjs';
import { bodyChangesSince, type BodyChanges } from '../model/catch-up.ts';
import { attributionOf } from '../model/history.ts';
import { isRemoteOrigin } from '../model/origins.ts';
import { refreshLater } from './refresh.ts';
import { OWN_EDIT_QUIET_MS } from '../sync/pace.ts';
import { timeout, type Schedule } from '../sync/settle.ts';
import { isSyncTransaction } from './fixup.ts';
import { bodyOf, ItemPositions } from './y-ranges.ts';

/** What the plugin needs from the page (components/catch-up/page-catch-up.svelte.ts). */
export interface ChangesSinceHooks {
	/** The body as the member last saw it; null: nothing to highlight (never seen, or cleared). */
	baseline(): Y.Snapshot | null;
	/** The member reading: their own changes are never highlighted. */
	readonly me: string;
	/** The title of a highlight: "Added by Ben · 21 Nov, 10:02". */
	describe(member: string | null, at: number | null): string;
	/** Calls `listener` when the baseline changes; returns the unsubscriber. */
	subscribe(listener: () => void): () => void;
	/** The changes as last read (null: no baseline). */
	report(changes: BodyChanges | null): void;
}

export interface ChangesSincePluginOptions {
	readonly fragment: Y.XmlFragment;
	readonly hooks: ChangesSinceHooks;
}

export const changesSinceKey = new PluginKey<DecorationSet>('changes-since');

const REFRESH = 'refresh';
/** The most often a change from elsewhere makes the highlights be re-read (a teammate types on). */
export const REMOTE_REFRESH_MS = 500;

/**
 * When a change from elsewhere is re-read: REMOTE_REFRESH_MS after it (later changes meanwhile
 * join it), and not while the member types — a re-read of a long page is one task of tens of
 * milliseconds, which the keystroke that comes during it waits behind (the benchmark's teammate
 * case: its slowest keys). So a re-read that comes due within OWN_EDIT_QUIET_MS of the member's
 * last key waits until they have paused that long. The text itself shows at once; only its
 * highlight waits.
 */
export class RemoteRefresh {
	readonly #run: () => void;
	readonly #now: () => number;
	readonly #schedule: Schedule;
	#cancel: (() => void) | null = null;
	#typedAt = -Infinity;

	constructor(run: () => void, options: { now?: () => number; schedule?: Schedule } = {}) {
		this.#run = run;
		this.#now = options.now ?? (() => performance.now());
		this.#schedule = options.schedule ?? timeout;
	}

	/** The member pressed a key in the editor. */
	typed(): void {
		this.#typedAt = this.#now();
	}

	/** A change came from elsewhere. */
	changed(): void {
		if (this.#cancel === null) this.#arm(REMOTE_REFRESH_MS);
	}

	stop(): void {
		this.#cancel?.();
		this.#cancel = null;
	}

	#arm(ms: number): void {
		this.#cancel = this.#schedule(() => {
			this.#cancel = null;
			const quiet = this.#now() - this.#typedAt;
			if (quiet < OWN_EDIT_QUIET_MS) this.#arm(OWN_EDIT_QUIET_MS - quiet);
			else this.#run();
		}, ms);
	}
}

/**
 * Maps `set` through a y-prosemirror sync transaction by the span where the documents differ: the
 * binding replaces the whole document (one step from 0 to the end), and mapping through that step
 * would drop every decoration. Unchanged nodes are shared between the two documents, so finding
 * the span costs the depth of the change, not the size of the page.
 */
export function mapSync(set: DecorationSet, tr: Transaction): DecorationSet {
	const before = tr.before.content;
	const after = tr.doc.content;
	const start = before.findDiffStart(after);
	if (start === null) return set.map(new Mapping(), tr.doc);
	const end = before.findDiffEnd(after)!;
	let endA = end.a;
	let endB = end.b;
	// Repeated content can make the two ends cross the start (as prosemirror-view's own diff handles).
	const overlap = start - Math.min(endA, endB);
	if (overlap > 0) {
		endA += overlap;
		endB += overlap;
	}
	return set.map(new Mapping([new StepMap([start, endA - start, endB - start])]), tr.doc);
}

function read(state: EditorState, options: ChangesSincePluginOptions): DecorationSet {
	const { fragment, hooks } = options;
	const baseline = hooks.baseline();
	if (!baseline || !fragment.doc) {
		hooks.report(null);
		return DecorationSet.empty;
	}
	const changes = bodyChangesSince(fragment.doc, baseline, hooks.me, attributionOf(fragment.doc));
	hooks.report(changes);
	const positions = new ItemPositions(bodyOf(state, fragment));
	const decorations: Decoration[] = [];
	for (const run of changes.insertions) {
		const title = hooks.describe(run.member, run.at);
		for (const range of positions.ranges(run.pieces)) {
			decorations.push(Decoration.inline(range.from, range.to, { class: 'changed-since', title, 'data-changed-by': run.member ?? '' }));
		}
	}
	return DecorationSet.create(state.doc, decorations);
}

export function changesSincePlugin(options: ChangesSincePluginOptions): Plugin<DecorationSet> {
	/** The view's re-read timing, for the keys its props see. */
	let remote: RemoteRefresh | null = null;
	return new Plugin<DecorationSet>({
		key: changesSinceKey,
		state: {
			init: () => DecorationSet.empty,
			apply(tr, set, _old, state) {
				if (tr.getMeta(changesSinceKey) === REFRESH) return read(state, options);
				if (!tr.docChanged) return set;
				return isSyncTransaction(tr) ? mapSync(set, tr) : set.map(tr.mapping, tr.doc);
			}
		},
		props: {
			decorations: (state) => changesSinceKey.getState(state),
			handleDOMEvents: {
				keydown: () => (remote?.typed(), false)
			}
		},
		view(view) {
			const refresh = refreshLater(view, changesSinceKey, REFRESH);
			const ydoc = options.fragment.doc;
			const later = new RemoteRefresh(refresh);
			remote = later;
			const onUpdate = (_update: Uint8Array, origin: unknown) => {
				if (isRemoteOrigin(origin)) later.changed();
			};
			ydoc?.on('update', onUpdate);
			const unsubscribe = options.hooks.subscribe(refresh);
			refresh();
			return {
				destroy() {
					later.stop();
					if (remote === later) remote = null;
					ydoc?.off('update', onUpdate);
					unsubscribe();
				}
			};
		}
	});
}
