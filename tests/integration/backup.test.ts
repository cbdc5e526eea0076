/**
 * `npm run backup` against a real relay under a write load, then the documented restore: a new
 * relay on a DATA_DIR holding only the copy (as meridian.sqlite) and the same secret file serves
 * every document byte for byte as the copy holds it, including every update acknowledged before
 * the backup began — and the copy is one moment's state (writes after it are not in it). Also the
 * command's refusals: an existing file without --force, a missing database.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import { loadSecret, signToken } from '../../server/auth.ts';
import { MuxClient, waitFor } from './clients.ts';
import { repoRoot, spawnRelay, stopAllRelays, tempDir, type RelayProcess } from './relay-process.ts';

const relays: RelayProcess[] = [];
afterEach(async () => {
	for (const relay of relays.splice(0)) await relay.kill('SIGKILL');
});
afterAll(stopAllRelays);

const ROOMS = ['ws1/b0', 'ws1/b1', 'ws1/b2'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Run {
	readonly code: number | null;
	readonly stdout: string;
	readonly stderr: string;
}

/**
 * `npm run --silent backup -- …args` with DATA_DIR set, as an operator runs it; `direct` skips
 * npm's own start-up (`node --import tsx server/cli/backup.ts`, what the script runs).
 */
function backup(dataDir: string, args: string[], direct = false): Promise<Run> {
	const [command, argv] = direct
		? [process.execPath, ['--import', 'tsx', 'server/cli/backup.ts', ...args]]
		: ['npm', ['run', '--silent', 'backup', '--', ...args]];
	return new Promise((done) => {
		const child = spawn(command, argv, {
			cwd: repoRoot,
			env: { ...process.env, DATA_DIR: dataDir },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		child.once('exit', (code) => done({ code, stdout, stderr }));
	});
}

async function editor(relay: RelayProcess, secret: Uint8Array, memberId: string): Promise<MuxClient> {
	const token = await signToken(secret, { workspaceId: 'ws1', role: 'editor', memberId, expiresInSeconds: 600 });
	const client = new MuxClient(relay.syncUrl, token);
	await client.opened;
	return client;
}

/** Each room's document as the database file holds it, loaded the way a room loads its rows. */
function documents(file: string): Map<string, Y.Doc> {
	const db = new Database(file, { readonly: true });
	const docs = new Map<string, Y.Doc>();
	try {
		const rows = db.prepare('SELECT room, data FROM updates ORDER BY seq').all() as { room: string; data: Buffer }[];
		for (const { room, data } of rows) {
			let doc = docs.get(room);
			if (!doc) docs.set(room, (doc = new Y.Doc({ gc: false })));
			Y.applyUpdate(doc, data, 'storage');
		}
	} finally {
		db.close();
	}
	return docs;
}

describe('backup and restore', () => {
	it('a copy taken under writes restores to a relay that serves every document byte for byte', async () => {
		const source = await spawnRelay({ env: { MERIDIAN_SECRET: '' } });
		relays.push(source);
		const secret = loadSecret(source.dataDir, null);
		const writer = await editor(source, secret, 'writer');
		for (const room of ROOMS) writer.join(room, new Y.Doc({ gc: false }));
		await waitFor(() => ROOMS.every((room) => (writer.syncMessages.get(room) ?? 0) >= 2), 'joined');

		// A steady write load, with what was acknowledged before the backup began noted.
		let n = 0;
		let writing = true;
		const load = (async () => {
			while (writing) {
				const room = ROOMS[n % ROOMS.length]!;
				const text = writer.docs.get(room)!.getText('t');
				text.insert(text.length, `u${n++};`);
				await sleep(2);
			}
		})();
		await waitFor(() => n > 60, 'some writes');
		for (const room of ROOMS) await writer.allStored(room);
		const ackedBefore = new Map(ROOMS.map((room) => [room, writer.text(room)]));

		const file = join(tempDir('meridian-backup-'), 'copy.sqlite');
		const run = await backup(source.dataDir, [file]);
		expect(run.stderr.replace(/^npm warn.*\n/gm, '')).toBe('');
		expect(run.code).toBe(0);
		expect(run.stdout).toMatch(/^backed up 3 rooms \(\d+ rows, \d+ bytes of updates/);
		const writtenDuringBackup = n;
		await sleep(100);
		writing = false;
		await load;
		for (const room of ROOMS) await writer.allStored(room);
		writer.close();
		await source.kill('SIGKILL');

		const copied = documents(file);
		const latest = documents(join(source.dataDir, 'meridian.sqlite'));
		expect([...copied.keys()].sort()).toEqual(ROOMS);
		for (const room of ROOMS) {
			// Everything acknowledged before the backup began is in the copy…
			const text = copied.get(room)!.getText('t').toString();
			for (const token of ackedBefore.get(room)!.split(';').filter(Boolean)) expect(text).toContain(`${token};`);
		}
		// …and the copy is a moment during the load, not its end.
		const copiedTokens = ROOMS.reduce((count, room) => count + copied.get(room)!.getText('t').toString().split(';').length - 1, 0);
		const latestTokens = ROOMS.reduce((count, room) => count + latest.get(room)!.getText('t').toString().split(';').length - 1, 0);
		expect(copiedTokens).toBeLessThan(latestTokens);
		expect(copiedTokens).toBeLessThanOrEqual(writtenDuringBackup);

		// Restore as documented: a DATA_DIR holding only the copy and the secret file.
		const restoredDir = tempDir('meridian-restored-');
		copyFileSync(file, join(restoredDir, 'meridian.sqlite'));
		writeFileSync(join(restoredDir, 'secret'), readFileSync(join(source.dataDir, 'secret')), { mode: 0o600 });
		const restored = await spawnRelay({ dataDir: restoredDir, env: { MERIDIAN_SECRET: '' } });
		relays.push(restored);
		const reader = await editor(restored, secret, 'reader');
		const served = new Map(ROOMS.map((room) => [room, reader.join(room, new Y.Doc({ gc: false }))]));
		await waitFor(() => ROOMS.every((room) => (reader.syncMessages.get(room) ?? 0) >= 2), 'restored sync');
		for (const room of ROOMS) {
			const expected = Y.encodeStateAsUpdate(copied.get(room)!);
			expect(Buffer.from(Y.encodeStateAsUpdate(served.get(room)!)).equals(Buffer.from(expected))).toBe(true);
			expect(served.get(room)!.getText('t').toString()).toBe(copied.get(room)!.getText('t').toString());
		}
		reader.close();
	});

	it('refuses to overwrite without --force, and says so when there is no database', async () => {
		const dir = tempDir('meridian-backup-');
		const missing = await backup(join(dir, 'no-data'), [join(dir, 'x.sqlite')], true);
		expect(missing.code).toBe(1);
		expect(missing.stderr).toMatch(/no database at .*meridian\.sqlite/);
		expect(existsSync(join(dir, 'x.sqlite'))).toBe(false);

		const source = await spawnRelay();
		relays.push(source);
		const target = join(dir, 'exists.sqlite');
		writeFileSync(target, 'keep me');
		const refused = await backup(source.dataDir, [target], true);
		expect(refused.code).toBe(2);
		expect(refused.stderr).toMatch(/exists; refusing to overwrite it \(use --force\)/);
		expect(readFileSync(target, 'utf8')).toBe('keep me');
		const forced = await backup(source.dataDir, [target, '--force'], true);
		expect(forced.code).toBe(0);
		const db = new Database(target, { readonly: true });
		expect(db.pragma('quick_check', { simple: true })).toBe('ok');
		db.close();
	});
});
