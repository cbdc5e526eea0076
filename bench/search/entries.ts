/**
 * A corpus page's entry in the workspace document — a page, or a decision record moved through its
 * status — as the app's model code writes it. Shared by the search page (bench/browser/, bundled
 * for Chromium: so nothing here may import Node modules, unlike corpus.ts) and the cold-sync
 * workspace (bench/coldsync/).
 */
import type * as Y from 'yjs';
import { createDecision, changeStatus, DecisionStatus } from '../../src/lib/model/decisions.ts';
import { createPage } from '../../src/lib/model/workspace.ts';
import type { CorpusPage } from './corpus.ts';

export function addCorpusEntry(workspace: Y.Doc, page: CorpusPage): void {
	const actor = { memberId: page.createdBy, now: page.at };
	if (!page.decision) {
		createPage(workspace, { id: page.id, title: page.title }, actor);
		return;
	}
	createDecision(workspace, { id: page.id, title: page.title, owner: page.createdBy, decideBy: page.at + 7 * 86_400_000, tags: [...page.decision.tags] }, actor);
	// A record is deprecated after it was accepted (decisions.ts's transitions).
	const status = page.decision.status as DecisionStatus;
	const steps = status === DecisionStatus.deprecated ? [DecisionStatus.accepted, status] : status === DecisionStatus.proposed ? [] : [status];
	for (const step of steps) changeStatus(workspace, page.id, step, 'Settled in the weekly review.', actor);
}
