/**
 * Every document carries a schema version in its `meta` map: the oldest schema that may write it.
 * A client meeting a newer version than it understands reads the document but never writes to it,
 * because it could not keep invariants it does not know about.
 */
import type * as Y from 'yjs';

/**
 * The newest document schema this code reads and writes. Bump it when a change needs new invariants.
 *   1  the first release
 *   2  `mention` nodes in page bodies (an older editor would delete what it cannot render; see
 *      editor/read-only.ts), and `mentions` on comment messages (older clients show their text)
 *
 * A document says the oldest schema that may write it, not the newest that did: it starts at
 * BASE_SCHEMA_VERSION and is raised (`raiseSchemaVersion`) only when content that older clients
 * must not touch is written into it. So a stale tab keeps editing everything that holds nothing
 * new, and two versions seeding one page write identical seeds (page.ts keys seeds by the base).
 */
export const SCHEMA_VERSION = 2;

/** What a document holding nothing newer says. Seeds are keyed by it: never change it. */
export const BASE_SCHEMA_VERSION = 1;

/** The first schema with mention nodes in page bodies: a body holding one is stamped with it. */
export const MENTION_SCHEMA_VERSION = 2;

export function metaMap(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap('meta');
}

/** The version the document says it was written with; null while nothing has said (not yet loaded). */
export function readSchemaVersion(doc: Y.Doc): number | null {
	const value = metaMap(doc).get('schemaVersion');
	return typeof value === 'number' ? value : null;
}

/** Whether this code may write to the document: only if its version is not newer than ours. */
export function canWriteSchema(doc: Y.Doc): boolean {
	const version = readSchemaVersion(doc);
	return version === null || version <= SCHEMA_VERSION;
}

/** Thrown by model writers when a document is newer than this client. */
export class NewerSchemaError extends Error {
	readonly version: number | null;
	constructor(version: number | null) {
		super(`This document was written by a newer version of Meridian (schema ${version}); update the app to edit it.`);
		this.name = 'NewerSchemaError';
		this.version = version;
	}
}

export function assertWritable(doc: Y.Doc): void {
	if (!canWriteSchema(doc)) throw new NewerSchemaError(readSchemaVersion(doc));
}

/** Gives a document its version, once (documents whose first writer is not a seed): the base. */
export function stampSchemaVersion(doc: Y.Doc): void {
	if (!metaMap(doc).has('schemaVersion')) metaMap(doc).set('schemaVersion', BASE_SCHEMA_VERSION);
}

/**
 * Raises a document's version to `version` when it is older (or unstamped): called before writing
 * content that older clients must not touch, so that they turn read-only on it instead of breaking
 * it. Never lowers a version, and writes nothing when the document already says enough.
 */
export function raiseSchemaVersion(doc: Y.Doc, version: number): void {
	const current = readSchemaVersion(doc);
	if (current !== null && current >= version) return;
	assertWritable(doc);
	metaMap(doc).set('schemaVersion', version);
}
