/**
 * What an open page needs for catch-up (the highlights' editor plugin, the banner, the index), as
 * one module PageView.svelte loads while the page's document opens, not with the page's scripts.
 * The plugin must be in the editor from its creation (adding it later means `reconfigure`, which
 * would reset y-prosemirror's undo history), so the editor waits for this chunk as for the document;
 * the chunk is small and usually arrives first.
 */
export { PageCatchUp } from './page-catch-up.svelte.ts';
export { default as ChangesBanner } from './ChangesBanner.svelte';
export { catchUpFor } from '$lib/sync/catch-up.ts';
