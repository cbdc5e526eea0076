/**
 * The workspace a new device joins in the cold-sync scenario: by default 1,000 pages of ~20 KB of
 * Yjs state each (~20 MB in all), every page with its discussion room, built by the app's own model
 * code and returned as one update per room, ready to seed into a server.
 *
 * The text is the search benchmark's corpus (bench/search/corpus.ts: real English from the editing
 * traces), so both scenarios work on the same kind of workspace. What this adds is history: a page
 * is written in several sittings by three members, each on their own replica (so the state holds
 * several clients), typing a block at a time, and later sittings rewrite sentences and delete a
 * block. Bodies keep their history (`gc: false`), so the deleted text travels too, as it would in a
 * workspace that has been worked in. Each writer records authorship as the app does
 * (model/authorship.ts), which adds its own maps to the state.
 */
import * as Y from 'yjs';
import { generateCorpus, random, type CorpusPage } from '../search/corpus.ts';
import { initWorkspace } from '../../src/lib/model/workspace.ts';
import { addCorpusEntry } from '../search/entries.ts';
import { bodyFragment, newPageDoc, seedPageBody } from '../../src/lib/model/page.ts';
import { reply, resolveThread, startThread } from '../../src/lib/model/comments.ts';
import { trackAuthorship } from '../../src/lib/model/authorship.ts';
import { Origin } from '../../src/lib/model/origins.ts';
import { pageRoom, peopleRoom, talkRoom, workspaceRoom } from '../../src/lib/protocol/index.ts';

export interface SeedRoom {
	readonly room: string;
	readonly kind: 'workspace' | 'people' | 'page' | 'talk';
	/** The room's whole state as one update (what a server stores and a new device receives). */
	readonly update: Uint8Array;
}

export interface ColdWorkspace {
	readonly workspaceId: string;
	readonly pages: number;
	readonly rooms: readonly SeedRoom[];
	/** Bytes of all rooms' state. */
	readonly bytes: number;
}

/**
 * Characters of body text per page, before the later sittings' rewrites: with the deleted text,
 * the formatting structure and the authorship records this comes to ~20 KB of state a page.
 */
const PAGE_LENGTH = 13_000;
/** The members who write each page, one replica each: the state carries three clients. */
const WRITERS = 3;

/** One block as y-prosemirror stores it: an element holding an XmlText. */
function blockElement(block: CorpusPage['blocks'][number]): Y.XmlElement {
	const element = new Y.XmlElement(block.type);
	// y-prosemirror stores attributes as ProseMirror has them: the level is a number.
	if (block.type === 'heading') element.setAttribute('level', block.level as unknown as string);
	element.insert(0, [new Y.XmlText()]);
	return element;
}

/** Types `text` at the end of block `index` in two bursts (one transaction each). */
function type(doc: Y.Doc, index: number, text: string): void {
	const words = text.split(' ');
	const burst = Math.max(4, Math.ceil(words.length / 2));
	for (let w = 0; w < words.length; w += burst) {
		doc.transact(() => {
			const xml = (bodyFragment(doc).get(index) as Y.XmlElement).get(0) as Y.XmlText;
			xml.insert(xml.length, (w === 0 ? '' : ' ') + words.slice(w, w + burst).join(' '));
		}, Origin.local);
	}
}

function sync(from: Y.Doc, to: Y.Doc): void {
	Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)), Origin.relay);
}

/** A page body written in sittings by WRITERS members (see the top of the file). */
function writeBody(page: CorpusPage, next: () => number): Y.Doc {
	const members = [page.createdBy, 'ben', 'cleo'];
	const replicas = Array.from({ length: WRITERS }, () => newPageDoc());
	let now = page.at;
	const stops = replicas.map((doc, i) => trackAuthorship(doc, members[i]!, () => now));
	// The creator opens the new page: its blank seed, as every device seeds it.
	seedPageBody(replicas[0]!, page.id);
	const blocks = page.blocks;
	const sittings = [0, Math.floor(blocks.length * 0.4), Math.floor(blocks.length * 0.75), blocks.length];
	for (let s = 0; s < WRITERS; s++) {
		const doc = replicas[s]!;
		if (s > 0) sync(replicas[s - 1]!, doc);
		now += 3_600_000 * (1 + s * 20);
		const fragment = bodyFragment(doc);
		for (let b = sittings[s]!; b < sittings[s + 1]!; b++) {
			const block = blocks[b]!;
			doc.transact(() => fragment.insert(fragment.length, [blockElement(block)]), Origin.local);
			type(doc, fragment.length - 1, block.text);
			now += 60_000;
		}
		if (s === 0) continue;
		// A later sitting reworks what was there: rewrites a few sentences and drops a block.
		for (let r = 0; r < 4; r++) {
			const index = 1 + Math.floor(next() * (fragment.length - 1));
			const xml = (fragment.get(index) as Y.XmlElement).get(0) as Y.XmlText;
			const cut = Math.min(xml.length, 40 + Math.floor(next() * 160));
			const at = Math.floor(next() * (xml.length - cut + 1));
			const replaced = xml.toString().slice(at, at + cut);
			doc.transact(() => xml.delete(at, cut), Origin.local);
			doc.transact(() => xml.insert(at, replaced.split(' ').reverse().join(' ')), Origin.local);
		}
		doc.transact(() => fragment.delete(1 + Math.floor(next() * (fragment.length - 1)), 1), Origin.local);
	}
	for (let s = WRITERS - 1; s > 0; s--) sync(replicas[s]!, replicas[s - 1]!);
	for (const stop of stops) stop();
	return replicas[0]!;
}

/** A discussion with the page's threads, anchored on its first written block as the app anchors a selection. */
function writeTalk(body: Y.Doc, page: CorpusPage): Y.Doc {
	const talk = new Y.Doc();
	// Block 0 is the blank seed's empty paragraph.
	const first = (bodyFragment(body).get(1) as Y.XmlElement).get(0) as Y.XmlText;
	const start = Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(first, 0));
	const end = Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(first, 6));
	for (const thread of page.threads) {
		const [opening, ...replies] = thread.messages;
		if (!opening) continue;
		const actor = { memberId: opening.author, now: page.at };
		const id = startThread(talk, { start, end, quote: first.toString().slice(0, 6) }, { text: opening.text, name: opening.author }, actor);
		for (const message of replies) reply(talk, id, { text: message.text, name: message.author }, { memberId: message.author, now: page.at });
		if (thread.resolved) resolveThread(talk, id, opening.author, actor);
	}
	return talk;
}

/** Builds the workspace. Deterministic text and structure (client ids are Yjs's random ones). */
export function coldWorkspace(pages: number, workspaceId = 'coldsync'): ColdWorkspace {
	const corpus = generateCorpus({ pages, pageLength: PAGE_LENGTH, seed: 11 });
	const next = random(23);
	const workspace = new Y.Doc();
	initWorkspace(workspace, 'Cold sync', { memberId: 'ana', now: 1_700_000_000_000 });
	const rooms: SeedRoom[] = [];
	for (const page of corpus.pages) {
		addCorpusEntry(workspace, page);
		const body = writeBody(page, next);
		rooms.push({ room: pageRoom(workspaceId, page.id), kind: 'page', update: Y.encodeStateAsUpdate(body) });
		const talk = writeTalk(body, page);
		// Every page's discussion room is synced, whether or not anyone has written in it yet.
		rooms.push({ room: talkRoom(workspaceId, page.id), kind: 'talk', update: Y.encodeStateAsUpdate(talk) });
	}
	rooms.unshift(
		{ room: workspaceRoom(workspaceId), kind: 'workspace', update: Y.encodeStateAsUpdate(workspace) },
		{ room: peopleRoom(workspaceId), kind: 'people', update: Y.encodeStateAsUpdate(new Y.Doc()) }
	);
	return { workspaceId, pages, rooms, bytes: rooms.reduce((sum, room) => sum + room.update.byteLength, 0) };
}
