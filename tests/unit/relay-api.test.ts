/**
 * The pure parts of the relay API client (src/lib/sync/relay-api.ts, members-api.ts, join-api.ts): invite links and the /join
 * fragment, the sentence a member reads for every failure, and the checks that keep a garbled
 * answer from reaching a component.
 */
import { describe, expect, it } from 'vitest';
import { ApiError, OFFLINE, describeStatus, errorFromAnswer, expectField } from '../../src/lib/sync/relay-api.ts';
import { inviteLink, isInviteInfo, isMemberInfo, usesLabel } from '../../src/lib/sync/members-api.ts';
import { describeJoinError, parseJoinFragment } from '../../src/lib/sync/join-api.ts';

const invite = {
	id: 'inv1',
	workspaceId: 'ws1',
	role: 'editor',
	createdBy: 'ana',
	createdAt: 1_700_000_000_000,
	expiresAt: 1_700_086_400_000,
	maxUses: 5,
	uses: 2,
	revokedAt: null,
	state: 'active'
};
const member = { memberId: 'kenji', workspaceId: 'ws1', role: 'viewer', name: 'Kenji', joinedAt: 1_700_000_000_000, source: 'invite' };

describe('invite links', () => {
	it('builds /join#invite=<code> on the origin, and reads the code back', () => {
		const code = 'q1w2-e3_r4T5y6U7i8O9p0AsDfGhJkLzXcVbNm12345';
		const link = inviteLink('https://wiki.example.com', code);
		expect(link).toBe(`https://wiki.example.com/join#invite=${code}`);
		expect(parseJoinFragment(new URL(link).hash)).toEqual({ kind: 'invite', code });
	});

	it('keeps the older #<token> links working, and says when the fragment is empty', () => {
		expect(parseJoinFragment('#eyJhbGciOi.eyJ3cyI6.sig')).toEqual({ kind: 'token', token: 'eyJhbGciOi.eyJ3cyI6.sig' });
		expect(parseJoinFragment('#eyJ%2Eabc')).toEqual({ kind: 'token', token: 'eyJ.abc' });
		expect(parseJoinFragment('')).toEqual({ kind: 'empty' });
		expect(parseJoinFragment('#')).toEqual({ kind: 'empty' });
		expect(parseJoinFragment('#invite=')).toEqual({ kind: 'empty' });
		expect(parseJoinFragment('#invite=%20abc%20')).toEqual({ kind: 'invite', code: 'abc' });
		// A stray % is not a crash: the text is taken as it is.
		expect(parseJoinFragment('#invite=ab%zz')).toEqual({ kind: 'invite', code: 'ab%zz' });
	});
});

describe('errors a member reads', () => {
	it("uses the relay's own sentence when it gave one", () => {
		const error = errorFromAnswer(410, { error: 'This invite was used up (1 of 1 uses).' });
		expect(error).toBeInstanceOf(ApiError);
		expect(error.status).toBe(410);
		expect(error.message).toBe('This invite was used up (1 of 1 uses).');
	});

	it('falls back to a sentence per status when the body says nothing usable', () => {
		for (const body of [null, {}, { error: '' }, { error: 42 }, 'Bad gateway', [{ error: 'x' }]]) {
			expect(errorFromAnswer(409, body).message).toBe(describeStatus(409));
		}
		const statuses = [OFFLINE, 400, 401, 403, 404, 409, 410, 413, 429, 500];
		const sentences = statuses.map(describeStatus);
		expect(new Set(sentences).size).toBe(statuses.length);
		for (const [i, sentence] of sentences.entries()) expect(sentence, String(statuses[i])).toMatch(/^[A-Z].*\.$/);
		expect(describeStatus(403)).toBe('Only admins of this workspace can do that.');
		expect(describeStatus(503)).toContain('(503)');
	});

	it('joining: offline keeps the link good, an unknown code asks for the whole link, 410 and 429 say what the relay said', () => {
		expect(describeJoinError(new ApiError(OFFLINE, describeStatus(OFFLINE)))).toBe('You need to be online to join; the link keeps working.');
		expect(describeJoinError(new ApiError(404, 'No such invite.'))).toMatch(/does not know this invite link/);
		expect(describeJoinError(errorFromAnswer(410, { error: 'This invite has expired.' }))).toBe('This invite has expired.');
		expect(describeJoinError(errorFromAnswer(429, null))).toBe(describeStatus(429));
		expect(describeJoinError(new Error('disk full'))).toBe('disk full');
	});
});

describe('answers are checked before use', () => {
	it('accepts the contract’s shapes', () => {
		expect(isInviteInfo(invite)).toBe(true);
		expect(isInviteInfo({ ...invite, revokedAt: 1_700_000_100_000, state: 'revoked' })).toBe(true);
		expect(isMemberInfo(member)).toBe(true);
		expect(expectField({ invite }, 'invite', isInviteInfo)).toBe(invite);
	});

	it('refuses anything else with a readable error', () => {
		for (const bad of [null, [], { ...invite, role: 'owner' }, { ...invite, state: 'gone' }, { ...invite, uses: '2' }, { ...invite, revokedAt: undefined }]) {
			expect(isInviteInfo(bad), JSON.stringify(bad)).toBe(false);
		}
		for (const bad of [{ ...member, source: 'cli' }, { ...member, memberId: 'a b' }, { ...member, joinedAt: NaN }]) {
			expect(isMemberInfo(bad), JSON.stringify(bad)).toBe(false);
		}
		expect(() => expectField({ invites: 'none' }, 'invite', isInviteInfo)).toThrowError(/does not understand/);
		expect(() => expectField(null, 'invite', isInviteInfo)).toThrowError(ApiError);
	});

	it('says uses as "2 of 5"', () => {
		expect(usesLabel(invite)).toBe('2 of 5');
	});
});
