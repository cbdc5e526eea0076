/**
 * The colour theme. A member chooses System (follow the operating system's light or dark setting),
 * Light or Dark; the choice is per device, like the tree's expanded branches, so it lives in
 * localStorage and not in any workspace.
 *
 * The applied theme is `<html data-theme="light|dark">`, and src/app.css switches its colour
 * variables on it. The inline script in src/app.html sets it before the first paint from the same
 * storage key and rules (keep the two in step), so a dark-theme reader never sees a white flash;
 * this class takes over once the app runs: it follows system changes live and the choice made in
 * another tab of the same device.
 */
import { getContext, setContext } from 'svelte';
import { MediaQuery } from 'svelte/reactivity';

export const THEME_STORAGE_KEY = 'meridian:theme';
export const THEME_CHOICES = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];
export type ResolvedTheme = 'light' | 'dark';

/** A stored value as a choice; anything unknown (or nothing) is 'system'. */
export function parseThemeChoice(value: string | null | undefined): ThemeChoice {
	return value === 'light' || value === 'dark' ? value : 'system';
}

export function resolveTheme(choice: ThemeChoice, systemPrefersDark: boolean): ResolvedTheme {
	return choice === 'system' ? (systemPrefersDark ? 'dark' : 'light') : choice;
}

export class Theme {
	#choice = $state<ThemeChoice>(readStoredChoice());
	readonly #systemDark = new MediaQuery('(prefers-color-scheme: dark)', false);

	/** What the member chose on this device. */
	get choice(): ThemeChoice {
		return this.#choice;
	}

	set choice(choice: ThemeChoice) {
		this.#choice = choice;
		try {
			if (choice === 'system') localStorage.removeItem(THEME_STORAGE_KEY);
			else localStorage.setItem(THEME_STORAGE_KEY, choice);
		} catch {
			// Storage disabled: the choice holds for this tab and is forgotten on reload.
		}
	}

	/** The theme in effect: the choice, or the system's for 'system'. */
	get current(): ResolvedTheme {
		return resolveTheme(this.#choice, this.#systemDark.current);
	}

	/**
	 * Keeps `<html data-theme>` on the current theme and follows the choice made in other tabs.
	 * Call once from the root layout; returns the cleanup.
	 */
	start(): () => void {
		const onStorage = (event: StorageEvent) => {
			if (event.key === THEME_STORAGE_KEY || event.key === null) this.#choice = readStoredChoice();
		};
		window.addEventListener('storage', onStorage);
		const stopApplying = $effect.root(() => {
			$effect(() => {
				document.documentElement.dataset['theme'] = this.current;
			});
		});
		return () => {
			window.removeEventListener('storage', onStorage);
			stopApplying();
		};
	}
}

function readStoredChoice(): ThemeChoice {
	try {
		return parseThemeChoice(localStorage.getItem(THEME_STORAGE_KEY));
	} catch {
		return 'system';
	}
}

const key = Symbol('theme');

export function setThemeContext(theme: Theme): void {
	setContext(key, theme);
}

export function getThemeContext(): Theme {
	const theme = getContext<Theme | undefined>(key);
	if (!theme) throw new Error('getThemeContext() outside the root layout');
	return theme;
}
