/**
 * The people list as reactive state: `listPeople` over the people document and the workspace
 * document (whose members list fills in for people without a profile), and this device's member
 * (so their own card and form show before their profile has synced), re-read after either
 * changes and cached between changes, since every Timestamp on a screen looks people up.
 */
import * as Y from 'yjs';
import { listPeople, type Person, type Self } from '$lib/model/people.ts';

export class LivePeople {
	readonly #workspace: Y.Doc;
	readonly #self: Self;
	#people = $state<Y.Doc | null>(null);
	/** Bumped on every change to either document: what readers depend on. */
	#version = $state(0);
	#cache: { version: number; list: Person[]; byId: Map<string, Person> } | null = null;
	readonly #changed = () => this.#version++;

	constructor(workspace: Y.Doc, self: Self) {
		this.#workspace = workspace;
		this.#self = self;
		workspace.on('update', this.#changed);
	}

	/** The people document, once it has opened. */
	get doc(): Y.Doc | null {
		return this.#people;
	}

	attach(people: Y.Doc): void {
		this.#people?.off('update', this.#changed);
		this.#people = people;
		people.on('update', this.#changed);
		this.#version++;
	}

	get current(): { readonly list: readonly Person[]; readonly byId: ReadonlyMap<string, Person> } {
		const version = this.#version;
		if (this.#cache?.version !== version) {
			// Before the people document opens, the members list alone (a doc with no profiles).
			const list = listPeople(this.#people ?? emptyDoc(), this.#workspace, this.#self);
			this.#cache = { version, list, byId: new Map(list.map((p) => [p.id, p])) };
		}
		return this.#cache;
	}

	destroy(): void {
		this.#workspace.off('update', this.#changed);
		this.#people?.off('update', this.#changed);
	}
}

let empty: Y.Doc | null = null;
function emptyDoc(): Y.Doc {
	return (empty ??= new Y.Doc());
}
