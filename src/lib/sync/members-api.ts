/**
 * The admins' calls of the relay's HTTP API (PROTOCOL.md, "Invites and members (HTTP API)"):
 * invites and the members list, with the checks of their answers and the words the members page
 * uses. Through a member's RelayApi (relay-api.ts), loaded with the members page.
 */
import { isId, isRole, type Role } from '../protocol/index.ts';
import type { InviteInfo, InviteState, MemberInfo, MemberSource } from '../protocol/api.ts';
import { expectField, isObject, q, type RelayApi } from './relay-api.ts';

export type { InviteInfo, InviteState, MemberInfo, MemberSource };

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const inviteStates: readonly string[] = ['active', 'expired', 'revoked', 'used'];

export function isInviteInfo(value: unknown): value is InviteInfo {
	return (
		isObject(value) &&
		typeof value['id'] === 'string' &&
		value['id'] !== '' &&
		typeof value['workspaceId'] === 'string' &&
		isRole(value['role']) &&
		typeof value['createdBy'] === 'string' &&
		isTime(value['createdAt']) &&
		isTime(value['expiresAt']) &&
		Number.isInteger(value['maxUses']) &&
		Number.isInteger(value['uses']) &&
		(value['revokedAt'] === null || isTime(value['revokedAt'])) &&
		inviteStates.includes(value['state'] as string)
	);
}

export function isMemberInfo(value: unknown): value is MemberInfo {
	return (
		isObject(value) &&
		typeof value['memberId'] === 'string' &&
		isId(value['memberId']) &&
		typeof value['workspaceId'] === 'string' &&
		isRole(value['role']) &&
		typeof value['name'] === 'string' &&
		isTime(value['joinedAt']) &&
		(value['source'] === 'invite' || value['source'] === 'token')
	);
}

const listOf =
	<T>(check: (value: unknown) => value is T) =>
	(value: unknown): value is T[] =>
		Array.isArray(value) && value.every(check);

/** The choices the invite form offers (the relay accepts 60 s … 90 days and 1 … 1000 uses). */
export const inviteExpiries = [
	{ label: '1 day', seconds: 86_400 },
	{ label: '7 days', seconds: 7 * 86_400 },
	{ label: '30 days', seconds: 30 * 86_400 }
] as const;
export const inviteUses = [1, 5, 25, 100] as const;

/** The link a new member opens: the code rides in the fragment, which browsers never send to a server. */
export function inviteLink(origin: string, code: string): string {
	return `${origin}/join#invite=${encodeURIComponent(code)}`;
}

export async function createInvite(api: RelayApi, options: { role: Role; expiresInSeconds: number; maxUses: number }): Promise<{ invite: InviteInfo; code: string }> {
	const body = await api.call('invites', { method: 'POST', body: { workspaceId: api.workspaceId, ...options } });
	return { invite: expectField(body, 'invite', isInviteInfo), code: expectField(body, 'code', (v): v is string => typeof v === 'string' && v !== '') };
}

export async function listInvites(api: RelayApi): Promise<InviteInfo[]> {
	return expectField(await api.call(`invites?workspace=${q(api.workspaceId)}`), 'invites', listOf(isInviteInfo));
}

export async function revokeInvite(api: RelayApi, inviteId: string): Promise<InviteInfo> {
	return expectField(await api.call(`invites/${q(inviteId)}`, { method: 'DELETE' }), 'invite', isInviteInfo);
}

export async function listMembers(api: RelayApi): Promise<MemberInfo[]> {
	return expectField(await api.call(`members?workspace=${q(api.workspaceId)}`), 'members', listOf(isMemberInfo));
}

export async function changeRole(api: RelayApi, memberId: string, role: Role): Promise<MemberInfo> {
	const body = await api.call(`members/${q(memberId)}`, { method: 'PATCH', body: { workspaceId: api.workspaceId, role } });
	return expectField(body, 'member', isMemberInfo);
}

export async function removeMember(api: RelayApi, memberId: string): Promise<MemberInfo> {
	const body = await api.call(`members/${q(memberId)}?workspace=${q(api.workspaceId)}`, { method: 'DELETE' });
	return expectField(body, 'member', isMemberInfo);
}

/** "2 of 5" uses. */
export function usesLabel(invite: Pick<InviteInfo, 'uses' | 'maxUses'>): string {
	return `${invite.uses} of ${invite.maxUses}`;
}

export const inviteStateLabels: Readonly<Record<InviteState, string>> = {
	active: 'Active',
	expired: 'Expired',
	revoked: 'Revoked',
	used: 'Used up'
};
