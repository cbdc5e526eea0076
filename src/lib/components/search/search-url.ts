/**
 * The search page's view as a URL query, and the words it shows. The query and every filter live
 * in the URL (`?q=&kind=&status=&author=&archived=1`) so a reload or a shared link shows the same
 * search; a link is typed or pasted by people, so anything unknown in it is ignored, never an error.
 *
 * Beside it, the small pieces of the page's behaviour that can be tested without a browser: the
 * status sentence, keeping only the newest of out-of-order
 * answers, and the throttle of live re-runs. No DOM, no Svelte (tests/unit/search-url.test.ts).
 */
import { decisionStatuses } from '$lib/model/decision-records.ts';
import { statusLabels } from '$lib/components/decisions/decision-labels.ts';
import type { SearchQuery, SearchResults, UnitKind } from '$lib/search/engine.ts';
import { unitKinds } from '$lib/search/engine.ts';

export interface SearchView {
	/** What was typed, as typed (the engine normalizes it). */
	readonly q: string;
	/** One kind, or null for every kind. */
	readonly kind: UnitKind | null;
	/** A status of `kind` (see `statusChoices`), or null for any. */
	readonly status: string | null;
	/** A member id, or null for anyone. */
	readonly author: string | null;
	/** Archived pages (and their records and threads) too. */
	readonly archived: boolean;
}

export const emptyView: SearchView = { q: '', kind: null, status: null, author: null, archived: false };

/** How many results a search shows first, and how many more each "Show more" adds. */
export const PAGE_SIZE = 20;

/** What a query is too long for the URL and the engine to care about past (a pasted page is not a query). */
const MAX_QUERY_LENGTH = 500;

const kindWords: Readonly<Record<UnitKind, string>> = { page: 'pages', decision: 'decisions', comment: 'comments' };

/** In the URL: `kind=pages` reads the way the filter is labelled. */
function kindFromWord(word: string | null): UnitKind | null {
	return unitKinds.find((kind) => kindWords[kind] === word) ?? null;
}

/** The statuses a filter may choose among for a kind: none for every kind or pages (a page is just 'active'). */
export function statusChoices(kind: UnitKind | null): readonly { value: string; label: string }[] {
	if (kind === 'decision') return decisionStatuses.map((status) => ({ value: status, label: statusLabels[status] }));
	if (kind === 'comment') return [
		{ value: 'open', label: 'Open' },
		{ value: 'resolved', label: 'Resolved' }
	];
	return [];
}

export function viewFromQuery(query: URLSearchParams): SearchView {
	const kind = kindFromWord(query.get('kind'));
	const status = query.get('status');
	const author = query.get('author')?.trim() ?? '';
	return {
		q: (query.get('q') ?? '').slice(0, MAX_QUERY_LENGTH),
		kind,
		// A status only means something with the kind it belongs to.
		status: statusChoices(kind).some((choice) => choice.value === status) ? status : null,
		author: author === '' ? null : author,
		archived: query.get('archived') === '1'
	};
}

/** The URL query of a view: only what differs from the defaults, in a fixed order. */
export function queryFromView(view: SearchView): URLSearchParams {
	const query = new URLSearchParams();
	if (view.q !== '') query.set('q', view.q);
	if (view.kind !== null) query.set('kind', kindWords[view.kind]);
	if (view.status !== null && statusChoices(view.kind).some((choice) => choice.value === view.status)) query.set('status', view.status);
	if (view.author !== null) query.set('author', view.author);
	if (view.archived) query.set('archived', '1');
	return query;
}

/** Whether any filter narrows (or widens) the search: then an empty query lists what matches. */
export function isFiltering(view: SearchView): boolean {
	return view.kind !== null || view.status !== null || view.author !== null || view.archived;
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * Whether a query has anything to search for. One of only punctuation or symbols ("#", "-", "…")
 * holds no word the index knows, so it is no query: the page shows its hint, not every unit.
 */
export function hasWords(q: string): boolean {
	return LETTER_OR_DIGIT.test(q);
}

/** Whether there is anything to search for: words, or filters to list by. */
export function hasSearch(view: SearchView): boolean {
	return hasWords(view.q) || isFiltering(view);
}

/** A change of kind drops a status the new kind does not have. */
export function withKind(view: SearchView, kind: UnitKind | null): SearchView {
	return { ...view, kind, status: statusChoices(kind).some((choice) => choice.value === view.status) ? view.status : null };
}

export function toSearchQuery(view: SearchView, limit: number): SearchQuery {
	return {
		// Punctuation alone is no query: with filters it lists what they match, as an empty one does.
		text: hasWords(view.q) ? view.q : '',
		kinds: view.kind === null ? undefined : [view.kind],
		status: view.status,
		author: view.author,
		archived: view.archived,
		limit
	};
}

/** A key that changes whenever the results asked for would (not the limit): "Show more" starts again from it. */
export function viewKey(view: SearchView): string {
	return queryFromView(view).toString();
}

// ---- words ----

export const kindLabels: Readonly<Record<UnitKind, string>> = { page: 'Page', decision: 'Decision', comment: 'Comment' };

/** A hit's status as a word, or null where it says nothing (a page is always 'active', a thread usually open). */
export function statusLabel(kind: UnitKind, status: string): string | null {
	if (kind === 'decision') return statusChoices('decision').find((choice) => choice.value === status)?.label ?? null;
	if (kind === 'comment' && status === 'resolved') return 'Resolved';
	return null;
}

/** "Ana Lima", "Ana Lima and Ben Okafor", "Ana Lima, Ben Okafor and 2 others". */
export function namesText(names: readonly string[]): string {
	if (names.length <= 2) return names.join(' and ');
	if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]}`;
	return `${names[0]}, ${names[1]} and ${names.length - 2} others`;
}

/**
 * The one sentence the polite status region says about the results. Before the index has read
 * every page (`complete` false) it never says there are none, only that there are none yet.
 */
export function resultsText(view: SearchView, results: SearchResults, complete: boolean): string {
	const q = hasWords(view.q) ? view.q.trim() : '';
	if (results.total === 0) {
		const what = q === '' ? 'Nothing matches these filters' : `No results for “${q}”`;
		return complete ? what : `${what} yet`;
	}
	const count = `${results.total} ${results.total === 1 ? 'result' : 'results'}`;
	if (results.partial) return `Nothing has all of these words; showing ${count} with some of them${complete ? '' : ' so far'}`;
	return complete ? count : `${count} so far`;
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Error };

/**
 * Answers that arrive out of order (a worker's, a slow one overtaken by a quick one): each call
 * says what its promise settled to, or null when a newer call (or `cancel`) came after it, so a
 * stale answer is never shown over a newer one.
 */
export function latestOnly<T>(): { ask(answer: Promise<T>): Promise<Outcome<T> | null>; cancel(): void } {
	let seq = 0;
	return {
		async ask(answer) {
			const mine = ++seq;
			let outcome: Outcome<T>;
			try {
				outcome = { ok: true, value: await answer };
			} catch (error) {
				outcome = { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
			}
			return mine === seq ? outcome : null;
		},
		cancel() {
			seq++;
		}
	};
}

/**
 * A throttle for re-running a visible search as the index changes: the first call runs at once,
 * calls within `ms` after it run once at the end. Returns the function and a stop.
 */
export function throttle(run: () => void, ms: number): { call: () => void; stop: () => void } {
	let timer: ReturnType<typeof setTimeout> | null = null;
	let pending = false;
	const fire = () => {
		timer = null;
		if (!pending) return;
		pending = false;
		run();
		timer = setTimeout(fire, ms);
	};
	return {
		call() {
			if (timer !== null) {
				pending = true;
				return;
			}
			run();
			timer = setTimeout(fire, ms);
		},
		stop() {
			if (timer !== null) clearTimeout(timer);
			timer = null;
			pending = false;
		}
	};
}
