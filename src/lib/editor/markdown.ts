/**
 * Markdown out and in: GitHub-flavoured Markdown for the page schema.
 *
 * Out: prosemirror-markdown's serializer, plus task lists (`- [ ]` / `- [x]`), GFM pipe tables,
 * strike (`~~`), callouts as GitHub alerts (`> [!NOTE]`), code blocks with their language,
 * mentions as the plain text `@Name` (a Markdown file has no members to point at).
 * In: markdown-it (its default preset has GFM tables and strikethrough; raw HTML stays text),
 * with a token pass for what markdown-it does not know: task items, alerts, images (which become
 * links — the schema has no images, and nothing is fetched), `<br>` in table cells, unsafe links.
 *
 * What does not survive a round trip exactly (documented, and each is stable after one pass):
 * soft line breaks inside a paragraph become spaces; headings 4–6 become level 3; a table's first
 * row is always its header row; several blocks in one table cell are joined with `<br>`;
 * `IMPORTANT` alerts read as info callouts (`NOTE`); list markers are normalised to `-` and `1.`.
 */
import MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';
import { MarkdownParser, MarkdownSerializer, defaultMarkdownSerializer, type MarkdownSerializerState } from 'prosemirror-markdown';
import { Slice, type Node } from 'prosemirror-model';
import { schema, calloutTone, cleanHref, cleanTitle, codeLanguage, headingLevel, mentionLabel, mentionMember, pageLinkId, type CalloutTone } from './schema.ts';

const ALERT_OF_TONE: Record<CalloutTone, string> = { info: 'NOTE', success: 'TIP', warning: 'WARNING', danger: 'CAUTION' };
const TONE_OF_ALERT: Record<string, CalloutTone> = { NOTE: 'info', IMPORTANT: 'info', TIP: 'success', WARNING: 'warning', CAUTION: 'danger' };

// ---------------------------------------------------------------------------------------------
// Out

function renderFence(state: MarkdownSerializerState, node: Node): void {
	const text = node.textContent;
	const longest = Math.max(2, ...(text.match(/`{3,}/g) ?? []).map((run) => run.length));
	const fence = '`'.repeat(longest + 1);
	state.write(fence + codeLanguage(node.attrs['language']) + '\n');
	state.text(text, false);
	state.ensureNewLine();
	state.write(fence);
	state.closeBlock(node);
}

/** A table cell's content on one line: inline Markdown, blocks and line breaks as `<br>`, pipes escaped. */
function cellMarkdown(cell: Node): string {
	const parts: string[] = [];
	cell.forEach((block) => {
		const asParagraph = block.isTextblock && block.type !== schema.nodes['code_block'] ? schema.nodes['paragraph']!.create(null, block.content) : block;
		const md = serializer.serialize(schema.nodes['doc']!.create(null, asParagraph), { tightLists: true }).trim();
		if (md) parts.push(md);
	});
	return parts
		.join('<br>')
		.replace(/\\\n/g, '<br>')
		.replace(/\n+/g, '<br>')
		.replace(/\|/g, '\\|');
}

function renderTable(state: MarkdownSerializerState, node: Node): void {
	const rows: string[][] = [];
	node.forEach((row) => {
		const cells: string[] = [];
		row.forEach((cell) => cells.push(cellMarkdown(cell)));
		rows.push(cells);
	});
	const width = Math.max(0, ...rows.map((r) => r.length));
	if (width === 0) return;
	const line = (cells: string[]) => `| ${Array.from({ length: width }, (_, i) => cells[i] ?? '').join(' | ')} |`;
	const [header, ...body] = rows;
	const lines = [line(header!), `|${' --- |'.repeat(width)}`, ...body.map(line)];
	lines.forEach((text, i) => {
		if (i > 0) state.ensureNewLine();
		state.write(text);
	});
	state.closeBlock(node);
}

const defaults = defaultMarkdownSerializer;

const serializer: MarkdownSerializer = new MarkdownSerializer(
	{
		doc: (state, node) => state.renderContent(node),
		paragraph: (state, node) => {
			state.renderInline(node);
			state.closeBlock(node);
		},
		heading: (state, node) => {
			state.write(`${'#'.repeat(headingLevel(node.attrs['level']))} `);
			state.renderInline(node, false);
			state.closeBlock(node);
		},
		blockquote: (state, node) => state.wrapBlock('> ', null, node, () => state.renderContent(node)),
		callout: (state, node) =>
			state.wrapBlock('> ', null, node, () => {
				state.write(`[!${ALERT_OF_TONE[calloutTone(node.attrs['tone'])]}]`);
				state.ensureNewLine();
				state.renderContent(node);
			}),
		code_block: renderFence,
		horizontal_rule: (state, node) => {
			state.write('---');
			state.closeBlock(node);
		},
		bullet_list: (state, node) => state.renderList(node, '  ', () => '- '),
		ordered_list: (state, node) => {
			const start = Number(node.attrs['order']) || 1;
			const maxWidth = String(start + node.childCount - 1).length;
			const space = ' '.repeat(maxWidth + 2);
			state.renderList(node, space, (i) => {
				const number = String(start + i);
				return `${' '.repeat(maxWidth - number.length)}${number}. `;
			});
		},
		list_item: (state, node) => state.renderContent(node),
		task_list: (state, node) => state.renderList(node, '  ', () => '- '),
		task_item: (state, node) => {
			state.write(node.attrs['checked'] ? '[x] ' : '[ ] ');
			state.renderContent(node);
		},
		table: renderTable,
		table_row: () => {},
		table_cell: () => {},
		table_header: () => {},
		hard_break: defaults.nodes['hard_break']!,
		page_link: (state, node) => {
			const target = resolvePageLink(node.attrs['pageId']);
			// A link to a deleted page exports as its placeholder text, not as a link that leads nowhere.
			if (!target) state.text('(deleted page)');
			else state.write(`[${state.esc(target.title)}](${encodeURI(target.href).replace(/[()]/g, (c) => (c === '(' ? '%28' : '%29'))})`);
		},
		mention: (state, node) => {
			const id = mentionMember(node.attrs['member']);
			const name = id ? resolveMentionName(id) : null;
			state.text(`@${mentionLabel(name?.trim() ? name : node.attrs['label'])}`);
		},
		text: defaults.nodes['text']!
	},
	{
		em: defaults.marks['em']!,
		strong: defaults.marks['strong']!,
		code: defaults.marks['code']!,
		strike: { open: '~~', close: '~~', mixable: true, expelEnclosingWhitespace: true },
		link: {
			...defaults.marks['link']!,
			// A target we would not follow (only possible in data another client wrote) exports as plain text.
			open: (state, mark, parent, index) => (cleanHref(String(mark.attrs['href'] ?? '')) === null ? '' : (defaults.marks['link']!.open as (...a: unknown[]) => string)(state, mark, parent, index)),
			close: (state, mark, parent, index) => (cleanHref(String(mark.attrs['href'] ?? '')) === null ? '' : (defaults.marks['link']!.close as (...a: unknown[]) => string)(state, mark, parent, index))
		}
	}
);

/** How a page link exports: the target's current title and address, or null for a deleted page. */
export type PageLinkResolver = (pageId: string) => { title: string; href: string } | null;
/** How a mention exports: the member's current name, or null when not known (then the name it was written with). */
export type MentionNameResolver = (memberId: string) => string | null;

const noPages: PageLinkResolver = () => null;
const noNames: MentionNameResolver = () => null;
// Set for the duration of one (synchronous) serialization.
let resolvePageLink = (id: unknown): { title: string; href: string } | null => (pageLinkId(id) ? noPages(pageLinkId(id)) : null);
let resolveMentionName = noNames;

/**
 * The page as Markdown (GFM). Page links become `[Title](/w/<ws>/p/<id>)` through `pageLinks`;
 * mentions `@Name` through `mentionNames`.
 */
export function toMarkdown(doc: Node, pageLinks: PageLinkResolver = noPages, mentionNames: MentionNameResolver = noNames): string {
	const previous = [resolvePageLink, resolveMentionName] as const;
	resolvePageLink = (id) => {
		const clean = pageLinkId(id);
		return clean ? pageLinks(clean) : null;
	};
	resolveMentionName = mentionNames;
	try {
		const md = serializer.serialize(doc, { tightLists: true });
		return md.trim() === '' ? '' : `${md.replace(/\s+$/, '')}\n`;
	} finally {
		[resolvePageLink, resolveMentionName] = previous;
	}
}

// ---------------------------------------------------------------------------------------------
// In

const markdownIt = new MarkdownIt('default', { html: false, linkify: true });
// markdown-it's Token class, without a deep import into its dist layout.
const TokenClass = markdownIt.parse('x', {})[0]!.constructor as new (type: string, tag: string, nesting: -1 | 0 | 1) => Token;

function token(type: string, tag: string, nesting: -1 | 0 | 1, props: Partial<Token> = {}): Token {
	return Object.assign(new TokenClass(type, tag, nesting), props);
}

/** The index of the token closing the one opened at `open` (same level, nesting -1). */
function closing(tokens: Token[], open: number): number {
	const level = tokens[open]!.level;
	for (let i = open + 1; i < tokens.length; i++) if (tokens[i]!.level === level && tokens[i]!.nesting === -1) return i;
	return tokens.length - 1;
}

const TASK_MARK = /^\[([ xX])\](?:\s+|$)/;

/** Strips `prefix` characters from the start of an inline token's text. */
function stripInlinePrefix(inline: Token, length: number): void {
	inline.content = inline.content.slice(length);
	let remaining = length;
	const children = inline.children ?? [];
	while (remaining > 0 && children.length > 0) {
		const first = children[0]!;
		if (first.type === 'text' && first.content.length > remaining) {
			first.content = first.content.slice(remaining);
			remaining = 0;
		} else {
			remaining -= first.type === 'softbreak' ? 1 : first.content.length;
			children.shift();
		}
	}
	if (children[0]?.type === 'softbreak') children.shift();
}

/** Bullet lists whose every item starts with `[ ]` or `[x]` become task lists. */
function taskLists(tokens: Token[]): void {
	for (let i = 0; i < tokens.length; i++) {
		if (tokens[i]!.type !== 'bullet_list_open') continue;
		const end = closing(tokens, i);
		const items: Array<{ open: number; close: number; inline: Token | null; checked: boolean }> = [];
		for (let j = i + 1; j < end; j++) {
			const tok = tokens[j]!;
			if (tok.type !== 'list_item_open' || tok.level !== tokens[i]!.level + 1) continue;
			const close = closing(tokens, j);
			const inline = tokens[j + 1]?.type === 'paragraph_open' ? tokens[j + 2]! : null;
			const match = inline && TASK_MARK.exec(inline.content);
			items.push({ open: j, close, inline: match ? inline : null, checked: /x/i.test(match?.[1] ?? '') });
			j = close;
		}
		if (items.length === 0 || items.some((item) => item.inline === null)) continue;
		tokens[i]!.type = 'task_list_open';
		tokens[end]!.type = 'task_list_close';
		for (const item of items) {
			tokens[item.open]!.type = 'task_item_open';
			tokens[item.open]!.attrSet('checked', String(item.checked));
			tokens[item.close]!.type = 'task_item_close';
			const inline = item.inline!;
			stripInlinePrefix(inline, TASK_MARK.exec(inline.content)![0].length);
			if (inline.content === '' && (inline.children ?? []).length === 0) {
				// `- [ ]` alone: an empty task, with an empty paragraph to type in.
				inline.children = [];
			}
		}
	}
}

const ALERT = /^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*(?:\n|$)/i;

/** Blockquotes that open with `[!NOTE]` (GitHub alerts) become callouts. */
function callouts(tokens: Token[]): void {
	for (let i = 0; i < tokens.length; i++) {
		if (tokens[i]!.type !== 'blockquote_open' || tokens[i + 1]?.type !== 'paragraph_open') continue;
		const inline = tokens[i + 2]!;
		const match = ALERT.exec(inline.content);
		if (!match) continue;
		const end = closing(tokens, i);
		tokens[i]!.type = 'callout_open';
		tokens[i]!.attrSet('tone', TONE_OF_ALERT[match[1]!.toUpperCase()] ?? 'info');
		tokens[end]!.type = 'callout_close';
		stripInlinePrefix(inline, match[0].replace(/\n$/, '').length);
		if (inline.content.trim() === '') tokens.splice(i + 1, 3);
	}
}

/** Inline fix-ups: images become links (or their alt text); unsafe links lose their link. */
function inlines(children: Token[]): Token[] {
	const out: Token[] = [];
	const dropped: boolean[] = [];
	for (const child of children) {
		if (child.type === 'image') {
			const href = cleanHref(String(child.attrGet('src') ?? ''));
			const alt = child.content || (href ?? '');
			if (href) out.push(token('link_open', 'a', 1, { attrs: [['href', href]] }));
			if (alt) out.push(token('text', '', 0, { content: alt }));
			if (href) out.push(token('link_close', 'a', -1));
		} else if (child.type === 'link_open') {
			const href = cleanHref(String(child.attrGet('href') ?? ''));
			dropped.push(href === null);
			if (href !== null) {
				child.attrSet('href', href);
				out.push(child);
			}
		} else if (child.type === 'link_close') {
			if (!dropped.pop()) out.push(child);
		} else out.push(child);
	}
	return out;
}

/** Table cells hold blocks: wrap their inline content in a paragraph, `<br>` as line breaks. */
function tableCells(tokens: Token[]): void {
	for (let i = 0; i < tokens.length; i++) {
		const tok = tokens[i]!;
		if ((tok.type === 'th_open' || tok.type === 'td_open') && tokens[i + 1]?.type === 'inline') {
			const inline = tokens[i + 1]!;
			const children: Token[] = [];
			for (const child of inline.children ?? []) {
				if (child.type !== 'text' || !/<br\s*\/?>/i.test(child.content)) {
					children.push(child);
					continue;
				}
				child.content.split(/<br\s*\/?>/i).forEach((part, index) => {
					if (index > 0) children.push(token('hardbreak', 'br', 0));
					if (part) children.push(token('text', '', 0, { content: part }));
				});
			}
			inline.children = children;
			tokens.splice(i + 1, 1, token('paragraph_open', 'p', 1), inline, token('paragraph_close', 'p', -1));
			i += 3;
		}
	}
}

function postProcess(tokens: Token[]): Token[] {
	for (const tok of tokens) if (tok.type === 'inline' && tok.children) tok.children = inlines(tok.children);
	taskLists(tokens);
	callouts(tokens);
	tableCells(tokens);
	return tokens;
}

/** markdown-it with our token pass, in the shape prosemirror-markdown expects. */
const tokenizer = {
	parse: (text: string, env?: Record<string, unknown>) => postProcess(markdownIt.parse(text, env ?? {}))
} as unknown as typeof markdownIt;

const parser = new MarkdownParser(schema, tokenizer, {
	blockquote: { block: 'blockquote' },
	callout: { block: 'callout', getAttrs: (tok) => ({ tone: calloutTone(tok.attrGet('tone')) }) },
	paragraph: { block: 'paragraph' },
	list_item: { block: 'list_item' },
	bullet_list: { block: 'bullet_list' },
	ordered_list: { block: 'ordered_list', getAttrs: (tok) => ({ order: Number(tok.attrGet('start')) || 1 }) },
	task_list: { block: 'task_list' },
	task_item: { block: 'task_item', getAttrs: (tok) => ({ checked: tok.attrGet('checked') === 'true' }) },
	heading: { block: 'heading', getAttrs: (tok) => ({ level: headingLevel(Number(tok.tag.slice(1))) }) },
	code_block: { block: 'code_block', noCloseToken: true },
	fence: { block: 'code_block', getAttrs: (tok) => ({ language: codeLanguage(tok.info.split(/\s+/)[0] ?? '') }), noCloseToken: true },
	hr: { node: 'horizontal_rule' },
	hardbreak: { node: 'hard_break' },
	table: { block: 'table' },
	thead: { ignore: true },
	tbody: { ignore: true },
	tr: { block: 'table_row' },
	th: { block: 'table_header' },
	td: { block: 'table_cell' },
	em: { mark: 'em' },
	strong: { mark: 'strong' },
	s: { mark: 'strike' },
	link: { mark: 'link', getAttrs: (tok) => ({ href: tok.attrGet('href') ?? '', title: cleanTitle(tok.attrGet('title')) }) },
	code_inline: { mark: 'code', noCloseToken: true }
});

/** A Markdown document as a page document (always valid for the schema). */
export function fromMarkdown(markdown: string): Node {
	return parser.parse(markdown.replace(/\r\n?/g, '\n'));
}

// ---------------------------------------------------------------------------------------------
// Export

/** The page as a Markdown file: its title as a level-1 heading, then the body. */
export function pageMarkdown(title: string, body: Node, pageLinks: PageLinkResolver = noPages, mentionNames: MentionNameResolver = noNames): string {
	const clean = cleanTitle(title);
	if (!clean) return toMarkdown(body, pageLinks, mentionNames);
	const heading = schema.nodes['heading']!.create({ level: 1 }, schema.text(clean));
	return toMarkdown(schema.nodes['doc']!.create(null, [heading, ...childrenOf(body)]), pageLinks, mentionNames);
}

function childrenOf(node: Node): Node[] {
	const out: Node[] = [];
	node.forEach((child) => out.push(child));
	return out;
}

/** Markdown text as a slice that opens into the surrounding paragraph where it can (pasting). */
export function markdownSlice(text: string): Slice {
	return Slice.maxOpen(fromMarkdown(text).content);
}

export { markdownFileName } from './markdown-file.ts';
