/**
 * What the search index holds of a workspace: its documents read as `SearchUnit`s (engine.ts).
 *
 *   p:<page>            a page, or a decision record: its title, its body, and for a record its tags,
 *                       status-log notes and position rationales
 *   c:<page>:<thread>   a comment thread: its messages (the page it is on is shown, not indexed)
 *
 * These are read on the main thread, where the documents are, but never on the typing path: the
 * index (sync/search.ts) reads a page again in an idle moment after it changed. Reading a body walks
 * Yjs's item list directly instead of building deltas: on a thousand-page workspace that is the
 * difference between a fraction of the index build and most of it.
 */
import * as Y from 'yjs';
import type { PageEntry } from '../model/workspace.ts';
import { PageKind } from '../model/workspace.ts';
import { bodyFragment } from '../model/page.ts';
import { authorsMap, editsArray } from '../model/authorship.ts';
import { readThreads } from '../model/comment-threads.ts';
import { listPositions, readDecision } from '../model/decision-records.ts';
import { effectiveParents } from '../model/tree.ts';
import type { SearchUnit } from './engine.ts';

export function pageUnitId(pageId: string): string {
	return `p:${pageId}`;
}

export function threadUnitId(pageId: string, threadId: string): string {
	return `c:${pageId}:${threadId}`;
}

/** Block elements whose text runs on without a break (inline atoms and marks live inside these). */
const INLINE_BREAK = 'hard_break';

/**
 * The plain text of a page body: blocks on lines of their own, a mention as "@label", a link to a
 * page as that page's title now (`titleOf`), a line break as a line break.
 */
export function bodyText(fragment: Y.XmlFragment, titleOf: (pageId: string) => string | null = () => null): string {
	const out: string[] = [];
	const visit = (element: Y.XmlElement | Y.XmlFragment) => {
		let line = '';
		let hasInline = false;
		for (let item = element._start; item !== null; item = item.right) {
			if (item.deleted) continue;
			const content = item.content;
			if (!(content instanceof Y.ContentType)) continue;
			const child = content.type;
			if (child instanceof Y.XmlText) {
				line += textOf(child);
				hasInline = true;
			} else if (child instanceof Y.XmlElement) {
				const name = child.nodeName;
				if (name === 'mention') {
					const label = child.getAttribute('label');
					line += `@${typeof label === 'string' ? label : ''}`;
					hasInline = true;
				} else if (name === 'page_link') {
					const pageId = child.getAttribute('pageId');
					line += (typeof pageId === 'string' ? titleOf(pageId) : null) ?? '';
					hasInline = true;
				} else if (name === INLINE_BREAK) {
					line += '\n';
					hasInline = true;
				} else {
					if (hasInline) out.push(line);
					line = '';
					hasInline = false;
					visit(child);
				}
			}
		}
		if (hasInline) out.push(line);
	};
	visit(fragment);
	return out.join('\n');
}

/** The characters of a text node, formatting left out. */
function textOf(text: Y.Text): string {
	let out = '';
	for (let item = text._start; item !== null; item = item.right) {
		if (!item.deleted && item.content instanceof Y.ContentString) out += item.content.str;
	}
	return out;
}

/** Ids of the pages that are archived, or under an archived page (the tree hides them alike). */
export function archivedPages(pages: readonly PageEntry[]): Set<string> {
	const parents = effectiveParents(pages);
	const byId = new Map(pages.map((page) => [page.id, page]));
	const archived = new Set<string>();
	for (const page of pages) {
		const seen = new Set<string>();
		for (let id: string | null = page.id; id !== null && !seen.has(id); id = parents.get(id) ?? null) {
			seen.add(id);
			if (byId.get(id)?.archivedAt != null) {
				archived.add(page.id);
				break;
			}
		}
	}
	return archived;
}

export interface PageSources {
	readonly workspace: Y.Doc;
	readonly page: PageEntry;
	readonly archived: boolean;
	/** null while the body is not open on this device yet (the title is still found). */
	readonly body: Y.Doc | null;
	readonly talk: Y.Doc | null;
	readonly titleOf?: (pageId: string) => string | null;
}

/** A page, or a decision record, as one unit. */
export function pageUnit({ workspace, page, archived, body, talk, titleOf }: PageSources): SearchUnit {
	const authors = new Set<string>([page.createdBy]);
	let at = page.updatedAt;
	const parts: string[] = [];
	if (body) {
		parts.push(bodyText(bodyFragment(body), titleOf));
		authorsMap(body).forEach((entry) => {
			if (typeof entry?.member === 'string') authors.add(entry.member);
		});
		// Not just the last mark: marks appended on two devices apart merge in client-id order.
		editsArray(body).forEach((mark) => {
			if (typeof mark?.at === 'number' && mark.at > at) at = mark.at;
		});
	}
	let kind: SearchUnit['kind'] = 'page';
	let status = 'active';
	let tags: readonly string[] = [];
	const decision = page.kind === PageKind.decision ? readDecision(workspace, page.id) : null;
	if (decision) {
		kind = 'decision';
		status = decision.status;
		tags = decision.tags;
		for (const change of decision.log) {
			if (change.note) {
				parts.push(change.note);
				authors.add(change.by);
			}
			if (change.at > at) at = change.at;
		}
		if (talk) {
			for (const position of listPositions(talk)) {
				if (position.rationale) {
					parts.push(position.rationale);
					authors.add(position.memberId);
				}
				if (position.at > at) at = position.at;
			}
		}
	}
	return {
		id: pageUnitId(page.id),
		kind,
		pageId: page.id,
		threadId: null,
		title: page.title,
		context: '',
		tags,
		text: parts.join('\n'),
		status,
		archived,
		authors: [...authors].filter((id) => id !== '').sort(),
		at
	};
}

/** A page's comment threads, one unit each (threads whose every message was deleted are left out). */
export function threadUnits(page: PageEntry, archived: boolean, talk: Y.Doc): SearchUnit[] {
	const out: SearchUnit[] = [];
	for (const thread of readThreads(talk)) {
		const messages = thread.messages.filter((message) => message.deletedAt === null && message.text !== '');
		if (messages.length === 0) continue;
		let at = thread.createdAt;
		for (const message of messages) at = Math.max(at, message.editedAt ?? message.at);
		if (thread.resolved) at = Math.max(at, thread.resolved.at);
		out.push({
			id: threadUnitId(page.id, thread.id),
			kind: 'comment',
			pageId: page.id,
			threadId: thread.id,
			title: '',
			context: page.title,
			tags: [],
			text: messages.map((message) => message.text).join('\n'),
			status: thread.resolved ? 'resolved' : 'open',
			archived,
			authors: [...new Set(messages.map((message) => message.author))].sort(),
			at
		});
	}
	return out;
}
