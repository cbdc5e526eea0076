/**
 * The app scenario's floors (driven by bench/app/floor.ts): the benchmark page in editors that are
 * less and less than Meridian's, in the app's stylesheet, so a keystroke's cost in the app can be
 * read against what the browser and the libraries cost alone. `location.hash` picks one:
 *
 * - `contenteditable`: the page's paragraphs as `<p>` in a contenteditable element, no script: the
 *   browser's own editing, layout and paint;
 * - `prosemirror`: ProseMirror on the page's content with the app's schema and the base keymap, no
 *   Yjs;
 * - `y-prosemirror`: ProseMirror bound to the page's Y.Doc by y-prosemirror's sync and undo plugins;
 * - `editor`: the app's editor (editor/setup.ts, every plugin) on the Y.Doc, outside the app (no
 *   session, indexes or Svelte).
 *
 * `?teammate=<paragraph>` adds a teammate to the Yjs modes: a second replica in the page types one
 * character a second-tenth into that paragraph, each applied to the edited Y.Doc as its own update,
 * as the relay would deliver it (no network: a floor). The page body is fetched from /page.bin.
 */
import '../../../src/app.css';
import * as Y from 'yjs';
import { EditorState } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';
import { keymap } from 'prosemirror-keymap';
import { baseKeymap } from 'prosemirror-commands';
import { ySyncPlugin, yUndoPlugin } from 'y-prosemirror';
import { schema } from '../../../src/lib/editor/schema.ts';
import { createEditor } from '../../../src/lib/editor/setup.ts';
import { bodyFragment, newPageDoc } from '../../../src/lib/model/page.ts';

/** What the driver reads: set once the editor shows the page. */
declare global {
	interface Window {
		floorReady?: boolean;
		floorError?: string;
		teammateTyped?: () => number;
	}
}

const PEER_INTERVAL_MS = 100;
const PEER_WORDS = ' and the teammate keeps writing here';

/** The paragraphs' plain text (the bench page holds paragraphs of plain text only). */
function lines(fragment: Y.XmlFragment): string[] {
	return fragment.toArray().map((block) => (block instanceof Y.XmlElement ? block.toArray().map((child) => (child instanceof Y.XmlText ? child.toString() : '')).join('') : ''));
}

function startTeammate(doc: Y.Doc, at: number): () => number {
	const peer = newPageDoc();
	Y.applyUpdate(peer, Y.encodeStateAsUpdate(doc));
	peer.on('update', (update: Uint8Array) => Y.applyUpdate(doc, update, 'teammate'));
	const block = bodyFragment(peer).get(at);
	const text = block instanceof Y.XmlElement ? block.get(0) : null;
	if (!(text instanceof Y.XmlText)) throw new Error(`paragraph ${at} has no text for the teammate to extend`);
	let typed = 0;
	setInterval(() => text.insert(text.length, PEER_WORDS[typed++ % PEER_WORDS.length]!), PEER_INTERVAL_MS);
	return () => typed;
}

async function main(): Promise<void> {
	const mode = location.hash.slice(1);
	const teammate = new URLSearchParams(location.search).get('teammate');
	const doc = newPageDoc();
	Y.applyUpdate(doc, new Uint8Array(await (await fetch('/page.bin')).arrayBuffer()));
	const fragment = bodyFragment(doc);
	const place = document.querySelector<HTMLElement>('[data-testid=editor]')!;
	if (mode === 'contenteditable') {
		const root = document.createElement('div');
		root.className = 'prose ProseMirror';
		root.contentEditable = 'true';
		for (const line of lines(fragment)) {
			const paragraph = document.createElement('p');
			if (line) paragraph.textContent = line;
			else paragraph.append(document.createElement('br'));
			root.append(paragraph);
		}
		place.append(root);
	} else if (mode === 'prosemirror') {
		const content = lines(fragment).map((line) => schema.nodes['paragraph']!.create(null, line ? schema.text(line) : null));
		const state = EditorState.create({ schema, doc: schema.topNodeType.create(null, content), plugins: [keymap(baseKeymap)] });
		new EditorView(place, { state, attributes: { class: 'prose' } });
	} else if (mode === 'y-prosemirror') {
		const state = EditorState.create({ schema, plugins: [ySyncPlugin(fragment), yUndoPlugin(), keymap(baseKeymap)] });
		new EditorView(place, { state, attributes: { class: 'prose' } });
	} else if (mode === 'editor') {
		createEditor(place, { fragment, awareness: null, editable: true });
	} else {
		throw new Error(`no floor called "${mode}"`);
	}
	if (teammate !== null) {
		if (mode === 'contenteditable' || mode === 'prosemirror') throw new Error(`"${mode}" has no Y.Doc for a teammate`);
		window.teammateTyped = startTeammate(doc, Number(teammate));
	}
	window.floorReady = true;
}

main().catch((error: unknown) => (window.floorError = String(error)));
