/**
 * Rendering a page body without the y-prosemirror binding, for editors that may not write
 * (viewers, commenters, and anyone meeting a document from a newer version of Meridian).
 *
 * Why not ySyncPlugin with `editable: false`: when y-prosemirror renders an element it cannot
 * build (an unknown node or mark from a newer schema, invalid content), it *deletes that element
 * from the Y document* — even in a read-only editor — and the deletion is stored and synced like
 * any edit. A client that must not write must not run that code. This converter never touches
 * the Y document: unknown or invalid nodes are shown as well as we can (their text kept in
 * paragraphs), unknown marks are dropped from the rendering only.
 */
import * as Y from 'yjs';
import { Fragment, type Mark, type Node, type NodeType } from 'prosemirror-model';
import { schema } from './schema.ts';

const HASHED_MARK = /(.*)(--[a-zA-Z0-9+/=]{8})$/;

function marksOf(attributes: Record<string, unknown> | undefined): Mark[] {
	const marks: Mark[] = [];
	for (const [key, attrs] of Object.entries(attributes ?? {})) {
		const name = HASHED_MARK.exec(key)?.[1] ?? key;
		const type = schema.marks[name];
		if (!type) continue;
		try {
			marks.push(type.create(attrs as Record<string, unknown> | null));
		} catch {
			// A mark with attributes we cannot read: show the text without it.
		}
	}
	return marks;
}

function textNodes(text: Y.XmlText): Node[] {
	const delta = text.toDelta() as Array<{ insert: unknown; attributes?: Record<string, unknown> }>;
	return delta.filter((d) => typeof d.insert === 'string' && d.insert !== '').map((d) => schema.text(d.insert as string, marksOf(d.attributes)));
}

function children(element: Y.XmlElement | Y.XmlFragment): Node[] {
	const out: Node[] = [];
	for (const child of element.toArray()) {
		if (child instanceof Y.XmlText) out.push(...textNodes(child));
		else if (child instanceof Y.XmlElement) out.push(...convert(child));
	}
	return out;
}

/** Blocks that show whatever text `nodes` hold, for content we cannot place as it is. */
function asParagraphs(nodes: readonly Node[]): Node[] {
	const blocks: Node[] = [];
	let inline: Node[] = [];
	const flush = () => {
		if (inline.length) blocks.push(schema.nodes['paragraph']!.create(null, inline));
		inline = [];
	};
	for (const node of nodes) {
		if (node.isInline) inline.push(node);
		else if (node.isTextblock) {
			flush();
			blocks.push(node.type === schema.nodes['paragraph'] ? node : schema.nodes['paragraph']!.create(null, node.type.spec.code ? (node.textContent ? schema.text(node.textContent) : null) : node.content));
		} else if (node.type.isInGroup('block')) {
			flush();
			blocks.push(node);
		} else {
			flush();
			const inner: Node[] = [];
			node.forEach((child) => inner.push(child));
			blocks.push(...asParagraphs(inner));
		}
	}
	flush();
	return blocks;
}

function tryCreate(type: NodeType, attrs: Record<string, unknown>, content: readonly Node[]): Node | null {
	try {
		return type.createChecked(attrs, Fragment.fromArray([...content]));
	} catch {
		return null;
	}
}

function convert(element: Y.XmlElement): Node[] {
	const content = children(element);
	const type = schema.nodes[element.nodeName];
	if (!type || type === schema.topNodeType) return asParagraphs(content);
	return [tryCreate(type, element.getAttributes() as Record<string, unknown>, content) ?? tryCreate(type, {}, content) ?? asParagraphs(content)].flat();
}

/** The document a page body shows, built without ever writing to it. Always valid for the schema. */
export function readOnlyDoc(fragment: Y.XmlFragment): Node {
	const top = children(fragment);
	const doc = tryCreate(schema.topNodeType, {}, top) ?? schema.topNodeType.create(null, asParagraphs(top));
	return doc;
}
