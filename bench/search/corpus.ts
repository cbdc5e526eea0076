/**
 * The generated workspace the search benchmark indexes: 1,000 pages of real English (~5 MB), with
 * decision records and comment threads, the same on every run.
 *
 * Real text matters: a made-up vocabulary of a few hundred words puts every query word in most
 * pages, which makes queries slower and prefixes and typos meaningless. The sentences come from the
 * editing traces in ../shared/data/editing-traces (a paper on CRDTs, a blog post on optimising
 * them, notes on a sitcom episode), cleaned of LaTeX and Markdown syntax and dealt out to pages by a
 * seeded shuffle. Every page also gets a few words of its own (a ticket number, a customer, a
 * service name), as real wiki pages do, so the vocabulary grows with the workspace as it would.
 *
 * The corpus is plain data (`Corpus`), turned into search units for the Node scenario (`unitsOf`)
 * and into Yjs documents in the browser (browser/main.ts), so both index the same text.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { SearchUnit } from '../../src/lib/search/engine.ts';

export interface CorpusBlock {
	readonly type: 'heading' | 'paragraph';
	/** Headings only: 1 to 3. */
	readonly level?: number;
	readonly text: string;
}

export interface CorpusThread {
	readonly id: string;
	readonly resolved: boolean;
	readonly messages: readonly { readonly author: string; readonly text: string }[];
}

export interface CorpusPage {
	readonly id: string;
	readonly title: string;
	readonly kind: 'page' | 'decision';
	readonly createdBy: string;
	readonly at: number;
	readonly blocks: readonly CorpusBlock[];
	/** Decision records only. */
	readonly decision: { readonly status: string; readonly tags: readonly string[] } | null;
	readonly threads: readonly CorpusThread[];
}

export interface Corpus {
	readonly pages: readonly CorpusPage[];
	readonly members: readonly string[];
	/** Characters of titles, bodies and messages. */
	readonly characters: number;
}

export interface CorpusOptions {
	readonly pages?: number;
	/** Target characters of body text per page. */
	readonly pageLength?: number;
	readonly seed?: number;
}

const TRACES = new URL('../../../shared/data/editing-traces/', import.meta.url);
const SOURCES = ['automerge-paper', 'seph-blog1', 'friendsforever'];
const MEMBERS = ['ana', 'ben', 'cleo', 'dev', 'eli', 'fay', 'gus', 'hana'];
const STATUSES = ['proposed', 'accepted', 'accepted', 'rejected', 'deprecated'];
const TAGS = ['storage', 'relay', 'editor', 'sync', 'security', 'performance', 'design', 'hiring', 'process', 'infra'];
const SERVICES = ['billing', 'gateway', 'ledger', 'notifier', 'scheduler', 'indexer', 'uploader', 'auditor', 'exporter', 'mailer'];
const CUSTOMERS = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne'];

/** mulberry32: a tiny seeded generator, so the corpus is the same on every machine. */
export function random(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** The traces' final texts. */
function readSources(): string[] {
	return SOURCES.map((name) => {
		const trace = JSON.parse(gunzipSync(readFileSync(new URL(`${name}.json.gz`, TRACES))).toString('utf8')) as { endContent: string };
		return trace.endContent;
	});
}

/** Prose without its markup: LaTeX commands and Markdown syntax go, their words stay. */
function clean(text: string): string {
	return text
		.split('\n')
		.filter((line) => !/^\s*(%|\\(documentclass|usepackage|begin|end|label|bibliography|newtheorem|PassOptions))/.test(line))
		.join('\n')
		.replace(/<[^>]*>/g, ' ')
		.replace(/```[\s\S]*?```/g, ' ')
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/\\(cite|ref|url|href)\{[^}]*\}/g, ' ')
		.replace(/\\[a-zA-Z]+\*?(\[[^\]]*\])?/g, ' ')
		.replace(/\$[^$]*\$/g, ' ')
		.replace(/[{}\\#*_`>~|]/g, ' ')
		.replace(/[ \t]+/g, ' ');
}

/** The sentences of the sources: whole ones, of a readable length, mostly letters. */
export function sentencesOf(sources: readonly string[]): string[] {
	const out: string[] = [];
	for (const source of sources) {
		for (const paragraph of clean(source).split(/\n\s*\n/)) {
			for (const raw of paragraph.replace(/\s+/g, ' ').split(/(?<=[.!?])\s+/)) {
				const sentence = raw.trim();
				const letters = sentence.replace(/[^A-Za-z]/g, '').length;
				if (sentence.length >= 30 && sentence.length <= 400 && letters > sentence.length * 0.6) out.push(sentence);
			}
		}
	}
	return out;
}

/** Generates the workspace. Deterministic: the same options give the same corpus. */
export function generateCorpus(options: CorpusOptions = {}): Corpus {
	const count = options.pages ?? 1000;
	const pageLength = options.pageLength ?? 5000;
	const next = random(options.seed ?? 7);
	const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
	const sentences = sentencesOf(readSources());
	// Dealt out in shuffled order, reshuffled each time the deck runs out: every sentence is used
	// about as often as every other, as text would be if people wrote it.
	let deck: string[] = [];
	const deal = (): string => {
		if (deck.length === 0) {
			deck = [...sentences];
			for (let i = deck.length - 1; i > 0; i--) {
				const j = Math.floor(next() * (i + 1));
				[deck[i], deck[j]] = [deck[j]!, deck[i]!];
			}
		}
		return deck.pop()!;
	};
	const phrase = (words: number): string => {
		const all = deal().replace(/[^A-Za-z0-9' -]/g, '').split(/\s+/).filter(Boolean);
		const start = Math.floor(next() * Math.max(1, all.length - words));
		const text = all.slice(start, start + words).join(' ');
		return text.charAt(0).toUpperCase() + text.slice(1);
	};

	const pages: CorpusPage[] = [];
	let characters = 0;
	for (let i = 0; i < count; i++) {
		const id = `page${String(i).padStart(4, '0')}`;
		const isDecision = i % 10 === 3;
		const own = `Ticket MER-${1000 + i * 7} for ${pick(CUSTOMERS)}: the ${pick(SERVICES)} service, owner ${pick(MEMBERS)}, region eu-${i % 13}.`;
		const blocks: CorpusBlock[] = [{ type: 'paragraph', text: own }];
		let length = own.length;
		while (length < pageLength) {
			if (blocks.length % 5 === 1) {
				const heading = phrase(2 + Math.floor(next() * 4));
				blocks.push({ type: 'heading', level: 2 + Math.floor(next() * 2), text: heading });
				length += heading.length + 1;
			}
			const parts: string[] = [];
			for (let s = 1 + Math.floor(next() * 5); s > 0; s--) parts.push(deal());
			const text = parts.join(' ');
			blocks.push({ type: 'paragraph', text });
			length += text.length + 1;
		}
		const threads: CorpusThread[] = [];
		if (i % 4 === 1) {
			for (let t = 1 + Math.floor(next() * 3); t > 0; t--) {
				const messages = Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({ author: pick(MEMBERS), text: deal() }));
				threads.push({ id: `${id}t${t}`, resolved: next() < 0.4, messages });
				for (const message of messages) characters += message.text.length;
			}
		}
		const title = `${isDecision ? 'Use' : ''} ${phrase(2 + Math.floor(next() * 4))}`.trim();
		const decision = isDecision ? { status: pick(STATUSES), tags: [pick(TAGS), pick(TAGS)].filter((tag, k, all) => all.indexOf(tag) === k) } : null;
		pages.push({ id, title, kind: isDecision ? 'decision' : 'page', createdBy: pick(MEMBERS), at: 1_700_000_000_000 + i * 60_000, blocks, decision, threads });
		characters += title.length + length;
	}
	return { pages, members: MEMBERS, characters };
}

/** A page body's text as the index reads it (units.ts `bodyText`: one block a line). */
export function bodyTextOf(page: CorpusPage): string {
	return page.blocks.map((block) => block.text).join('\n');
}

/** The corpus as the search units the app would read from its documents (units.ts). */
export function unitsOf(corpus: Corpus): SearchUnit[] {
	const units: SearchUnit[] = [];
	for (const page of corpus.pages) {
		units.push({
			id: `p:${page.id}`,
			kind: page.kind,
			pageId: page.id,
			threadId: null,
			title: page.title,
			context: '',
			tags: page.decision?.tags ?? [],
			text: bodyTextOf(page),
			status: page.decision?.status ?? 'active',
			archived: false,
			authors: [page.createdBy],
			at: page.at
		});
		for (const thread of page.threads) {
			units.push({
				id: `c:${page.id}:${thread.id}`,
				kind: 'comment',
				pageId: page.id,
				threadId: thread.id,
				title: '',
				context: page.title,
				tags: [],
				text: thread.messages.map((message) => message.text).join('\n'),
				status: thread.resolved ? 'resolved' : 'open',
				archived: false,
				authors: [...new Set(thread.messages.map((message) => message.author))].sort(),
				at: page.at
			});
		}
	}
	return units;
}
