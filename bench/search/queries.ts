/**
 * The fixed mixed query set of the search benchmark: what people type into a search box, by kind,
 * so a slow kind shows in the per-kind figures and not only in the overall p95.
 *
 * The words are from the generated corpus (corpus.ts): common ones that most pages have (the worst
 * case for ranking and snippets), rare ones, prefixes as a query is typed letter by letter (each
 * keystroke is a query in the UI), typos of one and two edits, filters, and a query nothing matches
 * (which also searches for every word's near misses before saying so).
 */
import type { SearchQuery } from '../../src/lib/search/engine.ts';

export type QueryKind = 'common' | 'rare' | 'two words' | 'prefix' | 'typo' | 'filtered' | 'no match';

export interface BenchQuery {
	readonly kind: QueryKind;
	readonly query: SearchQuery;
}

const typed = (word: string, from = 2, to = 5): string[] => Array.from({ length: to - from + 1 }, (_, i) => word.slice(0, from + i));

const byKind: Record<QueryKind, readonly (string | SearchQuery)[]> = {
	common: ['the', 'data', 'document', 'editing', 'replica'],
	rare: ['sitcom', 'tombstone', 'catering', 'vandelay', 'mer-1035'],
	'two words': ['concurrent editing', 'json cursor', 'catering company', 'acme ledger', 'merge operations'],
	prefix: [...typed('concurrent'), ...typed('operation'), ...typed('bench'), ...typed('friend')],
	typo: ['perfromance', 'docuemnt', 'algoritm', 'conflcit', 'replcia', 'concurent', 'colaborative'],
	filtered: [
		{ text: 'replica', kinds: ['decision'] },
		{ text: 'merge', kinds: ['decision'], status: 'accepted' },
		{ text: 'cursor', kinds: ['comment'], status: 'open' },
		{ text: 'editing', author: 'cleo' }
	],
	'no match': ['zzyzx', 'qwertyuiop asdfgh']
};

export const benchQueries: readonly BenchQuery[] = (Object.keys(byKind) as QueryKind[]).flatMap((kind) =>
	byKind[kind].map((query) => ({ kind, query: typeof query === 'string' ? { text: query } : query }))
);
