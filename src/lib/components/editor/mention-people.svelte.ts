/**
 * The people context (components/people/people-context.ts) as the editor's framework-free
 * `MentionPeople` (editor/mention-view.ts): the editor's mention chips and `@` menu subscribe with
 * `onChange` and are told after every change to the people list (a rename on any device).
 *
 * Call while a component initialises: the subscription to the context ends with the component.
 */
import { untrack } from 'svelte';
import type { MentionPeople } from '$lib/editor/mention-view.ts';
import type { PeopleContext } from '$lib/components/people/people-context.ts';

export function mentionPeople(context: PeopleContext | null, me: string): MentionPeople {
	const listeners = new Set<() => void>();
	$effect(() => {
		void context?.people;
		untrack(() => listeners.forEach((listener) => listener()));
	});
	return {
		list: () => context?.people ?? [],
		person: (id) => context?.person(id),
		me: context?.me ?? me,
		onChange(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		}
	};
}
