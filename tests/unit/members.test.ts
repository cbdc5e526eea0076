/**
 * The members table and invites (server/members.ts) on a real in-memory SQLite database with a
 * hand-stepped clock: first sight, the table's role winning over the token's, removal, the last
 * admin, and redeeming invites (counted once, refused when expired, revoked or used up, codes kept
 * only as hashes). The HTTP side and live sockets are in tests/integration/{invites,members}.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { Role, TokenClaims } from '../../src/lib/protocol/index.ts';
import { Members, hashCode, inviteState } from '../../server/members.ts';

function setup(): { members: Members; clock: { now: number } } {
	const clock = { now: 1_000_000 };
	return { members: new Members(':memory:', { now: () => clock.now }), clock };
}

function claims(memberId: string, role: Role, workspaceId = 'ws1'): TokenClaims {
	return { workspaceId, memberId, role, expiresAt: 9_999_999_999 };
}

describe('admit', () => {
	it("records a member on first sight with the token's role, then the table's role wins", () => {
		const { members } = setup();
		expect(members.admit(claims('ana', 'editor'))).toEqual(claims('ana', 'editor'));
		expect(members.member('ws1', 'ana')).toEqual({ memberId: 'ana', workspaceId: 'ws1', role: 'editor', name: 'ana', joinedAt: 1_000_000, source: 'token' });
		expect(members.admit(claims('ana', 'admin'))).toEqual(claims('ana', 'editor'));
		// The same member id in another workspace is another member.
		expect(members.admit(claims('ana', 'viewer', 'ws2'))).toEqual(claims('ana', 'viewer', 'ws2'));
	});

	it('refuses a removed member, whatever the token says, and does not list them', () => {
		const { members } = setup();
		members.admit(claims('boss', 'admin'));
		members.admit(claims('ana', 'editor'));
		expect(members.remove('ws1', 'ana')).toMatchObject({ ok: true, member: { memberId: 'ana', role: 'editor' } });
		expect(members.admit(claims('ana', 'admin'))).toBeNull();
		expect(members.members('ws1').map((m) => m.memberId)).toEqual(['boss']);
		expect(members.remove('ws1', 'ana')).toEqual({ ok: false, reason: 'unknown' });
		expect(members.setRole('ws1', 'ana', 'viewer')).toEqual({ ok: false, reason: 'unknown' });
	});
});

describe('the last admin', () => {
	it('cannot be demoted or removed; with a second admin either can, but not both', () => {
		const { members } = setup();
		members.admit(claims('boss', 'admin'));
		members.admit(claims('ed', 'editor'));
		expect(members.setRole('ws1', 'boss', 'editor')).toEqual({ ok: false, reason: 'last-admin' });
		expect(members.remove('ws1', 'boss')).toEqual({ ok: false, reason: 'last-admin' });
		expect(members.member('ws1', 'boss')?.role).toBe('admin');
		// Keeping an admin an admin is no loss.
		expect(members.setRole('ws1', 'boss', 'admin')).toMatchObject({ ok: true });

		expect(members.setRole('ws1', 'ed', 'admin')).toMatchObject({ ok: true, member: { role: 'admin' } });
		expect(members.remove('ws1', 'boss')).toMatchObject({ ok: true });
		expect(members.setRole('ws1', 'ed', 'viewer')).toEqual({ ok: false, reason: 'last-admin' });
		// Another workspace's admins do not count.
		members.admit(claims('other', 'admin', 'ws2'));
		expect(members.remove('ws1', 'ed')).toEqual({ ok: false, reason: 'last-admin' });
	});
});

describe('invites', () => {
	const request = { workspaceId: 'ws1', role: 'commenter' as const, createdBy: 'boss', expiresInSeconds: 60, maxUses: 2 };

	it('keeps only the hash of the code; redeeming counts a use and makes a member with the invite role', () => {
		const { members, clock } = setup();
		const { invite, code } = members.createInvite(request);
		expect(invite).toEqual({ id: invite.id, workspaceId: 'ws1', role: 'commenter', createdBy: 'boss', createdAt: 1_000_000, expiresAt: 1_060_000, maxUses: 2, uses: 0, revokedAt: null, state: 'active' });
		expect(hashCode(code)).toMatch(/^[0-9a-f]{64}$/);
		clock.now += 5_000;
		const first = members.redeem(code, 'Cora');
		if (!first.ok) throw new Error(first.reason);
		expect(first.member).toMatchObject({ workspaceId: 'ws1', role: 'commenter', name: 'Cora', joinedAt: 1_005_000, source: 'invite' });
		expect(first.invite.uses).toBe(1);
		const second = members.redeem(code, 'Cora');
		if (!second.ok) throw new Error(second.reason);
		expect(second.member.memberId).not.toBe(first.member.memberId);
		expect(members.redeem(code, 'Third')).toEqual({ ok: false, reason: 'used' });
		expect(members.invite(invite.id)).toMatchObject({ uses: 2, state: 'used' });
		expect(members.members('ws1').map((m) => m.name)).toEqual(['Cora', 'Cora']);
	});

	it('an expired, revoked or unknown invite redeems nothing', () => {
		const { members, clock } = setup();
		const expiring = members.createInvite(request);
		const revoked = members.createInvite(request);
		clock.now += 1_000;
		const first = members.revokeInvite(revoked.invite.id);
		clock.now += 1_000;
		expect(members.revokeInvite(revoked.invite.id)?.revokedAt).toBe(first?.revokedAt);
		expect(members.redeem(revoked.code, 'R')).toEqual({ ok: false, reason: 'revoked' });
		clock.now = expiring.invite.expiresAt;
		expect(members.redeem(expiring.code, 'E')).toEqual({ ok: false, reason: 'expired' });
		expect(members.redeem('not-a-code', 'U')).toEqual({ ok: false, reason: 'unknown' });
		expect(members.revokeInvite('no-such-id')).toBeNull();
		expect(members.members('ws1')).toEqual([]);
		expect(members.invites('ws1').map((i) => [i.id, i.uses, i.state])).toEqual([
			[revoked.invite.id, 0, 'revoked'],
			[expiring.invite.id, 0, 'expired']
		]);
	});

	it("removing a member or demoting an admin revokes the active invites they made, and only theirs", () => {
		const { members, clock } = setup();
		for (const id of ['boss', 'ana', 'ben']) members.admit(claims(id, 'admin'));
		members.admit(claims('ana', 'admin', 'ws2'));
		const byAna = members.createInvite({ ...request, createdBy: 'ana', role: 'admin' });
		const anaElsewhere = members.createInvite({ ...request, workspaceId: 'ws2', createdBy: 'ana' });
		const byBen = members.createInvite({ ...request, createdBy: 'ben' });
		const byBenEarlier = members.createInvite({ ...request, createdBy: 'ben' });
		const byBoss = members.createInvite({ ...request, createdBy: 'boss' });
		const earlier = members.revokeInvite(byBenEarlier.invite.id)!.revokedAt;
		clock.now += 1_000;
		expect(members.remove('ws1', 'ana')).toMatchObject({ ok: true });
		expect(members.invite(byAna.invite.id)).toMatchObject({ state: 'revoked', revokedAt: 1_001_000 });
		expect(members.redeem(byAna.code, 'Back door')).toEqual({ ok: false, reason: 'revoked' });
		expect(members.invite(anaElsewhere.invite.id)?.state).toBe('active');
		expect(members.invite(byBen.invite.id)?.state).toBe('active');

		clock.now += 1_000;
		// Keeping an admin an admin keeps their invites; losing admin does not.
		expect(members.setRole('ws1', 'ben', 'admin')).toMatchObject({ ok: true });
		expect(members.invite(byBen.invite.id)?.state).toBe('active');
		expect(members.setRole('ws1', 'ben', 'editor')).toMatchObject({ ok: true });
		expect(members.invite(byBen.invite.id)).toMatchObject({ state: 'revoked', revokedAt: 1_002_000 });
		// An invite revoked before keeps the time it was revoked.
		expect(members.invite(byBenEarlier.invite.id)?.revokedAt).toBe(earlier);
		expect(members.invite(byBoss.invite.id)?.state).toBe('active');
		// A refused change (the last admin) revokes nothing.
		expect(members.setRole('ws1', 'boss', 'viewer')).toEqual({ ok: false, reason: 'last-admin' });
		expect(members.invite(byBoss.invite.id)?.state).toBe('active');
	});

	it('state: revoked before used before expired', () => {
		expect(inviteState({ expiresAt: 10, maxUses: 1, uses: 1, revokedAt: 5 }, 20)).toBe('revoked');
		expect(inviteState({ expiresAt: 10, maxUses: 1, uses: 1, revokedAt: null }, 20)).toBe('used');
		expect(inviteState({ expiresAt: 10, maxUses: 2, uses: 1, revokedAt: null }, 10)).toBe('expired');
		expect(inviteState({ expiresAt: 10, maxUses: 2, uses: 1, revokedAt: null }, 9)).toBe('active');
	});
});

/**
 * Runs `change` while another connection (a worker thread, as the relay's storage thread is) holds
 * the database's write lock, which it lets go of after `holdMs`. `change` runs synchronously, so
 * it either waits the lock out (busy timeout) or fails at once.
 */
async function whileLocked<T>(file: string, holdMs: number, change: () => T): Promise<T> {
	const worker = new Worker(
		`
		const { parentPort, workerData } = require('node:worker_threads');
		const Database = require('better-sqlite3');
		const db = new Database(workerData.file);
		db.exec('BEGIN IMMEDIATE');
		parentPort.postMessage('locked');
		Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
		db.exec('COMMIT');
		db.close();
		`,
		{ eval: true, workerData: { file, holdMs } }
	);
	try {
		await new Promise<void>((resolve, reject) => {
			worker.once('message', () => resolve());
			worker.once('error', reject);
		});
		return change();
	} finally {
		await worker.terminate();
	}
}

describe('a document commit holding the write lock', () => {
	it('[MB1] a role change, a removal and a redemption wait for it, instead of failing with SQLITE_BUSY', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'meridian-members-'));
		const file = join(dir, 'meridian.sqlite');
		const members = new Members(file, { busyTimeoutMs: 5_000 });
		try {
			members.admit(claims('boss', 'admin'));
			members.admit(claims('ana', 'editor'));
			members.admit(claims('bo', 'editor'));
			const { code } = members.createInvite({ workspaceId: 'ws1', role: 'viewer', createdBy: 'boss', expiresInSeconds: 3600, maxUses: 1 });

			// Each runs while the lock is held (the worker holds it 300 ms after saying so), so each
			// succeeds only by waiting for it: begun deferred, each threw SQLITE_BUSY at once.
			expect(await whileLocked(file, 300, () => members.setRole('ws1', 'ana', 'viewer'))).toMatchObject({ ok: true });
			expect(await whileLocked(file, 300, () => members.remove('ws1', 'bo'))).toMatchObject({ ok: true });
			const redeemed = await whileLocked(file, 300, () => members.redeem(code, 'Cy'));
			expect(redeemed).toMatchObject({ ok: true, member: { role: 'viewer', name: 'Cy' } });

			expect(members.member('ws1', 'ana')?.role).toBe('viewer');
			expect(members.member('ws1', 'bo')).toBeNull();
		} finally {
			members.close();
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
