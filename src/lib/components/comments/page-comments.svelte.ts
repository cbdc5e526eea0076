/**
 * A page's comments as reactive state: the discussion document (loaded once), the threads as the
 * editor shows them, which thread is active, and the thread being written. It is also what the
 * editor's comments plugin reads (editor/comments.ts `CommentHooks`), so the highlights, the toolbar
 * and the panel share one source.
 */
import { createSubscriber } from 'svelte/reactivity';
import { TextSelection } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import type * as Y from 'yjs';
import { anchorSelection, listThreads, readThreads, type Anchor, type PlacedThread } from '$lib/model/comments.ts';
import { commentBody, DRAFT_ID, type CommentAnchor, type CommentHooks } from '$lib/editor/comments.ts';
import type { LiveEditor } from '$lib/components/editor/live-editor.svelte.ts';

export class PageComments implements CommentHooks {
	readonly #live: LiveEditor;
	readonly #listeners = new Set<() => void>();
	#talk = $state.raw<Y.Doc | null>(null);
	#active = $state<string | null>(null);
	#draft = $state.raw<Anchor | null>(null);
	/** Why the last attempt to start a thread failed (no text selected), shown by the panel. */
	error = $state<string | null>(null);
	/** Bumped when the active thread came from a click in the text, so the panel scrolls to it. */
	revealed = $state(0);
	#subscribeTalk = createSubscriber((update) => this.subscribe(update));

	readonly #mayWrite: (talk: Y.Doc) => boolean;

	/** `mayWrite` says whether this member may write a discussion document (role and schema version). */
	constructor(live: LiveEditor, mayWrite: (talk: Y.Doc) => boolean) {
		this.#live = live;
		this.#mayWrite = mayWrite;
	}

	/** Hands in the discussion document once it is open. */
	attach(talk: Y.Doc): void {
		this.#talk = talk;
		talk.on('update', this.#notify);
		this.#notify();
	}

	detach(): void {
		this.#talk?.off('update', this.#notify);
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
		const talk = this.#talk;
		const view = this.#live.current;
		if (!talk) return [];
		const body = view && !view.isDestroyed ? commentBody(view.state) : null;
		if (!body) return readThreads(talk).map((thread) => ({ ...thread, range: null, deleted: false }));
		return listThreads(talk, body);
	}

	// ---- CommentHooks (the editor plugin) ----

	anchors(): readonly CommentAnchor[] {
		const talk = this.#talk;
		const open: CommentAnchor[] = talk ? readThreads(talk).filter((thread) => thread.resolved === null) : [];
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

	/** A click on highlighted text. */
	activate(threadId: string): void {
		this.#setActive(threadId);
		this.revealed++;
	}

	/** Starts writing a thread on the editor's selection (the toolbar's Comment, Mod-Alt-m). */
	start(view: EditorView): boolean {
		if (!this.canWrite) return false;
		const body = commentBody(view.state);
		if (!body) return false;
		try {
			const { from, to } = view.state.selection;
			this.#draft = anchorSelection(body, from, to);
			this.error = null;
		} catch (e) {
			this.error = e instanceof Error ? e.message : String(e);
		}
		this.#notify();
		return true;
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
		if (!view || view.isDestroyed || !thread.range) return;
		const { from, to } = thread.range;
		view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, from, to)).scrollIntoView());
	}

	#setActive(threadId: string | null): void {
		if (this.#active === threadId) return;
		this.#active = threadId;
		this.#notify();
	}

	readonly #notify = (): void => {
		for (const listener of [...this.#listeners]) listener();
	};
}
