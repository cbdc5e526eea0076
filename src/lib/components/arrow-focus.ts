/**
 * Up/Down move focus between the buttons of a list (the choices of a dialog). Returns whether
 * the key was handled. Other keys, and moves past either end, are left alone.
 */
export function moveFocusWithArrows(container: HTMLElement | null, event: KeyboardEvent): boolean {
	if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return false;
	const buttons = [...(container?.querySelectorAll<HTMLElement>('button') ?? [])];
	const at = buttons.indexOf(document.activeElement as HTMLElement);
	const next = buttons[at + (event.key === 'ArrowDown' ? 1 : -1)];
	if (!next) return false;
	event.preventDefault();
	next.focus();
	return true;
}
