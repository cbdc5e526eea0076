/**
 * Storage faults against a real relay process and its real SQLite file: another process holding
 * the write lock (SQLITE_BUSY), a full disk (SQLITE_FULL, from PRAGMA max_page_count via
 * SQLITE_MAX_PAGE_COUNT) and corrupt rows written into the file while the relay was stopped (one
 * that does not decode, one that does but fails its checksum).
 * Each checks the promise of PROTOCOL.md's `stored`: nothing acknowledged before it is committed,
 * nothing lost once the fault clears, and other rooms unharmed.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import * as Y from 'yjs';
import { MuxClient, waitFor } from './clients.ts';
import { spawnRelay, stopAllRelays, type RelayProcess } from './relay-process.ts';
import { ballastedDatabase } from './storage-fixtures.ts';

let relay: RelayProcess | null = null;
const open: MuxClient[] = [];
afterEach(async () => {
	for (const client of open.splice(0)) client.close();
	await relay?.kill('SIGKILL');
	relay = null;
});
afterAll(stopAllRelays);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function client(r: RelayProcess, role: 'viewer' | 'editor' = 'editor'): Promise<MuxClient> {
	const c = new MuxClient(r.syncUrl, await r.token(role, 'ws1', { memberId: `m-${open.length}` }));
	open.push(c);
	await c.opened;
	return c;
}

/** What a fresh reader is served for `room`. */
async function read(r: RelayProcess, room: string): Promise<string> {
	const reader = await client(r, 'viewer');
	reader.join(room);
	// The second sync message is the relay's step 2: the whole room, applied as it arrives.
	await waitFor(() => (reader.syncMessages.get(room) ?? 0) >= 2, `sync of ${room}`);
	return reader.text(room);
}

/** The room's text as stored in the file (read by a separate connection, as committed). */
function storedText(dataDir: string, room: string): string {
	const db = new Database(join(dataDir, 'meridian.sqlite'), { readonly: true });
	try {
		const doc = new Y.Doc();
		for (const row of db.prepare('SELECT data FROM updates WHERE room = ? ORDER BY seq').all(room) as { data: Buffer }[]) {
			Y.applyUpdate(doc, row.data);
		}
		return doc.getText('t').toString();
	} finally {
		db.close();
	}
}

function append(doc: Y.Doc, text: string): void {
	doc.getText('t').insert(doc.getText('t').length, text);
}

const failed = '"msg":"storage append failed;';

function errorLines(r: RelayProcess, message: string): Record<string, unknown>[] {
	return r.stderr
		.split('\n')
		.filter((line) => line.includes(`"msg":"${message}`))
		.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('storage faults', () => {
	it('another process holds the write lock: no ack while locked, everything committed and acknowledged in order after', async () => {
		relay = await spawnRelay();
		const writer = await client(relay);
		const doc = writer.join('ws1/locked');
		const other = writer.join('ws1/locked-other');
		append(doc, 'before;');
		append(other, 'other;');
		await writer.allStored('ws1/locked');
		await writer.allStored('ws1/locked-other');

		const db = new Database(join(relay.dataDir, 'meridian.sqlite'));
		db.exec('BEGIN IMMEDIATE'); // the write lock, held by this process
		const ackedBefore = writer.stored.get('ws1/locked')!;
		for (let i = 0; i < 5; i++) append(doc, `during-${i};`);
		const expected = doc.getText('t').toString();
		await waitFor(() => relay!.stderr.includes(failed), 'the relay meeting the lock');
		await sleep(500);
		expect(writer.stored.get('ws1/locked')).toBe(ackedBefore);
		expect(storedText(relay.dataDir, 'ws1/locked')).toBe('before;');
		// Reading is not blocked (WAL): other rooms are served meanwhile.
		expect(await read(relay, 'ws1/locked-other')).toBe('other;');

		db.exec('ROLLBACK');
		db.close();
		await writer.allStored('ws1/locked', 8000);
		expect(storedText(relay.dataDir, 'ws1/locked')).toBe(expected);
		const errors = errorLines(relay, 'storage append failed;');
		expect(errors).toHaveLength(1); // once per episode, not per retry
		expect(errors[0]!['code']).toBe('SQLITE_BUSY');
		expect(errorLines(relay, 'storage recovered')).toHaveLength(1);

		await relay.restart('SIGKILL');
		expect(await read(relay, 'ws1/locked')).toBe(expected);
		expect(await read(relay, 'ws1/locked-other')).toBe('other;');
	});

	it('the disk is full: no ack while full, nothing lost, everything committed once space is freed', async () => {
		// A database a few pages short of its cap (SQLITE_MAX_PAGE_COUNT), with ballast to drop.
		const { dataDir, file, pages } = await ballastedDatabase('meridian-full-');
		relay = await spawnRelay({ dataDir, env: { SQLITE_MAX_PAGE_COUNT: String(pages + 3) } });

		const writer = await client(relay);
		const other = writer.join('ws1/full-other');
		append(other, 'other;');
		await writer.allStored('ws1/full-other');
		const doc = writer.join('ws1/full');
		// Write 3 KB chunks until a commit fails: the cap is reached.
		const full = (): boolean => relay!.stderr.includes(failed);
		for (let i = 0; i < 40 && !full(); i++) {
			append(doc, `${i}:${'x'.repeat(3000)};`);
			const room = 'ws1/full';
			await waitFor(() => full() || (writer.stored.get(room) ?? 0) >= writer.writes.get(room)!, 'a commit or a failure');
		}
		expect(full()).toBe(true);
		const errors = errorLines(relay, 'storage append failed;');
		expect(errors).toHaveLength(1);
		expect(errors[0]!['code']).toBe('SQLITE_FULL');
		const acked = writer.stored.get('ws1/full')!;
		append(doc, 'while-full;');
		const expected = doc.getText('t').toString();
		await sleep(500);
		expect(writer.stored.get('ws1/full')).toBe(acked);
		expect(storedText(relay.dataDir, 'ws1/full')).not.toContain('while-full;');
		expect(await read(relay, 'ws1/full-other')).toBe('other;');

		// Space is freed (pages go to SQLite's free list, within the cap): the held updates commit.
		const operator = new Database(file);
		operator.exec('DELETE FROM ballast');
		operator.close();
		await writer.allStored('ws1/full', 8000);
		expect(storedText(relay.dataDir, 'ws1/full')).toBe(expected);
		expect(errorLines(relay, 'storage recovered')).toHaveLength(1);
		await relay.restart('SIGKILL');
		expect(await read(relay, 'ws1/full')).toBe(expected);
	});

	it('a corrupt row is quarantined byte for byte, the room served without it and healed by a client; other rooms carry on', async () => {
		relay = await spawnRelay();
		const writer = await client(relay);
		const doc = writer.join('ws1/corrupt');
		const healthy = writer.join('ws1/healthy');
		for (const part of ['one;', 'two;', 'three;']) {
			append(doc, part);
			await writer.allStored('ws1/corrupt');
		}
		append(healthy, 'fine;');
		await writer.allStored('ws1/healthy');
		const forged = writer.join('ws1/damaged');
		append(forged, 'real;');
		await writer.allStored('ws1/damaged');
		writer.close();
		await relay.kill('SIGKILL'); // no shutdown compaction: the three rows stay apart

		const file = join(relay.dataDir, 'meridian.sqlite');
		const db = new Database(file);
		const rows = db.prepare("SELECT seq FROM updates WHERE room = 'ws1/corrupt' ORDER BY seq").all() as { seq: number }[];
		expect(rows).toHaveLength(3);
		const bad = Buffer.from([0xff, 0xfe, 0xfd, 0x01]);
		db.prepare('UPDATE updates SET data = ? WHERE seq = ?').run(bad, rows[1]!.seq);
		// Damage that still decodes as an update: only the row's checksum can tell.
		const other = new Y.Doc();
		other.getText('t').insert(0, 'FORGED;');
		db.prepare("UPDATE updates SET data = ? WHERE room = 'ws1/damaged'").run(Y.encodeStateAsUpdate(other));
		db.close();

		await relay.restart();
		// 'three;' was typed after 'two;' and waits for it, invisible: only 'one;' is served.
		expect(await read(relay, 'ws1/corrupt')).toBe('one;');
		expect(await read(relay, 'ws1/healthy')).toBe('fine;');
		expect(await read(relay, 'ws1/damaged')).toBe('');
		const check = new Database(file, { readonly: true });
		expect(check.prepare("SELECT room, seq, data FROM quarantine WHERE room = 'ws1/corrupt'").all()).toEqual([
			{ room: 'ws1/corrupt', seq: rows[1]!.seq, data: bad }
		]);
		expect(check.prepare("SELECT reason FROM quarantine WHERE room = 'ws1/damaged'").all()).toEqual([
			{ reason: expect.stringMatching(/checksum mismatch/) }
		]);
		expect(check.prepare('SELECT COUNT(*) AS n FROM updates WHERE seq = ?').get(rows[1]!.seq)).toEqual({ n: 0 });
		check.close();
		expect(errorLines(relay, 'corrupt stored row quarantined')).toHaveLength(2);

		// The author's device still has the whole document; its next sync heals the room.
		const author = await client(relay);
		author.join('ws1/corrupt', doc);
		await author.allStored('ws1/corrupt');
		expect(await read(relay, 'ws1/corrupt')).toBe('one;two;three;');
		await relay.restart('SIGKILL');
		expect(await read(relay, 'ws1/corrupt')).toBe('one;two;three;');
	});
});
