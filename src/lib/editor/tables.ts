/**
 * Tables, with prosemirror-tables' editing loaded only once an editor has a table to edit.
 *
 * Most pages have no table, and prosemirror-tables (cell selection, arrow keys and paste across
 * cells, `fixTables`, the row and column commands) is about 9 KB of every page's scripts. So the
 * schema's table nodes are written out in schema.ts (what `tableNodes` builds), and each editor gets `tableEditingShell()` from its creation: a plugin with tableEditing's state (the cell
 * a drag selection started in) and, until the library is here, no behaviour. The library is
 * fetched when an editor opens a document holding a table or one appears in it (inserted, pasted,
 * or a teammate's), and from then on every shell passes on tableEditing's props and
 * `appendTransaction`.
 *
 * Why not add the plugin when it arrives: a plugin added to a live editor means
 * `EditorState.reconfigure`, which destroys and re-creates every plugin view — y-prosemirror's
 * binding re-renders the whole page and its undo plugin destroys the member's undo history.
 * ProseMirror reads a plugin's props and `appendTransaction` afresh each time it uses them, so a
 * plugin that is there from the start and passes them on once they exist changes nothing else.
 *
 * The shell's key is tableEditing's own (`TABLE_EDITING_KEY`): prosemirror-tables reads and sets
 * its state through `tableEditingKey`, whose name PluginKey makes from "selectingCells" when the
 * library loads. That this is where the library looks is checked when it arrives (`sharesState`;
 * [TB1] checks it against the version installed): a mismatch leaves tables editable as plain
 * blocks, and says so.
 */
import { EditorState, Plugin, PluginKey, type Command } from 'prosemirror-state';
import { Schema, type Node } from 'prosemirror-model';
import { isSyncTransaction } from './fixup.ts';

type TablesModule = typeof import('prosemirror-tables');

/** `tableEditingKey.key` in prosemirror-tables: the state field prosemirror-tables reads. */
export const TABLE_EDITING_KEY = 'selectingCells$';

// ---- loading the library ----

let library: TablesModule | null = null;
/** tableEditing's plugin, made once the library is here: every shell passes its props on. */
let editing: Plugin<number | null> | null = null;
let loading: Promise<TablesModule | null> | null = null;
/** Whether a fetch is under way (a Tab in a table waits for it; after a failure it does not). */
let pending = false;
/** When a fetch last failed: the automatic asks (a table in view, the `/` menu) wait a while after one. */
let failedAt = -Infinity;
const RETRY_AFTER_MS = 10_000;
/** Called once the library is here (editors with a table of their own to fix, Tabs waiting). */
const arrivals = new Set<(tables: TablesModule) => void>();

/** prosemirror-tables once it is here (null before: every table command then does nothing). */
export function tablesLoaded(): TablesModule | null {
	return library;
}

/**
 * Fetches prosemirror-tables (once), and with it every editor's shell gets its behaviour. Resolves
 * to the library, or null when it could not be fetched (offline before this version was saved) or
 * does not keep its state where the shells do; tables then edit as plain blocks, and a later call
 * tries again (a fetch that failed) or not (a mismatch, logged).
 */
export function loadTableEditing(): Promise<TablesModule | null> {
	if (!loading) {
		pending = true;
		loading = import('prosemirror-tables').then(
			(tables) => {
				pending = false;
				if (!sharesState(tables)) {
					console.error(`[meridian] prosemirror-tables does not keep its state as ${TABLE_EDITING_KEY}: tables edit as plain blocks`);
					arrivals.clear();
					return null;
				}
				editing = tables.tableEditing();
				const missed = Object.keys(editing.props).filter((name) => !(EDITING_PROPS as readonly string[]).includes(name));
				if (missed.length > 0) console.error(`[meridian] tableEditing has props the shell does not pass on: ${missed.join(', ')}`);
				library = tables;
				for (const arrived of [...arrivals]) arrived(tables);
				arrivals.clear();
				return tables;
			},
			(e: unknown) => {
				console.warn('[meridian] could not load table editing', e);
				pending = false;
				loading = null;
				failedAt = Date.now();
				arrivals.clear();
				return null;
			}
		);
	}
	return loading;
}

/** Asks for the library on the app's own initiative: not again within a while of a failed fetch. */
export function wantTableEditing(): void {
	if (!library && !loading && Date.now() - failedAt >= RETRY_AFTER_MS) void loadTableEditing();
}

/** Whether prosemirror-tables reads its state where the shell keeps it (a state holding only a shell). */
export function sharesState(tables: TablesModule): boolean {
	const probe = new Schema({ nodes: { doc: { content: 'text*' }, text: {} } });
	const state = EditorState.create({ schema: probe, plugins: [tableEditingShell()] });
	return tables.tableEditingKey.getState(state) === null;
}

// ---- the editor's plugin ----

/** Whether `doc` holds a table between `from` and `to` (text is not descended into). */
function tableBetween(doc: Node, from: number, to: number): boolean {
	let found = false;
	doc.nodesBetween(from, to, (node) => {
		if (found) return false;
		if (node.type.spec['tableRole'] === 'table') found = true;
		return !found && !node.isTextblock;
	});
	return found;
}

/** Whether `doc` holds a table anywhere. */
export function hasTable(doc: Node): boolean {
	return tableBetween(doc, 0, doc.content.size);
}

/** Whether a table appeared between `before` and `after`: only the part that changed is looked at. */
function tableAppeared(before: Node, after: Node): boolean {
	const start = before.content.findDiffStart(after.content);
	if (start === null) return false;
	const end = before.content.findDiffEnd(after.content);
	return tableBetween(after, start, end ? Math.max(end.b, start) : after.content.size);
}

/** The props tableEditing has: each shell reads them from the library's plugin once it is there. */
export const EDITING_PROPS = ['decorations', 'handleDOMEvents', 'createSelectionBetween', 'handleTripleClick', 'handleKeyDown', 'handlePaste'] as const;

/**
 * tableEditing's place in an editor, from its creation: its state (the cell a drag selection
 * started in, kept exactly as prosemirror-tables keeps it), and its props and `appendTransaction`
 * from the library's plugin once that is here. It asks for the library when its editor opens with
 * a table (its view) or gets one (`appendTransaction`, which sees every change, local or synced).
 */
export function tableEditingShell(): Plugin<number | null> {
	/** The state before this member's first table, when it came before the library: fixed once that arrives. */
	let unfixed: EditorState | null = null;
	const shell = new Plugin<number | null>({
		// prosemirror-tables' own key (see the top of this file): a Plugin reads only `.key` of it.
		key: { key: TABLE_EDITING_KEY } as unknown as PluginKey<number | null>,
		state: {
			init: () => null,
			apply(tr, cur) {
				const set = tr.getMeta(TABLE_EDITING_KEY) as number | null | undefined;
				if (set != null) return set === -1 ? null : set;
				if (cur == null || !tr.docChanged) return cur;
				const { deleted, pos } = tr.mapping.mapResult(cur);
				return deleted ? null : pos;
			}
		},
		// `fixTables` (adding cells to short rows) only after this member's own changes: run on every
		// device that receives a merge, each would add its own cells. A table of this member's made
		// before the library was here is fixed when it arrives (the view, below).
		appendTransaction(transactions, oldState, newState) {
			const local = transactions.some((tr) => !isSyncTransaction(tr));
			if (editing) {
				const append = editing.spec.appendTransaction;
				return local && append ? append.call(editing, transactions, oldState, newState) : null;
			}
			if (newState.doc === oldState.doc) return null;
			const appeared = tableAppeared(oldState.doc, newState.doc);
			if (appeared && local) unfixed ??= oldState;
			// Also asked again while a table of this member's waits (a fetch that failed, retried later).
			if (appeared || unfixed) wantTableEditing();
			return null;
		},
		view(view) {
			const arrived = (tables: TablesModule) => {
				const before = unfixed;
				unfixed = null;
				if (!before || view.isDestroyed) return;
				const fix = tables.fixTables(view.state, before);
				if (fix) view.dispatch(fix);
			};
			if (!library) {
				arrivals.add(arrived);
				if (hasTable(view.state.doc)) wantTableEditing();
			}
			return { destroy: () => arrivals.delete(arrived) };
		}
	});
	// ProseMirror reads a plugin's props each time it uses one, so these follow the library's arrival.
	for (const name of EDITING_PROPS) Object.defineProperty(shell.props, name, { get: () => editing?.props[name], enumerable: true });
	return shell;
}

// ---- commands ----

/** Whether the selection's head is inside a table (prosemirror-tables' `isInTable`). */
export function inTable(state: EditorState): boolean {
	const $head = state.selection.$head;
	for (let depth = $head.depth; depth > 0; depth--) if ($head.node(depth).type.spec['tableRole'] === 'row') return true;
	return false;
}

/**
 * A prosemirror-tables command, run once the library is here. Before that (a moment after a table
 * first appears) it does nothing, and a caret in a table asks for the library.
 */
export function tableCommand(pick: (tables: TablesModule) => Command): Command {
	return (state, dispatch, view) => {
		if (library) return pick(library)(state, dispatch, view);
		if (inTable(state)) wantTableEditing();
		return false;
	};
}

/**
 * Tab (`dir` 1) or Shift-Tab (-1) in a table before the library is here: taken while it is on its
 * way, so the focus stays in the editor, and the move made once it arrives if the caret is still
 * where it was. False outside a table, or when no fetch is under way (the keys then do what they
 * do outside tables).
 */
export function cellKeyWhileLoading(run: (tables: TablesModule) => Command): Command {
	return (state, dispatch, view) => {
		if (library || !inTable(state)) return false;
		wantTableEditing();
		if (!pending) return false;
		if (!dispatch || !view) return true;
		const selection = state.selection;
		arrivals.add((tables) => {
			if (view.isDestroyed || !view.editable || !view.state.selection.eq(selection)) return;
			run(tables)(view.state, view.dispatch, view);
		});
		return true;
	};
}
