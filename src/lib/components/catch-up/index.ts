export { default as WhatsNewView } from './WhatsNewView.svelte';
export { default as ChangesBanner } from './ChangesBanner.svelte';
export { PageCatchUp } from './page-catch-up.svelte.ts';
