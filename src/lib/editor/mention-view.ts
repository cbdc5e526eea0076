/**
 * Mentions in page text: the `mention` node (schema.ts) stores the member's id and the name it was
 * written with; this node view shows the member's *current* name from the people list and follows
 * renames live, like page links follow titles (page-link.ts).
 *
 * A member nobody here knows (removed, or an id from a foreign paste) shows as the plain text
 * `@label`: no chip, nothing that looks as if it led to someone. The viewer's own mentions carry
 * `mention-me`, drawn bold and outlined in app.css so they stand out without relying on colour.
 *
 * The editor reads people through `MentionPeople`, a small framework-free interface, so that the
 * menu (mention-menu.ts) and this view run in unit tests without Svelte.
 */
import type { Node } from 'prosemirror-model';
import { LiveAtomView } from './atom-view.ts';
import { mentionLabel, mentionMember, schema } from './schema.ts';

/** What the editor needs to know of a member. */
export interface MentionPerson {
	readonly id: string;
	readonly name: string;
}

/** The workspace's people as the editor sees them (PageView builds one from the people context). */
export interface MentionPeople {
	/** Everyone who may be mentioned, sorted by name. */
	list(): readonly MentionPerson[];
	/** One member by id; undefined when nobody by that id is known here. */
	person(id: string): MentionPerson | undefined;
	/** The member using this device. */
	readonly me: string;
	/** Calls `listener` after every change to the list (a rename, a new member); returns the unsubscribe. */
	onChange(listener: () => void): () => void;
}

export const mentionType = schema.nodes['mention']!;

/** How a mention reads: the member's current name, or null when the member is not known here. */
export function mentionName(node: Node, people: MentionPeople | null): string | null {
	const id = mentionMember(node.attrs['member']);
	const name = id ? people?.person(id)?.name.trim() : undefined;
	return name ? name : null;
}

/** A mention as text (clipboard, Markdown): `@` and the current name, else the name it was written with. */
export function mentionText(node: Node, people: MentionPeople | null): string {
	return `@${mentionName(node, people) ?? mentionLabel(node.attrs['label'])}`;
}

export class MentionView extends LiveAtomView<HTMLSpanElement> {
	readonly #people: MentionPeople;

	constructor(node: Node, people: MentionPeople) {
		super(node, document.createElement('span'), (redraw) => people.onChange(redraw));
		this.#people = people;
		this.draw();
	}

	protected draw(): void {
		const id = mentionMember(this.node.attrs['member']);
		const name = mentionName(this.node, this.#people);
		const selected = this.dom.classList.contains('ProseMirror-selectednode');
		if (name === null) {
			// Plain text: nothing about it may suggest a member the reader could reach.
			this.dom.className = '';
			delete this.dom.dataset['mention'];
		} else {
			this.dom.className = id === this.#people.me ? 'mention mention-me' : 'mention';
			this.dom.dataset['mention'] = id;
		}
		if (selected) this.dom.classList.add('ProseMirror-selectednode');
		const text = `@${name ?? mentionLabel(this.node.attrs['label'])}`;
		if (this.dom.textContent !== text) this.dom.textContent = text;
	}
}

/** The node view factory for EditorView's `nodeViews`. */
export function mentionNodeView(people: MentionPeople) {
	return (node: Node) => new MentionView(node, people);
}
