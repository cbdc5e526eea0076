/**
 * The page body as an editor shows it, for turning Yjs positions into ProseMirror ones: the
 * comments' anchors (comments.ts), the authors' and the catch-up highlights (editor/y-ranges.ts).
 * Apart from comments.ts so that the highlights, which every page has, do not load the threads.
 */
import * as Y from 'yjs';
import type { Node as PMNode } from 'prosemirror-model';

/**
 * The page body as one editor shows it: the fragment, the ProseMirror document rendered from it,
 * and the size of each rendered element (y-prosemirror's binding mapping, or `bodySizes` for an
 * editor without a binding).
 */
export interface BodyView {
	readonly fragment: Y.XmlFragment;
	readonly doc: PMNode;
	readonly mapping: SizeMapping;
}

/** What anchoring reads of a mapping: each Y.XmlElement's rendered `nodeSize`. */
export type SizeMapping = ReadonlyMap<Y.AbstractType<unknown>, { readonly nodeSize: number } | readonly unknown[]>;

/**
 * Sizes of a fragment's elements as they render, for an editor without a y-prosemirror binding
 * (read-only views: see editor/read-only.ts). `isLeaf` says which node names have no content.
 */
export function bodySizes(fragment: Y.XmlFragment, isLeaf: (nodeName: string) => boolean): SizeMapping {
	const sizes = new Map<Y.AbstractType<unknown>, { nodeSize: number }>();
	const measure = (type: Y.XmlElement | Y.XmlFragment): number => {
		let size = 0;
		for (const child of type.toArray()) {
			if (child instanceof Y.XmlText) size += child.length;
			else if (child instanceof Y.XmlElement) size += measure(child);
		}
		if (type instanceof Y.XmlElement) {
			size = isLeaf(type.nodeName) ? 1 : size + 2;
			sizes.set(type as Y.AbstractType<unknown>, { nodeSize: size });
		}
		return size;
	};
	measure(fragment);
	return sizes;
}

/** The positions an element takes in the rendered document; 0 when the editor did not render it. */
export function renderedSize(mapping: SizeMapping, type: Y.AbstractType<unknown>): number {
	const rendered = mapping.get(type);
	return rendered && 'nodeSize' in rendered && typeof rendered.nodeSize === 'number' ? rendered.nodeSize : 0;
}
