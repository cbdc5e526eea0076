/**
 * A page body: one Y.Doc per page holding the ProseMirror content in the `prosemirror`
 * XmlFragment (the name y-prosemirror binds to), plus its authorship records (authorship.ts).
 * Bodies keep their whole history (`gc: false`) so versions, diffs and "who wrote what" can be
 * built for everything ever written.
 */
import * as Y from 'yjs';
import { Origin } from './origins.ts';
import { BASE_SCHEMA_VERSION, assertWritable, metaMap } from './version.ts';

export const BODY_FRAGMENT = 'prosemirror';

/** A fresh page-body document. Never reuse a clientID across tabs or devices: Yjs picks a random one. */
/** A page body's document; `guid` names it (its room), sparing Yjs a random one. */
export function newPageDoc(guid?: string): Y.Doc {
	return new Y.Doc({ gc: false, ...(guid === undefined ? {} : { guid }) });
}

export function bodyFragment(doc: Y.Doc): Y.XmlFragment {
	return doc.getXmlFragment(BODY_FRAGMENT);
}

/** A block of starting content: element name, attributes, and either text or child blocks. */
export interface SeedBlock {
	readonly type: string;
	readonly attrs?: Readonly<Record<string, string | number | boolean | null>>;
	readonly text?: string;
	readonly content?: readonly SeedBlock[];
}

/** The starting content of a blank page: one empty paragraph, so the editor has a place for the caret. */
export const blankPage: readonly SeedBlock[] = [{ type: 'paragraph' }];

/**
 * Gives a page its starting content exactly once, however many devices do it at the same time.
 *
 * The content is written by a throwaway document whose clientID is derived from the page id and
 * the seed's name. Every device therefore produces byte-identical structs (same client, same
 * clocks), and Yjs merges identical structs into one: two members opening a new page at once, or
 * creating it from one template at once, get its content once. The editor never seeds itself;
 * it binds to whatever the document holds (see y-prosemirror's caveats).
 *
 * Returns true if the seed was applied now, false if the document already had it or had content.
 * Throws NewerSchemaError on a document written by a newer version, like every other writer.
 */
export function seedPageBody(doc: Y.Doc, pageId: string, seedName = 'blank', blocks: readonly SeedBlock[] = blankPage): boolean {
	return seedPageBodyWith(doc, pageId, seedName, () => blocks.map(toYElement));
}

/**
 * seedPageBody with content built by `build` (called only if the seed is applied). Only seeds whose
 * `build` gives the same result on every device merge into one copy; a seed that cannot promise
 * that (a copy of another page, see templates.ts) must be applied by one device only.
 */
export function seedPageBodyWith(
	doc: Y.Doc,
	pageId: string,
	seedName: string,
	build: () => (Y.XmlElement | Y.XmlText)[],
	version: number = BASE_SCHEMA_VERSION
): boolean {
	// The seed writes meta.schemaVersion too; into a newer document it could even win over the newer version.
	assertWritable(doc);
	// Keyed by the base version, so a stale tab and an updated one seed a page identically.
	const seedClient = seedClientId(`${pageId}\u0000${seedName}\u0000${BASE_SCHEMA_VERSION}`);
	if (doc.store.clients.has(seedClient)) return false;
	if (bodyFragment(doc).length > 0) return false;
	const seed = new Y.Doc({ gc: false, guid: seedName });
	seed.clientID = seedClient;
	seed.transact(() => {
		// The base, unless the content needs more (a copy of a page that holds mentions).
		metaMap(seed).set('schemaVersion', version);
		bodyFragment(seed).insert(0, build());
	});
	Y.applyUpdate(doc, Y.encodeStateAsUpdate(seed), Origin.seed);
	seed.destroy();
	return true;
}

function toYElement(block: SeedBlock): Y.XmlElement {
	const element = new Y.XmlElement(block.type);
	for (const [key, value] of Object.entries(block.attrs ?? {})) {
		// y-prosemirror stores attributes as-is; Yjs types them as strings but keeps any JSON value.
		element.setAttribute(key, value as unknown as string);
	}
	if (block.text !== undefined && block.text !== '') element.insert(0, [new Y.XmlText(block.text)]);
	if (block.content) element.insert(0, block.content.map(toYElement));
	return element;
}

/**
 * A stable 31-bit client id from a string (FNV-1a). Real client ids are random 32-bit numbers;
 * setting the top bit never, and the chance of meeting one of a document's real clients is
 * that of a random collision, which Yjs already accepts for its own ids.
 */
export function seedClientId(key: string): number {
	let hash = 0x811c9dc5;
	for (let i = 0; i < key.length; i++) {
		hash ^= key.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193);
	}
	return hash >>> 1;
}
