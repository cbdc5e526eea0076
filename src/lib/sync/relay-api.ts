/**
 * A small typed client for the relay's HTTP API (PROTOCOL.md, "Invites and members (HTTP API)"):
 * invites, joining by invite, the member's current role, and the members list. Same origin only —
 * the relay serves the app — with the same token the WebSocket uses, as a Bearer header.
 *
 * Every failure becomes an `ApiError` whose message a member can read: the relay's own sentence
 * when it gave one, else one chosen by status, and a fixed sentence when the relay cannot be
 * reached at all. Answers are checked before use, so an unexpected answer is an error, not a crash
 * somewhere in a component.
 */
import { isId, isRole, type Role } from '../protocol/index.ts';
import type { InviteInfo, InviteState, MemberInfo, MemberSource } from '../protocol/api.ts';

export type { InviteInfo, InviteState, MemberInfo, MemberSource };

export interface Joined {
	readonly token: string;
	readonly workspaceId: string;
	readonly memberId: string;
	readonly role: Role;
}

export interface Me {
	readonly memberId: string;
	readonly workspaceId: string;
	readonly role: Role;
}

/** Status 0: the request never got an answer (offline, relay down, or no relay serves this app). */
export const OFFLINE = 0;

export class ApiError extends Error {
	override name = 'ApiError';
	readonly status: number;
	constructor(status: number, message: string) {
		super(message);
		this.status = status;
	}
}

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

/** What a /join address carries after its `#`: an invite code (`invite=<code>`), a token (the older links), or nothing. */
export type JoinFragment = { readonly kind: 'invite'; readonly code: string } | { readonly kind: 'token'; readonly token: string } | { readonly kind: 'empty' };

export function parseJoinFragment(hash: string): JoinFragment {
	const raw = hash.startsWith('#') ? hash.slice(1) : hash;
	let text: string;
	try {
		text = decodeURIComponent(raw).trim();
	} catch {
		text = raw.trim();
	}
	if (text.startsWith('invite=')) {
		const code = text.slice('invite='.length).trim();
		return code ? { kind: 'invite', code } : { kind: 'empty' };
	}
	return text ? { kind: 'token', token: text } : { kind: 'empty' };
}

/** The sentence for a status when the relay gave none (a proxy's page, an empty body). */
export function describeStatus(status: number): string {
	switch (status) {
		case OFFLINE:
			return 'Could not reach the relay: check that this device is online.';
		case 400:
			return 'The relay did not accept what was sent.';
		case 401:
			return 'The relay did not accept this device’s access: you may have been removed from this workspace, or your access expired.';
		case 403:
			return 'Only admins of this workspace can do that.';
		case 404:
			return 'The relay does not know it: it may have been removed already.';
		case 409:
			return 'That would leave the workspace without an admin.';
		case 410:
			return 'This invite link no longer works: it expired, was revoked or was used up. Ask for a new one.';
		case 413:
			return 'What was sent is larger than the relay accepts.';
		case 429:
			return 'Too many attempts from this network: wait a minute and try again.';
		default:
			return status >= 500 ? `The relay could not do that right now (${status}). Try again in a moment.` : `The relay answered ${status}.`;
	}
}

/** The error for a failed answer: the relay's own sentence (`{ error }`) when it gave one. */
export function errorFromAnswer(status: number, body: unknown): ApiError {
	const said = isObject(body) && typeof body['error'] === 'string' ? body['error'].trim() : '';
	return new ApiError(status, said || describeStatus(status));
}

// ---- checking answers ----

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
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

function isMe(value: unknown): value is Me {
	return isObject(value) && typeof value['memberId'] === 'string' && typeof value['workspaceId'] === 'string' && isRole(value['role']);
}

function isJoined(value: unknown): value is Joined {
	return isMe(value) && isObject(value) && typeof value['token'] === 'string' && value['token'] !== '';
}

/** Takes `field` out of an answer and checks it, or throws the error a member sees for a garbled answer. */
export function expectField<T>(body: unknown, field: string, check: (value: unknown) => value is T): T {
	const value = isObject(body) ? body[field] : undefined;
	if (!check(value)) throw new ApiError(502, 'The relay answered in a way this app does not understand. Is the relay up to date?');
	return value;
}

const listOf =
	<T>(check: (value: unknown) => value is T) =>
	(value: unknown): value is T[] =>
		Array.isArray(value) && value.every(check);

// ---- requests ----

interface RequestOptions {
	readonly method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
	readonly token?: string | null;
	readonly body?: unknown;
	readonly signal?: AbortSignal;
}

/** One request to `/api/<path>` on this origin; the parsed JSON answer, or an ApiError. */
async function request(path: string, { method = 'GET', token = null, body, signal }: RequestOptions = {}): Promise<unknown> {
	const headers: Record<string, string> = { Accept: 'application/json' };
	if (token) headers['Authorization'] = `Bearer ${token}`;
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	let response: Response;
	try {
		response = await fetch(`/api/${path}`, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			// The token is for this relay only, and answers about members must not be cached.
			credentials: 'omit',
			cache: 'no-store',
			...(signal ? { signal } : {})
		});
	} catch (error) {
		if (signal?.aborted) throw error;
		throw new ApiError(OFFLINE, describeStatus(OFFLINE));
	}
	let parsed: unknown = null;
	try {
		parsed = await response.json();
	} catch {
		// Not JSON (a proxy's error page): the status says what happened.
	}
	if (!response.ok) throw errorFromAnswer(response.status, parsed);
	return parsed;
}

const q = encodeURIComponent;

/** Calls for one workspace with one member's token. */
export class RelayApi {
	readonly #token: string;
	readonly workspaceId: string;

	constructor(workspaceId: string, token: string) {
		this.workspaceId = workspaceId;
		this.#token = token;
	}

	async me(signal?: AbortSignal): Promise<Me> {
		const body = await request(`me?workspace=${q(this.workspaceId)}`, { token: this.#token, ...(signal ? { signal } : {}) });
		return expectField({ me: body }, 'me', isMe);
	}

	async createInvite(options: { role: Role; expiresInSeconds: number; maxUses: number }): Promise<{ invite: InviteInfo; code: string }> {
		const body = await request('invites', { method: 'POST', token: this.#token, body: { workspaceId: this.workspaceId, ...options } });
		return { invite: expectField(body, 'invite', isInviteInfo), code: expectField(body, 'code', (v): v is string => typeof v === 'string' && v !== '') };
	}

	async listInvites(): Promise<InviteInfo[]> {
		return expectField(await request(`invites?workspace=${q(this.workspaceId)}`, { token: this.#token }), 'invites', listOf(isInviteInfo));
	}

	async revokeInvite(inviteId: string): Promise<InviteInfo> {
		return expectField(await request(`invites/${q(inviteId)}`, { method: 'DELETE', token: this.#token }), 'invite', isInviteInfo);
	}

	async listMembers(): Promise<MemberInfo[]> {
		return expectField(await request(`members?workspace=${q(this.workspaceId)}`, { token: this.#token }), 'members', listOf(isMemberInfo));
	}

	async changeRole(memberId: string, role: Role): Promise<MemberInfo> {
		const body = await request(`members/${q(memberId)}`, { method: 'PATCH', token: this.#token, body: { workspaceId: this.workspaceId, role } });
		return expectField(body, 'member', isMemberInfo);
	}

	async removeMember(memberId: string): Promise<MemberInfo> {
		const body = await request(`members/${q(memberId)}?workspace=${q(this.workspaceId)}`, { method: 'DELETE', token: this.#token });
		return expectField(body, 'member', isMemberInfo);
	}
}

/** Redeems an invite code: the relay counts one use, makes the member and signs their token. */
export async function joinByInvite(code: string, name: string): Promise<Joined> {
	return expectField({ joined: await request('join', { method: 'POST', body: { code, name } }) }, 'joined', isJoined);
}

/**
 * What the join page says when redeeming an invite failed. Offline says the link is still good
 * (nothing was counted); an unknown code asks for the whole link; the relay's sentence for an
 * expired, revoked or used-up invite says which, so it is shown as given.
 */
export function describeJoinError(error: unknown): string {
	if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
	switch (error.status) {
		case OFFLINE:
			return 'You need to be online to join; the link keeps working.';
		case 404:
			return 'The relay does not know this invite link. Check that you copied all of it, or ask for a new one.';
		default:
			return error.message;
	}
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
