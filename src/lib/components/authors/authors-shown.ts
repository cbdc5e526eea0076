/**
 * Whether "Show authors" is on, remembered per device: a member who reads with authors shown keeps
 * them on from page to page and after a reload. Storage that refuses (a private window, a full
 * quota) only means the choice is not remembered.
 */
const KEY = 'meridian:show-authors';

export function authorsShownHere(): boolean {
	try {
		return localStorage.getItem(KEY) === 'on';
	} catch {
		return false;
	}
}

export function rememberAuthorsShown(shown: boolean): void {
	try {
		if (shown) localStorage.setItem(KEY, 'on');
		else localStorage.removeItem(KEY);
	} catch {
		// Not remembered; the toggle still works on this page.
	}
}
