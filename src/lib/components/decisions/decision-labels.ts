/** Words for statuses and for the buttons that move a record between them. */
import type { Decision, DecisionStatus } from '$lib/model/decision-records.ts';

export const statusLabels: Readonly<Record<DecisionStatus, string>> = {
	proposed: 'Proposed',
	accepted: 'Accepted',
	rejected: 'Rejected',
	superseded: 'Superseded',
	deprecated: 'Deprecated'
};

/** The button that moves a record to a status (never 'superseded': see decisions.ts transitions). */
export const actionLabels: Readonly<Record<DecisionStatus, string>> = {
	proposed: 'Reopen',
	accepted: 'Accept',
	rejected: 'Reject',
	superseded: 'Supersede',
	deprecated: 'Deprecate'
};

/** What a status change did, for sentences: "was just reopened". */
export const changedLabels: Readonly<Record<DecisionStatus, string>> = {
	proposed: 'reopened',
	accepted: 'accepted',
	rejected: 'rejected',
	superseded: 'superseded',
	deprecated: 'deprecated'
};

/**
 * "This decision was just accepted by a teammate": what an open form says when a status change
 * made elsewhere overtakes it (without "by a teammate" when the last change is the member's own,
 * from another device or another form).
 */
export function statusChangedNotice(decision: Pick<Decision, 'status' | 'log'>, memberId: string): string {
	const by = decision.log.at(-1)?.by;
	return `This decision was just ${changedLabels[decision.status]}${by !== undefined && by !== memberId ? ' by a teammate' : ''}`;
}
