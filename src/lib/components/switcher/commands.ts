/**
 * What the quick switcher can do besides opening pages. The switcher only lists and filters
 * them; the workspace shell (Workspace.svelte) runs them, since it owns the dialogs and navigation
 * they lead to. Commands that change the workspace are offered only to members who may edit it.
 */

export const CommandId = {
	newPage: 'new-page',
	newDecision: 'new-decision',
	newFromTemplate: 'new-from-template',
	toggleTheme: 'toggle-theme',
	inbox: 'go-inbox',
	whatsNew: 'go-whats-new',
	decisions: 'go-decisions',
	people: 'go-people',
	activity: 'go-activity',
	search: 'go-search',
	searchText: 'search-text'
} as const;
export type CommandId = (typeof CommandId)[keyof typeof CommandId];

export interface SwitcherCommand {
	readonly id: CommandId;
	readonly label: string;
	/** Whether only members who may edit the workspace can run it. */
	readonly writes: boolean;
}

/** The fixed commands, in the order an empty query lists them. */
export const COMMANDS: readonly SwitcherCommand[] = [
	{ id: CommandId.newPage, label: 'New page', writes: true },
	{ id: CommandId.newDecision, label: 'New decision…', writes: true },
	{ id: CommandId.newFromTemplate, label: 'New from template…', writes: true },
	{ id: CommandId.toggleTheme, label: 'Toggle theme', writes: false },
	{ id: CommandId.inbox, label: 'Go to Inbox', writes: false },
	{ id: CommandId.whatsNew, label: "Go to What's new", writes: false },
	{ id: CommandId.decisions, label: 'Go to Decision log', writes: false },
	{ id: CommandId.people, label: 'Go to People', writes: false },
	{ id: CommandId.activity, label: 'Go to Activity', writes: false },
	{ id: CommandId.search, label: 'Go to Search', writes: false }
];

/** The commands this member may run. */
export function availableCommands(canEdit: boolean): SwitcherCommand[] {
	return COMMANDS.filter((command) => canEdit || !command.writes);
}

/** The label of the full-text search command for a query (typed, untrimmed text is trimmed). */
export function searchTextLabel(query: string): string {
	return `Search all text for “${query.trim()}”`;
}

/** Where a command that only navigates goes, under /w/<workspace>; null for the others. */
export function commandPath(id: CommandId, workspaceId: string, query = ''): string | null {
	const base = `/w/${workspaceId}`;
	switch (id) {
		case CommandId.inbox:
			return `${base}/inbox`;
		case CommandId.whatsNew:
			return `${base}/new`;
		case CommandId.decisions:
			return `${base}/decisions`;
		case CommandId.people:
			return `${base}/people`;
		case CommandId.activity:
			return `${base}/activity`;
		case CommandId.search:
			return `${base}/search`;
		case CommandId.searchText:
			return `${base}/search?q=${encodeURIComponent(query.trim())}`;
		case CommandId.newPage:
		case CommandId.newDecision:
		case CommandId.newFromTemplate:
		case CommandId.toggleTheme:
			return null;
	}
}
