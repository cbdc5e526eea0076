/**
 * A page's comments as reactive state: the discussion document (loaded once), the threads as the
 * editor shows them, which thread is active, and the thread being written. It is also what the
 * editor's comments plugin reads (editor/comments.ts `CommentHooks`), so the highlights, the toolbar
 * and the panel share one source.
 *
 * The editor's state changes on every keystroke, selection change and scroll, and the panel and the
 * plugin both ask for the threads after each: they are read again only when the discussion document
 * changed, and placed again only when it or the body did — one pass for the panel and the plugin
 * alike. Between changes of the discussion its messages stay the same objects, so typing redraws no
 * message; a pass that moved no thread gives back the same list, so the panel redraws nothing.
 *
 * The threads' code (model/comments.ts: placing, anchoring and writing threads) loads once the
 * discussion has a thread or a commenter's name, or the member starts a thread: most pages have no
 * comments, and until then there is nothing to place.
 */
import { createSubscriber } from 'svelte/reactivity';
import { TextSelection } from 'prosemirror-state';
import type { Node as PMNode } from 'prosemirror-model';
import type { EditorView } from 'prosemirror-view';
import type * as Y from 'yjs';
import type { Anchor, BodyView, PlacedThread, Thread } from '$lib/model/comments.ts';
import { commentNames, commentNamesMap, readThreads, threadsMap } from '$lib/model/comment-threads.ts';
import { commentBody, DRAFT_ID, type CommentAnchor, type CommentHooks } from '$lib/editor/comments.ts';
import type { LiveEditor } from '$lib/components/editor/live-editor.svelte.ts';

type CommentsModel = typeof import('$lib/model/comments.ts');

/** What `threads` gives while there are none to place (the same array, so nothing redraws). */
const NO_THREADS: PlacedThread[] = [];

/** Whether a discussion holds a thread or a commenter's name. */
function hasComments(talk: Y.Doc): boolean {
	return threadsMap(talk).size > 0 || commentNamesMap(talk).size > 0;
}

export class PageComments implements CommentHooks {
	readonly #live: LiveEditor;
	readonly #listeners = new Set<() => void>();
	#talk = $state.raw<Y.Doc | null>(null);
	#active = $state<string | null>(null);
	#draft = $state.raw<Anchor | null>(null);
	/** Why the last attempt to start a thread failed (no text selected), shown by the panel. */
	error = $state<string | null>(null);
	/** Why the threads' code could not be fetched (offline before this version was saved), until it is. */
	loadError = $state<string | null>(null);
	/** Bumped when the active thread came from a click in the text, so the panel scrolls to it. */
	revealed = $state(0);
	#subscribeTalk = createSubscriber((update) => this.subscribe(update));
	/** Bumped on every change of the discussion document. */
	#version = 0;
	#read: { readonly talk: Y.Doc; readonly version: number; readonly threads: readonly Thread[] } | null = null;
	/** The last placement: for which version, in which rendered body (null: none). */
	#placed: { readonly talk: Y.Doc; readonly version: number; readonly doc: PMNode | null; readonly threads: PlacedThread[] } | null = null;

	readonly #mayWrite: (talk: Y.Doc) => boolean;
	/** model/comments.ts, once a thread, a name or a draft needs it. */
	#model = $state.raw<CommentsModel | null>(null);
	#modelLoading: Promise<CommentsModel | null> | null = null;
	/** A thread was made active before the threads' code was here: revealed once it is. */
	#revealOnLoad = false;

	/** `mayWrite` says whether this member may write a discussion document (role and schema version). */
	constructor(live: LiveEditor, mayWrite: (talk: Y.Doc) => boolean) {
		this.#live = live;
		this.#mayWrite = mayWrite;
	}

	/** Hands in the discussion document once it is open. */
	attach(talk: Y.Doc): void {
		this.#talk = talk;
		talk.on('update', this.#changed);
		this.#wantModel(talk);
		this.#notify();
	}

	/** The threads' code, fetched once (after a failed fetch, again when the member starts a thread). */
	#loadModel(): Promise<CommentsModel | null> {
		this.#modelLoading ??= import('$lib/model/comments.ts').then(
			(model) => {
				this.#model = model;
				this.loadError = null;
				this.#changed();
				if (this.#revealOnLoad) {
					this.#revealOnLoad = false;
					this.revealed++;
				}
				return model;
			},
			(e: unknown) => {
				this.#modelLoading = null;
				this.loadError = `The comments could not be loaded (offline before this version was saved on the device?): ${e instanceof Error ? e.message : String(e)}`;
				this.#notify();
				return null;
			}
		);
		return this.#modelLoading;
	}

	/** Loads the threads' code once the discussion holds a thread or a name. */
	#wantModel(talk: Y.Doc): void {
		if (this.#model || this.#modelLoading || this.loadError !== null) return;
		if (hasComments(talk)) void this.#loadModel();
	}

	/** Whether the discussion has threads whose code is still on its way (the panel says "Loading"). */
	get loading(): boolean {
		this.#subscribeTalk();
		return this.#talk !== null && this.#model === null && this.loadError === null && hasComments(this.#talk);
	}

	/** A name this discussion knows for a member (who wrote, reacted or resolved here). */
	nameOf(memberId: string): string | undefined {
		this.#subscribeTalk();
		return this.#talk ? commentNames(this.#talk).get(memberId) : undefined;
	}

	detach(): void {
		this.#talk?.off('update', this.#changed);
		this.#talk = null;
		this.#listeners.clear();
	}

	/**
	 * Runs a write on the discussion document for a thread or message component: true when it was
	 * made; false when the document is not open yet or the model refused, with the refusal's
	 * message in `onError` (null on success, to clear an earlier one).
	 */
	write(change: (talk: Y.Doc) => void, onError: (message: string | null) => void): boolean {
		const talk = this.#talk;
		if (!talk) return false;
		try {
			change(talk);
			onError(null);
			return true;
		} catch (e) {
			onError(e instanceof Error ? e.message : String(e));
			return false;
		}
	}

	get talk(): Y.Doc | null {
		return this.#talk;
	}

	get activeId(): string | null {
		return this.#active;
	}

	get draft(): Anchor | null {
		return this.#draft;
	}

	/** Every thread, placed in the editor's document (reactive: talk changes and editor changes). */
	get threads(): PlacedThread[] {
		this.#subscribeTalk();
		const view = this.#live.current;
		return this.#placement(view)?.threads ?? NO_THREADS;
	}

	/** The threads placed in `view`'s body now: the last placement while neither it nor the discussion changed. */
	#placement(view: EditorView | null): { threads: PlacedThread[]; body: BodyView | null } | null {
		const talk = this.#talk;
		const model = this.#model;
		if (!talk || !model) return null;
		const body = view && !view.isDestroyed ? commentBody(view.state) : null;
		const doc = body?.doc ?? null;
		const last = this.#placed;
		if (last && last.talk === talk && last.version === this.#version && last.doc === doc) return { threads: last.threads, body };
		const read = this.#readThreads(talk);
		let threads = body ? model.placeThreads(read, body) : read.map((thread) => ({ ...thread, range: null, deleted: false, byQuote: false }));
		// Nothing moved (text typed after every thread): the same list, so nothing downstream re-runs.
		if (last && last.talk === talk && last.version === this.#version && samePlaces(last.threads, threads)) threads = last.threads;
		this.#placed = { talk, version: this.#version, doc, threads };
		return { threads, body };
	}

	#readThreads(talk: Y.Doc): readonly Thread[] {
		const read = this.#read;
		if (read && read.talk === talk && read.version === this.#version) return read.threads;
		const threads = readThreads(talk);
		this.#read = { talk, version: this.#version, threads };
		return threads;
	}

	// ---- CommentHooks (the editor plugin) ----

	/**
	 * Open threads with where they are placed now (the plugin draws those ranges as they are when
	 * it decorates the same document). A thread placed by its quote (its anchored text was
	 * rewritten: see model/comments.ts) is anchored where it is placed now, so a later document the
	 * plugin places it in again still finds its text.
	 */
	anchors(): readonly CommentAnchor[] {
		const placement = this.#placement(this.#live.current);
		const body = placement?.body ?? null;
		const open: CommentAnchor[] = [];
		for (const thread of placement?.threads ?? []) {
			if (thread.resolved !== null) continue;
			const placed = body ? { doc: body.doc, range: thread.range } : undefined;
			if (thread.byQuote && thread.range && body) open.push({ id: thread.id, ...this.#model!.rangeAnchor(body, thread.range.from, thread.range.to), placed });
			else open.push({ id: thread.id, start: thread.start, end: thread.end, placed });
		}
		const draft = this.#draft;
		return draft ? [...open, { id: DRAFT_ID, start: draft.start, end: draft.end }] : open;
	}

	active(): string | null {
		return this.#active;
	}

	subscribe(listener: () => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/**
	 * A click on highlighted text, or a thread named by the page's URL (an inbox link): made active,
	 * and revealed in the panel — once the threads' code is here, when the discussion opened before it.
	 */
	activate(threadId: string): void {
		this.#setActive(threadId);
		if (this.#model) this.revealed++;
		else this.#revealOnLoad = true;
	}

	/**
	 * Starts writing a thread on the editor's selection (the toolbar's Comment, Mod-Alt-m): at once,
	 * or once the threads' code is here (the selection as it is then: the member is waiting for the form).
	 */
	start(view: EditorView): boolean {
		if (!this.canWrite || !commentBody(view.state)) return false;
		if (this.#model) this.#startDraft(view, this.#model);
		else void this.#loadModel().then((model) => model && !view.isDestroyed && this.#startDraft(view, model));
		return true;
	}

	#startDraft(view: EditorView, model: CommentsModel): void {
		const body = commentBody(view.state);
		if (!body) return;
		try {
			const { from, to } = view.state.selection;
			this.#draft = model.anchorSelection(body, from, to);
			this.error = null;
		} catch (e) {
			this.error = e instanceof Error ? e.message : String(e);
		}
		this.#notify();
	}

	place(body: BodyView, anchor: CommentAnchor): { readonly from: number; readonly to: number } | null {
		return this.#model?.placeAnchor(body, anchor.start, anchor.end).range ?? null;
	}

	// ---- the panel ----

	/** Whether this member may write here: false until the document is open; re-read as it changes (a newer schema arriving). */
	get canWrite(): boolean {
		this.#subscribeTalk();
		return this.#talk !== null && this.#mayWrite(this.#talk);
	}

	cancelDraft(): void {
		this.#draft = null;
		this.error = null;
		this.#notify();
	}

	/** After the draft became a thread. */
	started(threadId: string): void {
		this.#draft = null;
		this.error = null;
		this.#setActive(threadId);
	}

	/** Makes a thread active and selects its text in the editor, scrolled into view. */
	show(thread: PlacedThread): void {
		this.#setActive(thread.id);
		const view = this.#live.current;
		if (!view || view.isDestroyed) return;
		// Where it is in the document now (the one shown may be from before a teammate's change).
		const range = this.#placement(view)?.threads.find((t) => t.id === thread.id)?.range;
		if (!range) return;
		view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, range.from, range.to)).scrollIntoView());
	}

	#setActive(threadId: string | null): void {
		if (this.#active === threadId) return;
		this.#active = threadId;
		this.#notify();
	}

	readonly #changed = (): void => {
		this.#version++;
		if (this.#talk) this.#wantModel(this.#talk);
		this.#notify();
	};

	readonly #notify = (): void => {
		for (const listener of [...this.#listeners]) listener();
	};
}

/** Whether two placements of the same threads put each in the same place, in the same order. */
function samePlaces(a: readonly PlacedThread[], b: readonly PlacedThread[]): boolean {
	return a.length === b.length && a.every((x, i) => {
		const y = b[i]!;
		return x.id === y.id && x.deleted === y.deleted && x.byQuote === y.byQuote && x.range?.from === y.range?.from && x.range?.to === y.range?.to;
	});
}
