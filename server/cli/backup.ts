/**
 * npm run --silent backup -- <file> [--force]
 *
 * Writes a consistent copy of the relay's database (DATA_DIR/meridian.sqlite) to <file>, while
 * the relay serves: SQLite's online backup API (better-sqlite3's `db.backup`) from a read-only
 * connection, copying every page in one step, i.e. inside one read transaction — a snapshot of
 * exactly the transactions committed when it began, WAL included, without blocking the relay's
 * writes (WAL readers never do). A plain `cp` of the file could miss what is still in the WAL.
 *
 * The copy is written beside the target under a temporary name, checked (`PRAGMA quick_check`),
 * switched to a single self-contained file (journal_mode=DELETE), synced, and only then given its
 * name: a crash or a full disk never leaves a half-written file under <file>. An existing <file>
 * is kept unless --force. Restoring: docs/operations.md ("Backup and restore").
 * Exit codes: 0 ok, 2 bad arguments or <file> exists, 1 anything else.
 */
import { closeSync, existsSync, fsyncSync, linkSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { readConfig } from '../config.ts';
import { databaseFileName } from '../relay.ts';

const usage = 'usage: npm run --silent backup -- <file> [--force]   (DATA_DIR as for the relay)';

class UsageError extends Error {}

interface BackupResult {
	readonly file: string;
	readonly rooms: number;
	readonly rows: number;
	readonly bytes: number;
}

/** Copies the database at `source` to `target` (see the file comment). */
async function backupDatabase(source: string, target: string, force = false): Promise<BackupResult> {
	if (!existsSync(source)) throw new Error(`no database at ${source} (is DATA_DIR the relay's?)`);
	if (!existsSync(dirname(target))) throw new UsageError(`directory ${dirname(target)} does not exist`);
	if (existsSync(target) && !force) throw new UsageError(`${target} exists; refusing to overwrite it (use --force)`);
	const partial = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
	rmSync(partial, { force: true });
	try {
		const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 5000 });
		try {
			// One step for all pages: a single read transaction, so the copy is one moment's state
			// (with many small steps, a write between them would restart the copy).
			await db.backup(partial, { progress: () => 0x7fffffff });
		} finally {
			db.close();
		}
		const copy = new Database(partial);
		let result: BackupResult;
		try {
			const check = copy.pragma('quick_check', { simple: true });
			if (check !== 'ok') throw new Error(`the copy fails SQLite's check: ${String(check)}`);
			copy.pragma('journal_mode = DELETE');
			const stats = copy
				.prepare('SELECT COUNT(DISTINCT room) AS rooms, COUNT(*) AS rows, COALESCE(SUM(LENGTH(data)), 0) AS bytes FROM updates')
				.get() as { rooms: number; rows: number; bytes: number };
			result = { file: target, ...stats };
		} finally {
			copy.close();
		}
		const fd = openSync(partial, 'r');
		try {
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}
		if (force) renameSync(partial, target);
		else {
			// link fails if the target appeared meanwhile: never overwrites without --force.
			try {
				linkSync(partial, target);
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
					throw new UsageError(`${target} exists; refusing to overwrite it (use --force)`);
				}
				throw error;
			}
			rmSync(partial);
		}
		const dir = openSync(dirname(target), 'r');
		try {
			fsyncSync(dir);
		} finally {
			closeSync(dir);
		}
		return result;
	} finally {
		rmSync(partial, { force: true });
	}
}

async function main(argv: string[]): Promise<void> {
	let parsed;
	try {
		parsed = parseArgs({
			args: argv,
			options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
			strict: true,
			allowPositionals: true
		});
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
	if (parsed.values.help) {
		process.stderr.write(usage + '\n');
		return;
	}
	if (parsed.positionals.length !== 1) throw new UsageError('expected exactly one <file> to write');
	const target = resolve(parsed.positionals[0]!);
	const source = join(readConfig().dataDir, databaseFileName);
	if (resolve(source) === target) throw new UsageError('the backup cannot be the database itself');
	const started = Date.now();
	const result = await backupDatabase(source, target, parsed.values.force === true);
	process.stdout.write(
		`backed up ${result.rooms} rooms (${result.rows} rows, ${result.bytes} bytes of updates, ` +
			`${statSync(target).size} bytes on disk) from ${source} to ${target} in ${Date.now() - started} ms\n`
	);
}

main(process.argv.slice(2)).catch((error: unknown) => {
	const message = error instanceof Error ? error.message : String(error);
	process.stderr.write(`meridian backup: ${message}\n`);
	if (error instanceof UsageError) process.stderr.write(usage + '\n');
	process.exit(error instanceof UsageError ? 2 : 1);
});
