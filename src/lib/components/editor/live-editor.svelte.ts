/**
 * An EditorView as reactive state: components read `live.current` (the view, or null before it
 * exists) and re-run whenever the editor's state changes or it gains or loses focus.
 */
import { createSubscriber } from 'svelte/reactivity';
import type { EditorView } from 'prosemirror-view';

export class LiveEditor {
	#view: EditorView | null = null;
	#update: (() => void) | null = null;
	#subscribe = createSubscriber((update) => {
		this.#update = update;
		const onScroll = () => update();
		// Menus are positioned from the caret's screen coordinates, which scrolling changes.
		window.addEventListener('scroll', onScroll, { passive: true, capture: true });
		window.addEventListener('resize', onScroll, { passive: true });
		return () => {
			this.#update = null;
			window.removeEventListener('scroll', onScroll, { capture: true });
			window.removeEventListener('resize', onScroll);
		};
	});

	/** Hands in the view once it exists; pass as the editor's `onChange` afterwards. */
	attach(view: EditorView): void {
		this.#view = view;
		this.changed();
	}

	detach(): void {
		this.#view = null;
		this.changed();
	}

	readonly changed = (): void => {
		this.#update?.();
	};

	get current(): EditorView | null {
		this.#subscribe();
		return this.#view;
	}
}
