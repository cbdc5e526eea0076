/**
 * A task item drawn with a real checkbox (keyboard- and screen-reader-operable), outside the
 * editable content. Toggling it is an ordinary attribute change, so it syncs and undoes like text.
 */
import type { Node } from 'prosemirror-model';
import type { EditorView, NodeView, ViewMutationRecord } from 'prosemirror-view';
import { mayEdit } from './refuse-edits.ts';

export class TaskItemView implements NodeView {
	readonly dom: HTMLLIElement;
	readonly contentDOM: HTMLDivElement;
	readonly #checkbox: HTMLInputElement;
	#node: Node;

	constructor(node: Node, view: EditorView, getPos: () => number | undefined) {
		this.#node = node;
		this.dom = document.createElement('li');
		this.dom.dataset['type'] = 'taskItem';
		this.#checkbox = document.createElement('input');
		this.#checkbox.type = 'checkbox';
		this.#checkbox.contentEditable = 'false';
		this.#checkbox.setAttribute('aria-label', 'Done');
		this.#checkbox.addEventListener('change', () => {
			const pos = getPos();
			if (pos === undefined || !mayEdit(view)) {
				this.#render();
				return;
			}
			view.dispatch(view.state.tr.setNodeAttribute(pos, 'checked', this.#checkbox.checked));
		});
		this.contentDOM = document.createElement('div');
		this.dom.append(this.#checkbox, this.contentDOM);
		// A commenter's body is editable for the caret only (refuse-edits.ts): no live checkbox there.
		this.#render(mayEdit(view));
	}

	#render(editable?: boolean): void {
		const checked = Boolean(this.#node.attrs['checked']);
		this.dom.dataset['checked'] = String(checked);
		this.#checkbox.checked = checked;
		if (editable !== undefined) this.#checkbox.disabled = !editable;
	}

	update(node: Node): boolean {
		if (node.type !== this.#node.type) return false;
		this.#node = node;
		this.#render();
		return true;
	}

	stopEvent(event: Event): boolean {
		return event.target === this.#checkbox;
	}

	ignoreMutation(mutation: ViewMutationRecord): boolean {
		return mutation.target === this.#checkbox || (mutation.type === 'attributes' && mutation.target === this.dom);
	}
}
