/**
 * Which pages of a workspace's tree are expanded, on this device only: a member's sidebar layout is
 * theirs, so it lives in localStorage, not in the shared workspace document.
 */
import { SvelteSet } from 'svelte/reactivity';

export class ExpandedPages {
	readonly #key: string;
	readonly #ids: SvelteSet<string>;

	constructor(workspaceId: string) {
		this.#key = `meridian:tree-expanded:${workspaceId}`;
		this.#ids = new SvelteSet(read(this.#key));
	}

	has(id: string): boolean {
		return this.#ids.has(id);
	}

	set(id: string, expanded: boolean): void {
		if (expanded === this.#ids.has(id)) return;
		if (expanded) this.#ids.add(id);
		else this.#ids.delete(id);
		this.#save();
	}

	toggle(id: string): void {
		this.set(id, !this.has(id));
	}

	/** Expands every one of `ids` (the ancestors of a page being shown), in one write. */
	reveal(ids: Iterable<string>): void {
		let changed = false;
		for (const id of ids) {
			if (this.#ids.has(id)) continue;
			this.#ids.add(id);
			changed = true;
		}
		if (changed) this.#save();
	}

	#save(): void {
		try {
			localStorage.setItem(this.#key, JSON.stringify([...this.#ids]));
		} catch {
			// Storage full or disabled: the tree still works, it just forgets on reload.
		}
	}
}

function read(key: string): string[] {
	try {
		const value: unknown = JSON.parse(localStorage.getItem(key) ?? '[]');
		return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
	} catch {
		return [];
	}
}
