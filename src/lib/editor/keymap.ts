/**
 * Keyboard shortcuts (Mod is Cmd on macOS, Ctrl elsewhere). Undo and redo are y-prosemirror's:
 * they undo only this member's own changes, never a teammate's.
 */
import { chainCommands, baseKeymap } from 'prosemirror-commands';
import { splitListItem, sinkListItem } from 'prosemirror-schema-list';
import { undoInputRule } from 'prosemirror-inputrules';
import { keymap } from 'prosemirror-keymap';
import type { Command, Plugin } from 'prosemirror-state';
import { undo, redo } from 'y-prosemirror';
import { schema } from './schema.ts';
import * as c from './commands.ts';
import { cellKeyWhileLoading, tableCommand } from './tables.ts';
import { editLink, linkAt, toggleLink } from './link.ts';
import { takeDOMSelection } from './dom-selection.ts';

const n = schema.nodes;

const undoCommand: Command = (state) => undo(state);
const redoCommand: Command = (state) => redo(state);

/**
 * Mod-K is shared with the workspace's quick switcher, as in Notion: with text selected it links
 * it (or unlinks a linked selection), with the caret in a link it edits that link, and otherwise
 * it is not handled, so the key reaches the window and opens the switcher (Workspace.svelte).
 */
function linkKey(ask?: (question: string) => string | null): Command {
	const toggle = toggleLink(ask);
	const edit = editLink(ask);
	return (state, dispatch, view) => {
		// The selection as the member sees it, not as the last selectionchange left it.
		if (view) {
			takeDOMSelection(view);
			state = view.state;
		}
		// Handled even when the member cancels the prompt: the key was the link's, not the switcher's.
		if (!state.selection.empty) toggle(state, dispatch, view);
		else if (linkAt(state)) edit(state, dispatch, view);
		else return false;
		return true;
	};
}

/** The editor's own bindings, without the y-prosemirror undo (for tests on a plain EditorState). */
export function editingBindings(ask?: (question: string) => string | null): Record<string, Command> {
	return {
		'Mod-b': c.toggleStrong,
		'Mod-i': c.toggleEm,
		'Mod-e': c.toggleCode,
		'Mod-Shift-s': c.toggleStrike,
		'Mod-Shift-x': c.toggleStrike,
		'Mod-k': linkKey(ask),
		'Mod-Alt-0': c.setParagraph,
		'Mod-Alt-1': c.setHeading(1),
		'Mod-Alt-2': c.setHeading(2),
		'Mod-Alt-3': c.setHeading(3),
		'Mod-Alt-c': c.setCodeBlock(),
		'Shift-Mod-7': c.wrapInOrderedList,
		'Shift-Mod-8': c.wrapInBulletList,
		'Shift-Mod-9': c.wrapInTaskList,
		'Mod-Enter': c.modEnter,
		'Shift-Enter': c.insertHardBreak,
		Enter: chainCommands(c.codeFenceOnEnter, splitListItem(n['list_item']!), splitListItem(n['task_item']!, { checked: false })),
		Backspace: undoInputRule,
		Tab: chainCommands(c.nextCellOrNewRow, sinkListItem(n['list_item']!), sinkListItem(n['task_item']!)),
		'Shift-Tab': chainCommands(cellKeyWhileLoading((t) => t.goToNextCell(-1)), tableCommand((t) => t.goToNextCell(-1)), c.liftOut)
	};
}

export function editorKeymaps(): Plugin[] {
	return [
		keymap({ 'Mod-z': undoCommand, 'Mod-y': redoCommand, 'Mod-Shift-z': redoCommand }),
		keymap(editingBindings()),
		keymap(baseKeymap)
	];
}
