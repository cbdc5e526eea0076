/**
 * The benchmark page: the automerge-paper editing trace (../shared/data/editing-traces, 259,778
 * single-character edits producing a 104,852-character LaTeX paper) replayed into a Meridian page
 * body, so the page has the size *and the Yjs history* of a long real document.
 *
 * The body is what the app stores (model/page.ts): the `prosemirror` XmlFragment of a
 * `newPageDoc()`, seeded as a blank page is (one empty paragraph), one paragraph per line. Every
 * trace transaction is one Yjs transaction, shaped as y-prosemirror writes the editor's steps:
 * typing inserts into the paragraph's XmlText; a '\n' splits the paragraph (the tail is deleted
 * from it and inserted as a new paragraph after it); deleting a '\n' joins the next paragraph's text
 * onto this one and deletes the next paragraph. The result is checked against the trace's
 * `endContent`.
 *
 * Replaying takes seconds, so the update is cached under node_modules/.cache/, keyed by a hash of
 * this file and the trace: a change to either makes a new one.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as Y from 'yjs';
import { bodyFragment, newPageDoc, seedPageBody } from '../../src/lib/model/page.ts';

/** The page's id in the bench workspace (fixed: the blank seed's structs depend on it). */
export const PAGE_ID = 'automerge-paper';
const TRACE = resolve(import.meta.dirname, '../../../shared/data/editing-traces/automerge-paper.json.gz');
const CACHE_DIR = resolve(import.meta.dirname, '../../node_modules/.cache/meridian-bench-app');
/** The replaying client: fixed, so the cached update is the same on every machine. */
const CLIENT_ID = 0x2b4d_1e07;

interface Trace {
	readonly startContent: string;
	readonly endContent: string;
	readonly txns: readonly { readonly patches: readonly (readonly [number, number, string])[] }[];
}

export interface BenchPage {
	/** The body as one Yjs update (Y.encodeStateAsUpdate of the replayed document). */
	readonly update: Uint8Array;
	/** The final text, paragraphs joined with '\n' (= the trace's endContent). */
	readonly text: string;
	readonly paragraphs: number;
	readonly edits: number;
	/** Whether this run built it (false: read from the cache). */
	readonly built: boolean;
	readonly buildMs: number;
}

/**
 * The paragraphs of the body as the replay sees them: the Yjs element, its text (null until the
 * first character is typed into it, as y-prosemirror leaves an empty paragraph without one) and a
 * plain copy of the line, so positions are found without reading Yjs.
 */
class Replay {
	readonly #doc: Y.Doc;
	readonly #fragment: Y.XmlFragment;
	readonly #elements: Y.XmlElement[] = [];
	readonly #texts: (Y.XmlText | null)[] = [];
	readonly #lines: string[] = [];
	/** The paragraph the last edit touched and where it starts: edits are local, so the search starts there. */
	#at = 0;
	#start = 0;

	constructor(doc: Y.Doc) {
		this.#doc = doc;
		this.#fragment = bodyFragment(doc);
		const first = this.#fragment.get(0);
		if (!(first instanceof Y.XmlElement) || first.length !== 0) throw new Error('the blank seed is not one empty paragraph');
		this.#elements.push(first);
		this.#texts.push(null);
		this.#lines.push('');
	}

	get text(): string {
		return this.#lines.join('\n');
	}

	get paragraphs(): number {
		return this.#lines.length;
	}

	apply(patches: readonly (readonly [number, number, string])[]): void {
		this.#doc.transact(() => {
			for (const [pos, del, ins] of patches) {
				for (let i = 0; i < del; i++) this.#deleteAt(pos);
				for (let i = 0; i < ins.length; i++) this.#insertAt(pos + i, ins[i]!);
			}
		});
	}

	/** The paragraph holding document position `pos` (a position at a line's end belongs to that line). */
	#find(pos: number): { index: number; offset: number } {
		while (pos < this.#start) {
			this.#at--;
			this.#start -= this.#lines[this.#at]!.length + 1;
		}
		while (pos > this.#start + this.#lines[this.#at]!.length) {
			this.#start += this.#lines[this.#at]!.length + 1;
			this.#at++;
		}
		return { index: this.#at, offset: pos - this.#start };
	}

	#insertAt(pos: number, char: string): void {
		const { index, offset } = this.#find(pos);
		const line = this.#lines[index]!;
		if (char !== '\n') {
			let text = this.#texts[index];
			if (!text) {
				text = new Y.XmlText();
				this.#elements[index]!.insert(0, [text]);
				this.#texts[index] = text;
			}
			text.insert(offset, char);
			this.#lines[index] = line.slice(0, offset) + char + line.slice(offset);
			return;
		}
		// Enter: the tail moves into a new paragraph after this one.
		const tail = line.slice(offset);
		if (tail.length > 0) this.#texts[index]!.delete(offset, tail.length);
		const element = new Y.XmlElement('paragraph');
		const text = tail.length > 0 ? new Y.XmlText(tail) : null;
		if (text) element.insert(0, [text]);
		this.#fragment.insert(index + 1, [element]);
		this.#elements.splice(index + 1, 0, element);
		this.#texts.splice(index + 1, 0, text);
		this.#lines[index] = line.slice(0, offset);
		this.#lines.splice(index + 1, 0, tail);
	}

	#deleteAt(pos: number): void {
		const { index, offset } = this.#find(pos);
		const line = this.#lines[index]!;
		if (offset < line.length) {
			this.#texts[index]!.delete(offset, 1);
			this.#lines[index] = line.slice(0, offset) + line.slice(offset + 1);
			return;
		}
		// The line's '\n': the next paragraph's text joins this one, and the next paragraph goes.
		const next = this.#lines[index + 1];
		if (next === undefined) throw new Error(`delete past the end at ${pos}`);
		if (next.length > 0) {
			let text = this.#texts[index];
			if (!text) {
				text = new Y.XmlText();
				this.#elements[index]!.insert(0, [text]);
				this.#texts[index] = text;
			}
			text.insert(line.length, next);
		}
		this.#fragment.delete(index + 1, 1);
		this.#elements.splice(index + 1, 1);
		this.#texts.splice(index + 1, 1);
		this.#lines[index] = line + next;
		this.#lines.splice(index + 1, 1);
	}
}

function generate(trace: Trace): { update: Uint8Array; text: string; paragraphs: number; edits: number } {
	if (trace.startContent !== '') throw new Error('the trace does not start from an empty document');
	const doc = newPageDoc();
	doc.clientID = CLIENT_ID;
	seedPageBody(doc, PAGE_ID);
	const replay = new Replay(doc);
	let edits = 0;
	for (const txn of trace.txns) {
		replay.apply(txn.patches);
		edits += txn.patches.length;
	}
	const text = replay.text;
	if (text !== trace.endContent) throw new Error('the replayed page does not equal the trace\'s endContent');
	// What the editor would show is what the replay tracked.
	const fromYjs = bodyFragment(doc)
		.toArray()
		.map((block) => (block instanceof Y.XmlElement ? block.toArray().map((child) => (child instanceof Y.XmlText ? child.toString() : '')).join('') : ''))
		.join('\n');
	if (fromYjs !== text) throw new Error('the Yjs body does not hold the replayed text');
	const update = Y.encodeStateAsUpdate(doc);
	doc.destroy();
	return { update, text, paragraphs: replay.paragraphs, edits };
}

/** The benchmark page, from the cache when this generator and the trace have not changed. */
export function benchPage(): BenchPage {
	const compressed = readFileSync(TRACE);
	const key = createHash('sha256').update(readFileSync(import.meta.filename)).update(compressed).digest('hex').slice(0, 16);
	const file = join(CACHE_DIR, `automerge-paper-${key}.bin`);
	const meta = join(CACHE_DIR, `automerge-paper-${key}.json`);
	if (existsSync(file) && existsSync(meta)) {
		const { text, paragraphs, edits } = JSON.parse(readFileSync(meta, 'utf8')) as { text: string; paragraphs: number; edits: number };
		return { update: new Uint8Array(readFileSync(file)), text, paragraphs, edits, built: false, buildMs: 0 };
	}
	const started = performance.now();
	const trace = JSON.parse(gunzipSync(compressed).toString('utf8')) as Trace;
	const page = generate(trace);
	const buildMs = performance.now() - started;
	mkdirSync(CACHE_DIR, { recursive: true });
	writeFileSync(file, page.update);
	writeFileSync(meta, JSON.stringify({ text: page.text, paragraphs: page.paragraphs, edits: page.edits }));
	return { ...page, built: true, buildMs };
}
