/**
 * Calls the relay's /api/ (invites and members, PROTOCOL.md) over real HTTP, as the app does:
 * JSON bodies, `Authorization: Bearer`. Shared by invites.test.ts and members.test.ts.
 */
import type { RelayProcess } from './relay-process.ts';

export interface ApiAnswer {
	readonly status: number;
	readonly body: Record<string, unknown>;
	readonly headers: Headers;
}

export interface ApiRequest {
	readonly token?: string;
	/** A value sent as JSON, or a string sent as it is (for bad input). */
	readonly body?: unknown;
	readonly headers?: Record<string, string>;
}

export async function api(relay: RelayProcess, method: string, path: string, request: ApiRequest = {}): Promise<ApiAnswer> {
	const headers: Record<string, string> = { ...request.headers };
	if (request.token) headers['Authorization'] = `Bearer ${request.token}`;
	let body: string | undefined;
	if (request.body !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
	}
	const response = await fetch(`${relay.url}${path}`, { method, headers, body });
	const text = await response.text();
	let parsed: Record<string, unknown> = {};
	if (text.length > 0) parsed = JSON.parse(text) as Record<string, unknown>;
	return { status: response.status, body: parsed, headers: response.headers };
}
