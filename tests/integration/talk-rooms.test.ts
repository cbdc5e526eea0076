/**
 * A page's discussion room `<ws>/<page>/talk` through a real relay: the document where decision
 * positions live (src/lib/model/decisions.ts), written by commenters while the workspace document
 * (where the status log lives) stays closed to them. Roles are enforced per document ([R15],
 * protocol/rooms.ts canWrite): a refused write is not applied, stored, forwarded or acknowledged.
 *
 * A refusal is proven without sleeping: after the refused write, the writer sends sync step 1 on
 * the same socket and waits for the answer, so the relay has handled the write by then (a socket's
 * messages are handled in order, also while a room loads); a client that joins afterwards then
 * reads the relay's document as it is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import {
	MessageType,
	SyncType,
	encodeFrame,
	encodeMessage,
	talkRoom,
	workspaceRoom,
	type Role
} from '../../src/lib/protocol/index.ts';
import {
	changeStatus,
	createDecision,
	initWorkspace,
	listPositions,
	readDecision,
	recordPosition,
	type Actor,
	type Decision
} from '../../src/lib/model/index.ts';
import { MuxClient, waitFor } from './clients.ts';
import { spawnRelay, stopAllRelays, type RelayProcess } from './relay-process.ts';

const WS = 'ws1';
const DECISION = 'decisionTalk01';
const TALK = talkRoom(WS, DECISION);
const WORKSPACE = workspaceRoom(WS);

let relay: RelayProcess;
let editor: MuxClient;
let editorWorkspace: Y.Doc;
let editorTalk: Y.Doc;
const clients: MuxClient[] = [];

async function connect(role: Role, memberId: string): Promise<MuxClient> {
	const client = new MuxClient(relay.syncUrl, await relay.token(role, WS, { memberId }));
	clients.push(client);
	await client.opened;
	return client;
}

/** Joins a room and waits for the relay's first answer (the room is loaded and the doc synced). */
async function joined(client: MuxClient, room: string): Promise<Y.Doc> {
	const doc = client.join(room);
	await waitFor(() => (client.syncMessages.get(room) ?? 0) > 0, `${room} joined`);
	return doc;
}

/**
 * Resolves once the relay has handled everything `client` sent in `room` so far: sync step 1 on
 * the same socket is answered only after the messages before it.
 */
async function relayHandled(client: MuxClient, room: string): Promise<void> {
	const before = client.syncMessages.get(room) ?? 0;
	const doc = client.docs.get(room);
	if (!doc) throw new Error(`not in ${room}`);
	const step1 = encodeMessage((encoder) => {
		encoding.writeVarUint(encoder, MessageType.sync);
		encoding.writeVarUint(encoder, SyncType.step1);
		encoding.writeVarUint8Array(encoder, Y.encodeStateVector(doc));
	});
	client.socket.send(encodeFrame(room, step1));
	await waitFor(() => (client.syncMessages.get(room) ?? 0) > before, `relay handled ${room}`);
}

/** The relay's document as a client joining now gets it. */
async function relayCopy(room: string): Promise<Y.Doc> {
	const reader = await connect('viewer', 'reader');
	const doc = await joined(reader, room);
	reader.close();
	return doc;
}

function decisionIn(doc: Y.Doc): Decision {
	const decision = readDecision(doc, DECISION);
	if (!decision) throw new Error('no decision record');
	return decision;
}

beforeAll(async () => {
	relay = await spawnRelay();
	editor = await connect('editor', 'ed');
	editorWorkspace = await joined(editor, WORKSPACE);
	const actor: Actor = { memberId: 'ed', now: Date.now() };
	initWorkspace(editorWorkspace, 'Acme', actor);
	createDecision(
		editorWorkspace,
		{ id: DECISION, title: 'Use Postgres', owner: 'ed', decideBy: actor.now + 7 * 86_400_000, deciders: ['ed', 'cora'], consulted: ['vic'] },
		actor
	);
	await editor.allStored(WORKSPACE);
	editorTalk = await joined(editor, TALK);
});

afterAll(async () => {
	for (const client of clients) client.close();
	await relay?.kill();
	await stopAllRelays();
});

describe('decision positions in a page’s talk room', () => {
	it('[R15] a commenter records a position in the talk room: stored, and an editor’s client receives it', async () => {
		const commenter = await connect('commenter', 'cora');
		const workspace = await joined(commenter, WORKSPACE);
		await waitFor(() => readDecision(workspace, DECISION) !== null, 'the commenter reads the decision');
		const talk = await joined(commenter, TALK);
		recordPosition(
			talk,
			decisionIn(workspace),
			{ stance: 'agree-with-concerns', rationale: 'Fine, if someone owns the backups.', name: 'Cora' },
			{ memberId: 'cora', now: Date.now() }
		);
		await commenter.allStored(TALK);
		await waitFor(() => listPositions(editorTalk).some((p) => p.memberId === 'cora'), 'the editor receives the position');
		const expected = [{ memberId: 'cora', name: 'Cora', stance: 'agree-with-concerns', rationale: 'Fine, if someone owns the backups.' }];
		expect(listPositions(editorTalk)).toMatchObject(expected);
		// Stored, not only forwarded: a client joining now gets it from the relay.
		expect(listPositions(await relayCopy(TALK))).toMatchObject(expected);

		// Changing it is another write the commenter may make.
		recordPosition(talk, decisionIn(workspace), { stance: 'agree', rationale: 'Backups sorted.', name: 'Cora' }, { memberId: 'cora', now: Date.now() });
		await commenter.allStored(TALK);
		await waitFor(() => listPositions(editorTalk).find((p) => p.memberId === 'cora')?.stance === 'agree', 'the editor sees the change');
	});

	it('[R15] a commenter’s write to the workspace document (accepting the decision) is not applied, stored or acknowledged', async () => {
		const commenter = await connect('commenter', 'cora');
		const workspace = await joined(commenter, WORKSPACE);
		await waitFor(() => readDecision(workspace, DECISION) !== null, 'the commenter reads the decision');
		// The model does not know roles: on the commenter's device the change is made…
		changeStatus(workspace, DECISION, 'accepted', 'Looks good to me', { memberId: 'cora', now: Date.now() });
		expect(decisionIn(workspace).status).toBe('accepted');
		await relayHandled(commenter, WORKSPACE);
		// …and the relay drops it.
		expect(commenter.writes.get(WORKSPACE) ?? 0).toBeGreaterThan(0);
		expect(commenter.stored.get(WORKSPACE) ?? 0).toBe(0);
		expect(decisionIn(await relayCopy(WORKSPACE))).toMatchObject({ status: 'proposed', log: [] });
		expect(decisionIn(editorWorkspace)).toMatchObject({ status: 'proposed', log: [] });
		// The same client's talk room is open to it all along.
		const talk = await joined(commenter, TALK);
		recordPosition(talk, { status: 'proposed' }, { stance: 'abstain', rationale: '', name: 'Cora' }, { memberId: 'cora', now: Date.now() });
		await commenter.allStored(TALK);
	});

	it('[R15] a viewer’s position is not applied, stored, forwarded or acknowledged', async () => {
		const viewer = await connect('viewer', 'vic');
		const workspace = await joined(viewer, WORKSPACE);
		await waitFor(() => readDecision(workspace, DECISION) !== null, 'the viewer reads the decision');
		const talk = await joined(viewer, TALK);
		const before = listPositions(talk);
		expect(before.map((p) => p.memberId)).not.toContain('vic');
		recordPosition(talk, { status: 'proposed' }, { stance: 'disagree', rationale: 'Too costly', name: 'Vic' }, { memberId: 'vic', now: Date.now() });
		expect(listPositions(talk).map((p) => p.memberId)).toContain('vic');
		await relayHandled(viewer, TALK);
		expect(viewer.writes.get(TALK) ?? 0).toBeGreaterThan(0);
		expect(viewer.stored.get(TALK) ?? 0).toBe(0);
		expect(listPositions(await relayCopy(TALK))).toEqual(before);
		// The editor, in the room all along, got nothing from the viewer: had the relay forwarded the
		// write, it would have reached the editor's socket before the answer to this step 1.
		await relayHandled(editor, TALK);
		expect(listPositions(editorTalk)).toEqual(before);
	});
});
