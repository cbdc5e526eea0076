/**
 * A room link whose member's role changes while it is open (src/lib/sync/room-link.ts `canWrite`,
 * set by workspace-session.ts from the relay's `GET /api/me`), against a relay played by hand:
 *   [LR1] demoted: nothing counts as waiting for the relay any more (it would refuse it), so the
 *         status does not say "not yet on the relay" for ever
 *   [LR2] promoted: on the fresh connection the session opens, the step-2 reply goes out as a
 *         counted write and later changes are sent; stored only once the relay acknowledges
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import { MessageType, encodeMessage, writeStored } from '../../src/lib/protocol/index.ts';
import { RoomLink } from '../../src/lib/sync/room-link.ts';

class HandTransport {
	isOpen = false;
	readonly sent: Uint8Array[] = [];
	send(message: Uint8Array): boolean {
		if (!this.isOpen) return false;
		this.sent.push(message);
		return true;
	}
	/** Sync step 2 and update messages sent so far (step 1 left out). */
	writes(): number[] {
		return this.sent.flatMap((message) => {
			const decoder = decoding.createDecoder(message);
			if (decoding.readVarUint(decoder) !== MessageType.sync) return [];
			const syncType = decoding.readVarUint(decoder);
			return syncType === syncProtocol.messageYjsSyncStep1 ? [] : [syncType];
		});
	}
}

const step1 = (relay: Y.Doc) =>
	encodeMessage((e) => {
		encoding.writeVarUint(e, MessageType.sync);
		syncProtocol.writeSyncStep1(e, relay);
	});
const step2 = (relay: Y.Doc, client: Y.Doc) =>
	encodeMessage((e) => {
		encoding.writeVarUint(e, MessageType.sync);
		syncProtocol.writeSyncStep2(e, relay, Y.encodeStateVector(client));
	});
const stored = (count: number) => encodeMessage((e) => writeStored(e, count));

function openLink(canWrite: boolean) {
	const doc = new Y.Doc();
	const relay = new Y.Doc();
	relay.getText('t').insert(0, 'on the relay');
	const transport = new HandTransport();
	const link = new RoomLink('ws/p', doc, transport, { canWrite });
	transport.isOpen = true;
	link.connected();
	link.receive(step2(relay, doc));
	link.receive(step1(relay));
	return { doc, relay, transport, link };
}

describe('room link when the role changes', () => {
	it('[LR1] a demoted link counts nothing as waiting for the relay', () => {
		const { doc, link } = openLink(true);
		doc.getText('t').insert(0, 'typed as an editor ');
		// The relay (now refusing this member's writes) never acknowledges them.
		expect(link.state.kind).toBe('pending');
		let changes = 0;
		link.onChange(() => changes++);
		link.canWrite = false;
		expect(changes).toBe(1);
		expect(link.canWrite).toBe(false);
		expect(link.hasUnstored).toBe(false);
		expect(link.state.kind).toBe('stored');
		// Setting the same value again announces nothing.
		link.canWrite = false;
		expect(changes).toBe(1);
	});

	it('[LR2] a promoted link writes again from the next connection, stored only when acknowledged', () => {
		const { doc, relay, transport, link } = openLink(false);
		// A new device holding only what the relay sent has nothing to answer with (room-link [L5]).
		expect(transport.writes()).toEqual([]);
		expect(link.state.kind).toBe('stored');
		link.canWrite = true;
		// The reconnect the session makes: the step-2 reply of the new connection is write 1.
		link.disconnected();
		transport.sent.length = 0;
		link.connected();
		link.receive(step2(relay, doc));
		link.receive(step1(relay));
		expect(transport.writes()).toEqual([syncProtocol.messageYjsSyncStep2]);
		expect(link.state.kind).toBe('pending');
		link.receive(stored(1));
		expect(link.state.kind).toBe('stored');
		doc.getText('t').insert(0, 'now an editor ');
		expect(transport.writes()).toEqual([syncProtocol.messageYjsSyncStep2, syncProtocol.messageYjsUpdate]);
		expect(link.state.kind).toBe('pending');
		link.receive(stored(2));
		expect(link.state.kind).toBe('stored');
	});
});
