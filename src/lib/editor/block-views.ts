/**
 * Node views with a control outside the editable text: the code block's language label (a small
 * text field) and the callout's tone (a select). Both change an attribute with an ordinary
 * transaction, so the change syncs and undoes like text; read-only editors disable them.
 */
import type { Node } from 'prosemirror-model';
import type { EditorView, NodeView, ViewMutationRecord } from 'prosemirror-view';
import { mayEdit } from './refuse-edits.ts';
import { CALLOUT_TONES, calloutTone, codeLanguage } from './schema.ts';

type GetPos = () => number | undefined;

function setAttr(view: EditorView, getPos: GetPos, name: string, value: unknown): void {
	const pos = getPos();
	if (pos === undefined || !mayEdit(view)) return;
	view.dispatch(view.state.tr.setNodeAttribute(pos, name, value));
}

/**
 * What the two views share: a control element beside the editable content, events on the control
 * kept from ProseMirror, DOM changes outside the content ignored, and a re-render on update.
 */
abstract class ControlledBlockView<Control extends HTMLElement> implements NodeView {
	abstract readonly dom: HTMLElement;
	abstract readonly contentDOM: HTMLElement;
	protected abstract readonly control: Control;
	protected node: Node;

	constructor(node: Node) {
		this.node = node;
	}

	protected abstract render(): void;

	update(node: Node): boolean {
		if (node.type !== this.node.type) return false;
		this.node = node;
		this.render();
		return true;
	}

	stopEvent(event: Event): boolean {
		return event.target === this.control;
	}

	ignoreMutation(mutation: ViewMutationRecord): boolean {
		return !this.contentDOM.contains(mutation.target) && mutation.target !== this.contentDOM;
	}
}

export class CodeBlockView extends ControlledBlockView<HTMLInputElement> {
	readonly dom: HTMLDivElement;
	readonly contentDOM: HTMLElement;
	protected readonly control: HTMLInputElement;

	constructor(node: Node, view: EditorView, getPos: GetPos) {
		super(node);
		this.dom = document.createElement('div');
		this.dom.className = 'code-block';
		this.control = document.createElement('input');
		this.control.type = 'text';
		this.control.className = 'code-language';
		this.control.placeholder = 'language';
		this.control.maxLength = 32;
		this.control.spellcheck = false;
		this.control.setAttribute('aria-label', 'Code language');
		this.control.disabled = !mayEdit(view);
		const commit = () => {
			const language = codeLanguage(this.control.value);
			this.control.value = language;
			if (language !== codeLanguage(this.node.attrs['language'])) setAttr(view, getPos, 'language', language);
		};
		this.control.addEventListener('change', commit);
		this.control.addEventListener('keydown', (event) => {
			if (event.key === 'Enter' || event.key === 'Escape') {
				event.preventDefault();
				if (event.key === 'Enter') commit();
				else this.control.value = codeLanguage(this.node.attrs['language']);
				view.focus();
			}
		});
		const pre = document.createElement('pre');
		// A long line scrolls sideways. In an editable page the caret scrolls it; a reader of a
		// read-only page has no caret, so the block itself takes focus and the arrows scroll it.
		if (!mayEdit(view)) pre.tabIndex = 0;
		this.contentDOM = document.createElement('code');
		pre.append(this.contentDOM);
		this.dom.append(this.control, pre);
		this.render();
	}

	protected render(): void {
		const language = codeLanguage(this.node.attrs['language']);
		if (document.activeElement !== this.control) this.control.value = language;
		this.contentDOM.className = language ? `language-${language}` : '';
	}

}

const TONE_LABEL = { info: 'Info', warning: 'Warning', success: 'Success', danger: 'Danger' } as const;

export class CalloutView extends ControlledBlockView<HTMLSelectElement> {
	readonly dom: HTMLDivElement;
	readonly contentDOM: HTMLDivElement;
	protected readonly control: HTMLSelectElement;

	constructor(node: Node, view: EditorView, getPos: GetPos) {
		super(node);
		this.dom = document.createElement('div');
		this.dom.setAttribute('role', 'note');
		this.control = document.createElement('select');
		this.control.className = 'callout-tone';
		this.control.setAttribute('aria-label', 'Callout type');
		this.control.contentEditable = 'false';
		this.control.disabled = !mayEdit(view);
		for (const tone of CALLOUT_TONES) this.control.append(new Option(TONE_LABEL[tone], tone));
		this.control.addEventListener('change', () => {
			setAttr(view, getPos, 'tone', calloutTone(this.control.value));
			view.focus();
		});
		this.contentDOM = document.createElement('div');
		this.contentDOM.className = 'callout-body';
		this.dom.append(this.control, this.contentDOM);
		this.render();
	}

	protected render(): void {
		const tone = calloutTone(this.node.attrs['tone']);
		this.dom.className = `callout callout-${tone}`;
		this.dom.dataset['callout'] = tone;
		this.control.value = tone;
	}

}
