/**
 * Member colours: picked from the id so every device shows a member in the same colour. Each
 * carries white text (the 13 px name label on a teammate's cursor) at 4.5:1 or better, WCAG AA.
 */
export const MEMBER_COLORS = ['#2563eb', '#db2777', '#047857', '#b45309', '#7c3aed', '#dc2626', '#0e7490', '#4d7c0f'] as const;

export function colorForMember(memberId: string): string {
	let hash = 0;
	for (let i = 0; i < memberId.length; i++) hash = (hash * 31 + memberId.charCodeAt(i)) >>> 0;
	return MEMBER_COLORS[hash % MEMBER_COLORS.length]!;
}
