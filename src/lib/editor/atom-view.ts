/**
 * What the inline atoms drawn from live data share (page links show the target's current title,
 * mentions the member's current name): the view follows its source and redraws on every change,
 * is not editable inside, shows ProseMirror's selection, and owns its DOM (a redraw is not an edit
 * for ProseMirror to read back).
 */
import type { Node } from 'prosemirror-model';
import type { NodeView } from 'prosemirror-view';

export abstract class LiveAtomView<Dom extends HTMLElement> implements NodeView {
	readonly dom: Dom;
	protected node: Node;
	readonly #stop: () => void;

	/** `follow` starts following the source (calling `redraw` on each change) and returns how to stop. */
	constructor(node: Node, dom: Dom, follow: (redraw: () => void) => () => void) {
		this.node = node;
		this.dom = dom;
		this.dom.contentEditable = 'false';
		this.#stop = follow(() => this.draw());
	}

	/** Draws `node` as its source says now. Subclasses call it once their constructor is done. */
	protected abstract draw(): void;

	update(node: Node): boolean {
		if (node.type !== this.node.type) return false;
		this.node = node;
		this.draw();
		return true;
	}

	selectNode(): void {
		this.dom.classList.add('ProseMirror-selectednode');
	}

	deselectNode(): void {
		this.dom.classList.remove('ProseMirror-selectednode');
	}

	ignoreMutation(): boolean {
		return true;
	}

	destroy(): void {
		this.#stop();
	}
}
