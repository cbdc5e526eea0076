/** Words for statuses and for the buttons that move a record between them. */
import type { DecisionStatus } from '$lib/model/decisions.ts';

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
