/**
 * Every decision's positions, read reactively: the discussion document of each decision record in
 * the workspace is opened (new records as they arrive) and followed, so the log updates when a
 * teammate weighs in. With a relay, `syncAllPages` has opened them already and `openTalk` hands
 * back the same documents; a workspace on this device only has them opened here.
 */
import { createSubscriber } from 'svelte/reactivity';
import type * as Y from 'yjs';
import { listPositions, type Position } from '$lib/model/decisions.ts';
import { listPages, PageKind } from '$lib/model/workspace.ts';
import type { WorkspaceSession } from '$lib/sync/workspace-session.ts';

export class LivePositions {
	/** Opened discussion documents by page id; kept across subscriptions (the session owns them). */
	readonly #talks = new Map<string, Y.Doc>();
	readonly #subscribe: () => void;

	constructor(session: WorkspaceSession) {
		this.#subscribe = createSubscriber((update) => {
			let active = true;
			const followed = new Set<Y.Doc>();
			const follow = (doc: Y.Doc) => {
				if (followed.has(doc)) return;
				followed.add(doc);
				doc.on('update', update);
			};
			const requested = new Set<string>();
			const ensure = () => {
				for (const page of listPages(session.workspaceDoc)) {
					if (page.kind !== PageKind.decision || requested.has(page.id)) continue;
					requested.add(page.id);
					const known = this.#talks.get(page.id);
					if (known) {
						follow(known);
						continue;
					}
					session.openTalk(page.id).then(
						(opened) => {
							this.#talks.set(page.id, opened.doc);
							if (!active) return;
							follow(opened.doc);
							update();
						},
						(error: unknown) => console.error('[meridian] opening a decision’s positions failed', error)
					);
				}
			};
			session.workspaceDoc.on('update', ensure);
			ensure();
			return () => {
				active = false;
				session.workspaceDoc.off('update', ensure);
				for (const doc of followed) doc.off('update', update);
			};
		});
	}

	/** Positions per decision page id, for the records whose discussion is open on this device. */
	get current(): ReadonlyMap<string, readonly Position[]> {
		this.#subscribe();
		const out = new Map<string, readonly Position[]>();
		for (const [id, doc] of this.#talks) out.set(id, listPositions(doc));
		return out;
	}
}
