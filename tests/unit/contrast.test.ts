/**
 * The colours in src/app.css, in both themes, and the member colours, checked against WCAG AA by
 * the formula — including pairs no browser test happens to render (an error message on the
 * sidebar, a broken link). The browser test (tests/e2e/a11y.test.ts) checks what is rendered.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MEMBER_COLORS } from '../../src/lib/model/members.ts';

const css = readFileSync(new URL('../../src/app.css', import.meta.url), 'utf8');

/** The colour variables of every `selector { … }` block in app.css (features append blocks of their own). */
function variables(selector: string): Record<string, string> {
	const vars: Record<string, string> = {};
	for (let start = css.indexOf(`${selector} {`); start >= 0; start = css.indexOf(`${selector} {`, start + 1)) {
		const block = css.slice(start, css.indexOf('}', start));
		for (const m of block.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})\b/gi)) vars[m[1]!] = m[2]!;
	}
	if (Object.keys(vars).length === 0) throw new Error(`no ${selector} block in app.css`);
	return vars;
}

function luminance(hex: string): number {
	const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
	return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
	const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
	return (hi! + 0.05) / (lo! + 0.05);
}

/** [text, background]: text at 4.5:1 (WCAG 1.4.3). */
const TEXT = [
	...['fg', 'muted', 'accent', 'danger'].flatMap((text) => ['bg', 'panel', 'line'].map((bg) => [text, bg] as const)),
	['accent-fg', 'accent'],
	['bg', 'danger'],
	// Mention chips in page text: a teammate's, and the viewer's own.
	['accent', 'mention-bg'],
	['fg', 'mention-me-bg']
] as const;
/** [edge, background]: the outline of a field or a focus ring at 3:1 (WCAG 1.4.11). */
const EDGES = [
	['control-line', 'bg'],
	['control-line', 'panel'],
	['accent', 'bg'],
	['accent', 'panel'],
	['warning', 'panel'],
	['ok', 'panel'],
	['danger', 'panel'],
	// The outline that marks the viewer's own mentions.
	['accent', 'mention-me-bg']
] as const;

describe.each([
	['light', ':root'],
	['dark', ":root[data-theme='dark']"]
])('the %s theme', (_, selector) => {
	const vars = { ...variables(':root'), ...variables(selector) };

	it.each(TEXT)('--%s text on --%s passes 4.5:1', (text, bg) => {
		expect(contrast(vars[text]!, vars[bg]!)).toBeGreaterThanOrEqual(4.5);
	});

	it.each(EDGES)('--%s against --%s passes 3:1', (edge, bg) => {
		expect(contrast(vars[edge]!, vars[bg]!)).toBeGreaterThanOrEqual(3);
	});
});

it.each(MEMBER_COLORS)('member colour %s carries white name labels at 4.5:1', (color) => {
	expect(contrast('#ffffff', color)).toBeGreaterThanOrEqual(4.5);
});
