/**
 * What the app says about where the member's work is. Derived from the local store and the relay
 * links; nothing is called "on the relay" before the relay has confirmed committing it.
 */
import type { WorkspaceSession } from './workspace-session.ts';

export type SyncSummary =
	| { readonly kind: 'local-error'; readonly message: string }
	| { readonly kind: 'saving' }
	| { readonly kind: 'device-only' }
	| { readonly kind: 'denied'; readonly message: string }
	| { readonly kind: 'offline'; readonly unstored: number }
	| { readonly kind: 'syncing'; readonly synced: number; readonly total: number; readonly unstored: number }
	| { readonly kind: 'stored' };

export function summarize(session: WorkspaceSession): SyncSummary {
	const local = session.store.status;
	if (local.state === 'error') return { kind: 'local-error', message: local.message };
	const connection = session.connection;
	if (!connection) return local.state === 'saving' ? { kind: 'saving' } : { kind: 'device-only' };
	const state = connection.state;
	const unstored = session.unstoredDocs().length;
	switch (state.kind) {
		case 'denied':
			return { kind: 'denied', message: state.reason };
		case 'closed':
		case 'waiting':
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
		case 'offline':
			return summary.unstored === 0
				? 'Offline — everything is on the relay'
				: `Offline — ${summary.unstored} ${summary.unstored === 1 ? 'document' : 'documents'} not yet on the relay`;
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

/** Per page: the same words, for one document. */
export function describePage(session: WorkspaceSession, name: string): string {
	if (session.store.pendingDocs().has(name)) return session.store.status.state === 'error' ? 'Not saved on this device' : 'Saving on this device…';
	const link = session.link(name);
	if (!link) return 'Saved on this device';
	const state = link.state;
	switch (state.kind) {
		case 'offline':
			return link.hasUnstored ? 'Saved on this device — not yet on the relay' : 'Saved on this device and on the relay';
		case 'syncing':
			return 'Syncing…';
		case 'pending':
			return 'Saved on this device — sending to the relay…';
		case 'stored':
			return 'Stored on the relay';
		case 'error':
			return `Relay refused this page: ${state.reason}`;
		default:
			return exhaustive(state);
	}
}

function exhaustive(value: never): never {
	throw new Error(`unexpected ${JSON.stringify(value)}`);
}
