export { default as SearchView } from './SearchView.svelte';
