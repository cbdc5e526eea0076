/**
 * Members against a real relay process (PROTOCOL.md "Invites and members"): role changes and
 * removals take effect on open sockets at once, the table's role wins over the token's, the last
 * admin stays, and a token for a member the relay has never seen records them on first sight.
 * What was stored is read from the SQLite file itself, not from the relay's answers; a backup
 * (server/cli/backup.ts) carries the table along.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import * as Y from 'yjs';
import { CloseCode, readOnlyReason } from '../../src/lib/protocol/index.ts';
import { api } from './api-client.ts';
import { RecordingSocket, meridianProtocols, waitFor } from './clients.ts';
import { RawPeer, storedDoc, storedRows, syncMessage } from './raw-peer.ts';
import { repoRoot, spawnRelay, stopAllRelays, tempDir, type RelayProcess } from './relay-process.ts';

let relay: RelayProcess;
let admin: string;
beforeAll(async () => {
	relay = await spawnRelay();
	admin = await relay.token('admin', 'ws1', { memberId: 'boss' });
	// The admin is recorded on first sight, like anyone holding a CLI-made token.
	expect((await api(relay, 'GET', '/api/me?workspace=ws1', { token: admin })).body).toMatchObject({ role: 'admin' });
});
afterAll(async () => {
	await relay?.kill();
	await stopAllRelays();
});

function setting(key: string): Uint8Array {
	const doc = new Y.Doc();
	doc.getMap('m').set(key, true);
	return Y.encodeStateAsUpdate(doc);
}

function storedKeys(room: string): string[] {
	return [...storedDoc(storedRows(relay.dataDir), room).getMap('m').keys()].sort();
}

async function members(): Promise<{ memberId: string; role: string; name: string; source: string }[]> {
	const answer = await api(relay, 'GET', '/api/members?workspace=ws1', { token: admin });
	expect(answer.status).toBe(200);
	return answer.body['members'] as { memberId: string; role: string; name: string; source: string }[];
}

async function setRole(memberId: string, role: string, token = admin): Promise<number> {
	return (await api(relay, 'PATCH', `/api/members/${memberId}`, { token, body: { workspaceId: 'ws1', role } })).status;
}

describe('role changes on open connections', () => {
	it("an editor made viewer while joined: within seconds the next write is refused read-only and not stored; made editor again, it writes", async () => {
		const room = 'ws1/live-page';
		const editor = new RawPeer(relay.syncUrl, await relay.token('editor', 'ws1', { memberId: 'eddie' }));
		await editor.opened;
		await editor.barrier(room);
		editor.send(room, syncMessage(2, setting('before')));
		await waitFor(() => editor.log(room).stored === 1, 'the first write stored');

		const changed = Date.now();
		expect(await setRole('eddie', 'viewer')).toBe(200);
		editor.send(room, syncMessage(2, setting('while-viewer')));
		// "At once" on a loaded machine: within seconds, not on the next reconnect.
		await waitFor(() => editor.log(room).auth.length === 1, 'told read-only', 3000);
		expect(Date.now() - changed).toBeLessThan(3000);
		await editor.barrier(room);
		expect(editor.log(room).auth).toEqual([readOnlyReason]);
		expect(editor.log(room).stored).toBe(1);
		expect(storedKeys(room)).toEqual(['before']);
		expect(editor.socket.closeInfo).toBeNull();

		expect(await setRole('eddie', 'editor')).toBe(200);
		editor.send(room, syncMessage(2, setting('after')));
		await waitFor(() => editor.log(room).stored === 2, 'the write after becoming editor again stored');
		expect(storedKeys(room)).toEqual(['after', 'before']);
		editor.close();
	});

	it("/api/me answers the table's role, and the table's role is what the token opens, whatever the token says", async () => {
		const asAdmin = await relay.token('admin', 'ws1', { memberId: 'vic' });
		expect((await api(relay, 'GET', '/api/me?workspace=ws1', { token: asAdmin })).body).toEqual({ memberId: 'vic', workspaceId: 'ws1', role: 'admin' });
		expect(await setRole('vic', 'viewer')).toBe(200);
		expect((await api(relay, 'GET', '/api/me?workspace=ws1', { token: asAdmin })).body).toEqual({ memberId: 'vic', workspaceId: 'ws1', role: 'viewer' });
		// A token saying admin no longer makes invites or changes roles.
		expect((await api(relay, 'GET', '/api/members?workspace=ws1', { token: asAdmin })).status).toBe(403);
		expect(await setRole('vic', 'admin', asAdmin)).toBe(403);
		expect((await members()).find((m) => m.memberId === 'vic')).toMatchObject({ role: 'viewer' });
		// … nor writes a page on a new socket.
		const peer = new RawPeer(relay.syncUrl, asAdmin);
		await peer.opened;
		await peer.barrier('ws1/vic-page');
		peer.send('ws1/vic-page', syncMessage(2, setting('vic')));
		await peer.barrier('ws1/vic-page');
		expect(peer.log('ws1/vic-page').auth).toEqual([readOnlyReason]);
		expect(storedKeys('ws1/vic-page')).toEqual([]);
		peer.close();
		expect((await api(relay, 'GET', '/api/me?workspace=ws2', { token: asAdmin })).status).toBe(403);
	});

	it('bad input changes nothing: 400 for a role or workspace, 404 for an unknown member, 403 for a non-admin', async () => {
		const editorToken = await relay.token('editor', 'ws1', { memberId: 'stable' });
		expect((await api(relay, 'GET', '/api/me?workspace=ws1', { token: editorToken })).status).toBe(200);
		const patch = (body: unknown, token = admin, who = 'stable'): Promise<number> =>
			api(relay, 'PATCH', `/api/members/${who}`, { token, body }).then((a) => a.status);
		expect(await patch({ workspaceId: 'ws1', role: 'owner' })).toBe(400);
		expect(await patch({ role: 'viewer' })).toBe(400);
		expect(await patch({ workspaceId: 'ws1', role: 'viewer' }, admin, 'nobody')).toBe(404);
		expect(await patch({ workspaceId: 'ws1', role: 'viewer' }, editorToken)).toBe(403);
		expect(await patch({ workspaceId: 'ws1', role: 'viewer' }, '')).toBe(401);
		expect((await api(relay, 'DELETE', '/api/members/stable', { token: admin })).status).toBe(400);
		expect((await api(relay, 'DELETE', '/api/members/stable?workspace=ws1', { token: editorToken })).status).toBe(403);
		expect((await members()).find((m) => m.memberId === 'stable')).toMatchObject({ role: 'editor' });
	});
});

describe('removal', () => {
	it('closes the member’s open sockets with 4401; their token is refused (4401) on reconnect and 401 on the API', async () => {
		const token = await relay.token('editor', 'ws1', { memberId: 'leaver' });
		const mux = new RawPeer(relay.syncUrl, token);
		const perRoom = new RecordingSocket(`${relay.syncUrl}/ws1/leaver-page`, meridianProtocols(token));
		const bystander = new RawPeer(relay.syncUrl, await relay.token('editor', 'ws1', { memberId: 'stays' }));
		await Promise.all([mux.opened, perRoom.opened, bystander.opened]);
		await mux.barrier('ws1/leaver-page');
		await bystander.barrier('ws1/leaver-page');

		const removedAt = Date.now();
		const removed = await api(relay, 'DELETE', '/api/members/leaver?workspace=ws1', { token: admin });
		expect(removed).toMatchObject({ status: 200, body: { member: { memberId: 'leaver', role: 'editor' } } });
		const [muxClosed, roomClosed] = await Promise.all([mux.socket.closed, perRoom.closed]);
		expect(Date.now() - removedAt).toBeLessThan(3000);
		expect(muxClosed.code).toBe(CloseCode.unauthorized);
		expect(roomClosed.code).toBe(CloseCode.unauthorized);
		expect(bystander.socket.closeInfo).toBeNull();

		const again = new RecordingSocket(relay.syncUrl, meridianProtocols(token));
		expect((await again.closed).code).toBe(CloseCode.unauthorized);
		expect(again.messages).toHaveLength(0);
		expect((await api(relay, 'GET', '/api/me?workspace=ws1', { token })).status).toBe(401);
		expect((await members()).map((m) => m.memberId)).not.toContain('leaver');
		// Removing twice: there is no such member any more.
		expect((await api(relay, 'DELETE', '/api/members/leaver?workspace=ws1', { token: admin })).status).toBe(404);
		bystander.close();
	});
});

describe('an admin removed while their request is in flight', () => {
	it('a role change whose body arrives after its sender was removed is refused (401) and changes nothing', async () => {
		const target = await relay.token('viewer', 'ws1', { memberId: 'hopeful' });
		expect((await api(relay, 'GET', '/api/me?workspace=ws1', { token: target })).status).toBe(200);
		const leaving = await relay.token('admin', 'ws1', { memberId: 'outgoing' });
		// Headers now, body later, as a slow client sends them.
		const text = JSON.stringify({ workspaceId: 'ws1', role: 'admin' });
		const held = request(`${relay.url}/api/members/hopeful`, {
			method: 'PATCH',
			headers: { Authorization: `Bearer ${leaving}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }
		});
		const answered = new Promise<number>((done, fail) => {
			held.once('error', fail);
			held.once('response', (response) => {
				response.resume();
				response.once('end', () => done(response.statusCode ?? 0));
			});
		});
		held.flushHeaders();
		// The relay records a member it has never seen when it checks their token: once listed, the
		// headers have been authenticated and only the body is outstanding.
		const deadline = Date.now() + 10_000;
		while (!(await members()).some((m) => m.memberId === 'outgoing')) expect(Date.now()).toBeLessThan(deadline);
		expect((await api(relay, 'DELETE', '/api/members/outgoing?workspace=ws1', { token: admin })).status).toBe(200);
		held.end(text);
		expect(await answered).toBe(401);
		expect((await members()).find((m) => m.memberId === 'hopeful')).toMatchObject({ role: 'viewer' });
		expect((await api(relay, 'GET', '/api/me?workspace=ws1', { token: target })).body).toMatchObject({ role: 'viewer' });
	});
});

describe('the last admin', () => {
	it('cannot be demoted or removed (409, nothing changed); with a second admin, can', async () => {
		const only = await relay.token('admin', 'ws3', { memberId: 'solo' });
		expect((await api(relay, 'GET', '/api/me?workspace=ws3', { token: only })).status).toBe(200);
		const demote = await api(relay, 'PATCH', '/api/members/solo', { token: only, body: { workspaceId: 'ws3', role: 'editor' } });
		expect(demote.status).toBe(409);
		expect(demote.body['error']).toMatch(/admin/);
		expect((await api(relay, 'DELETE', '/api/members/solo?workspace=ws3', { token: only })).status).toBe(409);
		expect((await api(relay, 'GET', '/api/me?workspace=ws3', { token: only })).body).toMatchObject({ role: 'admin' });

		const second = await relay.token('editor', 'ws3', { memberId: 'duo' });
		await api(relay, 'GET', '/api/me?workspace=ws3', { token: second });
		expect((await api(relay, 'PATCH', '/api/members/duo', { token: only, body: { workspaceId: 'ws3', role: 'admin' } })).status).toBe(200);
		expect((await api(relay, 'PATCH', '/api/members/solo', { token: second, body: { workspaceId: 'ws3', role: 'viewer' } })).status).toBe(200);
		expect((await api(relay, 'DELETE', '/api/members/duo?workspace=ws3', { token: second })).status).toBe(409);
	});
});

describe('first sight', () => {
	it("a CLI-style token for a member the relay has never seen is recorded on first connection (source 'token', the token's role)", async () => {
		expect((await members()).map((m) => m.memberId)).not.toContain('newcomer');
		const socket = new RawPeer(relay.syncUrl, await relay.token('commenter', 'ws1', { memberId: 'newcomer' }));
		await socket.opened;
		expect((await members()).find((m) => m.memberId === 'newcomer')).toMatchObject({
			memberId: 'newcomer',
			role: 'commenter',
			name: 'newcomer',
			source: 'token',
			workspaceId: 'ws1'
		});
		socket.close();
	});
});

describe('metrics', () => {
	it('/metrics counts role changes and removals that succeeded, and nothing for refusals', async () => {
		const changes = async (): Promise<{ role: number; removed: number }> => {
			const text = await (await fetch(`${relay.url}/metrics`)).text();
			const value = (change: string): number => Number(new RegExp(`^meridian_member_changes_total\\{change="${change}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
			return { role: value('role'), removed: value('removed') };
		};
		for (const memberId of ['counted-a', 'counted-b']) {
			expect((await api(relay, 'GET', '/api/me?workspace=ws1', { token: await relay.token('editor', 'ws1', { memberId }) })).status).toBe(200);
		}
		const before = await changes();
		expect(before.role).toBeGreaterThanOrEqual(0);
		expect(await setRole('counted-a', 'viewer')).toBe(200);
		expect(await setRole('counted-a', 'commenter')).toBe(200);
		expect((await api(relay, 'DELETE', '/api/members/counted-b?workspace=ws1', { token: admin })).status).toBe(200);
		// Refusals: an unknown member, a bad role, the removed member again.
		expect(await setRole('nobody-here', 'viewer')).toBe(404);
		expect(await setRole('counted-a', 'owner')).toBe(400);
		expect((await api(relay, 'DELETE', '/api/members/counted-b?workspace=ws1', { token: admin })).status).toBe(404);
		expect(await changes()).toEqual({ role: before.role + 2, removed: before.removed + 1 });
	});
});

describe('backup', () => {
	it('the members table travels with the backup: the copy holds every member, roles and removals included', async () => {
		const target = join(tempDir('meridian-members-backup-'), 'copy.sqlite');
		const code = await new Promise<number | null>((done) => {
			const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/backup.ts', target], {
				cwd: repoRoot,
				env: { ...process.env, DATA_DIR: relay.dataDir },
				stdio: 'ignore'
			});
			child.once('exit', done);
		});
		expect(code).toBe(0);
		const copy = new Database(target, { readonly: true });
		try {
			const rows = copy.prepare("SELECT member_id, role, removed_at FROM members WHERE workspace_id = 'ws1' ORDER BY member_id").all() as { member_id: string; role: string; removed_at: number | null }[];
			expect(rows.find((r) => r.member_id === 'leaver')?.removed_at).toEqual(expect.any(Number));
			expect(rows.find((r) => r.member_id === 'vic')).toMatchObject({ role: 'viewer', removed_at: null });
		} finally {
			copy.close();
		}
	});
});
