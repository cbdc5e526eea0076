/**
 * The client side of the durable acknowledgement (src/lib/sync/room-link.ts), against a relay
 * played by hand: the test decides what the relay sends and when it acknowledges.
 *   [L1] nothing is called stored before the relay acknowledges this connection's step-2 reply
 *   [L2] a change made before the relay's step 1 arrives is not sent ahead of the step-2 reply
 *        (an ack for it would otherwise be taken as covering the offline work the reply carries)
 *   [L3] a state vector remembered from an earlier connection shows "stored" only while offline;
 *        online, the relay must confirm this connection's step-2 reply first (restored backups)
 *   [L4] offline, a document holding nothing is not waiting for the relay; one holding changes
 *        the relay never confirmed is, until it does
 *   [L5] a new device whose doc holds only what the relay sent does not answer the relay's step 1
 *        on its first connection (it has nothing the relay lacks) and is stored at once; with
 *        anything of its own — a change here or from another tab — or on a later connection, the
 *        answer carries the doc
 *   [L6] with a Deferral, a new device's first copy (and what follows it until applied) is stored
 *        as it arrives and applied later: `received` at once, `synced` once applied; applying hands
 *        the doc's listeners the received bytes as `stored` (not to be stored again), and only then
 *        is the doc's state recorded as on the relay; after that the link applies at once
 *   [L7] deferred content is applied before a reconnect's step 1 (which then states it) and when
 *        the socket closes; a doc holding anything, or one asked for (`applyDeferred`) before its
 *        copy came, is never deferred
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import { MessageType, encodeMessage, writeStored } from '../../src/lib/protocol/index.ts';
import { RoomLink } from '../../src/lib/sync/room-link.ts';
import { Origin } from '../../src/lib/model/origins.ts';

class HandTransport {
	isOpen = false;
	readonly sent: Uint8Array[] = [];
	send(message: Uint8Array): boolean {
		if (!this.isOpen) return false;
		this.sent.push(message);
		return true;
	}
	/** The sync writes (step 2 and updates) sent so far, applied to a copy of what the relay holds. */
	writes(): { syncType: number; update: Uint8Array }[] {
		return this.sent.flatMap((message) => {
			const decoder = decoding.createDecoder(message);
			if (decoding.readVarUint(decoder) !== MessageType.sync) return [];
			const syncType = decoding.readVarUint(decoder);
			if (syncType === syncProtocol.messageYjsSyncStep1) return [];
			return [{ syncType, update: decoding.readVarUint8Array(decoder) }];
		});
	}
}

const relayStep1 = (relay: Y.Doc) =>
	encodeMessage((e) => {
		encoding.writeVarUint(e, MessageType.sync);
		syncProtocol.writeSyncStep1(e, relay);
	});
const relayStep2 = (relay: Y.Doc, client: Y.Doc) =>
	encodeMessage((e) => {
		encoding.writeVarUint(e, MessageType.sync);
		syncProtocol.writeSyncStep2(e, relay, Y.encodeStateVector(client));
	});
const stored = (count: number) => encodeMessage((e) => writeStored(e, count));
const relayUpdate = (update: Uint8Array) =>
	encodeMessage((e) => {
		encoding.writeVarUint(e, MessageType.sync);
		syncProtocol.writeUpdate(e, update);
	});

/** A Deferral that records what the link stores and schedules. */
function recordingDeferral() {
	const stored: Uint8Array[] = [];
	const scheduled: RoomLink[] = [];
	return { stored, scheduled, deferral: { store: (update: Uint8Array) => void stored.push(update), schedule: (link: RoomLink) => void scheduled.push(link) } };
}

/** The state vector in a step-1 message this link sent. */
function sentStateVector(message: Uint8Array): Uint8Array {
	const decoder = decoding.createDecoder(message);
	expect(decoding.readVarUint(decoder)).toBe(MessageType.sync);
	expect(decoding.readVarUint(decoder)).toBe(syncProtocol.messageYjsSyncStep1);
	return decoding.readVarUint8Array(decoder);
}

describe('room link acknowledgements', () => {
	it('[L1][L2] offline work is stored only when the step-2 reply carrying it is acknowledged', () => {
		const doc = new Y.Doc();
		doc.getText('t').insert(0, 'offline work');
		const transport = new HandTransport();
		const link = new RoomLink('ws/p', doc, transport, { canWrite: true });
		const relay = new Y.Doc();

		transport.isOpen = true;
		link.connected();
		// A keystroke lands before the relay's step 1: it must not go out as write 1.
		doc.getText('t').insert(0, '!');
		expect(transport.writes()).toEqual([]);
		link.receive(relayStep2(relay, doc));
		link.receive(relayStep1(relay));
		const writes = transport.writes();
		expect(writes.map((w) => w.syncType)).toEqual([syncProtocol.messageYjsSyncStep2]);
		Y.applyUpdate(relay, writes[0]!.update);
		expect(relay.getText('t').toString()).toBe('!offline work');
		expect(link.state.kind).toBe('pending');
		link.receive(stored(1));
		expect(link.state.kind).toBe('stored');
		// Later changes go out as updates, numbered after the reply.
		doc.getText('t').insert(0, '+');
		expect(transport.writes().map((w) => w.syncType)).toEqual([syncProtocol.messageYjsSyncStep2, syncProtocol.messageYjsUpdate]);
		expect(link.state.kind).toBe('pending');
		link.receive(stored(2));
		expect(link.state.kind).toBe('stored');
	});

	it('[L3] a remembered state vector is not proof while connected: the relay confirms again', () => {
		const doc = new Y.Doc();
		doc.getText('t').insert(0, 'was stored once');
		const transport = new HandTransport();
		const link = new RoomLink('ws/p', doc, transport, { canWrite: true, storedStateVector: Y.encodeStateVector(doc) });
		// Offline, the remembered record is all there is: nothing of ours is waiting.
		expect(link.state.kind).toBe('offline');
		expect(link.hasUnstored).toBe(false);
		// The relay was restored from an older backup: it has nothing.
		const relay = new Y.Doc();
		transport.isOpen = true;
		link.connected();
		link.receive(relayStep2(relay, doc));
		expect(link.synced).toBe(true);
		expect(link.state.kind).not.toBe('stored');
		link.receive(relayStep1(relay));
		expect(link.hasUnstored).toBe(true);
		link.receive(stored(1));
		expect(link.state.kind).toBe('stored');
		expect(link.hasUnstored).toBe(false);
	});

	it('[L4] offline, an empty document never synced is not waiting for the relay; one with changes is', () => {
		const transport = new HandTransport();
		const empty = new RoomLink('ws1/p1/talk', new Y.Doc(), transport, { canWrite: true, storedStateVector: null });
		expect(empty.hasUnstored).toBe(false);
		expect(empty.state.kind).toBe('offline');
		empty.doc.getMap('m').set('k', 1);
		expect(empty.hasUnstored).toBe(true);

		const written = new Y.Doc();
		written.getText('t').insert(0, 'offline work');
		const link = new RoomLink('ws1/p2', written, new HandTransport(), { canWrite: true, storedStateVector: null });
		expect(link.hasUnstored).toBe(true);
	});

	it('[L5] a new device sends no answer to the relay\'s step 1 on its first connection, and the doc once anything is its own', () => {
		const relay = new Y.Doc();
		relay.getText('t').insert(0, 'written elsewhere, partly deleted');
		relay.getText('t').delete(0, 8);
		const join = (doc: Y.Doc, before?: (link: RoomLink) => void) => {
			const transport = new HandTransport();
			const link = new RoomLink('ws/p', doc, transport, { canWrite: true });
			transport.isOpen = true;
			link.connected();
			link.receive(relayStep2(relay, doc));
			before?.(link);
			link.receive(relayStep1(relay));
			return { link, transport };
		};

		const fresh = join(new Y.Doc());
		expect(fresh.transport.writes()).toEqual([]);
		expect(fresh.link.state.kind).toBe('stored');
		expect(fresh.link.storedStateVector).toEqual(Y.encodeStateVector(relay));
		// Its first change is write 1 of the connection, acknowledged as such.
		fresh.link.doc.getText('t').insert(0, '+');
		expect(fresh.transport.writes().map((w) => w.syncType)).toEqual([syncProtocol.messageYjsUpdate]);
		expect(fresh.link.state.kind).toBe('pending');
		fresh.link.receive(stored(1));
		expect(fresh.link.state.kind).toBe('stored');
		// A later connection answers with the doc again (the relay may have lost what it sent: a restored backup).
		fresh.transport.isOpen = false;
		fresh.link.disconnected();
		fresh.transport.sent.length = 0;
		fresh.transport.isOpen = true;
		fresh.link.connected();
		fresh.link.receive(relayStep1(new Y.Doc()));
		const again = new Y.Doc();
		Y.applyUpdate(again, fresh.transport.writes()[0]!.update);
		expect(again.getText('t').toString()).toBe(`+${relay.getText('t').toString()}`);

		// A change made here before the relay's step 1, or one from another tab, goes in the answer.
		const typed = join(new Y.Doc(), (link) => link.doc.getText('t').insert(0, '+'));
		expect(typed.transport.writes().map((w) => w.syncType)).toEqual([syncProtocol.messageYjsSyncStep2]);
		const fromTab = join(new Y.Doc(), (link) => {
			const tab = new Y.Doc();
			tab.getMap('m').set('from', 'tab');
			Y.applyUpdate(link.doc, Y.encodeStateAsUpdate(tab), Origin.tab);
		});
		const carried = new Y.Doc();
		Y.applyUpdate(carried, fromTab.transport.writes()[0]!.update);
		expect(carried.getMap('m').get('from')).toBe('tab');
	});
});

describe('deferred application', () => {
	it('[L6] a new device stores its first copy as it arrives and applies it later; received at once, synced once applied', () => {
		const relay = new Y.Doc();
		relay.getText('t').insert(0, 'written elsewhere');
		let last: Uint8Array | null = null;
		relay.on('update', (update: Uint8Array) => (last = update));
		const { stored: storedUpdates, scheduled, deferral } = recordingDeferral();
		const doc = new Y.Doc();
		const heard: unknown[] = [];
		doc.on('update', (_update: Uint8Array, origin: unknown) => heard.push(origin));
		const transport = new HandTransport();
		const link = new RoomLink('ws/p', doc, transport, { canWrite: true, deferral });
		transport.isOpen = true;
		link.connected();
		link.receive(relayStep2(relay, doc));

		expect(storedUpdates).toHaveLength(1);
		const copy = new Y.Doc();
		Y.applyUpdate(copy, storedUpdates[0]!);
		expect(copy.getText('t').toString()).toBe('written elsewhere');
		expect(doc.getText('t').toString()).toBe('');
		expect(link.received).toBe(true);
		expect(link.synced).toBe(false);
		expect(link.state.kind).toBe('syncing');
		expect(link.hasDeferred).toBe(true);
		expect(scheduled).toEqual([link]);

		// A teammate's update meanwhile waits behind it, stored too; the link is scheduled once.
		relay.getText('t').insert(0, '+');
		link.receive(relayUpdate(last!));
		expect(storedUpdates).toHaveLength(2);
		expect(scheduled).toHaveLength(1);
		// A new device answers the relay's step 1 with nothing ([L5]).
		link.receive(relayStep1(relay));
		expect(transport.writes()).toEqual([]);
		expect(heard).toEqual([]);
		// Nothing recorded as confirmed while the doc does not hold what the device does.
		expect(link.storedStateVector).toBeNull();

		link.applyDeferred();
		expect(doc.getText('t').toString()).toBe('+written elsewhere');
		expect(link.synced).toBe(true);
		expect(link.hasDeferred).toBe(false);
		expect(link.state.kind).toBe('stored');
		expect(link.storedStateVector).toEqual(Y.encodeStateVector(relay));
		expect(heard).toEqual([Origin.stored, Origin.stored]);
		expect(storedUpdates).toHaveLength(2);

		// From now on what arrives is applied at once, and stored by the doc's listeners, not here.
		relay.getText('t').insert(0, '!');
		link.receive(relayUpdate(last!));
		expect(doc.getText('t').toString()).toBe('!+written elsewhere');
		expect(heard.at(-1)).toBe(Origin.relay);
		expect(storedUpdates).toHaveLength(2);
		expect(transport.writes()).toEqual([]);
	});

	it('[L7] deferred content is applied on close and before a reconnect\'s step 1; a doc with content, or one asked for, is never deferred', () => {
		const relay = new Y.Doc();
		relay.getText('t').insert(0, 'the relay copy');

		const joining = recordingDeferral();
		const transport = new HandTransport();
		const link = new RoomLink('ws/p', new Y.Doc(), transport, { canWrite: true, deferral: joining.deferral });
		transport.isOpen = true;
		link.connected();
		link.receive(relayStep2(relay, link.doc));
		expect(link.hasDeferred).toBe(true);
		transport.isOpen = false;
		link.disconnected();
		expect(link.doc.getText('t').toString()).toBe('the relay copy');
		expect(link.synced).toBe(false);
		transport.sent.length = 0;
		transport.isOpen = true;
		link.connected();
		expect(sentStateVector(transport.sent[0]!)).toEqual(Y.encodeStateVector(relay));

		// A doc holding something of its own: applied at once, nothing stored by the link.
		const own = recordingDeferral();
		const written = new Y.Doc();
		written.getMap('m').set('mine', 1);
		const t2 = new HandTransport();
		const linked = new RoomLink('ws/q', written, t2, { canWrite: true, deferral: own.deferral });
		t2.isOpen = true;
		linked.connected();
		linked.receive(relayStep2(relay, written));
		expect(written.getText('t').toString()).toBe('the relay copy');
		expect(linked.synced).toBe(true);
		expect(own.stored).toEqual([]);

		// Opened before its copy came (the page shown during a join): applied at once.
		const opened = recordingDeferral();
		const t3 = new HandTransport();
		const eager = new RoomLink('ws/r', new Y.Doc(), t3, { canWrite: true, deferral: opened.deferral });
		eager.applyDeferred();
		t3.isOpen = true;
		eager.connected();
		eager.receive(relayStep2(relay, eager.doc));
		expect(eager.doc.getText('t').toString()).toBe('the relay copy');
		expect(eager.synced).toBe(true);
		expect(opened.stored).toEqual([]);
	});
});
