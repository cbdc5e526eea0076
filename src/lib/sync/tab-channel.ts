/**
 * Keeps tabs of one browser in step: each local change is posted on a BroadcastChannel per
 * workspace. A tab that opens a document asks the others for what it lacks (its state vector),
 * so a change still on its way to IndexedDB in another tab is not missed.
 *
 * What the relay sends is not posted: every tab hears it on its own connection (a tab that
 * missed some while its socket was down gets it with the next handshake), and a join receives
 * the whole workspace from the relay — 20 MB for 1,000 pages, which posting structured-cloned
 * to every tab at the cost of a sixth of the join's main-thread time (docs/performance.md,
 * "Cold sync"). A tab opening a document still gets everything other tabs hold, relay content
 * included, through its state-vector request.
 *
 * What a tab posts in one task goes as one message (an array of them; one alone goes as itself,
 * as tabs of earlier versions post and read): a join opens two thousand documents in one task,
 * and each posted message is a trip through the browser process, ~0.05 ms of the page apiece
 * (docs/performance.md, "Cold sync"). A tab still running the version before this one ignores
 * the arrays (a task that changed several documents — a deletion and its authorship entry, say),
 * and its documents then hold back the later single updates that depend on them: with a relay it
 * gets the changes from the relay; offline, only once it reloads, which the update banner asks for
 * (docs/operations.md, "Upgrades").
 */
import * as Y from 'yjs';
import { Origin } from '../model/origins.ts';

type TabMessage =
	| { readonly type: 'update'; readonly doc: string; readonly update: Uint8Array }
	| { readonly type: 'state'; readonly doc: string; readonly stateVector: Uint8Array };

export class TabChannel {
	readonly #channel: BroadcastChannel | null;
	readonly #docs = new Map<string, Y.Doc>();
	/** Posted in this task, for one message at its end. */
	#outbox: TabMessage[] = [];

	constructor(workspaceId: string) {
		this.#channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(`meridian:${workspaceId}`);
		if (this.#channel) {
			this.#channel.onmessage = (event: MessageEvent<TabMessage | TabMessage[]>) => {
				const data = event.data;
				for (const message of Array.isArray(data) ? data : [data]) {
					// One message that does not apply (another version's, say) costs only itself.
					try {
						this.#receive(message);
					} catch (error) {
						console.error('[meridian] a message from another tab could not be applied', error);
					}
				}
			};
		}
	}

	/** Shares `doc`'s changes with other tabs and asks them for what this tab lacks. */
	add(name: string, doc: Y.Doc): void {
		this.#docs.set(name, doc);
		doc.on('update', (update: Uint8Array, origin: unknown) => {
			if (origin !== Origin.tab && origin !== Origin.relay && origin !== Origin.stored && this.#docs.get(name) === doc) this.#post({ type: 'update', doc: name, update });
		});
		this.#post({ type: 'state', doc: name, stateVector: Y.encodeStateVector(doc) });
	}

	remove(name: string): void {
		this.#docs.delete(name);
	}

	close(): void {
		// A change made in the task that closes the tab still reaches the others.
		this.#flush();
		this.#docs.clear();
		this.#channel?.close();
	}

	#post(message: TabMessage): void {
		if (!this.#channel) return;
		this.#outbox.push(message);
		if (this.#outbox.length === 1) queueMicrotask(() => this.#flush());
	}

	#flush(): void {
		const messages = this.#outbox;
		if (messages.length === 0) return;
		this.#outbox = [];
		this.#channel?.postMessage(messages.length === 1 ? messages[0] : messages);
	}

	#receive(message: TabMessage): void {
		const doc = this.#docs.get(message.doc);
		if (!doc) return;
		switch (message.type) {
			case 'update':
				Y.applyUpdate(doc, message.update, Origin.tab);
				break;
			case 'state': {
				const diff = Y.encodeStateAsUpdate(doc, message.stateVector);
				// An empty diff is two bytes (no structs, empty delete set): nothing to send.
				if (diff.length > 2) this.#post({ type: 'update', doc: message.doc, update: diff });
				break;
			}
		}
	}
}
