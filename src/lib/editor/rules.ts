/**
 * Markdown shortcuts as you type: block rules at the start of a paragraph (`# `, `- `, `1. `,
 * `[] `, `[x] `, `> `, ```` ``` ````, `---`) and inline rules when a closing delimiter is typed
 * (`**bold**`, `*italic*`, `_italic_`, `` `code` ``, `~~strike~~`). Backspace right after a rule
 * undoes it (prosemirror-inputrules' undoInputRule, bound in keymap.ts).
 */
import { InputRule, inputRules, textblockTypeInputRule, wrappingInputRule } from 'prosemirror-inputrules';
import { findWrapping, canJoin } from 'prosemirror-transform';
import { TextSelection, type Plugin } from 'prosemirror-state';
import type { MarkType } from 'prosemirror-model';
import { schema, codeLanguage } from './schema.ts';

const n = schema.nodes;
const m = schema.marks;

/** `[] ` or `[x] ` at the start of a paragraph wraps it in a task list (joining one just above). */
const taskRule = new InputRule(/^\s*\[([ xX]?)\]\s$/, (state, match, start, end) => {
	const checked = /x/i.test(match[1] ?? '');
	const tr = state.tr.delete(start, end);
	// `- [ ] `: the `- ` already made a one-item bullet list; make that a task list instead.
	const $start = tr.doc.resolve(start);
	if ($start.depth >= 3 && $start.index($start.depth - 1) === 0) {
		const item = $start.node($start.depth - 1);
		const list = $start.node($start.depth - 2);
		if (item.type === n['list_item'] && list.type === n['bullet_list'] && list.childCount === 1) {
			const listPos = $start.before($start.depth - 2);
			const task = n['task_list']!.create(null, n['task_item']!.create({ checked }, item.content));
			tr.replaceWith(listPos, listPos + list.nodeSize, task);
			tr.setSelection(TextSelection.create(tr.doc, start));
			return tr;
		}
	}
	const range = tr.doc.resolve(start).blockRange();
	const wrapping = range && findWrapping(range, n['task_list']!);
	if (!range || !wrapping) return null;
	tr.wrap(range, wrapping.map((w) => (w.type === n['task_item'] ? { type: w.type, attrs: { checked } } : w)));
	const before = tr.doc.resolve(start - 1).nodeBefore;
	if (before?.type === n['task_list'] && canJoin(tr.doc, start - 1)) tr.join(start - 1);
	return tr;
});

/** `---` (or `***`, `___`) alone in a paragraph becomes a horizontal rule followed by a paragraph. */
const ruleRule = new InputRule(/^(?:---|\*\*\*|___)$/, (state, _match, start) => {
	const $start = state.doc.resolve(start);
	if ($start.parent.type !== n['paragraph'] || $start.parent.textContent.length !== 2 || $start.depth === 0) return null;
	const from = $start.before();
	const to = $start.after();
	const tr = state.tr.replaceWith(from, to, [n['horizontal_rule']!.create(), n['paragraph']!.create()]);
	tr.setSelection(TextSelection.create(tr.doc, from + 2));
	return tr;
});

/**
 * A mark rule: `pattern` must end with the closing delimiter and have named groups `before`
 * (what precedes the opener, kept), `open`, `text` and `close`.
 */
function markRule(pattern: RegExp, type: MarkType): InputRule {
	return new InputRule(pattern, (state, match, start, end) => {
		const groups = match.groups!;
		const before = groups['before'] ?? '';
		const open = groups['open']!;
		const text = groups['text']!;
		const $start = state.doc.resolve(start);
		if (!$start.parent.type.allowsMarkType(type)) return null;
		const from = start + before.length;
		const textStart = from + open.length;
		const textEnd = textStart + text.length;
		// Don't mark across a code span or an inline node (the match is over textBetween's view of it).
		if (state.doc.textBetween(textStart, textEnd, '\ufffc', '\ufffc') !== text) return null;
		if (state.doc.rangeHasMark(textStart, textEnd, m['code']!) && type !== m['code']) return null;
		// The closing delimiter is partly in the document (all but the character being typed).
		const tr = state.tr.delete(textEnd, end).delete(from, textStart);
		tr.addMark(from, from + text.length, type.create());
		tr.removeStoredMark(type);
		return tr;
	});
}

export function markdownShortcuts(): Plugin {
	return inputRules({
		rules: [
			textblockTypeInputRule(/^(#{1,3})\s$/, n['heading']!, (match) => ({ level: match[1]!.length })),
			taskRule,
			wrappingInputRule(/^\s*([-+*])\s$/, n['bullet_list']!),
			wrappingInputRule(/^(\d+)\.\s$/, n['ordered_list']!, (match) => ({ order: Number(match[1]) }), (match, node) => node.childCount + Number(node.attrs['order']) === Number(match[1])),
			wrappingInputRule(/^\s*>\s$/, n['blockquote']!),
			textblockTypeInputRule(/^```([A-Za-z0-9_+#.-]*)\s$/, n['code_block']!, (match) => ({ language: codeLanguage(match[1]) })),
			ruleRule,
			markRule(/(?<before>^|[^*])(?<open>\*\*)(?<text>[^*\s](?:[^*]*[^*\s])?)(?<close>\*\*)$/, m['strong']!),
			markRule(/(?<before>^|[^_\w])(?<open>__)(?<text>[^_\s](?:[^_]*[^_\s])?)(?<close>__)$/, m['strong']!),
			markRule(/(?<before>^|[^*])(?<open>\*)(?<text>[^*\s](?:[^*]*[^*\s])?)(?<close>\*)$/, m['em']!),
			markRule(/(?<before>^|[^_\w])(?<open>_)(?<text>[^_\s](?:[^_]*[^_\s])?)(?<close>_)$/, m['em']!),
			markRule(/(?<before>^|[^~])(?<open>~~)(?<text>[^~\s](?:[^~]*[^~\s])?)(?<close>~~)$/, m['strike']!),
			markRule(/(?<before>^|[^`])(?<open>`)(?<text>[^`]+)(?<close>`)$/, m['code']!)
		]
	});
}
