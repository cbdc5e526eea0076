/**
 * Puts the cold-sync workspace into a server before the clock starts, through the server's own
 * sockets: one y-websocket client per room (bench/relay/client.ts) holding the room's state, which
 * its answer to the server's step 1 uploads. A room counts as seeded when a second client reading
 * the room gets the whole state back. (Our relay acknowledges durable writes only on multiplexed
 * sockets or to clients offering `meridian.v1`, PROTOCOL.md [R14], and the y-websocket server never
 * does; stopping our relay afterwards commits whatever it still holds, which is why the scenario
 * stops it before copying its data directory.)
 */
import * as Y from 'yjs';
import { BenchClient } from '../relay/client.ts';
import type { BenchServer } from '../relay/servers.ts';
import type { ColdWorkspace, SeedRoom } from './workspace.ts';

/** Rooms seeded at once: enough to keep the server busy, few enough not to queue up a thousand sockets. */
const CONCURRENCY = 32;

async function seedRoom(server: BenchServer, token: string, seed: SeedRoom): Promise<void> {
	const doc = new Y.Doc({ gc: false });
	Y.applyUpdate(doc, seed.update);
	const client = new BenchClient({ server, room: seed.room, token, doc });
	try {
		await client.ready();
	} finally {
		await client.close();
	}
	if (client.error) throw client.error;
	// Read it back: the socket above closed after sending, and messages in flight are not proof.
	const reader = new BenchClient({ server, room: seed.room, token });
	try {
		await reader.ready();
		const missing = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(reader.doc));
		if (Y.decodeUpdate(missing).structs.length > 0) throw new Error(`${seed.room}: the server does not hold what was seeded`);
	} finally {
		await reader.close();
	}
}

/** Seeds every room of `workspace` into `server`; resolves when the server holds them all. */
export async function seedServer(server: BenchServer, workspace: ColdWorkspace): Promise<void> {
	const token = await server.token(workspace.workspaceId, 'ana');
	const queue = [...workspace.rooms];
	const worker = async () => {
		for (let seed = queue.shift(); seed; seed = queue.shift()) await seedRoom(server, token, seed);
	};
	await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}
