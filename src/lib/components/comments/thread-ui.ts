/**
 * What the comments panel (CommentsPanel.svelte) shows only once there is a thread or a draft: the
 * threads, their messages and the mention field, and posting a new thread. Most pages have no comments, so the panel loads
 * this on first need instead of with every page.
 */
export { default as CommentThread } from './CommentThread.svelte';
export { default as MentionField } from './MentionField.svelte';
export { startThread } from '$lib/model/comments.ts';
