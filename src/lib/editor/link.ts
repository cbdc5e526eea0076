/**
 * Links: `toggleLink` asks for an address and links the selection (or inserts the address as a
 * linked text where nothing is selected); on a selection that is already linked it removes the
 * link. Mod-K reaches it only with a selection or the caret in a link: otherwise the key opens the
 * quick switcher (keymap.ts). Pasting a URL onto a selection links it (paste.ts); Mod-click opens a
 * link (below).
 */
import { Plugin, type Command, type EditorState } from 'prosemirror-state';
import type { Mark } from 'prosemirror-model';
import { schema, cleanHref, cleanLinkText, safeHref } from './schema.ts';

const link = schema.marks['link']!;

export function toggleLink(ask: (question: string) => string | null = (q) => window.prompt(q)): Command {
	return (state, dispatch) => {
		const { from, to, empty } = state.selection;
		if (!empty && state.doc.rangeHasMark(from, to, link)) {
			dispatch?.(state.tr.removeMark(from, to, link));
			return true;
		}
		if (!dispatch) return true;
		const answer = ask('Link address')?.trim();
		if (!answer) return false;
		// Controls stripped, at most MAX_HREF_LENGTH, only web, mail and relative targets.
		const href = cleanHref(answer);
		if (href === null) return false;
		const mark = link.create({ href });
		dispatch(empty ? state.tr.replaceSelectionWith(schema.text(cleanLinkText(href), [mark]), false) : state.tr.addMark(from, to, mark));
		return true;
	};
}

/**
 * Opening links: a link in editable text is for editing, so a plain click places the caret;
 * Mod-click (Ctrl or Cmd) opens it in a new tab, through safeHref like every rendered link.
 */
export function linkClickPlugin(open: (href: string) => void = (href) => window.open(href, '_blank', 'noopener,noreferrer')): Plugin {
	return new Plugin({
		props: {
			handleClick(view, pos, event) {
				if (!(event.ctrlKey || event.metaKey) || event.button !== 0) return false;
				const $pos = view.state.doc.resolve(pos);
				const mark = link.isInSet($pos.marks()) ?? link.isInSet($pos.nodeAfter?.marks ?? []);
				if (!mark) return false;
				const href = safeHref(String(mark.attrs['href'] ?? ''));
				if (href === '#') return false;
				open(href);
				return true;
			}
		}
	});
}

/** The link under the caret (or at the start of the selection): its extent and mark, or null. */
export function linkAt(state: EditorState): { from: number; to: number; mark: Mark } | null {
	const { $from } = state.selection;
	const parent = $from.parent;
	if (!parent.inlineContent) return null;
	const candidates = [$from.nodeAfter, $from.nodeBefore];
	const mark = candidates.map((node) => link.isInSet(node?.marks ?? [])).find((found) => found !== undefined);
	if (!mark) return null;
	// Children of the parent with their offsets; extend from the caret's child while the mark holds.
	const children: Array<{ start: number; end: number; has: boolean }> = [];
	parent.forEach((child, offset) => children.push({ start: offset, end: offset + child.nodeSize, has: mark.isInSet(child.marks) }));
	const at = $from.parentOffset;
	let index = children.findIndex((c) => c.has && c.start <= at && at <= c.end);
	if (index < 0) return null;
	let first = index;
	while (first > 0 && children[first - 1]!.has) first--;
	while (index < children.length - 1 && children[index + 1]!.has) index++;
	const base = $from.start();
	return { from: base + children[first]!.start, to: base + children[index]!.end, mark };
}

/** Changes the address of the link under the caret (asks, showing the current one). */
export function editLink(ask: (question: string, current: string) => string | null = (q, current) => window.prompt(q, current)): Command {
	return (state, dispatch) => {
		const found = linkAt(state);
		if (!found) return false;
		if (!dispatch) return true;
		const answer = ask('Link address', String(found.mark.attrs['href'] ?? ''));
		if (answer === null) return false;
		const href = cleanHref(answer);
		if (href === null) return false;
		dispatch(state.tr.removeMark(found.from, found.to, link).addMark(found.from, found.to, link.create({ href, title: found.mark.attrs['title'] })));
		return true;
	};
}

/** Removes the link under the caret, keeping its text. */
export const removeLink: Command = (state, dispatch) => {
	const found = linkAt(state);
	if (!found) return false;
	dispatch?.(state.tr.removeMark(found.from, found.to, link));
	return true;
};
