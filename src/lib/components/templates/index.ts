/** Templates: "New from template…" (its dialog loaded when first opened) and a new page's awaited body. */
export { default as NewFromTemplateLoader } from './NewFromTemplateLoader.svelte';
export { default as AwaitingContent } from './AwaitingContent.svelte';
