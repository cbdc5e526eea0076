export { default as MembersView } from './MembersView.svelte';
