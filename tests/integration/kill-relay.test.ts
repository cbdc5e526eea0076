/**
 * SIGKILL under a write load, 20 times: writers on real sockets keep inserting uniquely named
 * tokens into a few rooms while the relay process is killed at a seeded random moment; after each
 * restart, every token whose write the relay had acknowledged (`stored`, PROTOCOL.md [R12]) — in
 * this round or any before — must be served. Unacknowledged writes may or may not have survived;
 * the protocol promises nothing about them (their clients would resend them).
 *
 * The seed is printed and KILL_SEED=… reruns it (the kill moments are seeded; how far the relay
 * got by then is the machine's). A failing seed becomes a named regression test below.
 *
 * Speed: the time is the 21 relay starts, each of the run's bundle of server/main.ts
 * (relay-bundle.ts, ~0.2 s). One test starts the relay as `npm run relay` does (tsx on
 * server/main.ts) to keep that entry covered through a kill and a restart.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MuxClient, waitFor } from './clients.ts';
import { spawnRelay, stopAllRelays, type RelayProcess } from './relay-process.ts';
import { seeded } from '../support/seeded.ts';

afterAll(stopAllRelays);

const ROUNDS = 20;
const ROOMS = ['ws1/k0', 'ws1/k1', 'ws1/k2'];
const WRITERS = 2;


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Sent {
	readonly token: string;
	readonly room: string;
	/** The connection's write count once this token's write was sent: acknowledged when stored ≥ this. */
	readonly count: number;
	readonly writer: MuxClient;
}

/** Connects a writer and waits until it holds every room as the relay serves it. */
async function connect(relay: RelayProcess, index: number): Promise<MuxClient> {
	const client = new MuxClient(relay.syncUrl, await relay.token('editor', 'ws1', { memberId: `w${index}` }));
	await client.opened;
	for (const room of ROOMS) client.join(room);
	await waitFor(() => ROOMS.every((room) => (client.syncMessages.get(room) ?? 0) >= 2), 'writer synced');
	return client;
}

async function run(seed: number): Promise<{ acknowledged: number; sent: number }> {
	const rand = seeded(seed);
	const acknowledged = new Map<string, string>(); // token → room
	let sentTotal = 0;
	const relay = await spawnRelay();
	try {
		for (let round = 0; round <= ROUNDS; round++) {
			const writers = await Promise.all([...Array(WRITERS).keys()].map((i) => connect(relay, i)));
			// Everything acknowledged so far is served after the restart.
			for (const [token, room] of acknowledged) {
				const text = writers[0]!.text(room);
				if (!text.includes(`${token};`)) {
					throw new Error(`seed ${seed}, after kill ${round}: acknowledged ${token} missing from ${room}`);
				}
			}
			if (round === ROUNDS) {
				for (const writer of writers) writer.close();
				break;
			}

			const sent: Sent[] = [];
			let writing = true;
			const loads = writers.map(async (writer, w) => {
				for (let n = 0; writing; n++) {
					const room = ROOMS[Math.floor(rand() * ROOMS.length)]!;
					const text = writer.docs.get(room)!.getText('t');
					const before = writer.writes.get(room) ?? 0;
					const token = `r${round}w${w}n${n}`;
					// At either end: an insert inside the text could split an earlier token.
					text.insert(rand() < 0.5 ? 0 : text.length, `${token};`);
					const count = writer.writes.get(room) ?? 0;
					if (count === before) break; // the socket is gone: not sent
					sent.push({ token, room, count, writer });
					if (n % 4 === 3) await sleep(Math.floor(rand() * 4));
				}
			});
			await sleep(20 + Math.floor(rand() * 180));
			const exit = await relay.kill('SIGKILL');
			writing = false;
			await Promise.all(loads);
			expect(exit.signal).toBe('SIGKILL');
			// Let acks already in the sockets' buffers arrive before counting them.
			await Promise.all(writers.map((writer) => writer.socket.closed));
			for (const { token, room, count, writer } of sent) {
				if ((writer.stored.get(room) ?? 0) >= count) acknowledged.set(token, room);
			}
			sentTotal += sent.length;
			await relay.restart();
		}
	} finally {
		await relay.kill('SIGKILL');
	}
	return { acknowledged: acknowledged.size, sent: sentTotal };
}

describe('SIGKILL under load', () => {
	it(`[R12][R17] ${ROUNDS} kills at random moments lose no acknowledged update`, async () => {
		const seed = Number(process.env.KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
		console.log(`kill-relay seed ${seed} (rerun with KILL_SEED=${seed})`);
		const { acknowledged, sent } = await run(seed);
		console.log(`kill-relay: ${ROUNDS} kills, ${sent} writes sent, ${acknowledged} acknowledged, all present`);
		// The load is real: kills land with writes acknowledged and others still in flight.
		expect(acknowledged).toBeGreaterThan(ROUNDS * 5);
		expect(sent).toBeGreaterThan(acknowledged);
	}, 90_000);

	it('[R12][R17] the relay started as `npm run relay` does (tsx server/main.ts) serves an acknowledged update after SIGKILL', async () => {
		const relay = await spawnRelay({ entry: 'sources' });
		try {
			const writer = await connect(relay, 0);
			writer.docs.get(ROOMS[0]!)!.getText('t').insert(0, 'from-sources;');
			await writer.allStored(ROOMS[0]!);
			expect((await relay.kill('SIGKILL')).signal).toBe('SIGKILL');
			await relay.restart();
			const reader = await connect(relay, 1);
			expect(reader.text(ROOMS[0]!)).toBe('from-sources;');
			reader.close();
		} finally {
			await relay.kill('SIGKILL');
		}
	}, 60_000);
});
