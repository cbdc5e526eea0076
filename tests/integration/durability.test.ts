/**
 * What the relay promises about storage, checked across process deaths: acknowledged means
 * stored (even under SIGKILL), SIGTERM stores everything, viewers store nothing. Storage faults
 * and corrupt rows: faults.test.ts; SIGKILL under load: kill-relay.test.ts.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import * as Y from 'yjs';
import { CloseCode } from '../../src/lib/protocol/index.ts';
import { MuxClient, stockProvider, waitFor } from './clients.ts';
import { spawnRelay, stopAllRelays, type RelayProcess } from './relay-process.ts';

let relay: RelayProcess | null = null;
afterEach(async () => {
	await relay?.kill('SIGKILL');
	relay = null;
});
afterAll(stopAllRelays);

async function read(r: RelayProcess, room: string): Promise<string> {
	const reader = new MuxClient(r.syncUrl, await r.token('viewer'));
	await reader.opened;
	reader.join(room);
	await waitFor(() => (reader.syncMessages.get(room) ?? 0) >= 2, `sync of ${room}`);
	const text = reader.text(room);
	reader.close();
	return text;
}

function rows(dataDir: string, room: string): { seq: number; data: Buffer }[] {
	const db = new Database(join(dataDir, 'meridian.sqlite'), { readonly: true });
	try {
		return db.prepare('SELECT seq, data FROM updates WHERE room = ? ORDER BY seq').all(room) as {
			seq: number;
			data: Buffer;
		}[];
	} finally {
		db.close();
	}
}

describe('durability', () => {
	it('[R12][R17] everything acknowledged survives SIGKILL right after the ack', async () => {
		relay = await spawnRelay();
		const writer = new MuxClient(relay.syncUrl, await relay.token('editor'));
		await writer.opened;
		const doc = writer.join('ws1/kill');
		for (let i = 0; i < 50; i++) doc.getText('t').insert(doc.getText('t').length, `${i};`);
		await writer.allStored('ws1/kill');
		const acknowledged = doc.getText('t').toString();
		const exit = await relay.kill('SIGKILL');
		expect(exit.signal).toBe('SIGKILL');
		await relay.restart();
		expect(await read(relay, 'ws1/kill')).toBe(acknowledged);
	});

	it('[R22] SIGTERM stores everything accepted (even what was not yet committed), closes with 1001 and exits 0', async () => {
		// A long group-commit window: nothing commits before the shutdown does.
		relay = await spawnRelay({ env: { FLUSH_DELAY_MS: '60000' } });
		const token = await relay.token('editor');
		const writer = new MuxClient(relay.syncUrl, token);
		const watcher = new MuxClient(relay.syncUrl, token);
		await Promise.all([writer.opened, watcher.opened]);
		watcher.join('ws1/term');
		const doc = writer.join('ws1/term');
		await waitFor(() => (writer.syncMessages.get('ws1/term') ?? 0) >= 2, 'joined');
		// A write while idle commits at once (and the commit loop then takes whatever arrived during
		// that commit, [R17]); once it is stored, the writes after it wait for the window.
		doc.getText('t').insert(0, 'first;');
		await writer.allStored('ws1/term');
		for (let i = 0; i < 30; i++) doc.getText('t').insert(doc.getText('t').length, `${i};`);
		const expected = doc.getText('t').toString();
		// The watcher seeing everything proves the relay accepted it.
		await waitFor(() => watcher.text('ws1/term') === expected, 'relay received all');
		expect(writer.stored.get('ws1/term') ?? 0).toBeLessThan(writer.writes.get('ws1/term')!);
		const exit = await relay.kill('SIGTERM');
		expect(exit).toEqual({ code: 0, signal: null });
		expect((await writer.socket.closed).code).toBe(CloseCode.goingAway);
		expect(relay.stderr).toContain('everything stored');
		await relay.restart();
		expect(await read(relay, 'ws1/term')).toBe(expected);
	});

	it('[R15] a viewer’s update is not stored (checked after a restart)', async () => {
		relay = await spawnRelay();
		const viewerDoc = new Y.Doc();
		const viewer = stockProvider(relay.syncUrl, 'ws1/ro', viewerDoc, await relay.token('viewer'));
		const editor = new MuxClient(relay.syncUrl, await relay.token('editor'));
		await editor.opened;
		const editorDoc = editor.join('ws1/ro');
		await waitFor(() => viewer.synced, 'viewer synced');
		viewerDoc.getText('t').insert(0, 'VANDAL');
		editorDoc.getText('t').insert(0, 'legit');
		await editor.allStored('ws1/ro');
		await waitFor(() => viewerDoc.getText('t').toString().includes('legit'), 'viewer reads');
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(editor.text('ws1/ro')).toBe('legit');
		viewer.destroy();
		editor.close();
		await relay.restart();
		expect(await read(relay, 'ws1/ro')).toBe('legit');
		expect(rows(relay.dataDir, 'ws1/ro').some((row) => row.data.toString('latin1').includes('VANDAL'))).toBe(false);
	});
	// A corrupt stored row: quarantined, the room served without it (tests/integration/faults.test.ts).
});
