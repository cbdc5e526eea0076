export { default as PeopleProvider } from './PeopleProvider.svelte';
export { default as PeopleView } from './PeopleView.svelte';
export { getPeopleContext, setPeopleContext, type PeopleContext } from './people-context.ts';
