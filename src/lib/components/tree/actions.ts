import type { MoveTarget } from '$lib/model/tree.ts';

/**
 * What the tree asks the workspace to do. Each call writes the workspace document as this member
 * (see Workspace.svelte); errors are reported there, so the tree only decides what and where.
 */
export interface TreeActions {
	/** Opens a page (Enter on a tree item). */
	open(id: string): void;
	/** Creates a page under `parentId` (null: top level) and opens it. */
	create(parentId: string | null): void;
	rename(id: string, title: string): void;
	/** Whether a page's title may change now (a closed decision record's may not); true when absent. */
	canRename?(id: string): boolean;
	/** Moves a page; only `parentId` given puts it after the parent's last subpage. */
	move(id: string, target: Pick<MoveTarget, 'parentId'> & Partial<MoveTarget>): void;
	archive(id: string): void;
	restore(id: string): void;
	deleteForGood(id: string): void;
	/** Marks a page as a template of the workspace, or takes it off (model/templates.ts). */
	markTemplate(id: string): void;
	unmarkTemplate(id: string): void;
}
