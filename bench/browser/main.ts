/**
 * The search benchmark's page in Chromium (driven by bench/search/browser.ts): the app's own search
 * path on the generated workspace, with nothing faked.
 *
 * The corpus (corpus.ts) becomes what the app holds once a workspace is loaded: a workspace Y.Doc
 * with a page entry and decision record per page, a body Y.Doc per page (paragraphs and headings as
 * y-prosemirror stores them) and a discussion Y.Doc per page with its comment threads. Those are fed
 * to the real `SearchIndex` (sync/search.ts) with the real `WorkerSearchBackend` on a real Worker,
 * scheduled in idle time as in the app. Keystrokes go to the app's editor (editor/setup.ts) on one
 * page body, while a second replica of ten other pages sends updates as a teammate would.
 *
 * The page measures and exposes its figures on `window.bench`; it does not judge them.
 */
import * as Y from 'yjs';
import { initWorkspace, pagesMap } from '../../src/lib/model/workspace.ts';
import { addCorpusEntry } from '../search/entries.ts';
import { bodyFragment, newPageDoc } from '../../src/lib/model/page.ts';
import { reply, resolveThread, startThread } from '../../src/lib/model/comments.ts';
import { LocalSearchBackend, WorkerSearchBackend } from '../../src/lib/search/backend.ts';
import type { SearchQuery, SearchUnit } from '../../src/lib/search/engine.ts';
import SearchWorker from '../../src/lib/search/search.worker.ts?worker&inline';
import { SearchIndex } from '../../src/lib/sync/search.ts';
import { idleSchedule, type Schedule } from '../../src/lib/sync/backlinks.ts';
import { createEditor } from '../../src/lib/editor/setup.ts';
import type { EditorView } from 'prosemirror-view';
import { TextSelection } from 'prosemirror-state';
import type { Corpus, CorpusPage } from '../search/corpus.ts';

interface Loaded {
	readonly workspace: Y.Doc;
	readonly bodies: Map<string, Y.Doc>;
	readonly talks: Map<string, Y.Doc>;
	readonly corpus: Corpus;
}

let loaded: Loaded | null = null;
let index: SearchIndex | null = null;
let editor: EditorView | null = null;

function docsOf(): Loaded {
	if (!loaded) throw new Error('load() first');
	return loaded;
}

/** A page body as y-prosemirror stores it: one element per block, its text in an XmlText. */
function fillBody(doc: Y.Doc, page: CorpusPage): void {
	doc.transact(() => {
		bodyFragment(doc).insert(
			0,
			page.blocks.map((block) => {
				const element = new Y.XmlElement(block.type);
				// y-prosemirror stores attributes as ProseMirror has them: the level is a number.
				if (block.type === 'heading') element.setAttribute('level', block.level as unknown as string);
				const text = new Y.XmlText();
				text.insert(0, block.text);
				element.insert(0, [text]);
				return element;
			})
		);
	});
}

/** A discussion with the page's threads, anchored on its first block as the app anchors a selection. */
function fillTalk(talk: Y.Doc, body: Y.Doc, page: CorpusPage, now: number): void {
	const first = bodyFragment(body).get(0) as Y.XmlElement;
	const start = Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(first.get(0) as Y.XmlText, 0));
	const end = Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(first.get(0) as Y.XmlText, 6));
	for (const thread of page.threads) {
		const [opening, ...replies] = thread.messages;
		if (!opening) continue;
		const id = startThread(talk, { start, end, quote: page.blocks[0]!.text.slice(0, 6) }, { text: opening.text, name: opening.author }, { memberId: opening.author, now });
		for (const message of replies) reply(talk, id, { text: message.text, name: message.author }, { memberId: message.author, now });
		if (thread.resolved) resolveThread(talk, id, opening.author, { memberId: opening.author, now });
	}
}

/** Builds the documents of a loaded workspace from the corpus (not measured: IndexedDB's part). */
async function load(): Promise<{ pages: number; ms: number }> {
	const started = performance.now();
	const corpus = (await (await fetch('/corpus.json')).json()) as Corpus;
	const workspace = new Y.Doc();
	initWorkspace(workspace, 'Bench', { memberId: 'ana', now: 1 });
	const bodies = new Map<string, Y.Doc>();
	const talks = new Map<string, Y.Doc>();
	for (const page of corpus.pages) {
		addCorpusEntry(workspace, page);
		const body = newPageDoc();
		fillBody(body, page);
		const talk = new Y.Doc();
		fillTalk(talk, body, page, page.at);
		bodies.set(page.id, body);
		talks.set(page.id, talk);
	}
	loaded = { workspace, bodies, talks, corpus };
	return { pages: pagesMap(workspace).size, ms: performance.now() - started };
}

/** The idle schedule of the app, with the time each slice takes on the main thread added up. */
function timedSchedule(totals: { mainThread: number; slices: number; longest: number }): Schedule {
	return (run) =>
		idleSchedule(() => {
			const started = performance.now();
			run();
			const took = performance.now() - started;
			totals.mainThread += took;
			totals.slices++;
			totals.longest = Math.max(totals.longest, took);
		});
}

/**
 * The index built from scratch, as when a workspace opens: from "documents loaded" until every page
 * is indexed and a first query has answered. Main-thread time is the starting of the worker, the
 * wiring and the sum of the idle slices (reading pages, sending them); the rest runs in the worker.
 */
async function buildIndex(): Promise<Record<string, number>> {
	const { workspace, bodies, talks } = docsOf();
	const totals = { mainThread: 0, slices: 0, longest: 0 };
	const started = performance.now();
	const backend = new WorkerSearchBackend(new SearchWorker({ name: 'search' }));
	const built = new SearchIndex(workspace, backend, { schedule: timedSchedule(totals) });
	for (const [pageId, body] of bodies) built.track(pageId, 'body', body);
	for (const [pageId, talk] of talks) built.track(pageId, 'talk', talk);
	totals.mainThread += performance.now() - started;
	await new Promise<void>((resolve) => {
		const check = () => {
			if (built.status.kind === 'ready') resolve();
		};
		built.onStatus(check);
		check();
	});
	const read = performance.now();
	const first = await built.search({ text: 'concurrent editing' });
	const answered = performance.now();
	index = built;
	return {
		wall: answered - started,
		readAll: read - started,
		firstQueryWait: answered - read,
		mainThread: totals.mainThread,
		slices: totals.slices,
		longestSlice: totals.longest,
		firstQueryHits: first.total
	};
}

/** Queries through the worker, as the search page sees them: post, wait for the answer. */
async function queryWorker(queries: readonly SearchQuery[], rounds: number): Promise<number[][]> {
	if (!index) throw new Error('buildIndex() first');
	const samples: number[][] = queries.map(() => []);
	for (let round = 0; round < rounds; round++) {
		for (let q = 0; q < queries.length; q++) {
			const started = performance.now();
			await index.search(queries[q]!);
			samples[q]!.push(performance.now() - started);
		}
	}
	return samples;
}

/**
 * The engine on the page itself (a browser without workers): built by the same index, read all at
 * once (`flush`), then queried directly. Returns the build time and the samples.
 */
function queryLocal(queries: readonly SearchQuery[], rounds: number): { build: number; units: number; samples: number[][] } {
	const { workspace, bodies, talks } = docsOf();
	const backend = new LocalSearchBackend();
	const local = new SearchIndex(workspace, backend, { schedule: () => undefined });
	for (const [pageId, body] of bodies) local.track(pageId, 'body', body);
	for (const [pageId, talk] of talks) local.track(pageId, 'talk', talk);
	const started = performance.now();
	local.flush();
	backend.engine.search({ text: 'concurrent editing' });
	const build = performance.now() - started;
	const samples: number[][] = queries.map(() => []);
	for (let round = 0; round < rounds; round++) {
		for (let q = 0; q < queries.length; q++) {
			const at = performance.now();
			backend.engine.search(queries[q]!);
			samples[q]!.push(performance.now() - at);
		}
	}
	const units = backend.engine.size;
	local.destroy();
	return { build, units, samples };
}

/** The engine alone on the page, from the units Node read (corpus.ts): what the worker's part costs in this V8. */
async function engineBuild(): Promise<number> {
	const units = (await (await fetch('/units.json')).json()) as SearchUnit[];
	const backend = new LocalSearchBackend();
	const started = performance.now();
	backend.apply(units, []);
	backend.engine.search({ text: 'concurrent editing' });
	return performance.now() - started;
}

function stopIndex(): void {
	index?.destroy();
	index = null;
}

/** The app's editor on the first page's body, caret at the end of its second block. */
function mountEditor(): void {
	const { bodies, corpus } = docsOf();
	const place = document.createElement('div');
	document.body.append(place);
	editor = createEditor(place, { fragment: bodyFragment(bodies.get(corpus.pages[0]!.id)!), awareness: null, editable: true });
	const second = editor.state.doc.child(0).nodeSize + editor.state.doc.child(1).nodeSize - 1;
	editor.dispatch(editor.state.tr.setSelection(TextSelection.create(editor.state.doc, second)));
	editor.focus();
}

/** Keystroke-to-next-frame latencies: from the key event's time stamp to just after the next frame. */
const latencies: number[] = [];
let recording = false;

window.addEventListener(
	'keydown',
	(event) => {
		if (!recording) return;
		const pressed = event.timeStamp;
		requestAnimationFrame(() => {
			// After the frame's rendering steps: a message posted from rAF is handled once it is drawn.
			const channel = new MessageChannel();
			channel.port1.onmessage = () => latencies.push(performance.now() - pressed);
			channel.port2.postMessage(null);
		});
	},
	true
);

/** A teammate editing ten other pages: an update to each every TICK_MS, merged as the relay would. */
const TICK_MS = 50;
const REMOTE_PAGES = 10;
let remoteTimer: ReturnType<typeof setInterval> | null = null;
let remoteUpdates = 0;

function startRemote(): void {
	const { bodies, corpus } = docsOf();
	const replicas = corpus.pages.slice(1, 1 + REMOTE_PAGES).map((page) => {
		const local = bodies.get(page.id)!;
		const replica = newPageDoc();
		Y.applyUpdate(replica, Y.encodeStateAsUpdate(local));
		replica.on('update', (update: Uint8Array) => Y.applyUpdate(local, update, 'relay'));
		return replica;
	});
	let tick = 0;
	remoteTimer = setInterval(() => {
		tick++;
		for (const replica of replicas) {
			const block = bodyFragment(replica).get(1) as Y.XmlElement;
			const text = block.get(0) as Y.XmlText;
			text.insert(text.length, ` teammate${tick} wrote more`);
			remoteUpdates++;
		}
	}, TICK_MS);
}

function stopRemote(): void {
	if (remoteTimer !== null) clearInterval(remoteTimer);
	remoteTimer = null;
}

/** Long tasks (over 50 ms) on the main thread while recording. */
let longTasks = 0;
new PerformanceObserver((list) => {
	if (recording) longTasks += list.getEntries().length;
}).observe({ type: 'longtask', buffered: false });

function startRecording(): void {
	latencies.length = 0;
	longTasks = 0;
	remoteUpdates = 0;
	recording = true;
}

async function stopRecording(): Promise<{ latencies: number[]; longTasks: number; remoteUpdates: number }> {
	// The last key's frame.
	await new Promise((resolve) => setTimeout(resolve, 100));
	recording = false;
	return { latencies: [...latencies], longTasks, remoteUpdates };
}

function editorText(): string {
	return editor?.state.doc.child(1).textContent ?? '';
}

const api = { load, buildIndex, queryWorker, queryLocal, engineBuild, stopIndex, mountEditor, startRemote, stopRemote, startRecording, stopRecording, editorText };
(window as unknown as { bench: typeof api }).bench = api;
document.title = 'ready';
