/**
 * What the quick switcher lists for a query, as groups of options (Recent, Pages, Commands). Pure,
 * so the ranking is unit-tested without a browser; QuickSwitcher.svelte only renders it.
 *
 * The catalogue (every page that is shown in the tree, with its path and folded title) is built
 * once per change to the workspace index, so a keystroke costs only the matching.
 */
import { buildTree, type TreeNode } from '$lib/model/tree.ts';
import type { PageEntry } from '$lib/model/workspace.ts';
import type { Ranges } from '$lib/components/highlight.ts';
import { compareMatches, foldQuery, matchTitle, prepareTitle, type PreparedTitle, type TitleMatch } from './match.ts';
import { CommandId, searchTextLabel, type SwitcherCommand } from './commands.ts';

export interface CataloguePage {
	readonly id: string;
	/** The title as shown: "Untitled" for an empty one. */
	readonly title: string;
	/** Parent titles, outermost first, joined: tells two pages of one name apart. */
	readonly path: string;
	/** A decision record's status label ("Proposed"), null for a page. */
	readonly status: string | null;
	readonly prepared: PreparedTitle;
}

/** An option with the matched ranges of its title or label, to highlight (components/Highlighted.svelte). */
export type SwitcherOption =
	| { readonly kind: 'page'; readonly page: CataloguePage; readonly ranges: Ranges }
	| { readonly kind: 'command'; readonly command: SwitcherCommand; readonly ranges: Ranges };

export interface OptionGroup {
	readonly label: 'Recent' | 'Pages' | 'Commands';
	readonly options: readonly SwitcherOption[];
}

/** At most this many pages are listed for a query: the best ones; typing more narrows it. */
export const MAX_PAGE_OPTIONS = 50;

const displayTitle = (page: PageEntry) => page.title.trim() || 'Untitled';

/**
 * Every page the tree shows (archived pages and everything under them left out), depth first,
 * with its breadcrumb path. `statusOf` names a decision record's status.
 */
export function buildCatalogue(pages: readonly PageEntry[], statusOf: (id: string) => string | null = () => null): CataloguePage[] {
	const out: CataloguePage[] = [];
	const walk = (nodes: readonly TreeNode[], path: string) => {
		for (const node of nodes) {
			const title = displayTitle(node.page);
			out.push({ id: node.page.id, title, path, status: statusOf(node.page.id), prepared: prepareTitle(title) });
			walk(node.children, path ? `${path} › ${title}` : title);
		}
	};
	walk(buildTree(pages), '');
	return out;
}

/** Nothing highlighted. */
const plain: Ranges = [];

export interface OptionsInput {
	readonly query: string;
	readonly catalogue: readonly CataloguePage[];
	/** Page ids, most recently opened first (src/lib/state/recent-pages.ts). */
	readonly recent: readonly string[];
	/** The page on screen: not offered as a place to go. */
	readonly currentId: string | null;
	readonly commands: readonly SwitcherCommand[];
}

/**
 * The groups to show. An empty query lists the recently opened pages (that still exist), then
 * every command. A query lists matching pages (by match, then how recently opened, then score)
 * and matching commands, whichever group matched better first, and offers full-text search.
 */
export function switcherOptions({ query, catalogue, recent, currentId, commands }: OptionsInput): OptionGroup[] {
	const q = foldQuery(query);
	if (q === '') {
		const byId = new Map(catalogue.map((page) => [page.id, page]));
		const recentPages = recent.filter((id) => id !== currentId).flatMap((id) => byId.get(id) ?? []);
		return nonEmpty([
			{ label: 'Recent', options: recentPages.map((page) => ({ kind: 'page', page, ranges: plain })) },
			{ label: 'Commands', options: commands.map((command) => ({ kind: 'command', command, ranges: plain })) }
		]);
	}
	const rank = new Map(recent.map((id, i) => [id, i]));
	const pages: Array<{ page: CataloguePage; match: TitleMatch; rank: number }> = [];
	for (const page of catalogue) {
		const match = matchTitle(q, page.prepared);
		if (match) pages.push({ page, match, rank: rank.get(page.id) ?? Infinity });
	}
	pages.sort((a, b) => b.match.tier - a.match.tier || compareRank(a.rank, b.rank) || compareMatches(a.match, b.match) || a.page.title.localeCompare(b.page.title));
	const matchedCommands = commands
		.map((command) => ({ command, match: matchTitle(q, prepareTitle(command.label)) }))
		.filter((c): c is { command: SwitcherCommand; match: TitleMatch } => c.match !== null)
		.sort((a, b) => compareMatches(a.match, b.match));
	const searchText: SwitcherCommand = { id: CommandId.searchText, label: searchTextLabel(query), writes: false };
	const pageGroup: OptionGroup = {
		label: 'Pages',
		options: pages.slice(0, MAX_PAGE_OPTIONS).map(({ page, match }) => ({ kind: 'page', page, ranges: match.ranges }))
	};
	const commandGroup: OptionGroup = {
		label: 'Commands',
		options: [
			...matchedCommands.map(({ command, match }) => ({ kind: 'command' as const, command, ranges: match.ranges })),
			{ kind: 'command', command: searchText, ranges: plain }
		]
	};
	const commandsFirst = matchedCommands.length > 0 && (pages.length === 0 || matchedCommands[0]!.match.tier > pages[0]!.match.tier);
	return nonEmpty(commandsFirst ? [commandGroup, pageGroup] : [pageGroup, commandGroup]);
}

function compareRank(a: number, b: number): number {
	return a === b ? 0 : a < b ? -1 : 1;
}

function nonEmpty(groups: OptionGroup[]): OptionGroup[] {
	return groups.filter((group) => group.options.length > 0);
}
