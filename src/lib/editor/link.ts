/**
 * Links: Mod-K asks for an address and links the selection (or inserts the address as a linked
 * text where nothing is selected); on a selection that is already linked it removes the link.
 * The fuller link UI (paste onto a selection, edit, open) is the wiki editor's work.
 */
import type { Command } from 'prosemirror-state';
import { schema, cleanHref, cleanLinkText } from './schema.ts';

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
