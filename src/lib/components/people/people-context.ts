/**
 * The workspace's people, for any component below PeopleProvider: the live list (profiles and
 * members, model/people.ts `listPeople`), a lookup by member id, and who "me" is. Components must
 * tolerate its absence (`getPeopleContext()` returns null): a Timestamp outside a workspace shows
 * only the viewer's time.
 */
import { getContext, setContext } from 'svelte';
import type * as Y from 'yjs';
import type { Person } from '$lib/model/people.ts';

const key = Symbol('people');

export interface PeopleContext {
	/** Everyone, sorted by name; re-read when the people or workspace document changes. */
	readonly people: readonly Person[];
	/** One person by member id (undefined when nobody by that id is known). */
	person(id: string | null | undefined): Person | undefined;
	/** The member using this device. */
	readonly me: string;
	/** The people document once it is open (null before): the profile form writes to it. */
	readonly doc: Y.Doc | null;
}

export function setPeopleContext(context: PeopleContext): void {
	setContext(key, context);
}

/** The people context, or null outside PeopleProvider. */
export function getPeopleContext(): PeopleContext | null {
	return getContext<PeopleContext | undefined>(key) ?? null;
}
