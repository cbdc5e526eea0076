import { describe, expect, it } from 'vitest';
import { parseThemeChoice, resolveTheme } from '../../src/lib/state/theme.svelte.ts';

describe('theme choice', () => {
	it('reads only the values it writes; anything else (a missing key, an old or tampered value) is System', () => {
		expect(parseThemeChoice('light')).toBe('light');
		expect(parseThemeChoice('dark')).toBe('dark');
		for (const stored of [null, undefined, '', 'system', 'Dark', 'auto', '{"theme":"dark"}']) expect(parseThemeChoice(stored)).toBe('system');
	});

	it('System follows the system; Light and Dark override it', () => {
		expect(resolveTheme('system', true)).toBe('dark');
		expect(resolveTheme('system', false)).toBe('light');
		expect(resolveTheme('light', true)).toBe('light');
		expect(resolveTheme('dark', false)).toBe('dark');
	});
});
