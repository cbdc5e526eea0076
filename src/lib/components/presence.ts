/**
 * Who is in the workspace now, from the workspace room's awareness. The relay stamps every state
 * with the member id of the connection's token ([R26]), so the id can be trusted; the name in a
 * state is only what that member's app said, used when no better name is known.
 */
import type { Awareness } from 'y-protocols/awareness';

export interface Present {
	readonly memberId: string;
	/** The name the member's app announced (a fallback for the people list's). */
	readonly name: string;
	readonly color: string;
	/** Pages the member has open, over all their tabs and devices (none: elsewhere in the workspace). */
	readonly pages: readonly string[];
}

/** Everyone present but this tab, one entry per member (several tabs or devices merge). */
export function presentMembers(awareness: Awareness): Present[] {
	const byMember = new Map<string, { name: string; color: string; pages: Set<string> }>();
	for (const [clientId, state] of awareness.getStates()) {
		if (clientId === awareness.clientID) continue;
		const user = (state as { user?: unknown }).user;
		if (typeof user !== 'object' || user === null) continue;
		const { memberId, name, color } = user as Record<string, unknown>;
		if (typeof memberId !== 'string' || memberId === '') continue;
		const entry = byMember.get(memberId) ?? { name: '', color: '', pages: new Set<string>() };
		if (typeof name === 'string' && name.trim() !== '' && entry.name === '') entry.name = name.trim().slice(0, 80);
		if (typeof color === 'string' && /^#[0-9a-f]{6}$/i.test(color) && entry.color === '') entry.color = color;
		const page = (state as { page?: unknown }).page;
		if (typeof page === 'string' && page !== '') entry.pages.add(page);
		byMember.set(memberId, entry);
	}
	return [...byMember].map(([memberId, { name, color, pages }]) => ({ memberId, name: name || 'Member', color: color || '#64748b', pages: [...pages].sort() }));
}
