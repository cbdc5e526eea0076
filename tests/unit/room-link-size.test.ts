/**
 * A change too large for the relay (src/lib/sync/room-link.ts): sent, it would close the shared
 * socket with 1009 — every room of the workspace, again on each reconnect, since the change stays
 * in the document. The link holds it back, shows its room in error, and the other rooms sync on.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { CloseCode, MessageType, encodeFrame, encodeMessage, writeStored } from '../../src/lib/protocol/index.ts';
import { RoomLink, relayMessageLimit } from '../../src/lib/sync/room-link.ts';
import { describeRoomRefusal } from '../../src/lib/sync/status.ts';

/** One socket shared by several links, as the multiplexed connection is; records framed messages. */
class SharedSocket {
	isOpen = true;
	readonly frames: Uint8Array[] = [];
	transport(room: string) {
		return {
			send: (message: Uint8Array): boolean => {
				if (!this.isOpen) return false;
				this.frames.push(encodeFrame(room, message));
				return true;
			},
			get isOpen() {
				return true;
			}
		};
	}
}

const relayStep1 = encodeMessage((e) => {
	encoding.writeVarUint(e, MessageType.sync);
	syncProtocol.writeSyncStep1(e, new Y.Doc());
});
const relayStep2 = encodeMessage((e) => {
	encoding.writeVarUint(e, MessageType.sync);
	syncProtocol.writeSyncStep2(e, new Y.Doc());
});
const stored = (count: number) => encodeMessage((e) => writeStored(e, count));
const limit = 2000;

describe('a change larger than the relay accepts', () => {
	it('the default limit is the minimum every relay accepts (PROTOCOL.md, Limits)', () => {
		expect(relayMessageLimit).toBe(16 * 1024 * 1024);
	});

	it('is not sent; its room shows the error with the size, the others keep syncing; a reconnect holds it back again', () => {
		const socket = new SharedSocket();
		const bigDoc = new Y.Doc();
		bigDoc.getText('t').insert(0, 'x'.repeat(3000));
		const smallDoc = new Y.Doc();
		smallDoc.getText('t').insert(0, 'small');
		const big = new RoomLink('ws/big', bigDoc, socket.transport('ws/big'), { canWrite: true, maxMessageBytes: limit });
		const small = new RoomLink('ws/small', smallDoc, socket.transport('ws/small'), { canWrite: true, maxMessageBytes: limit });
		for (let attempt = 0; attempt < 2; attempt++) {
			socket.frames.length = 0;
			big.connected();
			small.connected();
			big.receive(relayStep1);
			small.receive(relayStep1);
			// Each link's step 1 went out, but only the small room's step-2 reply.
			expect(socket.frames.every((frame) => frame.byteLength <= limit)).toBe(true);
			expect(socket.frames).toHaveLength(3);
			expect(big.state).toEqual({
				kind: 'error',
				code: CloseCode.tooLarge,
				reason: 'This page has a change larger than the relay accepts (0.1 MB); it stays on this device'
			});
			small.receive(relayStep2);
			small.receive(stored(1));
			expect(small.state).toEqual({ kind: 'stored' });
		}
		expect(describeRoomRefusal(CloseCode.tooLarge, big.state.kind === 'error' ? big.state.reason : '')).toBe('This page has a change larger than the relay accepts (0.1 MB); it stays on this device');

		// A small edit to the big page afterwards is held back too: acknowledged, it would count
		// the large change before it as stored.
		const before = socket.frames.length;
		bigDoc.getText('t').insert(0, 'k');
		expect(socket.frames).toHaveLength(before);
		expect(big.state.kind).toBe('error');
		expect(big.hasUnstored).toBe(true);
		smallDoc.getText('t').insert(0, 'k');
		expect(socket.frames).toHaveLength(before + 1);
	});

	it('a message at the limit, frame included, is sent', () => {
		const socket = new SharedSocket();
		const doc = new Y.Doc();
		doc.getText('t').insert(0, 'y'.repeat(100));
		const probe = new RoomLink('ws/p', doc, socket.transport('ws/p'), { canWrite: true, maxMessageBytes: 1 << 20 });
		probe.connected();
		probe.receive(relayStep1);
		const size = socket.frames[1]!.byteLength;
		const exact = new RoomLink('ws/p', doc, socket.transport('ws/p'), { canWrite: true, maxMessageBytes: size });
		exact.connected();
		exact.receive(relayStep1);
		expect(socket.frames[3]!.byteLength).toBe(size);
		expect(exact.state.kind).not.toBe('error');
		const under = new RoomLink('ws/p', doc, socket.transport('ws/p'), { canWrite: true, maxMessageBytes: size - 1 });
		under.connected();
		under.receive(relayStep1);
		expect(socket.frames).toHaveLength(5);
		expect(under.state.kind).toBe('error');
	});
});
