export { default as ActivityFeed } from './ActivityFeed.svelte';
export { describeEntry, entryText, dayKey, dayLabel, groupByDay, type Part, type FeedContext } from './activity-text.ts';
