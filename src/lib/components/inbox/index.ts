export { default as InboxView } from './InboxView.svelte';
export { default as ShareButton } from './ShareButton.svelte';
export { readWhileOpen } from './read-while-open.ts';
