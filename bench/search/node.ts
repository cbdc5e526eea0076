/**
 * The search engine alone, in Node: building the index of the generated workspace, queries over the
 * fixed mixed set, and the cost of following one edited page. No Yjs, no worker: what the engine
 * itself costs, the part the Chromium scenario (browser.ts) cannot separate from the rest.
 */
import { SearchEngine, type SearchUnit } from '../../src/lib/search/engine.ts';
import { generateCorpus, random, unitsOf } from './corpus.ts';
import { benchQueries, type QueryKind } from './queries.ts';
import { goal, info, type Scenario, type ScenarioResult } from '../lib/scenario.ts';
import { ms, summarize } from '../lib/stats.ts';

/** Query rounds measured, after WARMUP_ROUNDS that let the JIT settle (a page's first query in the app is cold too: see `firstQuery`). */
const ROUNDS = 20;
const WARMUP_ROUNDS = 3;
const BUILDS = 5;
const UPDATES = 100;
/** Made-up words added per page for the large-vocabulary run: 40,000 in all. */
const EXTRA_WORDS_PER_PAGE = 40;

/**
 * The units with EXTRA_WORDS_PER_PAGE made-up words on each page: the corpus's sources give it a
 * vocabulary of ~3,700 words, where a real workspace of its size has tens of thousands (names,
 * identifiers, jargon). Typo matching scans the whole vocabulary, so this is its cost at that size.
 */
function withLargeVocabulary(units: readonly SearchUnit[]): SearchUnit[] {
	const next = random(11);
	const letters = 'abcdefghijklmnopqrstuvwxyz';
	const made = () => Array.from({ length: 5 + Math.floor(next() * 8) }, () => letters[Math.floor(next() * 26)]).join('');
	return units.map((unit) => (unit.kind === 'comment' ? unit : { ...unit, text: `${unit.text}\n${Array.from({ length: EXTRA_WORDS_PER_PAGE }, made).join(' ')}` }));
}

/** Query latencies over the query set, after the warm-up rounds. */
function queryRounds(engine: SearchEngine): { samples: number[]; perKind: Map<QueryKind, number[]> } {
	const samples: number[] = [];
	const perKind = new Map<QueryKind, number[]>();
	for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
		for (const { kind, query } of benchQueries) {
			const started = performance.now();
			engine.search(query);
			const took = performance.now() - started;
			if (round < WARMUP_ROUNDS) continue;
			samples.push(took);
			perKind.set(kind, [...(perKind.get(kind) ?? []), took]);
		}
	}
	return { samples, perKind };
}

export const nodeSearch: Scenario = {
	group: 'search',
	name: 'search engine in Node',
	async run(): Promise<ScenarioResult> {
		const corpus = generateCorpus();
		const units = unitsOf(corpus);

		// The first build is a cold start (what a freshly started worker does); later ones run warm code.
		const builds: number[] = [];
		const firstQueries: number[] = [];
		let engine = new SearchEngine();
		for (let b = 0; b < BUILDS; b++) {
			engine = new SearchEngine();
			const started = performance.now();
			for (const unit of units) engine.put(unit);
			const built = performance.now();
			engine.search({ text: 'concurrent' });
			builds.push(built - started);
			firstQueries.push(performance.now() - built);
		}

		const { samples, perKind } = queryRounds(engine);

		// One page edited (a sentence added), then the query a user would run next.
		const pages = units.filter((unit) => unit.kind === 'page');
		const puts: number[] = [];
		const updates: number[] = [];
		for (let i = 0; i < UPDATES; i++) {
			const page = pages[(i * 37) % pages.length]!;
			const edited: SearchUnit = { ...page, text: `${page.text}\nEdited ${i}: the relay keeps every update.`, at: page.at + 1 };
			const started = performance.now();
			engine.put(edited);
			const put = performance.now();
			engine.search({ text: 'relay update' });
			puts.push(put - started);
			updates.push(performance.now() - started);
		}

		const stats = engine.stats();
		const large = new SearchEngine();
		for (const unit of withLargeVocabulary(units)) large.put(unit);
		const largeRounds = queryRounds(large);
		const largeQuery = summarize(largeRounds.samples);
		const largeTypo = summarize(largeRounds.perKind.get('typo') ?? []);
		const query = summarize(samples);
		const update = summarize(updates);
		const put = summarize(puts);
		const kinds = Object.fromEntries([...perKind].map(([kind, list]) => [kind, summarize(list)]));
		const slowest = Object.entries(kinds).sort((a, b) => b[1].p95 - a[1].p95)[0];
		return {
			rows: [
				info('corpus', `${corpus.pages.length} pages, ${units.length} units, ${(corpus.characters / 1e6).toFixed(2)} M chars`),
				info('index', `${stats.words} words, ${stats.postings} postings`),
				info('build, cold (Node)', ms(builds[0]!)),
				info('build, warm median (Node)', ms(summarize(builds.slice(1)).p50)),
				info('first query after build (Node)', ms(firstQueries[0]!)),
				goal('query p50 / p95 / max (Node)', `${ms(query.p50)} / ${ms(query.p95)} / ${ms(query.max)}`, 'p95 ≤ 10 ms', query.p95 <= 10),
				info(`slowest kind p95 (Node): ${slowest?.[0] ?? '–'}`, ms(slowest?.[1].p95 ?? NaN)),
				info(`query p50 / p95 with ${large.stats().words} words (Node)`, `${ms(largeQuery.p50)} / ${ms(largeQuery.p95)}; typos p95 ${ms(largeTypo.p95)}`),
				info('replace one page p50 / p95 (Node)', `${ms(put.p50)} / ${ms(put.p95)}`),
				info('replace one page + query p50 / p95 (Node)', `${ms(update.p50)} / ${ms(update.p95)}`)
			],
			data: { corpus: { pages: corpus.pages.length, units: units.length, characters: corpus.characters }, stats, builds, firstQueries, query, kinds, put, update, largeVocabulary: { words: large.stats().words, query: largeQuery, typo: largeTypo } }
		};
	}
};
