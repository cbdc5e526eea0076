/** Member colours: picked from the id so every device shows a member in the same colour. */
const palette = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#dc2626', '#0891b2', '#4d7c0f'];

export function colorForMember(memberId: string): string {
	let hash = 0;
	for (let i = 0; i < memberId.length; i++) hash = (hash * 31 + memberId.charCodeAt(i)) >>> 0;
	return palette[hash % palette.length]!;
}
