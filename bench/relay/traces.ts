/**
 * The editing traces of ../shared/data/editing-traces (josephg/editing-traces; format in that
 * directory's README.md), loaded once, and their replay onto a Y.Text.
 *
 * Sequential traces apply transaction by transaction, one Yjs transaction each, as an editor
 * produces them. The concurrent trace keeps one document per agent: a transaction applies on top
 * of the merge of its parents' states, with positions relative to the document as that agent saw
 * it (the README's replay rule).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';

type Patch = readonly [position: number, deleted: number, inserted: string];

export interface SequentialTrace {
	readonly endContent: string;
	readonly txns: readonly { readonly patches: readonly Patch[] }[];
}

export interface ConcurrentTrace {
	readonly kind: 'concurrent';
	readonly numAgents: number;
	readonly endContent: string;
	readonly txns: readonly { readonly parents: readonly number[]; readonly agent: number; readonly patches: readonly Patch[] }[];
}

const directory = fileURLToPath(new URL('../../../shared/data/editing-traces/', import.meta.url));

function load<T>(name: string): T {
	return JSON.parse(gunzipSync(readFileSync(`${directory}${name}.json.gz`)).toString('utf8')) as T;
}

export const automergePaper = (): SequentialTrace => load<SequentialTrace>('automerge-paper');
export const friendsForever = (): ConcurrentTrace => load<ConcurrentTrace>('friendsforever');

/** Edits (patches) in a trace: the unit "per edit" figures divide by. */
export function editCount(trace: { readonly txns: readonly { readonly patches: readonly Patch[] }[] }): number {
	return trace.txns.reduce((sum, txn) => sum + txn.patches.length, 0);
}

/** Applies one transaction's patches to `text` in one Yjs transaction. */
export function applyPatches(text: Y.Text, patches: readonly Patch[], origin: unknown = null): void {
	text.doc!.transact(() => {
		for (const [position, deleted, inserted] of patches) {
			if (deleted > 0) text.delete(position, deleted);
			if (inserted.length > 0) text.insert(position, inserted);
		}
	}, origin);
}

/** The trace applied to a bare Y.Doc in this process: the floor every relay run is compared with. */
export function replayBare(trace: SequentialTrace): { ms: number; text: string } {
	const doc = new Y.Doc();
	const text = doc.getText('body');
	const started = performance.now();
	for (const txn of trace.txns) applyPatches(text, txn.patches);
	const elapsed = performance.now() - started;
	const result = text.toString();
	doc.destroy();
	return { ms: elapsed, text: result };
}

/** A concurrent trace as Yjs updates: what each transaction adds, made once, offline. */
export interface ConcurrentReplay {
	/** Per transaction, the update its patches produced on its author's document. */
	readonly deltas: readonly Uint8Array[];
	/** Per transaction, the clock its author's client id reached with it: present in a doc once the doc's state for that client is at least this. */
	readonly reaches: readonly number[];
	/** The Yjs client id of each agent. */
	readonly clientIds: readonly number[];
}

/**
 * Replays a concurrent trace by the README's rule — each transaction on the merge of its parents'
 * states — with one document per agent that holds exactly the transaction's ancestors: before a
 * transaction, the ancestors its author's document lacks are applied (as the updates they made).
 * Patches then land where their author saw them, and each transaction's update is kept.
 */
export function prepareConcurrent(trace: ConcurrentTrace): ConcurrentReplay {
	const clientIds = Array.from({ length: trace.numAgents }, (_, agent) => agent + 1);
	const docs = clientIds.map((clientId) => {
		const doc = new Y.Doc();
		doc.clientID = clientId;
		return doc;
	});
	const present = clientIds.map(() => new Set<number>());
	const deltas: Uint8Array[] = [];
	const reaches: number[] = [];
	trace.txns.forEach((txn, index) => {
		const doc = docs[txn.agent]!;
		const have = present[txn.agent]!;
		const missing: number[] = [];
		const stack = [...txn.parents];
		while (stack.length > 0) {
			const ancestor = stack.pop()!;
			if (have.has(ancestor)) continue;
			have.add(ancestor);
			missing.push(ancestor);
			stack.push(...trace.txns[ancestor]!.parents);
		}
		// Index order is a topological order of the trace (parents always come first).
		for (const ancestor of missing.sort((a, b) => a - b)) Y.applyUpdate(doc, deltas[ancestor]!);
		const made: Uint8Array[] = [];
		const collect = (update: Uint8Array): void => void made.push(update);
		doc.on('update', collect);
		applyPatches(doc.getText('body'), txn.patches);
		doc.off('update', collect);
		deltas[index] = made.length === 1 ? made[0]! : Y.mergeUpdates(made);
		reaches[index] = Y.getState(doc.store, doc.clientID);
		have.add(index);
	});
	for (const doc of docs) doc.destroy();
	return { deltas, reaches, clientIds };
}
