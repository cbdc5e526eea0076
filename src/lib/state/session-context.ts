import { getContext, setContext } from 'svelte';
import type { WorkspaceSession } from '../sync/workspace-session.ts';
import type { WorkspaceRecord } from '../sync/device.ts';

const key = Symbol('workspace-session');

export interface SessionContext {
	readonly session: WorkspaceSession;
	readonly record: WorkspaceRecord;
}

export function setSessionContext(context: SessionContext): void {
	setContext(key, context);
}

export function getSessionContext(): SessionContext {
	const context = getContext<SessionContext | undefined>(key);
	if (!context) throw new Error('getSessionContext() outside a workspace route');
	return context;
}
