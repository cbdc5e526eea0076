/**
 * The file name a page's Markdown is downloaded as. Apart from markdown.ts so that the export
 * buttons can show without the Markdown parser and serializer, which load when first used.
 */
import { cleanTitle } from './schema.ts';

/**
 * A file name for a page's Markdown: the title without characters that file systems reject or
 * that hide (controls, bidi marks), at most 100 characters, `.md` at the end; "Untitled" if nothing is left.
 */
export function markdownFileName(title: string): string {
	const base = (cleanTitle(title) ?? '')
		.replace(/[<>:"/\\|?*]/g, '-')
		.replace(/^[\s.-]+|[\s.]+$/g, '')
		.slice(0, 100)
		.replace(/[\s.]+$/g, '');
	const safe = base === '' || /^(con|prn|aux|nul|com\d|lpt\d)$/i.test(base) ? 'Untitled' : base;
	return `${safe}.md`;
}
