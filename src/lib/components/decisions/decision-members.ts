/**
 * Members as decision forms offer them: the workspace's members list (editors and admins), plus
 * anyone a record already names who is not in it (a commenter, a member since removed), so that
 * saving a form never drops them silently.
 */
import type { Member } from '$lib/model/workspace.ts';

export interface MemberOption {
	readonly id: string;
	readonly name: string;
}

export function memberOptions(members: readonly Member[], alsoIds: readonly string[], nameOf: (id: string) => string): MemberOption[] {
	const out: MemberOption[] = members.map((m) => ({ id: m.id, name: m.name }));
	for (const id of alsoIds) if (!out.some((o) => o.id === id)) out.push({ id, name: nameOf(id) });
	return out.sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
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
