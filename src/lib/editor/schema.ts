/**
 * The page schema for this slice: paragraphs, headings 1–3, bullet and numbered lists, bold,
 * italic, inline code and links. Node names are what y-prosemirror stores in the Y.XmlFragment,
 * so they are part of the document format: rename only with a migration.
 *
 * Content expressions are deliberately loose (`block+`, not `paragraph block*` in list items):
 * y-prosemirror drops nodes that become invalid after a concurrent merge, so a strict schema
 * loses text when two people delete around the same node (see y-prosemirror's CAVEATS.md).
 */
import { Schema, type MarkSpec, type NodeSpec } from 'prosemirror-model';

const nodes: Record<string, NodeSpec> = {
	doc: { content: 'block+' },
	paragraph: {
		group: 'block',
		content: 'inline*',
		parseDOM: [{ tag: 'p' }],
		toDOM: () => ['p', 0]
	},
	heading: {
		group: 'block',
		content: 'inline*',
		attrs: { level: { default: 1, validate: 'number' } },
		defining: true,
		parseDOM: [1, 2, 3].map((level) => ({ tag: `h${level}`, attrs: { level } })),
		toDOM: (node) => [`h${Math.min(3, Math.max(1, Number(node.attrs['level'])))}`, 0]
	},
	bullet_list: {
		group: 'block',
		content: 'list_item+',
		parseDOM: [{ tag: 'ul' }],
		toDOM: () => ['ul', 0]
	},
	ordered_list: {
		group: 'block',
		content: 'list_item+',
		attrs: { order: { default: 1, validate: 'number' } },
		parseDOM: [{ tag: 'ol', getAttrs: (dom) => ({ order: Number((dom as HTMLElement).getAttribute('start') ?? 1) || 1 }) }],
		toDOM: (node) => (node.attrs['order'] === 1 ? ['ol', 0] : ['ol', { start: node.attrs['order'] }, 0])
	},
	list_item: {
		content: 'block+',
		defining: true,
		parseDOM: [{ tag: 'li' }],
		toDOM: () => ['li', 0]
	},
	text: { group: 'inline' },
	hard_break: {
		inline: true,
		group: 'inline',
		selectable: false,
		parseDOM: [{ tag: 'br' }],
		toDOM: () => ['br']
	}
};

const marks: Record<string, MarkSpec> = {
	link: {
		attrs: { href: { validate: 'string' }, title: { default: null } },
		inclusive: false,
		parseDOM: [{ tag: 'a[href]', getAttrs: (dom) => ({ href: (dom as HTMLElement).getAttribute('href'), title: (dom as HTMLElement).getAttribute('title') }) }],
		toDOM: (mark) => ['a', { href: safeHref(String(mark.attrs['href'])), title: mark.attrs['title'], rel: 'noopener noreferrer nofollow', target: '_blank' }, 0]
	},
	em: {
		parseDOM: [{ tag: 'i' }, { tag: 'em' }, { style: 'font-style=italic' }],
		toDOM: () => ['em', 0]
	},
	strong: {
		parseDOM: [{ tag: 'strong' }, { tag: 'b' }, { style: 'font-weight', getAttrs: (value) => /^(bold(er)?|[5-9]\d{2,})$/.test(String(value)) && null }],
		toDOM: () => ['strong', 0]
	},
	code: {
		parseDOM: [{ tag: 'code' }],
		toDOM: () => ['code', 0]
	}
};

export const schema = new Schema({ nodes, marks });

/** Links from other members are data: only web, mail and relative links become clickable. */
export function safeHref(href: string): string {
	const trimmed = href.trim();
	if (/^(https?:|mailto:)/i.test(trimmed) || /^[/#?]/.test(trimmed)) return trimmed;
	if (!/^[a-z][a-z0-9+.-]*:/i.test(trimmed) && trimmed !== '') return `https://${trimmed}`;
	return '#';
}
