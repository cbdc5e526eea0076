/**
 * The switcher's shortcut: Ctrl-K or Cmd-K, either on any system (as Slack and Linear accept), so
 * a Mac member on a PC keyboard and the reverse both get it. Shift and Alt variants are left alone
 * for other uses.
 */

/** The parts of a KeyboardEvent the shortcut depends on. */
export type KeyPress = Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>;

export function isSwitcherShortcut(event: KeyPress): boolean {
	if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return false;
	if (event.key === 'k' || event.key === 'K') return true;
	// Layouts without a Latin K (Cyrillic, Greek…) report another letter: go by the key's place.
	return event.code === 'KeyK' && !/^[a-z]$/i.test(event.key);
}

/** How the shortcut is written for this member: "⌘ K" on Apple systems, "Ctrl K" elsewhere. */
export function shortcutLabel(platform: string = typeof navigator === 'undefined' ? '' : navigator.platform): string {
	return /mac|iphone|ipad|ipod/i.test(platform) ? '⌘ K' : 'Ctrl K';
}
