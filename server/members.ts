/**
 * The members table and invites (issue 8 item 2; PROTOCOL.md "Invites and members"). They live in
 * the relay's own SQLite file (tables `members` and `invites`, opened on a connection of their own
 * beside the document store), so `npm run backup` copies them with the documents and a restored
 * relay knows who belongs.
 *
 * Why a table at all when tokens carry a role: a signed token cannot be taken back. Once the
 * relay knows a member, the table's role is their role whatever the token says, and a removed
 * member's tokens open nothing — so a change takes effect without rotating the secret. Members
 * the relay has never seen (tokens from `npm run token`, or signed by tests) are recorded on first
 * sight with their token's role and source 'token'.
 *
 * Invite codes are 32 random bytes shown once; only their SHA-256 is stored, so a copy of the
 * database (a backup) cannot be used to join. Redeeming is one transaction: counting the use and
 * creating the member happen together or not at all, so two people racing for the last use cannot
 * both get in.
 *
 * better-sqlite3 is synchronous: every method here runs to completion on the event loop, which is
 * what makes "check the last admin, then demote" safe without locking.
 *
 * A transaction that reads and then writes begins IMMEDIATE, taking the write lock first. Begun
 * deferred, it would read under a shared lock and then have to upgrade it; SQLite does not wait
 * for an upgrade (the busy timeout is not consulted while a read is open), so a document commit
 * from the storage thread at that moment answered SQLITE_BUSY at once — a 503 to the admin.
 */
import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Role, TokenClaims } from '../src/lib/protocol/index.ts';
import { defaultBusyTimeoutMs, pageCacheKib } from './storage/sqlite.ts';
import type { InviteInfo, InviteState, MemberInfo, MemberSource } from '../src/lib/protocol/api.ts';

export type { InviteInfo, InviteState, MemberInfo, MemberSource };

export interface NewInvite {
	readonly workspaceId: string;
	readonly role: Role;
	readonly createdBy: string;
	readonly expiresInSeconds: number;
	readonly maxUses: number;
}

/** Why a redemption failed; each maps to one HTTP status and sentence in api.ts. */
export type RedeemRefusal = 'unknown' | 'expired' | 'revoked' | 'used';
export type RedeemResult =
	| { readonly ok: true; readonly member: MemberInfo; readonly invite: InviteInfo }
	| { readonly ok: false; readonly reason: RedeemRefusal };

/** Why a role change or removal failed. */
export type ChangeRefusal = 'unknown' | 'last-admin';
export type ChangeResult = { readonly ok: true; readonly member: MemberInfo } | { readonly ok: false; readonly reason: ChangeRefusal };

interface MemberRow {
	workspace_id: string;
	member_id: string;
	role: Role;
	name: string;
	joined_at: number;
	source: MemberSource;
	removed_at: number | null;
}

interface InviteRow {
	id: string;
	workspace_id: string;
	role: Role;
	created_by: string;
	created_at: number;
	expires_at: number;
	max_uses: number;
	uses: number;
	revoked_at: number | null;
}

/** The SHA-256 of an invite code, as stored (hex). */
export function hashCode(code: string): string {
	return createHash('sha256').update(code, 'utf8').digest('hex');
}

/** A fresh random id that passes the protocol's `isId` (base64url, 16 characters). */
export function newId(): string {
	return randomBytes(12).toString('base64url');
}

export function inviteState(row: { expiresAt: number; maxUses: number; uses: number; revokedAt: number | null }, now: number): InviteState {
	if (row.revokedAt !== null) return 'revoked';
	if (row.uses >= row.maxUses) return 'used';
	if (now >= row.expiresAt) return 'expired';
	return 'active';
}

function memberInfo(row: MemberRow): MemberInfo {
	return {
		memberId: row.member_id,
		workspaceId: row.workspace_id,
		role: row.role,
		name: row.name,
		joinedAt: row.joined_at,
		source: row.source
	};
}

function inviteInfo(row: InviteRow, now: number): InviteInfo {
	const base = {
		id: row.id,
		workspaceId: row.workspace_id,
		role: row.role,
		createdBy: row.created_by,
		createdAt: row.created_at,
		expiresAt: row.expires_at,
		maxUses: row.max_uses,
		uses: row.uses,
		revokedAt: row.revoked_at
	};
	return { ...base, state: inviteState(base, now) };
}

export interface MembersOptions {
	/**
	 * How long a statement waits for another process's write lock (a drill, an operator's sqlite3):
	 * short, as for the store, because the wait blocks the event loop.
	 */
	readonly busyTimeoutMs?: number;
	/** The clock, for unit tests. */
	readonly now?: () => number;
}

export class Members {
	readonly #db: Database.Database;
	readonly #now: () => number;
	readonly #getMember: Database.Statement<[string, string], MemberRow>;
	readonly #insertMember: Database.Statement<[string, string, string, string, number, string]>;
	readonly #listMembers: Database.Statement<[string], MemberRow>;
	readonly #countAdmins: Database.Statement<[string], { n: number }>;
	readonly #setRole: Database.Statement<[string, string, string]>;
	readonly #remove: Database.Statement<[number, string, string]>;
	readonly #getInvite: Database.Statement<[string], InviteRow>;
	readonly #getInviteByHash: Database.Statement<[string], InviteRow>;
	readonly #insertInvite: Database.Statement<[string, string, string, string, string, number, number, number]>;
	readonly #listInvites: Database.Statement<[string], InviteRow>;
	readonly #revokeInvite: Database.Statement<[number, string]>;
	readonly #revokeInvitesBy: Database.Statement<[number, string, string]>;
	readonly #useInvite: Database.Statement<[string]>;

	constructor(path: string, options: MembersOptions = {}) {
		this.#now = options.now ?? Date.now;
		this.#db = new Database(path, { timeout: options.busyTimeoutMs ?? defaultBusyTimeoutMs });
		this.#db.pragma('journal_mode = WAL');
		this.#db.pragma('synchronous = FULL');
		// A bound, as for the store: these tables are small and the connection holds only the pages it reads.
		this.#db.pragma(`cache_size = -${pageCacheKib}`);
		this.#db.exec(`
			CREATE TABLE IF NOT EXISTS members (
				workspace_id TEXT NOT NULL,
				member_id    TEXT NOT NULL,
				role         TEXT NOT NULL,
				name         TEXT NOT NULL,
				joined_at    INTEGER NOT NULL,
				source       TEXT NOT NULL,
				removed_at   INTEGER,
				PRIMARY KEY (workspace_id, member_id)
			);
			CREATE TABLE IF NOT EXISTS invites (
				id           TEXT PRIMARY KEY,
				workspace_id TEXT NOT NULL,
				code_hash    TEXT NOT NULL UNIQUE,
				role         TEXT NOT NULL,
				created_by   TEXT NOT NULL,
				created_at   INTEGER NOT NULL,
				expires_at   INTEGER NOT NULL,
				max_uses     INTEGER NOT NULL,
				uses         INTEGER NOT NULL DEFAULT 0,
				revoked_at   INTEGER
			);
			CREATE INDEX IF NOT EXISTS invites_workspace ON invites (workspace_id, created_at);
		`);
		this.#getMember = this.#db.prepare('SELECT * FROM members WHERE workspace_id = ? AND member_id = ?');
		this.#insertMember = this.#db.prepare(
			'INSERT INTO members (workspace_id, member_id, role, name, joined_at, source) VALUES (?, ?, ?, ?, ?, ?)'
		);
		this.#listMembers = this.#db.prepare(
			'SELECT * FROM members WHERE workspace_id = ? AND removed_at IS NULL ORDER BY joined_at, member_id'
		);
		this.#countAdmins = this.#db.prepare(
			"SELECT count(*) AS n FROM members WHERE workspace_id = ? AND removed_at IS NULL AND role = 'admin'"
		);
		this.#setRole = this.#db.prepare('UPDATE members SET role = ? WHERE workspace_id = ? AND member_id = ?');
		this.#remove = this.#db.prepare('UPDATE members SET removed_at = ? WHERE workspace_id = ? AND member_id = ?');
		this.#getInvite = this.#db.prepare('SELECT * FROM invites WHERE id = ?');
		this.#getInviteByHash = this.#db.prepare('SELECT * FROM invites WHERE code_hash = ?');
		this.#insertInvite = this.#db.prepare(
			'INSERT INTO invites (id, workspace_id, code_hash, role, created_by, created_at, expires_at, max_uses) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
		);
		this.#listInvites = this.#db.prepare('SELECT * FROM invites WHERE workspace_id = ? ORDER BY created_at DESC, rowid DESC');
		this.#revokeInvite = this.#db.prepare('UPDATE invites SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
		this.#revokeInvitesBy = this.#db.prepare(
			'UPDATE invites SET revoked_at = ? WHERE workspace_id = ? AND created_by = ? AND revoked_at IS NULL'
		);
		this.#useInvite = this.#db.prepare('UPDATE invites SET uses = uses + 1 WHERE id = ?');
	}

	/**
	 * What a verified token may do now: null for a removed member; otherwise the claims with the
	 * table's role. A member never seen is recorded here with the token's role (source 'token').
	 */
	admit(claims: TokenClaims): TokenClaims | null {
		let row = this.#getMember.get(claims.workspaceId, claims.memberId);
		if (!row) {
			try {
				this.#insertMember.run(claims.workspaceId, claims.memberId, claims.role, claims.memberId, this.#now(), 'token');
			} catch {
				// Storage busy or full: an unknown member's role is their token's anyway, so they are
				// let in as the token says and recorded on a later connection. Refusing them would
				// turn a storage fault into an outage for everyone not yet recorded.
				return claims;
			}
			row = this.#getMember.get(claims.workspaceId, claims.memberId)!;
		}
		if (row.removed_at !== null) return null;
		return row.role === claims.role ? claims : { ...claims, role: row.role };
	}

	/** A member who is not removed, or null. */
	member(workspaceId: string, memberId: string): MemberInfo | null {
		const row = this.#getMember.get(workspaceId, memberId);
		return row && row.removed_at === null ? memberInfo(row) : null;
	}

	members(workspaceId: string): MemberInfo[] {
		return this.#listMembers.all(workspaceId).map(memberInfo);
	}

	readonly #change = (workspaceId: string, memberId: string, role: Role | null): ChangeResult => {
		const row = this.#getMember.get(workspaceId, memberId);
		if (!row || row.removed_at !== null) return { ok: false, reason: 'unknown' };
		const losesAdmin = row.role === 'admin' && role !== 'admin';
		if (losesAdmin && this.#countAdmins.get(workspaceId)!.n <= 1) return { ok: false, reason: 'last-admin' };
		const now = this.#now();
		if (role === null) this.#remove.run(now, workspaceId, memberId);
		else this.#setRole.run(role, workspaceId, memberId);
		// An invite carries its creator's authority: left active, a removed or demoted admin's
		// invites would let them (or whoever holds a link) back in with any role, admin included.
		// Revoked in this transaction, so no redemption can fall between the change and the revocation.
		if (role === null || losesAdmin) this.#revokeInvitesBy.run(now, workspaceId, memberId);
		return { ok: true, member: memberInfo({ ...row, role: role ?? row.role }) };
	};

	/**
	 * Gives a member a new role; refuses to demote the workspace's last admin. An admin made
	 * anything else loses the invites they made that are still active (revoked, as by DELETE).
	 */
	setRole(workspaceId: string, memberId: string, role: Role): ChangeResult {
		return this.#db.transaction(this.#change).immediate(workspaceId, memberId, role);
	}

	/**
	 * Removes a member (their tokens open nothing from now on, their active invites are revoked);
	 * refuses to remove the last admin.
	 */
	remove(workspaceId: string, memberId: string): ChangeResult {
		return this.#db.transaction(this.#change).immediate(workspaceId, memberId, null);
	}

	/** Creates an invite; the code is returned once and only its hash is kept. */
	createInvite(request: NewInvite): { invite: InviteInfo; code: string } {
		const code = randomBytes(32).toString('base64url');
		const id = newId();
		const now = this.#now();
		this.#insertInvite.run(
			id,
			request.workspaceId,
			hashCode(code),
			request.role,
			request.createdBy,
			now,
			now + request.expiresInSeconds * 1000,
			request.maxUses
		);
		return { invite: inviteInfo(this.#getInvite.get(id)!, now), code };
	}

	invite(id: string): InviteInfo | null {
		const row = this.#getInvite.get(id);
		return row ? inviteInfo(row, this.#now()) : null;
	}

	/** A workspace's invites, newest first. */
	invites(workspaceId: string): InviteInfo[] {
		const now = this.#now();
		return this.#listInvites.all(workspaceId).map((row) => inviteInfo(row, now));
	}

	/** Revokes an invite (a second revocation keeps the first time); null when there is none. */
	revokeInvite(id: string): InviteInfo | null {
		this.#revokeInvite.run(this.#now(), id);
		return this.invite(id);
	}

	/** Counts one use of the invite with this code and creates its member, in one transaction. */
	redeem(code: string, name: string): RedeemResult {
		return this.#db.transaction((): RedeemResult => {
			const row = this.#getInviteByHash.get(hashCode(code));
			if (!row) return { ok: false, reason: 'unknown' };
			const now = this.#now();
			const state = inviteInfo(row, now).state;
			if (state !== 'active') return { ok: false, reason: state };
			this.#useInvite.run(row.id);
			const memberId = newId();
			this.#insertMember.run(row.workspace_id, memberId, row.role, name, now, 'invite');
			return {
				ok: true,
				member: memberInfo(this.#getMember.get(row.workspace_id, memberId)!),
				invite: inviteInfo(this.#getInvite.get(row.id)!, now)
			};
		}).immediate();
	}

	close(): void {
		this.#db.close();
	}
}
