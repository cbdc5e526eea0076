/**
 * Relay databases prepared for fault drills: a real SQLite file in a fresh data directory, made by
 * the relay's own store and padded with a ballast table the "operator" can drop to free space.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../server/storage/sqlite.ts';
import { tempDir } from './relay-process.ts';

/** A data directory whose database holds ~80 KB of ballast; `pages` is its page count, to cap it just above. */
export async function ballastedDatabase(prefix: string): Promise<{ dataDir: string; file: string; pages: number }> {
	const dataDir = tempDir(prefix);
	const file = join(dataDir, 'meridian.sqlite');
	await new SqliteStore(file).close();
	const setup = new Database(file);
	setup.exec('CREATE TABLE ballast (b BLOB)');
	for (let i = 0; i < 20; i++) setup.prepare('INSERT INTO ballast VALUES (?)').run(Buffer.alloc(4000, i));
	const pages = setup.pragma('page_count', { simple: true }) as number;
	setup.close();
	return { dataDir, file, pages };
}
