/**
 * Invites against a real relay process (PROTOCOL.md "Invites and members"): an admin creates,
 * lists and revokes them; bad input and other roles change nothing; joining with a code gives a
 * token whose WebSocket has the invite's role; used-up, expired and revoked invites are gone
 * (410), unknown codes 404, a loop of attempts 429 (and a flood of other addresses does not reset
 * it), a join not sent as JSON 415; an admin removed while their request's body is in flight
 * creates nothing, and their invites are revoked with them; ten racing for one use get one
 * member; codes and tokens never reach the log.
 *
 * The relay trusts X-Forwarded-For here so that each test joins from an address of its own: the
 * per-address join limit then counts one test's attempts, not the whole file's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { request } from 'node:http';
import { join } from 'node:path';
import * as Y from 'yjs';
import { readOnlyReason } from '../../src/lib/protocol/index.ts';
import { api } from './api-client.ts';
import { waitFor } from './clients.ts';
import { RawPeer, storedDoc, storedRows, syncMessage } from './raw-peer.ts';
import { spawnRelay, stopAllRelays, type RelayProcess } from './relay-process.ts';

let relay: RelayProcess;
let admin: string;
beforeAll(async () => {
	relay = await spawnRelay({ env: { TRUST_PROXY: '1' } });
	admin = await relay.token('admin', 'ws1', { memberId: 'boss' });
});
afterAll(async () => {
	await relay?.kill();
	await stopAllRelays();
});

let nextAddress = 1;
/** A client address of its own (X-Forwarded-For, which this relay trusts). */
function from(): Record<string, string> {
	return { 'X-Forwarded-For': `10.0.0.${nextAddress++}` };
}

const valid = { workspaceId: 'ws1', role: 'viewer', expiresInSeconds: 3600, maxUses: 2 };

async function createInvite(body: Record<string, unknown> = valid): Promise<{ id: string; code: string }> {
	const answer = await api(relay, 'POST', '/api/invites', { token: admin, body });
	expect(answer.status).toBe(201);
	return { id: (answer.body['invite'] as { id: string }).id, code: answer.body['code'] as string };
}

async function listInvites(): Promise<{ id: string; state: string; uses: number; revokedAt: number | null }[]> {
	const answer = await api(relay, 'GET', '/api/invites?workspace=ws1', { token: admin });
	expect(answer.status).toBe(200);
	return answer.body['invites'] as { id: string; state: string; uses: number; revokedAt: number | null }[];
}

describe('creating and listing', () => {
	it('an admin creates an invite (201, a code shown once) and lists it first, with its state', async () => {
		const before = Date.now();
		const answer = await api(relay, 'POST', '/api/invites', { token: admin, body: { ...valid, role: 'editor', maxUses: 5 } });
		expect(answer.status).toBe(201);
		expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
		// The security headers are on API answers too, and no CORS header invites other origins in.
		expect(answer.headers.get('content-security-policy')).toContain("default-src 'self'");
		expect(answer.headers.get('access-control-allow-origin')).toBeNull();
		const code = answer.body['code'] as string;
		expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
		const invite = answer.body['invite'] as Record<string, unknown>;
		expect(invite).toMatchObject({ workspaceId: 'ws1', role: 'editor', createdBy: 'boss', maxUses: 5, uses: 0, revokedAt: null, state: 'active' });
		expect(invite['createdAt']).toBeGreaterThanOrEqual(before);
		expect(invite['expiresAt']).toBe((invite['createdAt'] as number) + 3600 * 1000);

		const second = await createInvite();
		const listed = await listInvites();
		expect(listed.map((i) => i.id).slice(0, 2)).toEqual([second.id, invite['id']]);
		expect(JSON.stringify(listed)).not.toContain(code);
	});

	it('a non-admin gets 403, no token 401, an admin of another workspace 403; nothing is created', async () => {
		const count = (await listInvites()).length;
		const editor = await relay.token('editor', 'ws1', { memberId: 'ed' });
		const otherAdmin = await relay.token('admin', 'ws2', { memberId: 'boss2' });
		expect((await api(relay, 'POST', '/api/invites', { token: editor, body: valid })).status).toBe(403);
		expect((await api(relay, 'GET', '/api/invites?workspace=ws1', { token: editor })).status).toBe(403);
		expect((await api(relay, 'POST', '/api/invites', { token: otherAdmin, body: valid })).status).toBe(403);
		const anonymous = await api(relay, 'POST', '/api/invites', { body: valid });
		expect(anonymous.status).toBe(401);
		expect(anonymous.body['error']).toMatch(/token/);
		expect((await api(relay, 'POST', '/api/invites', { token: 'not.a.jwt', body: valid })).status).toBe(401);
		expect((await api(relay, 'POST', '/api/invites', { token: await relay.token('admin', 'ws1', { memberId: 'boss', expiresInSeconds: -60 }), body: valid })).status).toBe(401);
		expect(await listInvites()).toHaveLength(count);
	});

	it('bad input is 400 naming the field, and changes nothing', async () => {
		const count = (await listInvites()).length;
		const cases: [unknown, RegExp][] = [
			[{ ...valid, role: 'owner' }, /role/],
			[{ ...valid, role: undefined }, /role/],
			[{ ...valid, expiresInSeconds: 59 }, /expiresInSeconds/],
			[{ ...valid, expiresInSeconds: 90 * 86400 + 1 }, /expiresInSeconds/],
			[{ ...valid, expiresInSeconds: 3600.5 }, /expiresInSeconds/],
			[{ ...valid, expiresInSeconds: '3600' }, /expiresInSeconds/],
			[{ ...valid, maxUses: 0 }, /maxUses/],
			[{ ...valid, maxUses: 1001 }, /maxUses/],
			[{ ...valid, workspaceId: undefined }, /workspaceId/],
			[{ ...valid, workspaceId: 'no/slashes' }, /workspaceId/],
			['{not json', /JSON/],
			['[1,2]', /object/]
		];
		for (const [body, field] of cases) {
			const answer = await api(relay, 'POST', '/api/invites', { token: admin, body });
			expect({ body, status: answer.status }).toEqual({ body, status: 400 });
			expect(answer.body['error']).toMatch(field);
		}
		const huge = await api(relay, 'POST', '/api/invites', { token: admin, body: { ...valid, padding: 'x'.repeat(17 * 1024) } });
		expect(huge.status).toBe(413);
		expect((await api(relay, 'GET', '/api/invites', { token: admin })).status).toBe(400);
		expect(await listInvites()).toHaveLength(count);
	});
});

/**
 * Sends a request's headers now and its body only when `finish` is called, as a slow (or
 * deliberate) client can: the relay has authenticated the headers long before the body arrives.
 */
function heldRequest(method: string, path: string, token: string, body: unknown): { finish: () => Promise<{ status: number; body: Record<string, unknown> }> } {
	const text = JSON.stringify(body);
	const held = request(`${relay.url}${path}`, {
		method,
		headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }
	});
	const answered = new Promise<{ status: number; body: Record<string, unknown> }>((done, fail) => {
		held.once('error', fail);
		held.once('response', (response) => {
			let received = '';
			response.setEncoding('utf8');
			response.on('data', (chunk: string) => (received += chunk));
			response.once('end', () => done({ status: response.statusCode ?? 0, body: JSON.parse(received) as Record<string, unknown> }));
		});
	});
	held.flushHeaders();
	return {
		finish: () => {
			held.end(text);
			return answered;
		}
	};
}

describe('an admin removed while their request is in flight', () => {
	it('an invite whose body arrives after its sender was removed is refused (401) and nothing is created', async () => {
		const count = (await listInvites()).length;
		const leaving = await relay.token('admin', 'ws1', { memberId: 'leaving-admin' });
		const held = heldRequest('POST', '/api/invites', leaving, { ...valid, role: 'admin', maxUses: 1000 });
		// The relay records a member it has never seen when it checks their token: once listed,
		// the headers have been authenticated and only the body is outstanding.
		await waitUntilListed('leaving-admin');
		expect((await api(relay, 'DELETE', '/api/members/leaving-admin?workspace=ws1', { token: admin })).status).toBe(200);
		const answer = await held.finish();
		expect(answer.status).toBe(401);
		expect(answer.body).not.toHaveProperty('code');
		const invites = await listInvites();
		expect(invites).toHaveLength(count);
		expect(invites.filter((i) => (i as { createdBy?: string }).createdBy === 'leaving-admin')).toEqual([]);
	});
});

async function waitUntilListed(memberId: string): Promise<void> {
	const deadline = Date.now() + 10_000;
	for (;;) {
		const listed = (await api(relay, 'GET', '/api/members?workspace=ws1', { token: admin })).body['members'] as { memberId: string }[];
		if (listed.some((m) => m.memberId === memberId)) return;
		if (Date.now() > deadline) throw new Error(`${memberId} was never recorded`);
	}
}

describe('joining', () => {
	it("joining gives a token whose WebSocket has the invite's role; the member is listed by name; the use is counted", async () => {
		const invite = await createInvite();
		const joined = await api(relay, 'POST', '/api/join', { body: { code: invite.code, name: '  Vera Viewer ' }, headers: from() });
		expect(joined.status).toBe(200);
		const { token, memberId } = joined.body as { token: string; memberId: string };
		expect(joined.body).toMatchObject({ workspaceId: 'ws1', role: 'viewer' });
		expect(memberId).toMatch(/^[A-Za-z0-9_-]{16}$/);

		const me = await api(relay, 'GET', '/api/me?workspace=ws1', { token });
		expect(me).toMatchObject({ status: 200, body: { memberId, workspaceId: 'ws1', role: 'viewer' } });
		const members = await api(relay, 'GET', '/api/members?workspace=ws1', { token: admin });
		expect(members.body['members']).toContainEqual(expect.objectContaining({ memberId, name: 'Vera Viewer', role: 'viewer', source: 'invite', workspaceId: 'ws1' }));
		expect((await listInvites()).find((i) => i.id === invite.id)).toMatchObject({ uses: 1, state: 'active' });

		// A viewer's write is refused read-only and not stored; the viewer still reads.
		const peer = new RawPeer(relay.syncUrl, token);
		await peer.opened;
		await peer.barrier('ws1/joined-page');
		const doc = new Y.Doc();
		doc.getMap('m').set('viewer-wrote', true);
		peer.send('ws1/joined-page', syncMessage(2, Y.encodeStateAsUpdate(doc)));
		await peer.barrier('ws1/joined-page');
		expect(peer.log('ws1/joined-page').auth).toEqual([readOnlyReason]);
		expect(peer.log('ws1/joined-page').stored).toBe(0);
		expect(storedDoc(storedRows(relay.dataDir), 'ws1/joined-page').getMap('m').has('viewer-wrote')).toBe(false);
		expect(peer.socket.closeInfo).toBeNull();
		peer.close();
	});

	it('an invite used as many times as it allows is gone (410, "used")', async () => {
		const invite = await createInvite({ ...valid, maxUses: 1 });
		const headers = from();
		expect((await api(relay, 'POST', '/api/join', { body: { code: invite.code, name: 'First' }, headers })).status).toBe(200);
		const second = await api(relay, 'POST', '/api/join', { body: { code: invite.code, name: 'Second' }, headers });
		expect(second.status).toBe(410);
		expect(second.body['error']).toMatch(/used/);
		expect((await listInvites()).find((i) => i.id === invite.id)).toMatchObject({ uses: 1, state: 'used' });
		const names = ((await api(relay, 'GET', '/api/members?workspace=ws1', { token: admin })).body['members'] as { name: string }[]).map((m) => m.name);
		expect(names).toContain('First');
		expect(names).not.toContain('Second');
	});

	it('an expired invite is gone (410, "expired")', async () => {
		const invite = await createInvite({ ...valid, expiresInSeconds: 60 });
		// The relay keeps invites in its SQLite file; age this one there, as a minute passing would.
		const db = new Database(join(relay.dataDir, 'meridian.sqlite'));
		try {
			expect(db.prepare('UPDATE invites SET expires_at = ? WHERE id = ?').run(Date.now() - 1, invite.id).changes).toBe(1);
		} finally {
			db.close();
		}
		const answer = await api(relay, 'POST', '/api/join', { body: { code: invite.code, name: 'Late' }, headers: from() });
		expect(answer.status).toBe(410);
		expect(answer.body['error']).toMatch(/expired/);
		expect((await listInvites()).find((i) => i.id === invite.id)).toMatchObject({ uses: 0, state: 'expired' });
	});

	it('a revoked invite is gone (410, "revoked"); revoking twice is fine; only an admin of its workspace revokes', async () => {
		const invite = await createInvite();
		const editor = await relay.token('editor', 'ws1', { memberId: 'ed' });
		const otherAdmin = await relay.token('admin', 'ws2', { memberId: 'boss2' });
		expect((await api(relay, 'DELETE', `/api/invites/${invite.id}`, { token: editor })).status).toBe(403);
		expect((await api(relay, 'DELETE', `/api/invites/${invite.id}`, { token: otherAdmin })).status).toBe(404);
		expect((await listInvites()).find((i) => i.id === invite.id)).toMatchObject({ state: 'active', revokedAt: null });

		const revoked = await api(relay, 'DELETE', `/api/invites/${invite.id}`, { token: admin });
		expect(revoked.status).toBe(200);
		const first = revoked.body['invite'] as { state: string; revokedAt: number };
		expect(first.state).toBe('revoked');
		const again = await api(relay, 'DELETE', `/api/invites/${invite.id}`, { token: admin });
		expect(again).toMatchObject({ status: 200, body: { invite: { state: 'revoked', revokedAt: first.revokedAt } } });
		expect((await api(relay, 'DELETE', '/api/invites/no-such-invite', { token: admin })).status).toBe(404);

		const answer = await api(relay, 'POST', '/api/join', { body: { code: invite.code, name: 'Too late' }, headers: from() });
		expect(answer.status).toBe(410);
		expect(answer.body['error']).toMatch(/revoked/);
	});

	it("removing an admin revokes the invites they made: their admin invite is then gone (410, 'revoked')", async () => {
		const departing = await relay.token('admin', 'ws1', { memberId: 'departing' });
		const made = await api(relay, 'POST', '/api/invites', { token: departing, body: { ...valid, role: 'admin' } });
		expect(made.status).toBe(201);
		const invite = { id: (made.body['invite'] as { id: string }).id, code: made.body['code'] as string };
		const kept = await createInvite();
		expect((await api(relay, 'DELETE', '/api/members/departing?workspace=ws1', { token: admin })).status).toBe(200);
		const listed = await listInvites();
		expect(listed.find((i) => i.id === invite.id)).toMatchObject({ state: 'revoked', revokedAt: expect.any(Number) });
		expect(listed.find((i) => i.id === kept.id)).toMatchObject({ state: 'active' });
		const answer = await api(relay, 'POST', '/api/join', { body: { code: invite.code, name: 'Back door' }, headers: from() });
		expect(answer.status).toBe(410);
		expect(answer.body['error']).toMatch(/revoked/);
		expect((await listInvites()).find((i) => i.id === invite.id)).toMatchObject({ uses: 0 });
	});

	it('ten people racing for the last use of an invite: exactly one gets in, the use is counted once', async () => {
		const invite = await createInvite({ ...valid, maxUses: 1 });
		// Each from an address of its own, so the per-address limit plays no part.
		const answers = await Promise.all(
			Array.from({ length: 10 }, (_, i) => api(relay, 'POST', '/api/join', { body: { code: invite.code, name: `Racer ${i}` }, headers: from() }))
		);
		const statuses = answers.map((a) => a.status).sort();
		expect(statuses).toEqual([200, ...Array<number>(9).fill(410)]);
		const db = new Database(join(relay.dataDir, 'meridian.sqlite'), { readonly: true });
		try {
			expect(db.prepare('SELECT uses FROM invites WHERE id = ?').get(invite.id)).toEqual({ uses: 1 });
			expect(db.prepare("SELECT count(*) AS n FROM members WHERE workspace_id = 'ws1' AND name LIKE 'Racer %'").get()).toEqual({ n: 1 });
		} finally {
			db.close();
		}
		expect((await listInvites()).find((i) => i.id === invite.id)).toMatchObject({ uses: 1, state: 'used' });
	});

	it('an unknown code is 404; a bad name or code is 400 and uses nothing', async () => {
		const headers = from();
		const invite = await createInvite();
		expect((await api(relay, 'POST', '/api/join', { body: { code: 'A'.repeat(43), name: 'Guess' }, headers })).status).toBe(404);
		const names = ['   ', 'x'.repeat(101), 'a\nb', 'Ana\u202eredla', 'Ana\u2066admin\u2069', '\u202aBen'];
		for (const body of [{ code: invite.code }, ...names.map((name) => ({ code: invite.code, name })), { name: 'No code' }]) {
			const answer = await api(relay, 'POST', '/api/join', { body, headers });
			expect({ body, status: answer.status }).toEqual({ body, status: 400 });
		}
		expect((await listInvites()).find((i) => i.id === invite.id)).toMatchObject({ uses: 0, state: 'active' });
		expect((await api(relay, 'GET', '/api/join', { headers })).status).toBe(405);
	});

	it('a join not sent as JSON is 415 and uses nothing (a cross-site form can post text/plain without asking)', async () => {
		const invite = await createInvite();
		const body = JSON.stringify({ code: invite.code, name: 'Cross site' });
		for (const type of ['text/plain', 'application/x-www-form-urlencoded', null]) {
			const headers: Record<string, string> = { ...from() };
			if (type) headers['Content-Type'] = type;
			const answer = await fetch(`${relay.url}/api/join`, { method: 'POST', headers, body: type ? body : new Blob([body]) });
			expect({ type, status: answer.status }).toEqual({ type, status: 415 });
			expect(((await answer.json()) as { error: string }).error).toMatch(/JSON/);
		}
		expect((await listInvites()).find((i) => i.id === invite.id)).toMatchObject({ uses: 0, state: 'active' });
		// The app's header, parameters and case allowed.
		const joined = await fetch(`${relay.url}/api/join`, { method: 'POST', headers: { ...from(), 'Content-Type': 'Application/JSON; charset=utf-8' }, body });
		expect(joined.status).toBe(200);
	});

	it('too many join attempts from one address get 429; another address still joins', async () => {
		const invite = await createInvite({ ...valid, maxUses: 1 });
		const headers = from();
		const statuses: number[] = [];
		for (let i = 0; i < 12; i++) {
			statuses.push((await api(relay, 'POST', '/api/join', { body: { code: 'B'.repeat(43), name: 'Guess' }, headers })).status);
		}
		// A burst of ten, then refused until the bucket refills (one every six seconds).
		expect(statuses).toEqual([...Array<number>(10).fill(404), 429, 429]);
		const refused = await api(relay, 'POST', '/api/join', { body: { code: invite.code, name: 'Patient' }, headers });
		expect(refused.status).toBe(429);
		expect(refused.body['error']).toMatch(/Too many/);
		expect((await listInvites()).find((i) => i.id === invite.id)).toMatchObject({ uses: 0 });
		expect((await api(relay, 'POST', '/api/join', { body: { code: invite.code, name: 'Patient' }, headers: from() })).status).toBe(200);
	});

	it('a flood of other addresses does not give a limited address a fresh burst (the address idle longest is forgotten, not every one)', async () => {
		// A relay of its own: ten thousand refused attempts would swamp this file's metrics.
		const flooded = await spawnRelay({ env: { TRUST_PROXY: '1' } });
		try {
			const attempt = async (address: string): Promise<number> => {
				const answer = await fetch(`${flooded.url}/api/join`, {
					method: 'POST',
					headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': address },
					body: '{}'
				});
				await answer.arrayBuffer();
				return answer.status;
			};
			const guesser = '192.0.2.1';
			const started = Date.now();
			const statuses: number[] = [];
			for (let i = 0; i < 11; i++) statuses.push(await attempt(guesser));
			// A burst of ten (each refused 400: no code), then limited.
			expect(statuses).toEqual([...Array<number>(10).fill(400), 429]);
			// 10,000 other addresses, more than the relay remembers, the guesser trying now and then,
			// then ten times more at the end.
			const guesses: number[] = [];
			let next = 0;
			const worker = async (): Promise<void> => {
				for (let n = next++; n < 10_000; n = next++) {
					expect(await attempt(`10.${n >> 16}.${(n >> 8) & 255}.${n & 255}`)).toBe(400);
					if (n % 500 === 499) guesses.push(await attempt(guesser));
				}
			};
			await Promise.all(Array.from({ length: 8 }, worker));
			for (let i = 0; i < 10; i++) guesses.push(await attempt(guesser));
			// The bucket refills one attempt every six seconds; a forgotten bucket would give ten at once.
			const refilled = Math.floor((Date.now() - started) / 6000) + 1;
			expect(refilled, 'the flood took too long to tell a refill from a fresh burst').toBeLessThan(10);
			expect(guesses.filter((status) => status !== 429).length).toBeLessThanOrEqual(refilled);
		} finally {
			await flooded.kill();
		}
	}, 120_000);
});

describe('hygiene', () => {
	it('invite codes and tokens never reach the log', async () => {
		const invite = await createInvite();
		const joined = await api(relay, 'POST', '/api/join', { body: { code: invite.code, name: 'Logged?' }, headers: from() });
		const token = joined.body['token'] as string;
		await api(relay, 'GET', '/api/me?workspace=ws1', { token });
		await waitFor(() => relay.stderr.includes('invite redeemed'), 'the redemption logged');
		expect(relay.stderr).toContain(invite.id);
		for (const secret of [invite.code, token, token.split('.')[2]!, admin.split('.')[2]!]) expect(relay.stderr).not.toContain(secret);
	});
});

describe('metrics', () => {
	it('/metrics counts invites created and redeemed, and refused joins by reason', async () => {
		const text = await (await fetch(`${relay.url}/metrics`)).text();
		const value = (sample: string): number => Number(new RegExp(`^${sample.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
		const invites = await listInvites();
		const joined = ((await api(relay, 'GET', '/api/members?workspace=ws1', { token: admin })).body['members'] as { source: string }[]).filter((m) => m.source === 'invite');
		expect(value('meridian_invites_created_total')).toBe(invites.length);
		expect(value('meridian_invites_redeemed_total')).toBe(joined.length);
		// Earlier in this file: one unknown code, then ten in the burst; used: one, then nine in the race; one expired; revoked: one, then the removed admin's; three over the limit.
		expect({
			unknown: value('meridian_joins_refused_total{reason="unknown"}'),
			used: value('meridian_joins_refused_total{reason="used"}'),
			expired: value('meridian_joins_refused_total{reason="expired"}'),
			revoked: value('meridian_joins_refused_total{reason="revoked"}'),
			rateLimited: value('meridian_joins_refused_total{reason="rate_limited"}')
		}).toEqual({ unknown: 11, used: 10, expired: 1, revoked: 2, rateLimited: 3 });
	});
});
