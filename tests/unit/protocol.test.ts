import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import {
	peopleRoom,
	inboxRoom,
	refuseRoom,
	CloseCode,
	MessageType,
	canWrite,
	claimsFromPayload,
	decodeBatch,
	decodeFrame,
	encodeBatch,
	encodeFrame,
	isBatch,
	encodeMessage,
	encodeSyncPayload,
	SyncType,
	fatalCloseCodes,
	parseRoomName,
	readRoomError,
	readStored,
	writeLeave,
	writeRoomError,
	writeStored
} from '../../src/lib/protocol/index.ts';

function readType(message: Uint8Array): { type: number; decoder: decoding.Decoder } {
	const decoder = decoding.createDecoder(message);
	return { type: decoding.readVarUint(decoder), decoder };
}

describe('wire messages (PROTOCOL.md)', () => {
	it('[R12] stored := varUint(4) • varUint(count) round-trips, large counts included', () => {
		for (const count of [1, 127, 128, 300_000, 2 ** 31]) {
			const { type, decoder } = readType(encodeMessage((e) => writeStored(e, count)));
			expect(type).toBe(MessageType.stored);
			expect(readStored(decoder)).toBe(count);
			expect(decoding.hasContent(decoder)).toBe(false);
		}
	});

	it('[R9] roomError := varUint(5) • varUint(code) • varString(reason) round-trips', () => {
		const { type, decoder } = readType(
			encodeMessage((e) => writeRoomError(e, CloseCode.roomUnavailable, 'room unavailable ✗'))
		);
		expect(type).toBe(MessageType.roomError);
		expect(readRoomError(decoder)).toEqual({ code: 4500, reason: 'room unavailable ✗' });
	});

	it('[R8] leave := varUint(6)', () => {
		expect(encodeMessage(writeLeave)).toEqual(new Uint8Array([6]));
	});

	it('[R7] frame := varString(room) • message round-trips, rooms with slashes and unicode', () => {
		const message = encodeMessage((e) => {
			encoding.writeVarUint(e, 0);
			encoding.writeVarUint(e, 0);
			encoding.writeVarUint8Array(e, new Uint8Array([0]));
		});
		for (const room of ['ws1', 'ws1/page1', 'ws1/page1/talk', 'é/ü', '']) {
			const frame = encodeFrame(room, message);
			expect(decodeFrame(frame)).toEqual({ room, message });
		}
	});

	it('[R7] a sync payload framed in one copy is the bytes y-protocols writes, large payloads included', () => {
		for (const size of [0, 1, 99, 100, 101, 20_000]) {
			const payload = Uint8Array.from({ length: size }, (_, i) => (i * 7) % 256);
			for (const [type, write] of [
				// writeSyncStep2 with the diff already made.
				[SyncType.step2, (e: encoding.Encoder, update: Uint8Array) => (encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep2), encoding.writeVarUint8Array(e, update))],
				[SyncType.update, syncProtocol.writeUpdate]
			] as const) {
				const expected = encodeMessage((e) => {
					encoding.writeVarUint(e, MessageType.sync);
					write(e, payload);
				});
				expect(encodeSyncPayload(type, payload)).toEqual(expected);
				const frame = encodeFrame('ws1/p1', expected);
				expect(decodeFrame(frame)).toEqual({ room: 'ws1/p1', message: expected });
			}
		}
	});

	it('[R34] batch := varString("") • varByteArray(frame)+ round-trips, frames of every length-prefix size', () => {
		const frames = [1, 127, 128, 16_383, 16_384, 300_000].map((size, i) => encodeFrame(`ws1/p${i}`, Uint8Array.from({ length: size }, (_, j) => (j * 13 + i) % 256)));
		const batch = encodeBatch(frames);
		// What lib0 would write: the empty room name, then each frame as a varByteArray.
		const expected = encodeMessage((e) => {
			encoding.writeVarString(e, '');
			for (const frame of frames) encoding.writeVarUint8Array(e, frame);
		});
		expect(batch).toEqual(expected);
		expect(isBatch(batch)).toBe(true);
		expect(decodeBatch(batch)).toEqual(frames);
		// A frame never starts with 0: a room's name is never empty.
		for (const frame of frames) expect(isBatch(frame)).toBe(false);
	});

	it('[R34] a truncated, empty or padded batch throws, even as a view into a larger buffer', () => {
		const batch = encodeBatch([encodeFrame('ws1/a', new Uint8Array([0, 0, 0])), encodeFrame('ws1/b', new Uint8Array([0, 0, 0]))]);
		expect(() => decodeBatch(batch.subarray(0, batch.byteLength - 1))).toThrow();
		expect(() => decodeBatch(new Uint8Array([0]))).toThrow();
		expect(() => decodeBatch(new Uint8Array([0, 0]))).toThrow(); // a zero-length frame
		expect(() => decodeBatch(new Uint8Array([1, 0]))).toThrow(); // not a batch
		// A frame without a room (its answer would read as a batch), for the relay and the app alike.
		expect(() => decodeBatch(encodeBatch([encodeFrame('ws1/a', new Uint8Array([0])), encodeFrame('', new Uint8Array([0]))]))).toThrow(/without a room/);
		// The socket hands the relay views into its read buffer: the bytes after the view are not the batch's.
		const buffer = new Uint8Array(batch.byteLength + 50);
		buffer.set(batch);
		expect(() => decodeBatch(buffer.subarray(0, batch.byteLength - 2))).toThrow();
		expect(decodeBatch(buffer.subarray(0, batch.byteLength))).toHaveLength(2);
	});

	it('[R7] a truncated frame throws instead of yielding a room', () => {
		const frame = encodeFrame('ws1/page1', new Uint8Array([0, 2, 1, 0]));
		expect(() => decodeFrame(frame.slice(0, 4))).toThrow();
		expect(() => decodeFrame(new Uint8Array([]))).toThrow();
	});
});

describe('rooms, roles and tokens', () => {
	it('[R4] parses the three room kinds and nothing else', () => {
		expect(parseRoomName('ws1')).toEqual({ workspaceId: 'ws1', pageId: null, kind: 'workspace', ownerId: null });
		expect(parseRoomName('ws1/p1')).toEqual({ workspaceId: 'ws1', pageId: 'p1', kind: 'page', ownerId: null });
		expect(parseRoomName('ws1/p1/talk')).toEqual({ workspaceId: 'ws1', pageId: 'p1', kind: 'talk', ownerId: null });
		expect(parseRoomName('ws1/@people')).toEqual({ workspaceId: 'ws1', pageId: null, kind: 'people', ownerId: null });
		expect(parseRoomName(peopleRoom('ws1'))).toEqual({ workspaceId: 'ws1', pageId: null, kind: 'people', ownerId: null });
		expect(parseRoomName('ws1/@inbox/m1')).toEqual({ workspaceId: 'ws1', pageId: null, kind: 'inbox', ownerId: 'm1' });
		expect(parseRoomName(inboxRoom('ws1', 'm-2'))).toEqual({ workspaceId: 'ws1', pageId: null, kind: 'inbox', ownerId: 'm-2' });
		for (const bad of ['ws1/@people/talk', 'ws1/@other', 'ws1/@', '@people', 'ws1/@inbox', 'ws1/@inbox/', 'ws1/@inbox/a b', 'ws1/@inbox/m1/talk']) expect(parseRoomName(bad)).toBeNull();
		for (const bad of ['', 'ws1/', 'ws1/p1/other', 'ws1/p1/talk/x', 'a b', '../x', 'x'.repeat(65)]) {
			expect(parseRoomName(bad)).toBeNull();
		}
	});

	it('[R15] role table: viewers write only the people room, commenters also talk rooms', () => {
		expect(canWrite('viewer', 'talk')).toBe(false);
		expect(canWrite('viewer', 'page')).toBe(false);
		expect(canWrite('viewer', 'workspace')).toBe(false);
		expect(canWrite('viewer', 'people')).toBe(true);
		expect(canWrite('commenter', 'talk')).toBe(true);
		expect(canWrite('commenter', 'people')).toBe(true);
		expect(canWrite('commenter', 'page')).toBe(false);
		expect(canWrite('commenter', 'workspace')).toBe(false);
		expect(canWrite('viewer', 'inbox')).toBe(true);
		expect(canWrite('commenter', 'inbox')).toBe(true);
		for (const kind of ['workspace', 'page', 'talk', 'people', 'inbox'] as const) {
			expect(canWrite('editor', kind)).toBe(true);
			expect(canWrite('admin', kind)).toBe(true);
		}
	});

	it('[R3] an inbox room opens only for its own member, and only in the token\'s workspace', () => {
		const claims = { workspaceId: 'ws1', memberId: 'm1' };
		expect(refuseRoom(claims, parseRoomName('ws1/@inbox/m1')!)).toBeNull();
		expect(refuseRoom(claims, parseRoomName('ws1/@inbox/m2')!)).toMatch(/another member/);
		expect(refuseRoom(claims, parseRoomName('ws2/@inbox/m1')!)).toMatch(/another workspace/);
		expect(refuseRoom(claims, parseRoomName('ws1/p1/talk')!)).toBeNull();
		expect(refuseRoom(claims, parseRoomName('ws2/p1')!)).toMatch(/another workspace/);
	});

	it('[R13] token claims need ws, role, sub and exp of the right shapes', () => {
		expect(claimsFromPayload({ ws: 'ws1', role: 'editor', sub: 'm1', exp: 10 })).toEqual({
			workspaceId: 'ws1',
			role: 'editor',
			memberId: 'm1',
			expiresAt: 10
		});
		expect(claimsFromPayload({ ws: 'ws1', role: 'owner', sub: 'm1', exp: 10 })).toBeNull();
		expect(claimsFromPayload({ ws: 'ws1', role: 'editor', sub: 'm1' })).toBeNull();
		expect(claimsFromPayload({ ws: 'w s', role: 'editor', sub: 'm1', exp: 1 })).toBeNull();
	});

	it('close codes: auth and room-name failures are fatal, unavailability is not', () => {
		expect(fatalCloseCodes.has(CloseCode.unauthorized)).toBe(true);
		expect(fatalCloseCodes.has(CloseCode.forbidden)).toBe(true);
		expect(fatalCloseCodes.has(CloseCode.roomUnavailable)).toBe(false);
	});
});
