/**
 * Tokens: JWTs signed HS256 with the relay secret, carrying {ws, role, sub, exp}
 * (src/lib/protocol/token.ts). The secret comes from MERIDIAN_SECRET or DATA_DIR/secret, which is
 * generated on first start (32 random bytes, base64url, mode 0600) and reused afterwards.
 * Rotating it invalidates every token issued before.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, jwtVerify } from 'jose';
import { claimsFromPayload, type Role, type TokenClaims } from '../src/lib/protocol/index.ts';

export const secretFileName = 'secret';

/** The signing key: MERIDIAN_SECRET if set, else the secret file in dataDir (created if missing). */
export function loadSecret(dataDir: string, envSecret: string | null): Uint8Array {
	if (envSecret) return new TextEncoder().encode(envSecret);
	mkdirSync(dataDir, { recursive: true });
	const path = join(dataDir, secretFileName);
	let text: string;
	try {
		text = readFileSync(path, 'utf8').trim();
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
		text = randomBytes(32).toString('base64url');
		try {
			// 'wx': if another process created it meanwhile, fail and read theirs.
			writeFileSync(path, text + '\n', { mode: 0o600, flag: 'wx' });
		} catch (writeError) {
			if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError;
			text = readFileSync(path, 'utf8').trim();
		}
	}
	if (text.length < 16) throw new Error(`${path} holds a secret shorter than 16 characters`);
	return new TextEncoder().encode(text);
}

export interface TokenRequest {
	readonly workspaceId: string;
	readonly role: Role;
	readonly memberId: string;
	readonly expiresInSeconds: number;
}

export async function signToken(secret: Uint8Array, request: TokenRequest, now = Date.now()): Promise<string> {
	const exp = Math.floor(now / 1000) + request.expiresInSeconds;
	return new SignJWT({ ws: request.workspaceId, role: request.role })
		.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
		.setSubject(request.memberId)
		.setIssuedAt(Math.floor(now / 1000))
		.setExpirationTime(exp)
		.sign(secret);
}

export type TokenVerifier = (token: string | null) => Promise<TokenClaims | null>;

/** Verifies signature, algorithm, expiry and claim shapes; null for anything less than valid. */
export function createVerifier(secret: Uint8Array): TokenVerifier {
	return async (token) => {
		if (!token) return null;
		try {
			const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
			return claimsFromPayload(payload);
		} catch {
			// Deliberately not logged: jose's messages can quote the token's header and claims, and
			// the glue logs the refusal (4401) with its reason instead.
			return null;
		}
	};
}

/** What the members table says of verified claims (server/members.ts `Members.admit`). */
export type Admission = (claims: TokenClaims) => TokenClaims | null;

/**
 * A valid token is not enough once the relay keeps members: a removed member is refused (null)
 * and a known member gets the table's role, whatever their token says. Used for WebSockets and
 * the HTTP API alike, so both answer the same question the same way.
 */
export function createMemberVerifier(secret: Uint8Array, admit: Admission): TokenVerifier {
	const verify = createVerifier(secret);
	return async (token) => {
		const claims = await verify(token);
		return claims && admit(claims);
	};
}
