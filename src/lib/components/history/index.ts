export { default as HistoryButton } from './HistoryButton.svelte';
export { restoreVersion, versionLabel } from './restore.ts';
