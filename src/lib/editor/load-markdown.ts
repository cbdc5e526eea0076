/**
 * The Markdown module (markdown.ts: markdown-it, prosemirror-markdown), loaded when first needed —
 * a paste, an export, the editor's first focus — instead of with the editor: it is about a third of
 * the JavaScript a page needs and most visits never use it. Like every chunk of the build it is
 * precached by the service worker, so it loads offline too.
 */
export type MarkdownModule = typeof import('./markdown.ts');

let module: MarkdownModule | null = null;
let loading: Promise<MarkdownModule> | null = null;

/** Fetches the module once; every caller shares the one load. */
export function loadMarkdown(): Promise<MarkdownModule> {
	loading ??= import('./markdown.ts').then((loaded) => (module = loaded));
	// A failed load (offline before the service worker had cached it) may be tried again.
	loading.catch(() => (loading = null));
	return loading;
}

/** The module if it has arrived, for code that must answer synchronously (ProseMirror's paste hooks). */
export function loadedMarkdown(): MarkdownModule | null {
	return module;
}
