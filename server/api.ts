/**
 * The HTTP API under /api/ for invites and members (PROTOCOL.md "Invites and members"): JSON in,
 * JSON out, errors as `{ error }` with a sentence a member can read. The same token that opens
 * WebSockets authenticates here (`Authorization: Bearer`), checked by the same verifier, so the
 * members table answers "who is this and what may they do" once for both.
 *
 * Every request is checked in one order — token (401), input (400, nothing changed), then
 * workspace and role (403) — and only then touches the table. The members table is asked about
 * the caller again (`current`) after the last `await` of the request, in the same synchronous run
 * as the change: a body can take as long as its sender likes to arrive, and an admin removed or
 * demoted while theirs was in flight must not finish with the access they had at its headers. A
 * change of role or a removal is handed to `onAccessChanged`, which applies it to the member's
 * open sockets at once.
 *
 * Join attempts are limited per client address (a token bucket): an invite code is 256 random bits,
 * so guessing is hopeless anyway, but a loop of attempts should cost the relay nothing. Invite
 * codes and tokens are never logged; the log names invites by id and members by member id.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isId, isRole, type Role, type TokenClaims } from '../src/lib/protocol/index.ts';
import { clientAddress } from './admission.ts';
import { signToken, type TokenVerifier } from './auth.ts';
import { requestUrl } from './http.ts';
import { errorText, type Logger } from './log.ts';
import type { InviteInfo, Members } from './members.ts';
import { RelayMetrics } from './metrics.ts';
import { TokenBucket } from './rate-limit.ts';

/** Largest request body accepted; anything longer is answered 413 without being read further. */
export const maxBodyBytes = 16 * 1024;
export const minInviteSeconds = 60;
export const maxInviteSeconds = 90 * 24 * 60 * 60;
export const maxInviteUses = 1000;
/** A joined member's token: revocation goes through the members table, so a long expiry is safe. */
export const joinTokenSeconds = 365 * 24 * 60 * 60;
export const maxNameLength = 100;
/** Join attempts per address: a burst, then one every six seconds. */
export const joinBurst = 10;
export const joinPerSecond = 1 / 6;
/** Addresses whose join attempts are remembered; past this the one idle longest is forgotten. */
export const maxJoinAddresses = 10_000;

export interface ApiOptions {
	readonly members: Members;
	/** Signature, expiry and the members table (auth.ts `createMemberVerifier`). */
	readonly verify: TokenVerifier;
	/** Signs the tokens of members who join by invite. */
	readonly secret: Uint8Array;
	readonly log: Logger;
	readonly trustProxy?: boolean;
	readonly metrics?: RelayMetrics;
	/** A member's role changed (or null: they were removed): apply it to their open connections. */
	readonly onAccessChanged: (workspaceId: string, memberId: string, role: Role | null) => void;
}

/** An answer other than 200: thrown by the steps below, sent by the handler. */
class ApiError extends Error {
	readonly status: number;
	constructor(status: number, message: string) {
		super(message);
		this.status = status;
	}
}

type Json = Record<string, unknown>;

function send(req: IncomingMessage, res: ServerResponse, status: number, body: Json): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': Buffer.byteLength(text),
		'Cache-Control': 'no-store'
	});
	res.end(req.method === 'HEAD' ? undefined : text);
}

/** The request's JSON object body; 413 past maxBodyBytes, 400 for anything but a JSON object. */
async function readBody(req: IncomingMessage): Promise<Json> {
	const declared = Number(req.headers['content-length']);
	if (Number.isFinite(declared) && declared > maxBodyBytes) throw new ApiError(413, 'The request is too large (16 KB at most).');
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		const buffer = chunk as Buffer;
		size += buffer.byteLength;
		if (size > maxBodyBytes) throw new ApiError(413, 'The request is too large (16 KB at most).');
		chunks.push(buffer);
	}
	let value: unknown;
	try {
		value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
	} catch {
		throw new ApiError(400, 'The request body is not JSON.');
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError(400, 'The request body must be a JSON object.');
	return value as Json;
}

/** Whether the request says its body is JSON (`application/json`, any parameters). */
function isJson(req: IncomingMessage): boolean {
	const type = req.headers['content-type'];
	return typeof type === 'string' && type.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

function workspaceField(value: unknown, field: string): string {
	if (!isId(value)) throw new ApiError(400, `${field} is missing or not a workspace id.`);
	return value;
}

function roleField(value: unknown): Role {
	if (!isRole(value)) throw new ApiError(400, 'role must be one of viewer, commenter, editor, admin.');
	return value;
}

function integerField(value: unknown, field: string, min: number, max: number): number {
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
		throw new ApiError(400, `${field} must be a whole number from ${min} to ${max}.`);
	}
	return value;
}

function nameField(value: unknown): string {
	const name = typeof value === 'string' ? value.trim() : '';
	// Control characters would let a name forge lines wherever it is shown as text; bidi embedding,
	// override and isolate characters (U+202A–202E, U+2066–2069) would let it reverse the text
	// shown after it ("Ana" reading as someone else, a role or a date turned around).
	// eslint-disable-next-line no-control-regex
	if (name.length === 0 || name.length > maxNameLength || /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(name)) {
		throw new ApiError(400, `name must be 1 to ${maxNameLength} characters, without control or text-direction characters.`);
	}
	return name;
}

function idSegment(value: string, what: string): string {
	let id: string;
	try {
		id = decodeURIComponent(value);
	} catch {
		throw new ApiError(404, `There is no such ${what}.`);
	}
	if (!isId(id)) throw new ApiError(404, `There is no such ${what}.`);
	return id;
}

const goneMessages = {
	expired: 'This invite has expired. Ask an admin for a new one.',
	revoked: 'This invite was revoked. Ask an admin for a new one.',
	used: 'This invite has been used as many times as it allows. Ask an admin for a new one.'
} as const;

export function createApiHandler(options: ApiOptions): (req: IncomingMessage, res: ServerResponse) => void {
	const { members, verify, log } = options;
	const metrics = options.metrics ?? new RelayMetrics();
	const joinBuckets = new Map<string, TokenBucket>();

	const authenticate = async (req: IncomingMessage): Promise<TokenClaims> => {
		const header = req.headers.authorization;
		const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
		const claims = match ? await verify(match[1]!) : null;
		if (!claims) throw new ApiError(401, 'Your access token is missing, expired or no longer valid.');
		return claims;
	};

	/**
	 * The caller as the members table has them now: 401 once removed, the table's role otherwise.
	 * Called after the request's last `await` (the body), so nothing can change the table between
	 * this answer and the write it allows: better-sqlite3 is synchronous.
	 */
	const current = (claims: TokenClaims): TokenClaims => {
		const now = members.admit(claims);
		if (!now) throw new ApiError(401, 'Your access token is missing, expired or no longer valid.');
		return now;
	};

	/** The caller must be an admin of `workspaceId` (the table's role, not the token's). */
	const requireAdmin = (claims: TokenClaims, workspaceId: string): void => {
		if (claims.workspaceId !== workspaceId || claims.role !== 'admin') {
			throw new ApiError(403, 'Only an admin of this workspace can do that.');
		}
	};

	const takeJoinAttempt = (req: IncomingMessage): void => {
		const address = clientAddress(req, options.trustProxy ?? false);
		let bucket = joinBuckets.get(address);
		if (bucket) {
			// Most recently used last (a Map keeps insertion order), so eviction below takes the
			// address idle longest.
			joinBuckets.delete(address);
		} else {
			// Bounded, by forgetting the address idle longest: clearing them all would hand a guesser
			// who cycles through enough addresses a fresh burst on the one they keep using.
			if (joinBuckets.size >= maxJoinAddresses) joinBuckets.delete(joinBuckets.keys().next().value!);
			bucket = new TokenBucket(joinPerSecond, joinBurst);
		}
		joinBuckets.set(address, bucket);
		if (!bucket.take()) {
			metrics.joinRefused('rate_limited');
			throw new ApiError(429, 'Too many attempts to join from this address. Wait a minute and try again.');
		}
	};

	const inviteOf = (id: string, claims: TokenClaims): InviteInfo => {
		const invite = members.invite(id);
		// An admin of another workspace learns nothing about this one's invites.
		if (!invite || invite.workspaceId !== claims.workspaceId) throw new ApiError(404, 'There is no such invite.');
		return invite;
	};

	const handle = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
		const method = req.method ?? 'GET';
		const parts = url.pathname.split('/').slice(2); // ['', 'api', ...]
		const [resource, id, extra] = parts;
		const allow = (methods: string): never => {
			res.setHeader('Allow', methods);
			throw new ApiError(405, `This endpoint accepts ${methods}.`);
		};
		if (extra !== undefined || (id !== undefined && id.length === 0)) throw new ApiError(404, 'There is no such API endpoint.');

		if (resource === 'join' && id === undefined) {
			if (method !== 'POST') return allow('POST');
			// A page on another site can POST text/plain here without a preflight; JSON it cannot.
			if (!isJson(req)) throw new ApiError(415, 'Send the request as JSON (Content-Type: application/json).');
			takeJoinAttempt(req);
			const body = await readBody(req);
			if (typeof body['code'] !== 'string' || body['code'].length === 0 || body['code'].length > 200) {
				throw new ApiError(400, 'code is missing or not an invite code.');
			}
			const name = nameField(body['name']);
			const result = members.redeem(body['code'], name);
			if (!result.ok) {
				metrics.joinRefused(result.reason);
				if (result.reason === 'unknown') throw new ApiError(404, 'This invite link is not valid. Check that you copied all of it.');
				throw new ApiError(410, goneMessages[result.reason]);
			}
			const { member, invite } = result;
			metrics.invitesRedeemed++;
			const token = await signToken(options.secret, {
				workspaceId: member.workspaceId,
				role: member.role,
				memberId: member.memberId,
				expiresInSeconds: joinTokenSeconds
			});
			log('info', 'invite redeemed', { workspace: member.workspaceId, invite: invite.id, member: member.memberId, role: member.role, uses: invite.uses });
			return send(req, res, 200, { token, workspaceId: member.workspaceId, memberId: member.memberId, role: member.role });
		}

		if (resource === 'me' && id === undefined) {
			if (method !== 'GET' && method !== 'HEAD') return allow('GET');
			const claims = current(await authenticate(req));
			const workspaceId = workspaceField(url.searchParams.get('workspace'), 'workspace');
			if (claims.workspaceId !== workspaceId) throw new ApiError(403, 'Your access token is for another workspace.');
			return send(req, res, 200, { memberId: claims.memberId, workspaceId, role: claims.role });
		}

		if (resource === 'invites') {
			if (id === undefined) {
				if (method === 'POST') {
					// A stranger's body is not worth reading: 401 first, and again if removed meanwhile.
					const sender = await authenticate(req);
					const body = await readBody(req);
					const claims = current(sender);
					const workspaceId = workspaceField(body['workspaceId'], 'workspaceId');
					const role = roleField(body['role']);
					const expiresInSeconds = integerField(body['expiresInSeconds'], 'expiresInSeconds', minInviteSeconds, maxInviteSeconds);
					const maxUses = integerField(body['maxUses'], 'maxUses', 1, maxInviteUses);
					requireAdmin(claims, workspaceId);
					const created = members.createInvite({ workspaceId, role, createdBy: claims.memberId, expiresInSeconds, maxUses });
					metrics.invitesCreated++;
					log('info', 'invite created', { workspace: workspaceId, invite: created.invite.id, role, by: claims.memberId, maxUses, expiresAt: created.invite.expiresAt });
					return send(req, res, 201, { invite: created.invite, code: created.code });
				}
				if (method === 'GET' || method === 'HEAD') {
					const claims = current(await authenticate(req));
					const workspaceId = workspaceField(url.searchParams.get('workspace'), 'workspace');
					requireAdmin(claims, workspaceId);
					return send(req, res, 200, { invites: members.invites(workspaceId) });
				}
				return allow('GET, POST');
			}
			if (method !== 'DELETE') return allow('DELETE');
			const claims = current(await authenticate(req));
			const inviteId = idSegment(id, 'invite');
			requireAdmin(claims, claims.workspaceId);
			const existing = inviteOf(inviteId, claims);
			const invite = members.revokeInvite(existing.id)!;
			log('info', 'invite revoked', { workspace: invite.workspaceId, invite: invite.id, by: claims.memberId });
			return send(req, res, 200, { invite });
		}

		if (resource === 'members') {
			if (id === undefined) {
				if (method !== 'GET' && method !== 'HEAD') return allow('GET');
				const claims = current(await authenticate(req));
				const workspaceId = workspaceField(url.searchParams.get('workspace'), 'workspace');
				requireAdmin(claims, workspaceId);
				return send(req, res, 200, { members: members.members(workspaceId) });
			}
			if (method === 'PATCH') {
				const sender = await authenticate(req);
				const memberId = idSegment(id, 'member');
				const body = await readBody(req);
				const claims = current(sender);
				const workspaceId = workspaceField(body['workspaceId'], 'workspaceId');
				const role = roleField(body['role']);
				requireAdmin(claims, workspaceId);
				const result = members.setRole(workspaceId, memberId, role);
				if (!result.ok) throw changeRefused(result.reason);
				log('info', 'member role changed', { workspace: workspaceId, member: memberId, role, by: claims.memberId });
				metrics.memberChanged('role');
				options.onAccessChanged(workspaceId, memberId, role);
				return send(req, res, 200, { member: result.member });
			}
			if (method === 'DELETE') {
				const claims = current(await authenticate(req));
				const memberId = idSegment(id, 'member');
				const workspaceId = workspaceField(url.searchParams.get('workspace'), 'workspace');
				requireAdmin(claims, workspaceId);
				const result = members.remove(workspaceId, memberId);
				if (!result.ok) throw changeRefused(result.reason);
				log('info', 'member removed', { workspace: workspaceId, member: memberId, by: claims.memberId });
				metrics.memberChanged('removed');
				options.onAccessChanged(workspaceId, memberId, null);
				return send(req, res, 200, { member: result.member });
			}
			return allow('PATCH, DELETE');
		}

		throw new ApiError(404, 'There is no such API endpoint.');
	};

	return (req, res) => {
		// http.ts answered 400 to a URL that does not parse before routing here.
		const url = requestUrl(req.url) ?? new URL('http://relay.invalid/');
		handle(req, res, url).catch((error: unknown) => {
			if (res.headersSent) return;
			if (error instanceof ApiError) {
				// Node discards an unread body before the next request on this connection; one over the
				// limit is not worth reading, so that connection ends instead.
				if (error.status === 413) res.setHeader('Connection', 'close');
				send(req, res, error.status, { error: error.message });
				return;
			}
			log('error', 'api request failed', { path: url.pathname, error: errorText(error) });
			send(req, res, 503, { error: 'The relay could not do that just now. Try again in a moment.' });
		});
	};
}

function changeRefused(reason: 'unknown' | 'last-admin'): ApiError {
	return reason === 'unknown'
		? new ApiError(404, 'There is no such member in this workspace.')
		: new ApiError(409, 'This would leave the workspace without an admin. Make someone else an admin first.');
}
