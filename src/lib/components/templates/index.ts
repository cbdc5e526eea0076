export { default as NewFromTemplateDialog } from './NewFromTemplateDialog.svelte';
export { default as AwaitingContent } from './AwaitingContent.svelte';
