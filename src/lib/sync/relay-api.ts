/**
 * A small typed client for the relay's HTTP API (PROTOCOL.md, "Invites and members (HTTP API)"):
 * the requests and their errors, and the member's current role, which every open workspace asks
 * for. The admins' calls (invites, the members list) are in members-api.ts and joining by invite
 * in join-api.ts, loaded with the screens that use them. Same origin only —
 * the relay serves the app — with the same token the WebSocket uses, as a Bearer header.
 *
 * Every failure becomes an `ApiError` whose message a member can read: the relay's own sentence
 * when it gave one, else one chosen by status, and a fixed sentence when the relay cannot be
 * reached at all. Answers are checked before use, so an unexpected answer is an error, not a crash
 * somewhere in a component.
 */
import { isRole, type Role } from '../protocol/index.ts';

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

/** A JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/** The answer to `GET /api/me`. */
export function isMe(value: unknown): value is Me {
	return isObject(value) && typeof value['memberId'] === 'string' && typeof value['workspaceId'] === 'string' && isRole(value['role']);
}

/** Takes `field` out of an answer and checks it, or throws the error a member sees for a garbled answer. */
export function expectField<T>(body: unknown, field: string, check: (value: unknown) => value is T): T {
	const value = isObject(body) ? body[field] : undefined;
	if (!check(value)) throw new ApiError(502, 'The relay answered in a way this app does not understand. Is the relay up to date?');
	return value;
}

// ---- requests ----

export interface RequestOptions {
	readonly method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
	readonly token?: string | null;
	readonly body?: unknown;
	readonly signal?: AbortSignal;
}

/** One request to `/api/<path>` on this origin; the parsed JSON answer, or an ApiError. */
export async function request(path: string, { method = 'GET', token = null, body, signal }: RequestOptions = {}): Promise<unknown> {
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

/** A path segment or query value as the relay's routes read it. */
export const q = encodeURIComponent;

/** Calls for one workspace with one member's token. */
export class RelayApi {
	readonly #token: string;
	readonly workspaceId: string;

	constructor(workspaceId: string, token: string) {
		this.workspaceId = workspaceId;
		this.#token = token;
	}

	/** A request with this member's token (members-api.ts makes the admins' calls through it). */
	call(path: string, options: Omit<RequestOptions, 'token'> = {}): Promise<unknown> {
		return request(path, { ...options, token: this.#token });
	}

	async me(signal?: AbortSignal): Promise<Me> {
		const body = await request(`me?workspace=${q(this.workspaceId)}`, { token: this.#token, ...(signal ? { signal } : {}) });
		return expectField({ me: body }, 'me', isMe);
	}

}
