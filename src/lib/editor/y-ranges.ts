/**
 * Y items → ProseMirror ranges: where a piece of a page body's Yjs text is in the document an
 * editor shows. Anything that reads changes off the Y structs and draws them (catch-up's "changed
 * since" highlights, author colours) needs this one walk; history views do not (they read toDelta).
 *
 * The fragment and the rendered document are walked together: an XmlText's characters are one
 * position each, an element takes its rendered `nodeSize` (y-prosemirror's binding mapping, or
 * `bodySizes` for a read-only view — the same sizes comment anchors use, model/body-view.ts), and
 * its content starts one position in. A leaf (a mention, a rule) has no text inside; an element the
 * editor did not render (size 0) has nothing on screen, so its items have no position.
 *
 * Pure over the Y document and the mapping; build one per reading (it does not follow changes).
 * `bodyOf` gives the body as an editor state shows it, for the plugins that draw these ranges and
 * for placing comment anchors.
 */
import type { EditorState } from 'prosemirror-state';
import { ySyncPluginKey } from 'y-prosemirror';
import * as Y from 'yjs';
import { bodySizes, renderedSize, type BodyView, type SizeMapping } from '../model/body-view.ts';
import { schema } from './schema.ts';

/** The body as an editor shows it: the binding's mapping, or sizes measured for a read-only view. */
export function bodyOf(state: EditorState, fragment: Y.XmlFragment): BodyView {
	const binding = (ySyncPluginKey.getState(state) as { binding?: { mapping?: SizeMapping } } | undefined)?.binding;
	const mapping = binding?.mapping ?? bodySizes(fragment, (name) => schema.nodes[name]?.isLeaf ?? false);
	return { fragment, doc: state.doc, mapping };
}

/** A stretch of one Y item: `length` characters from `offset` (model/catch-up.ts ItemPiece). */
export interface ItemStretch {
	readonly item: Y.Item;
	readonly offset: number;
	readonly length: number;
}

/** Where each visible text item of a body starts in the rendered document. */
export class ItemPositions {
	readonly #starts = new Map<Y.Item, number>();
	readonly #size: number;

	constructor(body: BodyView) {
		this.#size = body.doc.content.size;
		this.#walk(body.fragment, 0, body.mapping);
	}

	/** Where a stretch of a text item is; null when the item is deleted or not rendered here. */
	range(stretch: ItemStretch): { from: number; to: number } | null {
		const start = this.#starts.get(stretch.item);
		if (start === undefined) return null;
		const from = start + stretch.offset;
		const to = from + stretch.length;
		return to > from && to <= this.#size ? { from, to } : null;
	}

	/** Every visible text item with where it starts, in document order (the order of the walk). */
	items(): IterableIterator<[Y.Item, number]> {
		return this.#starts.entries();
	}

	/** The ranges of several stretches, touching ones joined, in document order. */
	ranges(stretches: readonly ItemStretch[]): { from: number; to: number }[] {
		const placed = stretches.map((s) => this.range(s)).filter((r) => r !== null).sort((a, b) => a.from - b.from);
		const out: { from: number; to: number }[] = [];
		for (const range of placed) {
			const last = out.at(-1);
			if (last && last.to >= range.from) last.to = Math.max(last.to, range.to);
			else out.push({ ...range });
		}
		return out;
	}

	#walk(type: Y.XmlFragment | Y.XmlElement, pos: number, mapping: SizeMapping): number {
		for (let item = type._start; item !== null; item = item.right) {
			if (item.deleted || !(item.content instanceof Y.ContentType)) continue;
			const child = item.content.type as Y.AbstractType<unknown>;
			if (child instanceof Y.XmlText) pos = this.#text(child, pos);
			else if (child instanceof Y.XmlElement) {
				const size = renderedSize(mapping, item.content.type as Y.AbstractType<unknown>);
				if (size > 1) this.#walk(child, pos + 1, mapping);
				pos += size;
			}
		}
		return pos;
	}

	#text(text: Y.XmlText, pos: number): number {
		for (let item = text._start; item !== null; item = item.right) {
			if (item.deleted || !item.countable) continue;
			this.#starts.set(item, pos);
			pos += item.length;
		}
		return pos;
	}
}
