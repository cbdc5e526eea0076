/**
 * Creating and joining workspaces on this device: by an invite code the relay redeems (the link an
 * admin makes on the Members page), or by a token handed over directly (the CLI's links).
 */
import * as Y from 'yjs';
import { newId } from '../model/ids.ts';
import { initWorkspace, upsertMember } from '../model/workspace.ts';
import { colorForMember } from '../model/members.ts';
import { readUnverifiedClaims, workspaceRoom } from '../protocol/index.ts';
import { LocalStore } from './local-store.ts';
import { getWorkspace, putWorkspace, type WorkspaceRecord } from './device.ts';
import { joinByInvite } from './join-api.ts';

function deviceTimeZone(): string {
	return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Creates a workspace on this device only; it can be connected to a relay later. */
export async function createLocalWorkspace(name: string, memberName: string): Promise<WorkspaceRecord> {
	const id = newId();
	const memberId = newId();
	const doc = new Y.Doc();
	const store = new LocalStore(id);
	doc.on('update', (update: Uint8Array) => store.append(workspaceRoom(id), update));
	const now = Date.now();
	initWorkspace(doc, name, { memberId, now });
	upsertMember(doc, { id: memberId, name: memberName, color: colorForMember(memberId), timeZone: deviceTimeZone() });
	await store.whenSaved();
	await store.close();
	doc.destroy();
	const record: WorkspaceRecord = { id, name: name.trim() || 'Untitled workspace', memberId, memberName, token: null, addedAt: now };
	await putWorkspace(record);
	return record;
}

export class InviteError extends Error {
	override name = 'InviteError';
}

/**
 * Adds the workspace an invite token opens to this device (or refreshes its token). The token's
 * signature is the relay's to check; here we only refuse what is plainly not a Meridian token.
 */
export async function joinWithToken(token: string, memberName: string): Promise<WorkspaceRecord> {
	const claims = readUnverifiedClaims(token.trim());
	if (!claims) throw new InviteError('This invite link is not valid: it does not contain a Meridian access token.');
	if (claims.expiresAt * 1000 < Date.now()) throw new InviteError('This invite link has expired. Ask for a new one.');
	const existing = await getWorkspace(claims.workspaceId);
	const record: WorkspaceRecord = {
		id: claims.workspaceId,
		name: existing?.name ?? 'Joined workspace',
		memberId: claims.memberId,
		memberName: existing?.memberName ?? (memberName.trim() || 'Member'),
		token: token.trim(),
		addedAt: existing?.addedAt ?? Date.now()
	};
	await putWorkspace(record);
	return record;
}

/**
 * Redeems an invite code on the relay (one use is counted there, a member made and a token signed
 * for them) and stores the workspace with that token. Throws relay-api's ApiError when the relay
 * refuses or cannot be reached; then nothing is stored.
 */
export async function joinWithInvite(code: string, memberName: string): Promise<WorkspaceRecord> {
	const name = memberName.trim() || 'Member';
	const joined = await joinByInvite(code, name);
	const record = await joinWithToken(joined.token, name);
	// A member who joins again on this device is a new member (a new id): the name typed now is theirs.
	if (record.memberName !== name) {
		const renamed = { ...record, memberName: name };
		await putWorkspace(renamed);
		return renamed;
	}
	return record;
}

/** Takes the token out of an invite link (`<origin>/join#<token>`) or returns the text as given. */
export function tokenFromInvite(text: string): string {
	const trimmed = text.trim();
	const hash = trimmed.indexOf('#');
	return hash >= 0 ? trimmed.slice(hash + 1) : trimmed;
}
