/**
 * Restoring a version: one transaction replacing the editor's whole document with the version's
 * content, dispatched through the live, editable view — so y-prosemirror writes it to the body as
 * a new edit of this member's (synced to everyone, history kept) and its undo manager can take it
 * back with Mod-z. The state just before is recorded first as an automatic version, one click away.
 */
import type { EditorView } from 'prosemirror-view';
import { yUndoPluginKey } from 'y-prosemirror';
import type * as Y from 'yjs';
import { containsSnapshot } from '$lib/model/history.ts';
import { bodyFragment } from '$lib/model/page.ts';
import { VersionError, autoVersion, type Version } from '$lib/model/versions.ts';
import type { Actor } from '$lib/model/workspace.ts';
import { versionDoc } from '$lib/editor/history-render.ts';
import { schema } from '$lib/editor/schema.ts';
import { mayEdit } from '$lib/editor/refuse-edits.ts';

/** What the list calls a version: its name, else "Automatic". */
export function versionLabel(version: Version): string {
	return version.name ?? 'Automatic';
}

export function restoreVersion(view: EditorView | null, body: Y.Doc, version: Version, actor: Actor): void {
	// mayEdit, not view.editable: a commenter's body, or a locked decision's, takes a caret but refuses edits.
	if (!view || view.isDestroyed || !mayEdit(view) || view.state.schema !== schema) throw new VersionError('This page cannot be edited here, so the version cannot be restored.');
	if (!containsSnapshot(body, version.snapshot)) throw new VersionError('This version names changes that have not reached this device yet; try again once it has synced.');
	const content = versionDoc(bodyFragment(body), version.snapshot).content;
	autoVersion(body, actor, { name: `Before restoring “${versionLabel(version)}”` });
	// Its own undo step, merged neither with typing just before it nor with typing just after
	// (the undo manager joins changes less than 500 ms apart).
	const undoManager = yUndoPluginKey.getState(view.state)?.undoManager;
	undoManager?.stopCapturing();
	view.dispatch(view.state.tr.replaceWith(0, view.state.doc.content.size, content).scrollIntoView());
	undoManager?.stopCapturing();
	view.focus();
}
