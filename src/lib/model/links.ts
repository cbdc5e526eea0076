/**
 * Links between pages, read from a page body: every `page_link` element (editor/schema.ts) in the
 * body's XmlFragment, by target page id. Pure: no DOM, no ProseMirror, never writes.
 */
import * as Y from 'yjs';
import { isId } from './ids.ts';

/** The node name y-prosemirror stores a page link under (editor/schema.ts). */
export const PAGE_LINK_NODE = 'page_link';


/** The ids of the pages `fragment` links to (each once; malformed ids skipped). */
export function pageLinkTargets(fragment: Y.XmlFragment | Y.XmlElement): Set<string> {
	const out = new Set<string>();
	const walk = (node: Y.XmlFragment | Y.XmlElement) => {
		for (const child of node.toArray()) {
			if (!(child instanceof Y.XmlElement)) continue;
			if (child.nodeName === PAGE_LINK_NODE) {
				const id: unknown = child.getAttribute('pageId');
				if (isId(id)) out.add(id);
			} else walk(child);
		}
	};
	walk(fragment);
	return out;
}
