/**
 * The static rendering of a version or a comparison (HistoryDocument.svelte), apart from the
 * component so it is tested without a browser.
 *
 * ProseMirror's DOMSerializer builds it with createElement, setAttribute and createTextNode only,
 * and so does this module: the document's text and attributes — another client's, possibly
 * hostile — are never parsed as HTML. Links are inert: a history view shows what a link said and
 * where it pointed, and follows it nowhere (not in this tab, not in a new one). `href`, `target`
 * and `rel` are removed (an <a> without href is no link to the browser: not clickable, not
 * focusable) and the address is kept in the title, so the text still reads as a link.
 */
import { DOMSerializer, type Node } from 'prosemirror-model';

/** A change's title: "Added by Ana Lima, 3 Mar 12:00". `member` and `at` may be ''. */
export type DescribeChange = (what: 'Added' | 'Removed', member: string, at: string) => string;

export function renderHistoryDoc(doc: Node, describeChange: DescribeChange, document: Document = globalThis.document): DocumentFragment | HTMLElement {
	const rendered = DOMSerializer.fromSchema(doc.type.schema).serializeFragment(doc.content, { document });
	prepareChildren(rendered, describeChange);
	return rendered;
}

function prepareChildren(parent: ParentNode, describeChange: DescribeChange): void {
	for (const child of Array.from(parent.childNodes)) {
		if (child.nodeType !== 1) continue;
		const element = child as Element;
		const tag = element.tagName.toLowerCase();
		if (tag === 'a') makeInert(element);
		else if ((tag === 'ins' || tag === 'del') && element.getAttribute('data-member') !== null) {
			element.setAttribute('title', describeChange(tag === 'ins' ? 'Added' : 'Removed', element.getAttribute('data-member') ?? '', element.getAttribute('data-at') ?? ''));
		}
		prepareChildren(element, describeChange);
	}
}

function makeInert(link: Element): void {
	const href = link.getAttribute('href');
	const title = link.getAttribute('title');
	for (const name of ['href', 'target', 'rel']) link.removeAttribute(name);
	// safeHref already turned an address no one should follow into '#': nothing worth showing.
	if (href && href !== '#') link.setAttribute('title', title ? `${title} (${href})` : href);
	link.setAttribute('data-inert-link', '');
}
