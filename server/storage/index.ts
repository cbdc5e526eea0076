export type { Store, StoredRow, AppendEntry } from './types.ts';
export { MemoryStore } from './memory.ts';
export { SqliteStore } from './sqlite.ts';
