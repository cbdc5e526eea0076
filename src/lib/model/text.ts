/**
 * Free text as the model stores it (notes, rationales, comments, names): control characters
 * dropped — or, for single-line text, turned into spaces — lone surrogates replaced, trimmed, and
 * capped without splitting a surrogate pair. Yjs encodes strings as UTF-8, so a lone surrogate
 * would reach other replicas as U+FFFD while this one kept it, and they would differ for ever.
 */
export function cleanText(text: string, max: number, { singleLine = false }: { singleLine?: boolean } = {}): string {
	let clean = String(text)
		// Newlines and tabs stay in multi-line text.
		// eslint-disable-next-line no-control-regex
		.replace(singleLine ? /[\u0000-\u001f\u007f]/g : /[\u0000-\u0008\u000b-\u001f\u007f]/g, singleLine ? ' ' : '')
		.replace(/[\ud800-\udfff]/gu, '\ufffd')
		.trim()
		.slice(0, max);
	if (/[\ud800-\udbff]$/.test(clean)) clean = clean.slice(0, -1);
	return clean;
}
