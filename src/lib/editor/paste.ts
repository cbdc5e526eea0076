/**
 * Paste: what arrives on the clipboard is someone else's data, cleaned to the schema.
 *
 * - HTML: ProseMirror parses pasted HTML into a detached document made with
 *   `document.implementation.createHTMLDocument` (prosemirror-view's `readHTML`), which has no
 *   browsing context: scripts do not run and images are not fetched. Its schema-driven parser then
 *   keeps only what our parse rules know (links only with a clean target, see schema.ts). Before
 *   that, `sanitizePastedHtml` — run on a `DOMParser` document, also inert — drops scripts, styles,
 *   frames, forms, media and images (their alt text stays), event handler and URL-loading
 *   attributes, and unsafe link targets, and turns checkbox lists into task lists. Defence in
 *   depth: nothing pasted is ever inserted as HTML, and `<style>` in a paste would otherwise be
 *   applied by prosemirror-view to decide what is bold.
 * - Plain text that looks like Markdown (headings, lists, tasks, quotes, fences, tables) is parsed
 *   as Markdown, also when a code editor put its coloured HTML on the clipboard next to it.
 * - A URL pasted onto a selection links the selection; pasted alone, it is inserted as a link.
 *
 * The Markdown parser is not part of the editor's first load (load-markdown.ts): it is fetched when
 * the editor first takes focus, normally long before a member pastes. A Markdown paste that comes
 * before it has arrived is taken over, and inserted at the caret once the parser is there.
 */
import { Plugin, type EditorState } from 'prosemirror-state';
import { Slice, type ResolvedPos } from 'prosemirror-model';
import type { EditorView } from 'prosemirror-view';
import { schema, cleanHref, cleanLinkText } from './schema.ts';
import { loadMarkdown, loadedMarkdown } from './load-markdown.ts';

/** A pasted text that is one web or mail address, as a clean link target; null otherwise. */
export function pastedLink(text: string): string | null {
	const trimmed = text.trim();
	if (trimmed === '' || /\s/.test(trimmed)) return null;
	if (!/^(https?:\/\/[^/\s]+|mailto:[^@\s]+@[^@\s]+$|www\.[^.\s]+\.[^\s]+)/i.test(trimmed)) return null;
	return cleanHref(trimmed);
}

const BLOCK_MARKDOWN = [
	/^#{1,6}\s+\S/, // heading
	/^\s*[-*+]\s+\[[ xX]\]\s/, // task
	/^\s*[-*+]\s+\S/, // bullet
	/^\s*\d{1,9}[.)]\s+\S/, // numbered
	/^\s*>\s?/, // quote
	/^\s*(```|~~~)/, // fence
	/^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$/ // table delimiter row
];

/**
 * Whether pasted plain text reads as Markdown: some line opens a Markdown block. One bullet-like
 * line alone is not enough unless the text has several lines (a pasted "- 5 °C" stays text).
 */
export function looksLikeMarkdown(text: string): boolean {
	const lines = text.replace(/\r\n?/g, '\n').split('\n');
	const blocky = lines.filter((line) => BLOCK_MARKDOWN.some((pattern) => pattern.test(line)));
	if (blocky.length === 0) return false;
	if (lines.filter((line) => line.trim() !== '').length > 1) return true;
	return /^#{1,6}\s|^\s*(```|~~~)|^\s*[-*+]\s+\[[ xX]\]\s/.test(blocky[0]!);
}

/** Whether pasted HTML has document structure of its own (then it is parsed as HTML, not the text). */
export function hasStructuredHtml(html: string): boolean {
	return /<(p|h[1-6]|ul|ol|li|table|blockquote|pre|strong|b|em|i|a|code)[\s>]/i.test(html) && !/<(meta[^>]+vscode|div[^>]+white-space:\s*pre)/i.test(html);
}

const DROPPED = [
	'script', 'style', 'noscript', 'template', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet',
	'link', 'meta', 'base', 'title', 'head', 'form', 'button', 'select', 'textarea', 'svg', 'math',
	'video', 'audio', 'source', 'track', 'canvas', 'portal', 'dialog'
].join(',');

/** Attributes that run code or load something. */
function dangerousAttribute(name: string, value: string): boolean {
	return (
		name.startsWith('on') ||
		['src', 'srcset', 'background', 'poster', 'formaction', 'action', 'xlink:href', 'ping', 'lowsrc', 'dynsrc', 'data'].includes(name) ||
		(name === 'style' && /url\s*\(|expression\s*\(|@import/i.test(value))
	);
}

/** Cleans a parsed (inert) document in place. See the module comment. */
export function sanitizeDocument(doc: Document): void {
	for (const el of doc.querySelectorAll(DROPPED)) el.remove();
	// Checkbox lists (GitHub, Notion, Google Docs) become task lists before the inputs go.
	for (const li of doc.querySelectorAll('li')) {
		const box = li.querySelector(':scope > input[type=checkbox], :scope > p > input[type=checkbox], :scope > label > input[type=checkbox]');
		if (!box) continue;
		li.setAttribute('data-type', 'taskItem');
		li.setAttribute('data-checked', String((box as HTMLInputElement).checked || box.hasAttribute('checked')));
	}
	for (const list of doc.querySelectorAll('ul')) {
		const items = [...list.children].filter((child) => child.tagName === 'LI');
		if (items.length > 0 && items.every((li) => li.getAttribute('data-type') === 'taskItem')) list.setAttribute('data-type', 'taskList');
		else for (const li of items) li.removeAttribute('data-type');
	}
	for (const el of doc.querySelectorAll('input')) el.remove();
	for (const img of doc.querySelectorAll('img, picture, image')) {
		const alt = cleanLinkText(img.getAttribute('alt') ?? '', 500).trim();
		img.replaceWith(alt ? doc.createTextNode(alt) : '');
	}
	for (const el of doc.querySelectorAll('*')) {
		for (const attr of [...el.attributes]) {
			if (dangerousAttribute(attr.name.toLowerCase(), attr.value)) el.removeAttribute(attr.name);
		}
		if (el.tagName === 'A') {
			const href = cleanHref(el.getAttribute('href') ?? '');
			if (href === null) el.removeAttribute('href');
			else el.setAttribute('href', href);
		}
	}
}

/** `transformPastedHTML`: parse inertly with DOMParser, clean, serialise back for ProseMirror. */
export function sanitizePastedHtml(html: string): string {
	const doc = new DOMParser().parseFromString(html, 'text/html');
	sanitizeDocument(doc);
	return doc.body.innerHTML;
}

function inCode($pos: ResolvedPos): boolean {
	return Boolean($pos.parent.type.spec.code) || $pos.marks().some((mark) => mark.type === schema.marks['code']);
}


function linkSelection(view: EditorView, state: EditorState, href: string): boolean {
	const { from, to, empty, $from } = state.selection;
	const mark = schema.marks['link']!.create({ href });
	if (!$from.parent.inlineContent || inCode($from)) return false;
	if (empty) {
		view.dispatch(state.tr.replaceSelectionWith(schema.text(cleanLinkText(href), [mark]), false).scrollIntoView());
	} else {
		view.dispatch(state.tr.addMark(from, to, mark).scrollIntoView());
	}
	return true;
}

export function pastePlugin(): Plugin {
	// Whether Shift is held: Shift-paste pastes plain text (prosemirror-view tracks the same for its
	// clipboardTextParser's `plain`, but does not tell handlePaste).
	let shift = false;
	return new Plugin({
		props: {
			transformPastedHTML: (html) => sanitizePastedHtml(html),
			clipboardTextParser: (text, $context, plain) => {
				const markdown = loadedMarkdown();
				if (plain || !markdown || inCode($context) || !looksLikeMarkdown(text)) return null as unknown as Slice;
				return markdown.markdownSlice(text);
			},
			handleDOMEvents: {
				focus: () => {
					loadMarkdown().catch(() => undefined);
					return false;
				},
				keydown: (_view, event) => {
					shift = event.key === 'Shift' || event.shiftKey;
					return false;
				},
				keyup: (_view, event) => {
					if (event.key === 'Shift') shift = false;
					return false;
				}
			},
			handlePaste: (view, event) => {
				const data = event.clipboardData;
				if (!data) return false;
				const text = data.getData('text/plain');
				const html = data.getData('text/html');
				const state = view.state;
				const href = pastedLink(text);
				if (href && !html.includes('data-pm-slice')) return linkSelection(view, state, href);
				if (!text || inCode(state.selection.$from) || !looksLikeMarkdown(text)) return false;
				const markdown = loadedMarkdown();
				// Copied from a code editor: coloured HTML next to Markdown source. The source wins.
				const source = html !== '' && !hasStructuredHtml(html);
				// Plain text before the parser has arrived: what clipboardTextParser would have done.
				const early = html === '' && !markdown && !shift;
				if (!source && !early) return false;
				if (markdown) {
					view.dispatch(state.tr.replaceSelection(markdown.markdownSlice(text)).scrollIntoView());
					return true;
				}
				// Inserted where the caret is then: a teammate's edit meanwhile keeps it in place (y-prosemirror).
				loadMarkdown().then(
					(module) => {
						if (view.isDestroyed || !view.editable) return;
						view.dispatch(view.state.tr.replaceSelection(module.markdownSlice(text)).scrollIntoView());
					},
					// Could not be fetched (offline before it was cached): the text, as typed.
					() => {
						if (!view.isDestroyed && view.editable) view.dispatch(view.state.tr.insertText(text).scrollIntoView());
					}
				);
				return true;
			}
		}
	});
}
