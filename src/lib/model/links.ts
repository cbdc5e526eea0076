/**
 * Links between pages, read from a page body: every `page_link` element (editor/schema.ts) in the
 * body's XmlFragment, by target page id. Pure: no DOM, no ProseMirror, never writes.
 */
import * as Y from 'yjs';

/** The node name y-prosemirror stores a page link under (editor/schema.ts). */
export const PAGE_LINK_NODE = 'page_link';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The ids of the pages `fragment` links to (each once; malformed ids skipped). */
export function pageLinkTargets(fragment: Y.XmlFragment | Y.XmlElement): Set<string> {
	const out = new Set<string>();
	const walk = (node: Y.XmlFragment | Y.XmlElement) => {
		for (const child of node.toArray()) {
			if (!(child instanceof Y.XmlElement)) continue;
			if (child.nodeName === PAGE_LINK_NODE) {
				const id: unknown = child.getAttribute('pageId');
				if (typeof id === 'string' && ID.test(id)) out.add(id);
			} else walk(child);
		}
	};
	walk(fragment);
	return out;
}
