/**
 * The shapes the relay's HTTP API answers with (PROTOCOL.md, "Invites and members (HTTP API)"):
 * one definition for the relay that writes them (server/members.ts, api.ts) and the app that reads
 * and checks them (src/lib/sync/relay-api.ts).
 */
import type { Role } from './rooms.ts';

export type InviteState = 'active' | 'expired' | 'revoked' | 'used';
export type MemberSource = 'invite' | 'token';

export interface InviteInfo {
	readonly id: string;
	readonly workspaceId: string;
	readonly role: Role;
	readonly createdBy: string;
	readonly createdAt: number;
	readonly expiresAt: number;
	readonly maxUses: number;
	readonly uses: number;
	readonly revokedAt: number | null;
	readonly state: InviteState;
}

export interface MemberInfo {
	readonly memberId: string;
	readonly workspaceId: string;
	readonly role: Role;
	readonly name: string;
	readonly joinedAt: number;
	readonly source: MemberSource;
}
