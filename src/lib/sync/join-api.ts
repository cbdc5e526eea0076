/**
 * Joining a workspace by an invite link (the /join page): what the link carries, redeeming the
 * code, and what a member reads when that fails.
 */
import { ApiError, expectField, isMe, isObject, OFFLINE, request } from './relay-api.ts';
import type { Role } from '../protocol/index.ts';

export interface Joined {
	readonly token: string;
	readonly workspaceId: string;
	readonly memberId: string;
	readonly role: Role;
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

function isJoined(value: unknown): value is Joined {
	return isMe(value) && isObject(value) && typeof value['token'] === 'string' && value['token'] !== '';
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
