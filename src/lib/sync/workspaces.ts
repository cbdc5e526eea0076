/**
 * Creating and joining workspaces on this device.
 */
import * as Y from 'yjs';
import { newId } from '../model/ids.ts';
import { initWorkspace, upsertMember } from '../model/workspace.ts';
import { colorForMember } from '../model/members.ts';
import { readUnverifiedClaims, workspaceRoom } from '../protocol/index.ts';
import { LocalStore } from './local-store.ts';
import { getWorkspace, putWorkspace, type WorkspaceRecord } from './device.ts';

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

/** Takes the token out of an invite link (`<origin>/join#<token>`) or returns the text as given. */
export function tokenFromInvite(text: string): string {
	const trimmed = text.trim();
	const hash = trimmed.indexOf('#');
	return hash >= 0 ? trimmed.slice(hash + 1) : trimmed;
}
