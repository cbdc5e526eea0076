/**
 * Sharing a page with teammates: "have a look at this", with a short note. It lands in their inbox
 * (inbox.ts). Every member can already read every page; a share is the nudge, not a permission.
 *
 * Shares live in the page's discussion document, beside the comments, so commenters can share too:
 *
 *   shares: Y.Array<{ id, by, byName, to: memberId[], note, at }>    appended, never changed
 *
 * Plain values in an append-only array: two members sharing apart both stay.
 */
import * as Y from 'yjs';
import { isId, newId } from './ids.ts';
import { Origin } from './origins.ts';
import { cleanText } from './text.ts';
import { assertWritable, stampSchemaVersion } from './version.ts';
import type { Actor } from './workspace.ts';

export const MAX_SHARE_NOTE_LENGTH = 500;
/** At most this many members in one share. */
export const MAX_SHARE_RECIPIENTS = 50;

export interface Share {
	readonly id: string;
	readonly by: string;
	readonly byName: string;
	/** Member ids, each once, in the order chosen. */
	readonly to: readonly string[];
	readonly note: string;
	readonly at: number;
}

/** Bad input to a share: shown to the member as is, and nothing was changed. */
export class ShareError extends Error {
	override name = 'ShareError';
}

export function sharesArray(talk: Y.Doc): Y.Array<unknown> {
	return talk.getArray('shares');
}

export interface NewShare {
	readonly to: readonly string[];
	readonly note: string;
	/** The sharer's name, kept with the share (commenters are not in the members list). */
	readonly name: string;
}

/** Shares the page with `to` (the sharer left out; a malformed id refused); returns the share's id. */
export function sharePage(talk: Y.Doc, input: NewShare, actor: Actor): string {
	assertWritable(talk);
	const given: readonly unknown[] = Array.isArray(input.to) ? input.to : [];
	// A malformed id is not quietly dropped: the member would believe they shared with someone.
	if (given.some((id) => !isId(id))) throw new ShareError('Choose teammates from the list to share with.');
	const to = [...new Set(given as string[])].filter((id) => id !== actor.memberId);
	if (to.length === 0) throw new ShareError('Choose at least one teammate to share with.');
	if (to.length > MAX_SHARE_RECIPIENTS) throw new ShareError(`Share with at most ${MAX_SHARE_RECIPIENTS} teammates at once.`);
	const note = cleanText(typeof input.note === 'string' ? input.note : '', MAX_SHARE_NOTE_LENGTH);
	const byName = cleanText(typeof input.name === 'string' ? input.name : '', 80, { singleLine: true }).replace(/\s+/g, ' ') || 'Member';
	const id = newId();
	talk.transact(() => {
		stampSchemaVersion(talk);
		sharesArray(talk).push([{ id, by: actor.memberId, byName, to, note, at: actor.now }]);
	}, Origin.local);
	return id;
}

/** Every readable share, oldest first (anything malformed from another client is skipped). */
export function readShares(talk: Y.Doc): Share[] {
	const out: Share[] = [];
	for (const value of sharesArray(talk).toArray()) {
		if (typeof value !== 'object' || value === null) continue;
		const v = value as Record<string, unknown>;
		const at = v['at'];
		if (typeof v['id'] !== 'string' || typeof v['by'] !== 'string' || typeof at !== 'number' || !Number.isFinite(at) || Math.abs(at) > 8.64e15) continue;
		const to = Array.isArray(v['to']) ? [...new Set(v['to'].filter(isId))] : [];
		out.push({
			id: v['id'],
			by: v['by'],
			byName: typeof v['byName'] === 'string' && v['byName'] !== '' ? v['byName'] : 'Member',
			to,
			note: typeof v['note'] === 'string' ? cleanText(v['note'], MAX_SHARE_NOTE_LENGTH) : '',
			at
		});
	}
	return out.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
