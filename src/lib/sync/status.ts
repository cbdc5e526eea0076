/**
 * What the app says about where the member's work is. Derived from the local store and the relay
 * links; nothing is called "on the relay" before the relay has confirmed committing it.
 */
import { CloseCode, readOnlyReason } from '../protocol/index.ts';
import type { Ranked } from './settle.ts';
import type { WorkspaceSession } from './workspace-session.ts';

export type SyncSummary =
	| { readonly kind: 'local-error'; readonly message: string }
	| { readonly kind: 'saving' }
	| { readonly kind: 'device-only' }
	| { readonly kind: 'denied'; readonly message: string }
	/** `closedBy`: why the relay closed the last socket, when it said (the app reconnects). */
	| { readonly kind: 'offline'; readonly unstored: number; readonly closedBy?: string }
	| { readonly kind: 'syncing'; readonly synced: number; readonly total: number; readonly unstored: number }
	| { readonly kind: 'stored' };

function summarize(session: WorkspaceSession): SyncSummary {
	const local = session.store.status;
	if (local.state === 'error') return { kind: 'local-error', message: local.message };
	const connection = session.connection;
	if (!connection) return local.state === 'saving' ? { kind: 'saving' } : { kind: 'device-only' };
	const state = connection.state;
	const unstored = session.unstoredDocs().length;
	switch (state.kind) {
		case 'denied':
			return { kind: 'denied', message: state.reason };
		case 'waiting':
			return state.closedBy ? { kind: 'offline', unstored, closedBy: describeClose(state.closedBy.code) } : { kind: 'offline', unstored };
		case 'closed':
		case 'connecting':
			return { kind: 'offline', unstored };
		case 'open': {
			const { synced, total } = session.syncProgress();
			if (synced < total || unstored > 0) return { kind: 'syncing', synced, total, unstored };
			return local.state === 'saving' || session.savingStoredState ? { kind: 'saving' } : { kind: 'stored' };
		}
		default:
			return exhaustive(state);
	}
}

/**
 * `summarize`, placed on the way from a keystroke to the relay for the status line (settle.ts):
 * saving 0, on this device but not yet on the relay 1, stored (or saved, with no relay) 2.
 */
export function rankedSummary(session: WorkspaceSession): Ranked<SyncSummary> {
	const summary = summarize(session);
	switch (summary.kind) {
		case 'saving':
			return { value: summary, rank: 0 };
		case 'syncing':
			// A first sync ("Syncing 3 of 40…") shows as it goes.
			return { value: summary, rank: summary.synced < summary.total ? null : 1 };
		case 'stored':
		case 'device-only':
			return { value: summary, rank: 2 };
		default:
			return { value: summary, rank: null };
	}
}

export function describe(summary: SyncSummary): string {
	switch (summary.kind) {
		case 'local-error':
			return summary.message;
		case 'saving':
			return 'Saving on this device…';
		case 'device-only':
			return 'Saved on this device';
		case 'denied':
			return summary.message;
		case 'offline': {
			const where =
				summary.unstored === 0
					? 'everything is on the relay'
					: `${summary.unstored} ${summary.unstored === 1 ? 'document' : 'documents'} not yet on the relay`;
			return summary.closedBy ? `${summary.closedBy} — reconnecting; ${where}` : `Offline — ${where}`;
		}
		case 'syncing':
			return summary.synced < summary.total
				? `Syncing ${summary.synced} of ${summary.total}…`
				: `Syncing — ${summary.unstored} not yet on the relay`;
		case 'stored':
			return 'Stored on the relay';
		default:
			return exhaustive(summary);
	}
}

/** Per page: the same words, for one document, ranked as `rankedSummary` is. */
export function rankedPageStatus(session: WorkspaceSession, name: string): Ranked<string> {
	if (session.store.pendingDocs().has(name)) {
		return session.store.status.state === 'error' ? { value: 'Not saved on this device', rank: null } : { value: 'Saving on this device…', rank: 0 };
	}
	const link = session.link(name);
	if (!link) return { value: 'Saved on this device', rank: 2 };
	const state = link.state;
	switch (state.kind) {
		case 'offline':
			return { value: link.hasUnstored ? 'Saved on this device — not yet on the relay' : 'Saved on this device and on the relay', rank: null };
		case 'syncing':
			return { value: 'Syncing…', rank: null };
		case 'pending':
			return { value: 'Saved on this device — sending to the relay…', rank: 1 };
		case 'stored':
			return { value: 'Stored on the relay', rank: 2 };
		case 'error':
			return { value: describeRoomRefusal(state.code, state.reason), rank: null };
		default:
			return exhaustive(state);
	}
}

/**
 * The sentence for a close code of the whole connection (PROTOCOL.md, "Close codes"). Said as is
 * for fatal codes; for the others the status adds that the app is reconnecting.
 */
export function describeClose(code: number): string {
	switch (code) {
		case CloseCode.unauthorized:
			return 'The relay did not accept this device’s access token (missing, invalid or expired). Ask for a new invite link.';
		case CloseCode.forbidden:
			return 'This access token is for another workspace.';
		case CloseCode.originNotAllowed:
			return 'The relay does not accept connections from this site’s address (its ALLOWED_ORIGINS). Ask the relay’s admin.';
		case CloseCode.unknownRoom:
			return 'The relay does not know this workspace.';
		case CloseCode.malformed:
			return 'The relay could not read a message from this device';
		case CloseCode.rateLimited:
			return 'The relay closed the connection: too many changes per second';
		case CloseCode.tooManyConnections:
			return 'The relay closed the connection: too many connections from this network';
		case CloseCode.tooLarge:
			return 'The relay closed the connection: a change was larger than it accepts';
		case CloseCode.storageUnavailable:
			return 'The relay cannot store changes right now';
		case CloseCode.goingAway:
			return 'The relay is restarting';
		default:
			return `The relay closed the connection (${code})`;
	}
}

/** The sentence for one room the relay refused (roomError, or the read-only `auth` answer). */
export function describeRoomRefusal(code: number, reason: string): string {
	if (reason === readOnlyReason) return 'You can read this page but not change it';
	switch (code) {
		case CloseCode.tooLarge:
			// Set by the room link itself (a write it did not send), with the size in the sentence.
			return reason;
		case CloseCode.documentTooLarge:
			return 'This page is over the relay’s size limit: changes to it stay on this device';
		case CloseCode.tooManyRooms:
			return 'Too many pages open on one connection for the relay: this one is not syncing';
		case CloseCode.storageUnavailable:
			return 'The relay cannot store changes right now: they stay on this device until it can';
		case CloseCode.roomUnavailable:
			return 'The relay cannot read its copy of this page right now';
		default:
			return `Relay refused this page: ${reason}`;
	}
}

function exhaustive(value: never): never {
	throw new Error(`unexpected ${JSON.stringify(value)}`);
}
