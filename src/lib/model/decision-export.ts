/**
 * A decision record as one Markdown file that ADR tooling reads: YAML front matter with the
 * record's fields (MADR 3 and log4brains read `status`, `date`, `deciders`, `consulted`, `tags`;
 * the rest is ours and ignored by them), then the page as Markdown, then its status log.
 *
 * Every string in the front matter is written JSON-quoted: a JSON string is a valid YAML
 * double-quoted scalar, so a title like `No: maybe # later` or `- [x]` cannot change the YAML's
 * structure. Dates and times are UTC, so the file is the same whoever exports it.
 */
import type { Decision, LoggedChange, Position } from './decisions.ts';
import { stanceLabels } from './decisions.ts';

export interface DecisionExport {
	readonly title: string;
	readonly decision: Decision;
	/** When and by whom the page was created (the record's proposal). */
	readonly createdAt: number;
	readonly createdBy: string;
	readonly positions: readonly Position[];
	/** The page as Markdown, its title as the first heading (editor/markdown.ts `pageMarkdown`). */
	readonly body: string;
	/** A member's name, or null for someone not in the workspace's members list. */
	readonly memberName: (memberId: string) => string | null;
	/** Another record's current title and address, or null when it is gone. */
	readonly record: (pageId: string) => { readonly title: string; readonly href: string } | null;
}

export function decisionMarkdown(input: DecisionExport): string {
	return `${frontMatter(input)}\n${input.body.replace(/\s+$/, '')}\n\n${statusLog(input)}`;
}

function frontMatter(input: DecisionExport): string {
	const { decision } = input;
	const name = nameOf(input);
	const titleOf = (id: string) => input.record(id)?.title ?? '(deleted decision)';
	const lines = [
		'---',
		`title: ${yamlString(input.title)}`,
		`status: ${decision.status}`,
		`date: ${day(decision.statusSince ?? input.createdAt)}`,
		`owner: ${decision.owner === null ? 'null' : yamlString(name(decision.owner))}`,
		`deciders: ${yamlList(decision.deciders.map(name))}`,
		`consulted: ${yamlList(decision.consulted.map(name))}`,
		`tags: ${yamlList(decision.tags)}`,
		`decide-by: ${decision.decideBy === null ? 'null' : yamlString(new Date(decision.decideBy).toISOString())}`
	];
	if (decision.supersedes !== null) lines.push(`supersedes: ${yamlString(titleOf(decision.supersedes))}`);
	if (decision.supersededBy.length === 1) lines.push(`superseded-by: ${yamlString(titleOf(decision.supersededBy[0]!))}`);
	else if (decision.supersededBy.length > 1) lines.push(`superseded-by: ${yamlList(decision.supersededBy.map(titleOf))}`);
	if (input.positions.length === 0) lines.push('positions: []');
	else {
		lines.push('positions:');
		for (const p of input.positions) {
			lines.push(
				`  - name: ${yamlString(p.name)}`,
				`    stance: ${p.stance}`,
				`    rationale: ${yamlString(p.rationale)}`,
				`    at: ${yamlString(new Date(p.at).toISOString())}`
			);
		}
	}
	lines.push('---');
	return lines.join('\n') + '\n';
}

function statusLog(input: DecisionExport): string {
	const name = nameOf(input);
	const lines = ['## Status log', '', `- ${stamp(input.createdAt)} — ${text(name(input.createdBy))} proposed it`];
	for (const change of input.decision.log) lines.push(`- ${logLine(input, change, name)}`);
	if (input.positions.length > 0) {
		lines.push('', '## Positions', '');
		for (const p of input.positions) {
			const rationale = p.rationale === '' ? '' : `: ${text(p.rationale).replace(/\n+/g, ' ')}`;
			lines.push(`- ${text(p.name)} — ${stanceLabels[p.stance]} (${stamp(p.at)})${rationale}`);
		}
	}
	return lines.join('\n') + '\n';
}

function logLine(input: DecisionExport, change: LoggedChange, name: (id: string) => string): string {
	let line = `${stamp(change.at)} — ${text(name(change.by))}: ${change.from} → ${change.to}`;
	if (change.supersededBy) {
		const by = input.record(change.supersededBy);
		line += by ? ` by [${text(by.title)}](${by.href})` : ' by a deleted decision';
	}
	if (change.concurrent) line += ' (made apart from the change before it)';
	if (change.note !== '') line += ` — ${text(change.note).replace(/\n+/g, ' ')}`;
	return line;
}

/** Names for member ids: the members list, else the name they recorded a position under, else the id. */
function nameOf(input: DecisionExport): (id: string) => string {
	return (id) => input.memberName(id) ?? input.positions.find((p) => p.memberId === id)?.name ?? id;
}

/**
 * A YAML double-quoted scalar. JSON.stringify escapes quotes, backslashes and C0 controls; YAML
 * also refuses (or, in 1.1, reads as line breaks) DEL, the C1 controls, U+2028/2029 and the BOM,
 * which JSON leaves raw, so those are escaped too.
 */
export function yamlString(value: string): string {
	return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function yamlList(values: readonly string[]): string {
	return `[${values.map(yamlString).join(', ')}]`;
}

/** YYYY-MM-DD in UTC. */
function day(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}

/** YYYY-MM-DD HH:MM UTC. */
function stamp(ms: number): string {
	return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Free text inside a Markdown list item: characters that would start markup escaped. */
function text(value: string): string {
	return value.replace(/[\\`*_[\]<>#|~]/g, (c) => `\\${c}`);
}
