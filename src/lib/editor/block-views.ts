/**
 * Node views with a control outside the editable text: the code block's language label (a small
 * text field) and the callout's tone (a select). Both change an attribute with an ordinary
 * transaction, so the change syncs and undoes like text; read-only editors disable them.
 */
import type { Node } from 'prosemirror-model';
import type { EditorView, NodeView, ViewMutationRecord } from 'prosemirror-view';
import { CALLOUT_TONES, calloutTone, codeLanguage } from './schema.ts';

type GetPos = () => number | undefined;

function setAttr(view: EditorView, getPos: GetPos, name: string, value: unknown): void {
	const pos = getPos();
	if (pos === undefined || !view.editable) return;
	view.dispatch(view.state.tr.setNodeAttribute(pos, name, value));
}

export class CodeBlockView implements NodeView {
	readonly dom: HTMLDivElement;
	readonly contentDOM: HTMLElement;
	readonly #input: HTMLInputElement;
	#node: Node;

	constructor(node: Node, view: EditorView, getPos: GetPos) {
		this.#node = node;
		this.dom = document.createElement('div');
		this.dom.className = 'code-block';
		this.#input = document.createElement('input');
		this.#input.type = 'text';
		this.#input.className = 'code-language';
		this.#input.placeholder = 'language';
		this.#input.maxLength = 32;
		this.#input.spellcheck = false;
		this.#input.setAttribute('aria-label', 'Code language');
		this.#input.disabled = !view.editable;
		const commit = () => {
			const language = codeLanguage(this.#input.value);
			this.#input.value = language;
			if (language !== codeLanguage(this.#node.attrs['language'])) setAttr(view, getPos, 'language', language);
		};
		this.#input.addEventListener('change', commit);
		this.#input.addEventListener('keydown', (event) => {
			if (event.key === 'Enter' || event.key === 'Escape') {
				event.preventDefault();
				if (event.key === 'Enter') commit();
				else this.#input.value = codeLanguage(this.#node.attrs['language']);
				view.focus();
			}
		});
		const pre = document.createElement('pre');
		// A long line scrolls sideways. In an editable page the caret scrolls it; a reader of a
		// read-only page has no caret, so the block itself takes focus and the arrows scroll it.
		if (!view.editable) pre.tabIndex = 0;
		this.contentDOM = document.createElement('code');
		pre.append(this.contentDOM);
		this.dom.append(this.#input, pre);
		this.#render();
	}

	#render(): void {
		const language = codeLanguage(this.#node.attrs['language']);
		if (document.activeElement !== this.#input) this.#input.value = language;
		this.contentDOM.className = language ? `language-${language}` : '';
	}

	update(node: Node): boolean {
		if (node.type !== this.#node.type) return false;
		this.#node = node;
		this.#render();
		return true;
	}

	stopEvent(event: Event): boolean {
		return event.target === this.#input;
	}

	ignoreMutation(mutation: ViewMutationRecord): boolean {
		return !this.contentDOM.contains(mutation.target) && mutation.target !== this.contentDOM;
	}
}

const TONE_LABEL = { info: 'Info', warning: 'Warning', success: 'Success', danger: 'Danger' } as const;

export class CalloutView implements NodeView {
	readonly dom: HTMLDivElement;
	readonly contentDOM: HTMLDivElement;
	readonly #select: HTMLSelectElement;
	#node: Node;

	constructor(node: Node, view: EditorView, getPos: GetPos) {
		this.#node = node;
		this.dom = document.createElement('div');
		this.dom.setAttribute('role', 'note');
		this.#select = document.createElement('select');
		this.#select.className = 'callout-tone';
		this.#select.setAttribute('aria-label', 'Callout type');
		this.#select.contentEditable = 'false';
		this.#select.disabled = !view.editable;
		for (const tone of CALLOUT_TONES) this.#select.append(new Option(TONE_LABEL[tone], tone));
		this.#select.addEventListener('change', () => {
			setAttr(view, getPos, 'tone', calloutTone(this.#select.value));
			view.focus();
		});
		this.contentDOM = document.createElement('div');
		this.contentDOM.className = 'callout-body';
		this.dom.append(this.#select, this.contentDOM);
		this.#render();
	}

	#render(): void {
		const tone = calloutTone(this.#node.attrs['tone']);
		this.dom.className = `callout callout-${tone}`;
		this.dom.dataset['callout'] = tone;
		this.#select.value = tone;
	}

	update(node: Node): boolean {
		if (node.type !== this.#node.type) return false;
		this.#node = node;
		this.#render();
		return true;
	}

	stopEvent(event: Event): boolean {
		return event.target === this.#select;
	}

	ignoreMutation(mutation: ViewMutationRecord): boolean {
		return !this.contentDOM.contains(mutation.target) && mutation.target !== this.contentDOM;
	}
}
