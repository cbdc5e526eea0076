/**
 * Members as decision forms offer them: everyone with a profile in the people document — viewers
 * and commenters too, who may weigh in as deciders or consulted members — and everyone in the
 * workspace's members list (model/people.ts listPeople), plus anyone a record already names who is
 * in neither (a member since removed), so that saving a form never drops them silently. The owner
 * is chosen from the members list only: owning a record means accepting or rejecting it, which takes
 * an editor.
 */
import type { Member } from '$lib/model/workspace.ts';
import type { PeopleContext } from '$lib/components/people/people-context.ts';

export interface MemberOption {
	readonly id: string;
	readonly name: string;
}

export function memberOptions(members: readonly { readonly id: string; readonly name: string }[], alsoIds: readonly string[], nameOf: (id: string) => string): MemberOption[] {
	const out: MemberOption[] = members.map((m) => ({ id: m.id, name: m.name }));
	for (const id of alsoIds) if (!out.some((o) => o.id === id)) out.push({ id, name: nameOf(id) });
	return out.sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
}

/**
 * Whom a decision can name: the people context's list (profiles ∪ members) when there is one, else
 * the workspace's members list alone.
 */
export function nameablePeople(people: PeopleContext | null, members: readonly Member[]): readonly { readonly id: string; readonly name: string }[] {
	return people ? people.people : members;
}

/**
 * A set as a stale form should save it: the record's set as it is now, plus what the member added
 * in the form, minus what they removed (both relative to `before`, the set when the form opened),
 * so a teammate's additions and removals made meanwhile stay. Null when the member changed nothing.
 */
export function mergeSetEdit(now: readonly string[], before: readonly string[], after: readonly string[]): string[] | null {
	const added = after.filter((v) => !before.includes(v));
	const removed = before.filter((v) => !after.includes(v));
	if (added.length === 0 && removed.length === 0) return null;
	return [...new Set([...now, ...added])].filter((v) => !removed.includes(v));
}
