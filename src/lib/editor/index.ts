export { schema, safeHref } from './schema.ts';
export { createEditor, type EditorOptions } from './setup.ts';
