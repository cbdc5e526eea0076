/**
 * The claims of a Meridian access token (a JWT signed HS256 with the relay secret).
 * Signing and verifying happen on the relay (server/auth.ts); the app only reads the claims of
 * its own tokens to know its workspace, role and member id.
 */
import { isId, isRole, type Role } from './rooms.ts';

export interface TokenClaims {
	/** The one workspace this token opens. */
	readonly workspaceId: string;
	readonly role: Role;
	/** The member id the holder acts as; stamped into authorship and presence. */
	readonly memberId: string;
	/** Expiry, seconds since the epoch. */
	readonly expiresAt: number;
}

/** The JWT payload field names (short, as is usual for JWTs). */
export interface TokenPayload {
	ws: string;
	role: string;
	sub: string;
	exp: number;
}

/** Checks a decoded payload's shape; returns null if any claim is missing or wrong. */
export function claimsFromPayload(payload: Partial<Record<keyof TokenPayload, unknown>>): TokenClaims | null {
	const { ws, role, sub, exp } = payload;
	if (typeof ws !== 'string' || !isId(ws)) return null;
	if (!isRole(role)) return null;
	if (typeof sub !== 'string' || !isId(sub)) return null;
	if (typeof exp !== 'number' || !Number.isFinite(exp)) return null;
	return { workspaceId: ws, role, memberId: sub, expiresAt: exp };
}

/**
 * Reads the claims of a token without verifying its signature: for the app, which holds no
 * secret and only needs to know what its own token says. Never use this to grant anything.
 */
export function readUnverifiedClaims(token: string): TokenClaims | null {
	const part = token.split('.')[1];
	if (part === undefined) return null;
	try {
		const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
		return claimsFromPayload(JSON.parse(json) as Record<string, unknown>);
	} catch {
		return null;
	}
}

/** The WebSocket sub-protocol that carries a token (browsers can't set headers on a WebSocket). */
export const tokenProtocolPrefix = 'meridian-token.';
/** The sub-protocol the relay selects for Meridian clients. */
export const meridianProtocol = 'meridian.v1';
/**
 * meridian.v1 plus batches on `/sync` (PROTOCOL.md [R34]): offered first by clients that read and
 * send them, selected by relays that do. Either side sends batches only once this was selected.
 */
export const meridianBatchProtocol = 'meridian.v2';
