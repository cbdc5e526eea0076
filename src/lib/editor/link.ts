/**
 * Links: Mod-K asks for an address and links the selection (or inserts the address as a linked
 * text where nothing is selected); on a selection that is already linked it removes the link.
 * Pasting a URL onto a selection links it (paste.ts); Mod-click opens a link (below).
 */
import { Plugin, type Command } from 'prosemirror-state';
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
