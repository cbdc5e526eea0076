/**
 * The app's sentence for every close code and room refusal the relay documents (PROTOCOL.md):
 * each is a sentence of its own, never the bare number.
 */
import { describe, expect, it } from 'vitest';
import { CloseCode, fatalCloseCodes, readOnlyReason } from '../../src/lib/protocol/index.ts';
import { describeClose, describeRoomRefusal } from '../../src/lib/sync/status.ts';

describe('close messages', () => {
	it('every connection-level code has its own sentence', () => {
		const roomOnly = new Set<number>([CloseCode.documentTooLarge, CloseCode.tooManyRooms, CloseCode.roomUnavailable]);
		const codes = Object.values(CloseCode).filter((code) => !roomOnly.has(code));
		const sentences = codes.map(describeClose);
		for (const [i, sentence] of sentences.entries()) expect(sentence, String(codes[i])).not.toContain(String(codes[i]));
		expect(new Set(sentences).size).toBe(codes.length);
		expect(describeClose(CloseCode.rateLimited)).toBe('The relay closed the connection: too many changes per second');
		expect(describeClose(4999)).toBe('The relay closed the connection (4999)');
	});

	it('[R30] a refused origin is fatal and says whose setting it is; too many connections from one address is retried', () => {
		expect(describeClose(CloseCode.originNotAllowed)).toMatch(/does not accept connections from this site/);
		expect(fatalCloseCodes.has(CloseCode.originNotAllowed)).toBe(true);
		expect(describeClose(CloseCode.tooManyConnections)).toMatch(/too many connections from this network/);
		expect(fatalCloseCodes.has(CloseCode.tooManyConnections)).toBe(false);
	});

	it('room refusals: read-only, too large, too many rooms, unavailable; others quote the relay', () => {
		expect(describeRoomRefusal(CloseCode.forbidden, readOnlyReason)).toBe('You can read this page but not change it');
		expect(describeRoomRefusal(CloseCode.documentTooLarge, 'x')).toMatch(/size limit/);
		expect(describeRoomRefusal(CloseCode.tooManyRooms, 'x')).toMatch(/Too many pages/);
		expect(describeRoomRefusal(CloseCode.roomUnavailable, 'x')).toMatch(/cannot read/);
		expect(describeRoomRefusal(CloseCode.forbidden, "another member's room")).toBe("Relay refused this page: another member's room");
	});
});
