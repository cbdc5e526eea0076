/**
 * The authorisation matrix against a real relay process: every role × document kind × message
 * type, plus an expired token, a token signed with another secret and a token for another
 * workspace. For each cell it checks what was applied (a peer in the room hears it), stored (the
 * SQLite file holds it), acknowledged, and what the sender was told. The expected table is
 * written out here (PROTOCOL.md "Roles"), not computed from canWrite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode, readOnlyReason, type Role } from '../../src/lib/protocol/index.ts';
import { signToken } from '../../server/auth.ts';
import { RecordingSocket, meridianProtocols, waitFor } from './clients.ts';
import { RawPeer, awarenessMessage, storedDoc, storedRows, syncMessage } from './raw-peer.ts';
import { spawnRelay, stopAllRelays, type RelayProcess } from './relay-process.ts';

type Kind = 'workspace' | 'page' | 'talk' | 'people' | 'ownInbox' | 'otherInbox';
type Access = 'write' | 'read' | 'none';

/** PROTOCOL.md "Roles", [R3], [R15]. */
const expected: Record<Role, Record<Kind, Access>> = {
	viewer: { workspace: 'read', page: 'read', talk: 'read', people: 'write', ownInbox: 'write', otherInbox: 'none' },
	commenter: { workspace: 'read', page: 'read', talk: 'write', people: 'write', ownInbox: 'write', otherInbox: 'none' },
	editor: { workspace: 'write', page: 'write', talk: 'write', people: 'write', ownInbox: 'write', otherInbox: 'none' },
	admin: { workspace: 'write', page: 'write', talk: 'write', people: 'write', ownInbox: 'write', otherInbox: 'none' }
};
const kinds = Object.keys(expected.viewer) as Kind[];
const roles = Object.keys(expected) as Role[];

function roomsOf(role: Role): Record<Kind, string> {
	return {
		workspace: 'ws1',
		page: `ws1/page-${role}`,
		talk: `ws1/page-${role}/talk`,
		people: 'ws1/@people',
		ownInbox: `ws1/@inbox/m-${role}`,
		otherInbox: 'ws1/@inbox/m-owner'
	};
}

/** An update setting `key` in map 'm', from a fresh client. */
function setting(key: string): Uint8Array {
	const doc = new Y.Doc();
	doc.getMap('m').set(key, true);
	return Y.encodeStateAsUpdate(doc);
}

let relay: RelayProcess;
/** Owner of the other member's inbox: hears whatever gets into it. */
let owner: RawPeer;
beforeAll(async () => {
	relay = await spawnRelay();
	owner = new RawPeer(relay.syncUrl, await relay.token('viewer', 'ws1', { memberId: 'm-owner' }));
	await owner.opened;
	await owner.barrier('ws1/@inbox/m-owner');
});
afterAll(async () => {
	owner?.close();
	await relay?.kill();
	await stopAllRelays();
});

describe('authorisation matrix', () => {
	it.each(roles)('[R3][R15][R16][R26] %s: sync step 1, step 2, update and awareness in every kind of room', async (role) => {
		const rooms = roomsOf(role);
		const subject = new RawPeer(relay.syncUrl, await relay.token(role));
		// Hears the shared rooms as an admin; the subject's own inbox through a second connection of the same member.
		const observer = new RawPeer(relay.syncUrl, await relay.token('admin', 'ws1', { memberId: `obs-${role}` }));
		const twin = new RawPeer(relay.syncUrl, await relay.token(role));
		await Promise.all([subject.opened, observer.opened, twin.opened]);
		const watcherOf = (kind: Kind): RawPeer => (kind === 'ownInbox' ? twin : kind === 'otherInbox' ? owner : observer);
		for (const kind of kinds) if (kind !== 'otherInbox') await watcherOf(kind).barrier(rooms[kind]);

		// Sync step 1 joins every room it may open; the other member's inbox is refused, connection kept.
		for (const kind of kinds) subject.step1(rooms[kind]);
		await waitFor(() => kinds.every((k) => subject.log(rooms[k]).step2.length + subject.log(rooms[k]).roomErrors.length > 0), 'join answers');
		for (const kind of kinds) {
			const log = subject.log(rooms[kind]);
			const cell = { role, kind, answered: log.step2.length, errors: log.roomErrors };
			if (expected[role][kind] === 'none') {
				expect(cell).toEqual({ role, kind, answered: 0, errors: [{ code: CloseCode.forbidden, reason: "another member's room" }] });
			} else {
				expect(cell).toEqual({ role, kind, answered: 1, errors: [] });
			}
		}

		// Step 2 (the answer to the relay's step 1), an update, and awareness claiming another member.
		const clientId = 1000 + roles.indexOf(role);
		for (const kind of kinds) {
			subject.send(rooms[kind], syncMessage(1, setting(`${role}-step2`)));
			subject.send(rooms[kind], syncMessage(2, setting(`${role}-update`)));
			subject.send(rooms[kind], awarenessMessage(clientId, 1, { user: { name: 'Impostor', memberId: 'm-owner' } }));
		}
		for (const kind of kinds) if (expected[role][kind] !== 'none') await subject.barrier(rooms[kind]);
		subject.step1(rooms.otherInbox);
		await waitFor(() => subject.log(rooms.otherInbox).roomErrors.length === 2, 'second refusal of the other inbox');
		for (const kind of kinds) if (kind !== 'otherInbox') await watcherOf(kind).barrier(rooms[kind]);
		await owner.barrier(rooms.otherInbox);
		for (const kind of kinds) {
			if (expected[role][kind] === 'write') await waitFor(() => subject.log(rooms[kind]).stored >= 2, `stored acks in ${rooms[kind]}`);
		}

		const stored = storedRows(relay.dataDir);
		for (const kind of kinds) {
			const room = rooms[kind];
			const access = expected[role][kind];
			const heard = watcherOf(kind).doc(room).getMap('m');
			const kept = storedDoc(stored, room).getMap('m');
			const presence = watcherOf(kind).presence(room).get(clientId) as { user?: Record<string, unknown> } | undefined;
			const log = subject.log(room);
			const cell = {
				role,
				kind,
				forwarded: [heard.has(`${role}-step2`), heard.has(`${role}-update`)],
				stored: [kept.has(`${role}-step2`), kept.has(`${role}-update`)],
				acked: log.stored,
				told: log.auth,
				presence: presence?.user ?? null
			};
			const wrote = access === 'write';
			expect(cell).toEqual({
				role,
				kind,
				forwarded: [wrote, wrote],
				stored: [wrote, wrote],
				acked: wrote ? 2 : 0,
				told: access === 'read' ? [readOnlyReason] : [],
				// Any role's presence is forwarded, stamped with its own member id ([R26]); none in a refused room.
				presence: access === 'none' ? null : { name: 'Impostor', memberId: `m-${role}` }
			});
		}
		for (const peer of [subject, observer, twin]) expect(peer.socket.closeInfo).toBeNull();
		subject.close();
		observer.close();
		twin.close();
	});
});

describe('per-room sockets (stock y-websocket framing)', () => {
	it.each(roles)('[R1][R15] %s on /sync/<page room>: a write is stored and acknowledged, or answered read-only and not stored', async (role) => {
		const room = `ws1/stock-${role}`;
		const socket = new RecordingSocket(`${relay.syncUrl}/${room}`, meridianProtocols(await relay.token(role)));
		await socket.opened;
		socket.send(syncMessage(2, setting(`${role}-stock`)));
		// A step 1 of ours is answered with a step 2 after the write was handled.
		socket.send(syncMessage(0, Y.encodeStateVector(new Y.Doc())));
		await waitFor(() => socket.messages.some((m) => m[0] === 0 && m[1] === 1), 'step 2 answer');
		const writes = expected[role].page === 'write';
		if (writes) await waitFor(() => socket.messages.some((m) => m[0] === 4), 'stored');
		const told = socket.messages.filter((m) => m[0] === 2);
		expect({ role, told: told.length, stored: socket.messages.some((m) => m[0] === 4) }).toEqual({ role, told: writes ? 0 : 1, stored: writes });
		expect(storedDoc(storedRows(relay.dataDir), room).getMap('m').has(`${role}-stock`)).toBe(writes);
		expect(socket.closeInfo).toBeNull();
		socket.close();
	});
});

describe('tokens that open nothing', () => {
	const bad = async (): Promise<Record<string, string>> => ({
		expired: await relay.token('admin', 'ws1', { expiresInSeconds: -60 }),
		'another secret': await signToken(new TextEncoder().encode('another-secret-0123456789abcdef'), {
			workspaceId: 'ws1',
			role: 'admin',
			memberId: 'm-admin',
			expiresInSeconds: 3600
		})
	});

	it('[R2] expired, or signed with another secret: 4401 before any byte, on both endpoints; nothing they sent is stored', async () => {
		const before = storedRows(relay.dataDir);
		for (const [what, token] of Object.entries(await bad())) {
			const peer = new RawPeer(relay.syncUrl, token);
			peer.socket.ws.once('open', () => {
				for (const room of Object.values(roomsOf('admin'))) {
					peer.step1(room);
					peer.send(room, syncMessage(2, setting(`bad-${what}`)));
					peer.send(room, awarenessMessage(7, 1, { user: { name: what } }));
				}
			});
			const closed = await peer.socket.closed;
			expect({ what, code: closed.code, messages: peer.socket.messages.length }).toEqual({ what, code: CloseCode.unauthorized, messages: 0 });
			const perRoom = new RecordingSocket(`${relay.syncUrl}/ws1/page-admin`, meridianProtocols(token));
			const perRoomClosed = await perRoom.closed;
			expect({ what, code: perRoomClosed.code, messages: perRoom.messages.length }).toEqual({ what, code: CloseCode.unauthorized, messages: 0 });
		}
		expect(storedRows(relay.dataDir)).toEqual(before);
	});

	it('[R3] a token for another workspace: every room of ws1 refused with 4403 and nothing of it stored or forwarded', async () => {
		const rooms = roomsOf('admin');
		const observer = new RawPeer(relay.syncUrl, await relay.token('admin', 'ws1', { memberId: 'obs-foreign' }));
		const foreign = new RawPeer(relay.syncUrl, await relay.token('admin', 'ws2', { memberId: 'm-admin' }));
		await Promise.all([observer.opened, foreign.opened]);
		const shared = [rooms.workspace, rooms.page, rooms.talk, rooms.people];
		for (const room of shared) await observer.barrier(room);
		const before = storedRows(relay.dataDir);
		for (const room of Object.values(rooms)) {
			foreign.step1(room);
			foreign.send(room, syncMessage(1, setting('foreign-step2')));
			foreign.send(room, syncMessage(2, setting('foreign-update')));
			foreign.send(room, awarenessMessage(4242, 1, { user: { name: 'foreign' } }));
		}
		// Its own workspace is served on the same connection: proof it was handled in order.
		await foreign.barrier('ws2');
		for (const room of shared) await observer.barrier(room);
		for (const room of Object.values(rooms)) {
			const log = foreign.log(room);
			expect({ room, errors: log.roomErrors.map((e) => e.code), step2: log.step2.length, stored: log.stored }).toEqual({
				room,
				errors: [CloseCode.forbidden],
				step2: 0,
				stored: 0
			});
		}
		for (const room of shared) {
			expect(observer.doc(room).getMap('m').has('foreign-update')).toBe(false);
			expect(observer.presence(room).has(4242)).toBe(false);
		}
		expect(storedRows(relay.dataDir)).toEqual(before);
		const perRoom = new RecordingSocket(`${relay.syncUrl}/ws1/page-admin`, meridianProtocols(await relay.token('editor', 'ws2')));
		expect((await perRoom.closed).code).toBe(CloseCode.forbidden);
		expect(perRoom.messages).toHaveLength(0);
		observer.close();
		foreign.close();
	});
});
