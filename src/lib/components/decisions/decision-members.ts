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
