/**
 * Syncing through a real relay process: stock y-websocket providers, multiplexed clients, both
 * together, late readers (also after the room unloaded), and many rooms on one connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readProfile } from '../../src/lib/model/people.ts';
import { updateProfile } from '../../src/lib/model/profile-edits.ts';
import { MuxClient, stockProvider, texts, waitFor } from './clients.ts';
import { spawnRelay, stopAllRelays, type RelayProcess } from './relay-process.ts';

let relay: RelayProcess;
let editorToken: string;

beforeAll(async () => {
	relay = await spawnRelay({ env: { ROOM_IDLE_MS: '150' } });
	editorToken = await relay.token('editor');
});
afterAll(async () => {
	await relay?.kill();
	await stopAllRelays();
});

async function metric(name: string): Promise<number> {
	const text = await (await fetch(`${relay.url}/metrics`)).text();
	const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
	return Number(match?.[1] ?? NaN);
}

describe('sync', () => {
	it('[R1][R5][R6] two stock y-websocket providers converge on a room with slashes', async () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		const pa = stockProvider(relay.syncUrl, 'ws1/stock', a, editorToken);
		const pb = stockProvider(relay.syncUrl, 'ws1/stock', b, editorToken);
		try {
			a.getText('t').insert(0, 'from a ');
			b.getText('t').insert(0, 'from b ');
			await waitFor(() => a.getText('t').length === 14 && b.getText('t').length === 14, 'convergence');
			expect(texts(a)).toEqual(texts(b));
			await waitFor(() => pa.synced && pb.synced, 'synced flags');
		} finally {
			pa.destroy();
			pb.destroy();
		}
	});

	it('[R16] stock providers see each other’s awareness and its removal on disconnect', async () => {
		const pa = stockProvider(relay.syncUrl, 'ws1/presence', new Y.Doc(), editorToken);
		const pb = stockProvider(relay.syncUrl, 'ws1/presence', new Y.Doc(), editorToken);
		try {
			pa.awareness.setLocalStateField('name', 'ann');
			await waitFor(() => pb.awareness.getStates().get(pa.awareness.clientID)?.name === 'ann', 'presence');
			pa.destroy();
			await waitFor(() => !pb.awareness.getStates().has(pa.awareness.clientID), 'presence removed');
		} finally {
			pa.destroy();
			pb.destroy();
		}
	});

	it('[R26] a presence claiming another member carries the sender’s own member id from its token', async () => {
		const mallory = stockProvider(relay.syncUrl, 'ws1', new Y.Doc(), await relay.token('viewer', 'ws1', { memberId: 'mallory' }));
		const ana = stockProvider(relay.syncUrl, 'ws1', new Y.Doc(), await relay.token('editor', 'ws1', { memberId: 'ana' }));
		try {
			mallory.awareness.setLocalStateField('user', { memberId: 'ana', name: 'Ana', color: '#2563eb' });
			await waitFor(() => ana.awareness.getStates().has(mallory.awareness.clientID), 'presence');
			expect(ana.awareness.getStates().get(mallory.awareness.clientID)).toMatchObject({ user: { memberId: 'mallory', name: 'Ana' } });
		} finally {
			mallory.destroy();
			ana.destroy();
		}
	});

	it('[R15] a viewer writes its profile in the people room, and a teammate receives it', async () => {
		// (That a viewer's write anywhere else is refused is [R15] in auth.test.ts.)
		const writer = new Y.Doc();
		const reader = new Y.Doc();
		const pw = stockProvider(relay.syncUrl, 'ws1/@people', writer, await relay.token('viewer', 'ws1', { memberId: 'vera' }));
		const pr = stockProvider(relay.syncUrl, 'ws1/@people', reader, editorToken);
		try {
			updateProfile(writer, { name: 'Vera', timeZone: 'Asia/Tokyo' }, { memberId: 'vera', now: Date.now() });
			await waitFor(() => readProfile(reader, 'vera')?.name === 'Vera', 'profile arrives');
			expect(readProfile(reader, 'vera')).toMatchObject({ name: 'Vera', timeZone: 'Asia/Tokyo' });
		} finally {
			pw.destroy();
			pr.destroy();
		}
	});

	it('[R7][R8][R12] two multiplexed clients sync two rooms over one socket each, with acks', async () => {
		const a = new MuxClient(relay.syncUrl, editorToken);
		const b = new MuxClient(relay.syncUrl, editorToken, 'query');
		try {
			await Promise.all([a.opened, b.opened]);
			for (const room of ['ws1', 'ws1/mux']) {
				a.join(room);
				b.join(room);
			}
			a.docs.get('ws1')!.getText('t').insert(0, 'index');
			b.docs.get('ws1/mux')!.getText('t').insert(0, 'body');
			await waitFor(() => b.text('ws1') === 'index' && a.text('ws1/mux') === 'body', 'mux sync');
			await a.allStored('ws1');
			await b.allStored('ws1/mux');
		} finally {
			a.close();
			b.close();
		}
	});

	it('[R1] a stock provider and a multiplexed client converge', async () => {
		const stockDoc = new Y.Doc();
		const provider = stockProvider(relay.syncUrl, 'ws1/mixed', stockDoc, editorToken);
		const mux = new MuxClient(relay.syncUrl, editorToken);
		try {
			await mux.opened;
			const muxDoc = mux.join('ws1/mixed');
			stockDoc.getText('t').insert(0, 'stock ');
			muxDoc.getText('t').insert(0, 'mux ');
			await waitFor(() => stockDoc.getText('t').length === 10 && muxDoc.getText('t').length === 10, 'convergence');
			expect(texts(stockDoc)).toEqual(texts(muxDoc));
		} finally {
			provider.destroy();
			mux.close();
		}
	});

	it('[R21] a reader who connects after the writer left gets everything, also after the room unloaded', async () => {
		const writer = new MuxClient(relay.syncUrl, editorToken);
		await writer.opened;
		const doc = writer.join('ws1/late');
		for (let i = 0; i < 20; i++) doc.getText('t').insert(doc.getText('t').length, `${i},`);
		await writer.allStored('ws1/late');
		writer.close();
		await writer.socket.closed;

		const reader = new MuxClient(relay.syncUrl, await relay.token('viewer'));
		await reader.opened;
		reader.join('ws1/late');
		await waitFor(() => reader.text('ws1/late') === doc.getText('t').toString(), 'late reader');
		reader.close();
		await reader.socket.closed;

		await waitFor(() => relay.stderr.includes('"msg":"room unloaded","room":"ws1/late"'), 'room unloaded', 5000);
		const stockDoc = new Y.Doc();
		const provider = stockProvider(relay.syncUrl, 'ws1/late', stockDoc, await relay.token('viewer'));
		try {
			await waitFor(() => stockDoc.getText('t').toString() === doc.getText('t').toString(), 'reader after unload');
		} finally {
			provider.destroy();
		}
	});

	it('[R8] a thousand rooms on one multiplexed connection', async () => {
		const writer = new MuxClient(relay.syncUrl, editorToken);
		const reader = new MuxClient(relay.syncUrl, editorToken);
		try {
			await Promise.all([writer.opened, reader.opened]);
			const rooms = Array.from({ length: 1000 }, (_, i) => `ws1/many${i}`);
			const started = Date.now();
			for (const room of rooms) writer.join(room).getText('t').insert(0, room);
			await waitFor(
				() => rooms.every((room) => (writer.stored.get(room) ?? 0) >= (writer.writes.get(room) ?? 1)),
				'1000 rooms stored',
				20_000
			);
			for (const room of rooms) reader.join(room);
			await waitFor(() => rooms.every((room) => reader.text(room) === room), '1000 rooms read', 20_000);
			expect(Date.now() - started).toBeLessThan(15_000);
			expect(await metric('meridian_sessions')).toBeGreaterThanOrEqual(2000);
		} finally {
			writer.close();
			reader.close();
		}
	});
});
