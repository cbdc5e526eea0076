export { default as PageTree } from './PageTree.svelte';
export { default as ArchivedPages } from './ArchivedPages.svelte';
export { default as Breadcrumbs } from './Breadcrumbs.svelte';
export { default as MoveDialog } from './MoveDialog.svelte';
export { default as ConfirmDialog } from './ConfirmDialog.svelte';
export { ExpandedPages } from './expanded.svelte.ts';
export type { TreeActions } from './actions.ts';
