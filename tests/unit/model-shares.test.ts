/**
 * Sharing a page with teammates (src/lib/model/shares.ts).
 *
 * [SH1] A share keeps who, whom (each once, the sharer left out), the note and when.
 * [SH2] Bad input — nobody chosen, only oneself, too many teammates, a malformed id — is refused
 *       with a ShareError and the document's bytes are unchanged.
 * [SH3] Two members sharing one page apart: both shares stay, in time order, on both replicas.
 * [SH4] Malformed stored entries (from another client) are skipped; odd fields are read safely.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MAX_SHARE_NOTE_LENGTH, MAX_SHARE_RECIPIENTS, ShareError, readShares, sharePage, sharesArray } from '../../src/lib/model/shares.ts';
import { syncBoth } from '../support/model-helpers.ts';

const ana = { memberId: 'ana', now: 1_000 };
const ben = { memberId: 'ben', now: 2_000 };

describe('sharing a page', () => {
	it('[SH1] keeps who, whom, the note and when; each teammate once and never the sharer', () => {
		const talk = new Y.Doc();
		const id = sharePage(talk, { to: ['ben', 'ana', 'cleo', 'ben'], note: '  Have a look\u0007 before Friday ', name: 'Ana  Lima' }, ana);
		expect(readShares(talk)).toEqual([{ id, by: 'ana', byName: 'Ana Lima', to: ['ben', 'cleo'], note: 'Have a look before Friday', at: 1_000 }]);
		sharePage(talk, { to: ['ben'], note: 'x'.repeat(MAX_SHARE_NOTE_LENGTH + 50), name: '' }, { ...ana, now: 1_500 });
		const long = readShares(talk)[1]!;
		expect(long.note.length).toBeLessThanOrEqual(MAX_SHARE_NOTE_LENGTH);
		expect(long.byName).toBe('Member');
	});

	it('[SH2] bad input is refused with a ShareError and changes nothing', () => {
		const talk = new Y.Doc();
		sharePage(talk, { to: ['ben'], note: '', name: 'Ana' }, ana);
		const before = Y.encodeStateAsUpdate(talk);
		const many = Array.from({ length: MAX_SHARE_RECIPIENTS + 1 }, (_, i) => `member${i}`);
		const bad: unknown[] = [[], ['ana'], ['ana', 'ana'], many, ['ben', 'not an id!'], ['ben', ''], ['ben', 42], [{ id: 'ben' }], 'ben', null];
		for (const to of bad) {
			expect(() => sharePage(talk, { to: to as string[], note: 'hi', name: 'Ana' }, ana), JSON.stringify(to)).toThrow(ShareError);
			expect(Y.encodeStateAsUpdate(talk)).toEqual(before);
		}
		expect(() => sharePage(talk, { to: [], note: '', name: 'Ana' }, ana)).toThrow(/at least one teammate/);
		expect(() => sharePage(talk, { to: many, note: '', name: 'Ana' }, ana)).toThrow(`at most ${MAX_SHARE_RECIPIENTS}`);
		expect(readShares(talk)).toHaveLength(1);
	});

	it('[SH3] two members sharing apart both keep their share, in time order everywhere', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		sharePage(a, { to: ['cleo'], note: 'from Ana', name: 'Ana' }, ana);
		sharePage(b, { to: ['cleo', 'ana'], note: 'from Ben', name: 'Ben' }, ben);
		syncBoth(a, b);
		for (const doc of [a, b]) expect(readShares(doc).map((s) => `${s.by}→${s.to.join('+')}: ${s.note}`)).toEqual(['ana→cleo: from Ana', 'ben→cleo+ana: from Ben']);
	});

	it('[SH4] malformed stored entries are skipped and odd fields read safely', () => {
		const talk = new Y.Doc();
		sharesArray(talk).push([
			null,
			'share',
			{ id: 'a', by: 'ana', to: ['ben'], at: 'yesterday' },
			{ id: 'b', by: 'ana', to: ['ben'], at: Number.NaN },
			{ id: 'c', by: 'ana', to: ['ben'], at: 9e15 },
			{ by: 'ana', to: ['ben'], at: 5 },
			{ id: 'd', by: 7, to: ['ben'], at: 5 },
			{ id: 'ok', by: 'ana', byName: 42, to: ['ben', 'bad id!', 3, 'ben'], note: { html: '<b>' }, at: 5 },
			{ id: 'none', by: 'ana', to: 'ben', at: 6 }
		]);
		expect(readShares(talk)).toEqual([
			{ id: 'ok', by: 'ana', byName: 'Member', to: ['ben'], note: '', at: 5 },
			{ id: 'none', by: 'ana', byName: 'Member', to: [], note: '', at: 6 }
		]);
	});
});
