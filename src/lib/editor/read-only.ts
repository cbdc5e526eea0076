/**
 * Rendering a page body without the y-prosemirror binding, for editors that may not write
 * (viewers, commenters, and anyone meeting a document from a newer version of Meridian), and for
 * the body as it was at a version (history-render.ts).
 *
 * Why not ySyncPlugin with `editable: false`: when y-prosemirror renders an element it cannot
 * build (an unknown node or mark from a newer schema, invalid content), it *deletes that element
 * from the Y document* — even in a read-only editor — and the deletion is stored and synced like
 * any edit. A client that must not write must not run that code. This converter never touches
 * the Y document: unknown or invalid nodes are shown as well as we can (their text kept in
 * paragraphs), unknown marks are dropped from the rendering only.
 *
 * How the fragment is read is a `BodyReader`: the current state (`currentReader`), or a state at a
 * snapshot (history-render.ts), so the tolerant conversion exists once.
 */
import * as Y from 'yjs';
import { Fragment, type Mark, type Node, type NodeType, type Schema } from 'prosemirror-model';
import { schema as pageSchema } from './schema.ts';

const HASHED_MARK = /(.*)(--[a-zA-Z0-9+/=]{8})$/;

/** One run of text and its formatting attributes (mark name → attrs), as Y.Text deltas say. */
export interface DeltaOp {
	readonly insert: unknown;
	readonly attributes?: Record<string, unknown>;
}

/** How to read a body: which children to show, each text's runs, each element's attributes. */
export interface BodyReader {
	children(parent: Y.XmlElement | Y.XmlFragment): readonly unknown[];
	delta(text: Y.XmlText): readonly DeltaOp[];
	attributes(element: Y.XmlElement): Record<string, unknown>;
	/** Marks (name → attrs) for an inline element, such as "inserted since"; none when absent. */
	elementMarks?(element: Y.XmlElement): Record<string, unknown> | null;
}

/** The body as it is now. */
export const currentReader: BodyReader = {
	children: (parent) => parent.toArray(),
	delta: (text) => text.toDelta() as DeltaOp[],
	attributes: (element) => element.getAttributes() as Record<string, unknown>
};

class Converter {
	constructor(
		readonly schema: Schema,
		readonly reader: BodyReader
	) {}

	marksOf(attributes: Record<string, unknown> | null | undefined): Mark[] {
		const marks: Mark[] = [];
		for (const [key, attrs] of Object.entries(attributes ?? {})) {
			const name = HASHED_MARK.exec(key)?.[1] ?? key;
			const type = this.schema.marks[name];
			if (!type) continue;
			try {
				marks.push(type.create(attrs as Record<string, unknown> | null));
			} catch {
				// A mark with attributes we cannot read: show the text without it.
			}
		}
		return marks;
	}

	textNodes(text: Y.XmlText): Node[] {
		return this.reader
			.delta(text)
			.filter((d) => typeof d.insert === 'string' && d.insert !== '')
			.map((d) => this.schema.text(d.insert as string, this.marksOf(d.attributes)));
	}

	children(element: Y.XmlElement | Y.XmlFragment): Node[] {
		const out: Node[] = [];
		for (const child of this.reader.children(element)) {
			if (child instanceof Y.XmlText) out.push(...this.textNodes(child));
			else if (child instanceof Y.XmlElement) out.push(...this.convert(child));
		}
		return out;
	}

	/** Blocks that show whatever text `nodes` hold, for content we cannot place as it is. */
	asParagraphs(nodes: readonly Node[]): Node[] {
		const paragraph = this.schema.nodes['paragraph']!;
		const blocks: Node[] = [];
		let inline: Node[] = [];
		const flush = () => {
			if (inline.length) blocks.push(paragraph.create(null, inline));
			inline = [];
		};
		for (const node of nodes) {
			if (node.isInline) inline.push(node);
			else if (node.isTextblock) {
				flush();
				blocks.push(node.type === paragraph ? node : paragraph.create(null, node.type.spec.code ? (node.textContent ? this.schema.text(node.textContent) : null) : node.content));
			} else if (node.type.isInGroup('block')) {
				flush();
				blocks.push(node);
			} else {
				flush();
				const inner: Node[] = [];
				node.forEach((child) => inner.push(child));
				blocks.push(...this.asParagraphs(inner));
			}
		}
		flush();
		return blocks;
	}

	convert(element: Y.XmlElement): Node[] {
		const content = this.children(element);
		const type = this.schema.nodes[element.nodeName];
		if (!type || type === this.schema.topNodeType) return this.asParagraphs(content);
		const attrs = this.reader.attributes(element);
		const node = tryCreate(type, attrs, content) ?? tryCreate(type, {}, content);
		if (!node) return this.asParagraphs(content);
		const extra = node.isInline ? this.marksOf(this.reader.elementMarks?.(element)) : [];
		return [extra.length ? node.mark(extra.reduce((set, mark) => mark.addToSet(set), node.marks)) : node];
	}

	doc(fragment: Y.XmlFragment): Node {
		const top = this.children(fragment);
		return tryCreate(this.schema.topNodeType, {}, top) ?? this.schema.topNodeType.create(null, this.asParagraphs(top));
	}
}

function tryCreate(type: NodeType, attrs: Record<string, unknown>, content: readonly Node[]): Node | null {
	try {
		return type.createChecked(attrs, Fragment.fromArray([...content]));
	} catch {
		return null;
	}
}

/**
 * The document `reader` reads from a page body, in `schema` (the page schema unless a history
 * view adds its marks), built without ever writing to it. Always valid for the schema.
 */
export function convertBody(fragment: Y.XmlFragment, reader: BodyReader, schema: Schema = pageSchema): Node {
	return new Converter(schema, reader).doc(fragment);
}

/** The document a page body shows, built without ever writing to it. Always valid for the schema. */
export function readOnlyDoc(fragment: Y.XmlFragment): Node {
	return convertBody(fragment, currentReader);
}
