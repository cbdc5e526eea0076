export { default as PageTree } from './PageTree.svelte';
export { default as ArchivedPages } from './ArchivedPages.svelte';
export { default as Breadcrumbs } from './Breadcrumbs.svelte';
export { default as ConfirmDialog } from './ConfirmDialog.svelte';
// MoveDialog is PageTree's own, loaded on the first move: exported here it would load with every page.
export { ExpandedPages } from './expanded.svelte.ts';
export type { TreeActions } from './actions.ts';
