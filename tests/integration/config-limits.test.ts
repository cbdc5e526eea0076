/**
 * A relay started from code (server/relay.ts `startRelay`) obeys the limits of the Config it is
 * given, not only those of the process environment: the registry (document size) and every
 * connection (rates, rooms) receive `config.limits`. Checked with a rooms-per-connection limit set
 * in the Config alone (the environment's default is 10,000), over a real socket and SQLite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CloseCode } from '../../src/lib/protocol/index.ts';
import { readConfig } from '../../server/config.ts';
import { memoryLogger } from '../../server/log.ts';
import { startRelay, type Relay } from '../../server/relay.ts';
import { loadSecret, signToken } from '../../server/auth.ts';
import { waitFor } from './clients.ts';
import { RawPeer } from './raw-peer.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'meridian-config-limits-'));
let relay: Relay;
let token: string;

beforeAll(async () => {
	const config = readConfig({ PORT: '0', DATA_DIR: dataDir, MERIDIAN_SECRET: 'config-limits-secret-0123456789' });
	expect(config.limits.maxRoomsPerConnection).toBeGreaterThan(2);
	relay = await startRelay({ ...config, limits: { ...config.limits, maxRoomsPerConnection: 2 } }, memoryLogger());
	token = await signToken(loadSecret(dataDir, config.secret), { workspaceId: 'ws1', role: 'editor', memberId: 'ana', expiresInSeconds: 60 });
});

afterAll(async () => {
	await relay?.shutdown();
	rmSync(dataDir, { recursive: true, force: true });
});

it('refuses a third room on one connection when the Config says two', async () => {
	const peer = new RawPeer(`${relay.url.replace('http', 'ws')}/sync`, token);
	await peer.opened;
	await peer.barrier('ws1/r0');
	await peer.barrier('ws1/r1');
	peer.step1('ws1/r2');
	await waitFor(() => peer.log('ws1/r2').roomErrors.length === 1, 'the refusal');
	expect(peer.log('ws1/r2').roomErrors).toEqual([{ code: CloseCode.tooManyRooms, reason: 'more than 2 rooms on one connection' }]);
	peer.close();
});
