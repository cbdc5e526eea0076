/**
 * The page schema. Node and mark names (and attribute names) are what y-prosemirror stores in the
 * page's Y.XmlFragment, so they are the document format: rename only with a migration.
 *
 * Concurrency rules (y-prosemirror CAVEATS.md, "Schema mismatches under concurrency"): when a merged
 * Y document renders to a node that does not satisfy its content expression or whose attributes
 * fail validation, y-prosemirror deletes that element *from the Y document* on the peer that
 * renders it, and the deletion syncs. Whatever a teammate concurrently inserted into it (and has not
 * reached this peer yet) is then lost. So:
 *
 * - Every container is `*`, never `+` or `first rest*`: two people deleting the last two
 *   paragraphs of a callout (or the last two rows of a table) leave an empty callout, not a dropped
 *   one. `fixup.ts` puts an empty paragraph back into an empty container, but only for the local
 *   user's own edits (see there why not on merges).
 * - New attributes are not validated at construction (a bad value from another client would drop
 *   the node and its text); they are normalised where they are read (`calloutTone`, `codeLanguage`,
 *   `Boolean(checked)`, `safeHref`). The older `heading.level`, `ordered_list.order` and the
 *   tables' `colspan`/`rowspan` keep their validators: our own writes always store numbers.
 * - `code_block` allows no marks (it is plain text). A merge cannot put a mark into it through
 *   our editor, which never offers marks there; a foreign client writing one would lose that block.
 */
import { Schema, type MarkSpec, type Node, type NodeSpec } from 'prosemirror-model';
import { isId } from '../model/ids.ts';
import { cleanLabel } from '../model/mentions.ts';

export const CALLOUT_TONES = ['info', 'warning', 'success', 'danger'] as const;
export type CalloutTone = (typeof CALLOUT_TONES)[number];

/** A callout's tone as stored by anyone, read as one we know (unknown values read as info). */
export function calloutTone(value: unknown): CalloutTone {
	return (CALLOUT_TONES as readonly unknown[]).includes(value) ? (value as CalloutTone) : 'info';
}

/** A code block's language label as stored by anyone: a short identifier, or '' for none. */
export function codeLanguage(value: unknown): string {
	if (typeof value !== 'string') return '';
	const clean = value.trim().toLowerCase().replace(/[^a-z0-9_+#.-]/g, '');
	return clean.slice(0, 32);
}

// ---- tables: the nodes prosemirror-tables' `tableNodes({ tableGroup: 'block', cellContent: 'block*' })`
// builds (the same names, attributes, DOM and `tableRole`s the library finds them by), written out
// so the library itself loads only with a page's first table (tables.ts); a table holds `table_row*`.

/** A cell's attributes from pasted or imported HTML. */
function cellAttrsFromDOM(dom: HTMLElement): { colspan: number; rowspan: number; colwidth: number[] | null } {
	const widthAttr = dom.getAttribute('data-colwidth');
	const widths = widthAttr && /^\d+(,\d+)*$/.test(widthAttr) ? widthAttr.split(',').map((s) => Number(s)) : null;
	const colspan = Number(dom.getAttribute('colspan') || 1);
	return { colspan, rowspan: Number(dom.getAttribute('rowspan') || 1), colwidth: widths && widths.length === colspan ? widths : null };
}

function cellAttrsToDOM(node: Node): Record<string, string | number> {
	const attrs: Record<string, string | number> = {};
	if (node.attrs['colspan'] !== 1) attrs['colspan'] = node.attrs['colspan'];
	if (node.attrs['rowspan'] !== 1) attrs['rowspan'] = node.attrs['rowspan'];
	if (node.attrs['colwidth']) attrs['data-colwidth'] = (node.attrs['colwidth'] as number[]).join(',');
	return attrs;
}

function validateColwidth(value: unknown): void {
	if (value === null) return;
	if (!Array.isArray(value)) throw new TypeError('colwidth must be null or an array');
	for (const item of value) if (typeof item !== 'number') throw new TypeError('colwidth must be null or an array of numbers');
}

function tableCell(tag: 'td' | 'th', tableRole: 'cell' | 'header_cell'): NodeSpec {
	return {
		content: 'block*',
		attrs: { colspan: { default: 1, validate: 'number' }, rowspan: { default: 1, validate: 'number' }, colwidth: { default: null, validate: validateColwidth } },
		tableRole,
		isolating: true,
		parseDOM: [{ tag, getAttrs: (dom) => cellAttrsFromDOM(dom) }],
		toDOM: (node) => [tag, cellAttrsToDOM(node), 0]
	};
}

const nodes: Record<string, NodeSpec> = {
	doc: { content: 'block*' },
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
		// h4–h6 from pasted HTML become level 3: the editor offers three levels.
		parseDOM: [1, 2, 3, 4, 5, 6].map((level) => ({ tag: `h${level}`, attrs: { level: Math.min(level, 3) } })),
		toDOM: (node) => [`h${headingLevel(node.attrs['level'])}`, 0]
	},
	blockquote: {
		group: 'block',
		content: 'block*',
		defining: true,
		parseDOM: [{ tag: 'blockquote' }],
		toDOM: () => ['blockquote', 0]
	},
	callout: {
		group: 'block',
		content: 'block*',
		defining: true,
		attrs: { tone: { default: 'info' } },
		parseDOM: [
			{
				tag: 'div[data-callout]',
				getAttrs: (dom) => ({ tone: calloutTone((dom as HTMLElement).getAttribute('data-callout')) })
			},
			{ tag: 'aside', getAttrs: () => ({ tone: 'info' }) }
		],
		toDOM: (node) => {
			const tone = calloutTone(node.attrs['tone']);
			return ['div', { class: `callout callout-${tone}`, 'data-callout': tone, role: 'note', 'aria-label': tone }, 0];
		}
	},
	code_block: {
		group: 'block',
		content: 'text*',
		marks: '',
		code: true,
		defining: true,
		attrs: { language: { default: '' } },
		parseDOM: [
			{
				tag: 'pre',
				preserveWhitespace: 'full',
				getAttrs: (dom) => {
					const el = dom as HTMLElement;
					const fromClass = /(?:^|\s)language-(\S+)/.exec(el.querySelector('code')?.className ?? '')?.[1];
					return { language: codeLanguage(el.getAttribute('data-language') ?? fromClass ?? '') };
				}
			}
		],
		toDOM: (node) => {
			const language = codeLanguage(node.attrs['language']);
			return ['pre', language ? { 'data-language': language } : {}, ['code', language ? { class: `language-${language}` } : {}, 0]];
		}
	},
	horizontal_rule: {
		group: 'block',
		parseDOM: [{ tag: 'hr' }],
		toDOM: () => ['hr']
	},
	bullet_list: {
		group: 'block',
		content: 'list_item*',
		parseDOM: [{ tag: 'ul' }],
		toDOM: () => ['ul', 0]
	},
	ordered_list: {
		group: 'block',
		content: 'list_item*',
		attrs: { order: { default: 1, validate: 'number' } },
		parseDOM: [{ tag: 'ol', getAttrs: (dom) => ({ order: Number((dom as HTMLElement).getAttribute('start') ?? 1) || 1 }) }],
		toDOM: (node) => (node.attrs['order'] === 1 ? ['ol', 0] : ['ol', { start: node.attrs['order'] }, 0])
	},
	list_item: {
		content: 'block*',
		defining: true,
		parseDOM: [{ tag: 'li' }],
		toDOM: () => ['li', 0]
	},
	task_list: {
		group: 'block',
		content: 'task_item*',
		parseDOM: [
			{ tag: 'ul[data-type="taskList"]', priority: 60 },
			// GitHub's rendered task lists.
			{ tag: 'ul.contains-task-list', priority: 60 }
		],
		toDOM: () => ['ul', { 'data-type': 'taskList', class: 'task-list' }, 0]
	},
	task_item: {
		content: 'block*',
		defining: true,
		attrs: { checked: { default: false } },
		parseDOM: [
			{
				tag: 'li[data-type="taskItem"]',
				priority: 60,
				getAttrs: (dom) => ({ checked: (dom as HTMLElement).getAttribute('data-checked') === 'true' })
			},
			{
				tag: 'li.task-list-item',
				priority: 60,
				getAttrs: (dom) => ({ checked: Boolean((dom as HTMLElement).querySelector('input[type=checkbox]:checked')) })
			}
		],
		toDOM: (node) => ['li', { 'data-type': 'taskItem', 'data-checked': node.attrs['checked'] ? 'true' : 'false' }, 0]
	},
	table: { content: 'table_row*', tableRole: 'table', isolating: true, group: 'block', parseDOM: [{ tag: 'table' }], toDOM: () => ['table', ['tbody', 0]] },
	table_row: { content: '(table_cell | table_header)*', tableRole: 'row', parseDOM: [{ tag: 'tr' }], toDOM: () => ['tr', 0] },
	table_cell: tableCell('td', 'cell'),
	table_header: tableCell('th', 'header_cell'),
	text: { group: 'inline' },
	// A link to another page of the workspace, by id: it shows the target's current title (read
	// from the workspace index by page-link.ts), so it survives renames. One attribute, not
	// validated (a bad value from another client must not drop the node): read with `pageLinkId`.
	page_link: {
		inline: true,
		group: 'inline',
		atom: true,
		selectable: true,
		draggable: false,
		attrs: { pageId: { default: '' } },
		parseDOM: [
			{
				tag: 'a[data-page-id]',
				priority: 60,
				getAttrs: (dom) => {
					const id = pageLinkId((dom as HTMLElement).getAttribute('data-page-id'));
					return id ? { pageId: id } : false;
				}
			}
		],
		// What the clipboard and other renderers without the node view get; the editor shows the title.
		toDOM: (node) => ['a', { class: 'page-link', 'data-page-id': pageLinkId(node.attrs['pageId']) }, 'Linked page']
	},
	// A mention of a member, by id: shows the member's current name (mention-view.ts) and reaches
	// their inbox. `label` is the name when it was written, shown as plain text when the member is
	// not known here. Since schema 2: a body holding one is stamped with MENTION_SCHEMA_VERSION, so
	// older clients turn read-only instead of deleting what they cannot render.
	// `id`, `by` and `at` say which mention this is, who wrote it and when (ms), written once when it
	// is inserted here (mention-stamp.ts `identifyMentions`). y-prosemirror recreates an element that
	// is moved (a block dragged, cut and pasted) under the mover's client, so the Y item cannot tell
	// who mentioned whom; the attributes travel with the node, through the clipboard too (`data-*`).
	// Their defaults are null so that y-prosemirror neither stores them nor counts a mention written
	// before them as changed. Attributes are not validated (read with `mentionMember`,
	// `mentionLabel`, `mentionId`, `mentionBy`, `mentionAt`).
	mention: {
		inline: true,
		group: 'inline',
		atom: true,
		selectable: true,
		draggable: false,
		attrs: { member: { default: '' }, label: { default: '' }, id: { default: null }, by: { default: null }, at: { default: null } },
		leafText: (node) => `@${mentionLabel(node.attrs['label'])}`,
		parseDOM: [
			{
				tag: 'span[data-mention]',
				priority: 60,
				getAttrs: (dom) => {
					const el = dom as HTMLElement;
					const member = mentionMember(el.getAttribute('data-mention'));
					if (!member) return false;
					const label = mentionLabel(el.getAttribute('data-label') ?? el.textContent?.replace(/^@/, '') ?? '');
					// Without an id it is a new mention (pasted from elsewhere): the paster's, stamped when inserted.
					const id = mentionId(el.getAttribute('data-mention-id'));
					if (!id) return { member, label };
					const at = el.getAttribute('data-at');
					return { member, label, id, by: mentionBy(el.getAttribute('data-by')) || null, at: at ? mentionAt(Number(at)) : null };
				}
			}
		],
		toDOM: (node) => {
			const label = mentionLabel(node.attrs['label']);
			const id = mentionId(node.attrs['id']);
			// Null attributes are left out of the DOM.
			const identity = id ? { 'data-mention-id': id, 'data-by': mentionBy(node.attrs['by']) || null, 'data-at': mentionAt(node.attrs['at'])?.toString() ?? null } : {};
			return ['span', { class: 'mention', 'data-mention': mentionMember(node.attrs['member']), 'data-label': label, ...identity }, `@${label}`];
		}
	},
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
		// No validator on href: a non-string from another client must not drop the text it marks.
		attrs: { href: { default: '' }, title: { default: null } },
		inclusive: false,
		parseDOM: [
			{
				tag: 'a[href]',
				getAttrs: (dom) => {
					const href = cleanHref((dom as HTMLElement).getAttribute('href') ?? '');
					// A link we would not follow is pasted as plain text.
					if (href === null) return false;
					return { href, title: cleanTitle((dom as HTMLElement).getAttribute('title')) };
				}
			}
		],
		toDOM: (mark) => ['a', { href: safeHref(String(mark.attrs['href'] ?? '')), title: mark.attrs['title'], rel: 'noopener noreferrer nofollow', target: '_blank' }, 0]
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
	},
	strike: {
		parseDOM: [{ tag: 's' }, { tag: 'del' }, { tag: 'strike' }, { style: 'text-decoration=line-through' }, { style: 'text-decoration-line=line-through' }],
		toDOM: () => ['s', 0]
	}
};

export const schema = new Schema({ nodes, marks });

/** A page link's target as stored by anyone: a short id of safe characters, or '' for none. */
export function pageLinkId(value: unknown): string {
	return isId(value) ? value : '';
}

/** A mention's member as stored by anyone: an id, or '' for none. */
export function mentionMember(value: unknown): string {
	return pageLinkId(value);
}

/** A mention's own id as stored by anyone: an id, or '' for none (a mention written before ids). */
export function mentionId(value: unknown): string {
	return pageLinkId(value);
}

/** Who wrote a mention, as stored by anyone: a member id, or '' for nobody recorded. */
export function mentionBy(value: unknown): string {
	return pageLinkId(value);
}

/** When a mention was written (ms), as stored by anyone; null when unknown. */
export function mentionAt(value: unknown): number | null {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 8.64e15 ? value : null;
}

/** A mention's label as stored by anyone: one line of at most 80 characters ('Member' when empty). */
export function mentionLabel(value: unknown): string {
	return cleanLabel(value) || 'Member';
}

export function headingLevel(value: unknown): 1 | 2 | 3 {
	const level = Number(value);
	return level <= 1 || !Number.isFinite(level) ? 1 : level >= 3 ? 3 : 2;
}

/** The longest link target we store; longer ones are refused rather than truncated into another address. */
export const MAX_HREF_LENGTH = 2048;
const MAX_TITLE_LENGTH = 500;

// C0 and C1 controls, DEL, and the invisible direction/joiner marks that disguise an address.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** Links from other members are data: only web, mail and relative links become clickable. */
export function safeHref(href: string): string {
	return cleanHref(href) ?? '#';
}

/**
 * A link target as we store it: controls and whitespace stripped, http(s), mailto or relative
 * (a bare `example.com` becomes https), at most MAX_HREF_LENGTH characters. Null when it is
 * none of those (javascript:, data:, too long, empty).
 */
export function cleanHref(href: string): string | null {
	const trimmed = href.replace(CONTROLS, '').trim();
	if (trimmed === '' || trimmed.length > MAX_HREF_LENGTH) return null;
	if (/^(https?:|mailto:)/i.test(trimmed) || /^[/#?]/.test(trimmed)) return trimmed;
	if (!/^[a-z][a-z0-9+.-]*:/i.test(trimmed) && !/\s/.test(trimmed)) {
		const withScheme = `https://${trimmed}`;
		return withScheme.length > MAX_HREF_LENGTH ? null : withScheme;
	}
	return null;
}

/** Link titles and other short labels: controls removed, length capped, empty becomes null. */
export function cleanTitle(title: string | null | undefined): string | null {
	if (title == null) return null;
	const clean = title.replace(CONTROLS, ' ').replace(/\s+/g, ' ').trim().slice(0, MAX_TITLE_LENGTH);
	return clean === '' ? null : clean;
}

/** Text that becomes a link's visible text: controls removed, length capped. */
export function cleanLinkText(text: string, max = 2048): string {
	return text.replace(CONTROLS, '').slice(0, max);
}
