/**
 * Teammates' cursors and selections, named and coloured from the member id the relay stamps on
 * every awareness state (PROTOCOL.md [R26]), never from what their app announces: `user.name` and
 * `user.color` are self-declared, so y-prosemirror's default builder would let anyone label their
 * cursor as somebody else, and it writes the colour into a `style` attribute unchecked (CSS
 * injection). Here the name comes from `nameOf`, and a colour is used only when it is a plain
 * `#rrggbb`.
 */
import type { DecorationAttrs } from 'prosemirror-view';

export interface CursorNames {
	/** The name to show for a member (profile, else members list, else a generic word). */
	nameOf(memberId: string): string;
	/** The member's colour; anything but `#rrggbb` is replaced by FALLBACK_COLOR. */
	colorOf(memberId: string): string;
}

/** A teammate whose awareness state carries no stamped member id (an old relay; should not happen). */
export const UNKNOWN_MEMBER = 'Member';
export const FALLBACK_COLOR = '#6b7280';

const COLOR = /^#[0-9a-f]{6}$/;

/** The colour as given when it is a lowercase `#rrggbb`, else FALLBACK_COLOR. */
export function safeColor(color: unknown): string {
	return typeof color === 'string' && COLOR.test(color) ? color : FALLBACK_COLOR;
}

function stampedMember(user: unknown): string | null {
	const id = typeof user === 'object' && user !== null ? (user as { memberId?: unknown }).memberId : undefined;
	return typeof id === 'string' && id !== '' ? id : null;
}

/** Who a cursor belongs to, as this device shows it. */
export function cursorIdentity(user: unknown, names: CursorNames): { name: string; color: string } {
	const memberId = stampedMember(user);
	if (memberId === null) return { name: UNKNOWN_MEMBER, color: FALLBACK_COLOR };
	return { name: names.nameOf(memberId) || UNKNOWN_MEMBER, color: safeColor(names.colorOf(memberId)) };
}

/** The `cursorBuilder` and `selectionBuilder` options of y-prosemirror's yCursorPlugin. */
export function cursorBuilders(names: CursorNames): {
	cursorBuilder: (user: unknown, clientId: number) => HTMLElement;
	selectionBuilder: (user: unknown, clientId: number) => DecorationAttrs;
} {
	return {
		cursorBuilder(user) {
			const { name, color } = cursorIdentity(user, names);
			// The same DOM as y-prosemirror's default (its stylesheet and our tests rely on it), but the
			// name goes in as text and the colour through the style object, both already checked.
			const cursor = document.createElement('span');
			cursor.classList.add('ProseMirror-yjs-cursor');
			cursor.style.borderColor = color;
			const label = document.createElement('div');
			label.style.backgroundColor = color;
			label.textContent = name;
			// Word joiners either side, so the label never breaks a line.
			cursor.append('\u2060', label, '\u2060');
			return cursor;
		},
		selectionBuilder(user) {
			const { color } = cursorIdentity(user, names);
			return { style: `background-color: ${color}70`, class: 'ProseMirror-yjs-selection' };
		}
	};
}
