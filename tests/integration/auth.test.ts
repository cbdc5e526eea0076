/**
 * Access: tokens (transport, signature, expiry, workspace scope) checked before any document
 * byte is sent, tokens never logged, and the token CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import * as Y from 'yjs';
import { CloseCode, inboxRoom, meridianProtocol } from '../../src/lib/protocol/index.ts';
import { signToken } from '../../server/auth.ts';
import { MuxClient, RecordingSocket, meridianProtocols, stockProvider, waitFor } from './clients.ts';
import { repoRoot, spawnRelay, stopAllRelays, tempDir, type RelayProcess } from './relay-process.ts';

let relay: RelayProcess;
beforeAll(async () => {
	relay = await spawnRelay();
});
afterAll(async () => {
	await relay?.kill();
	await stopAllRelays();
});

async function refusedWith(url: string, protocols: string[]): Promise<{ code: number; messages: number }> {
	const socket = new RecordingSocket(url, protocols);
	const { code } = await socket.closed;
	return { code, messages: socket.messages.length };
}

async function badTokens(): Promise<Record<string, string | null>> {
	return {
		missing: null,
		garbage: 'not.a.jwt',
		'bad signature': await signToken(new TextEncoder().encode('some-other-secret-0123456789'), {
			workspaceId: 'ws1',
			role: 'admin',
			memberId: 'm1',
			expiresInSeconds: 3600
		}),
		expired: await relay.token('admin', 'ws1', { expiresInSeconds: -60 })
	};
}

describe('tokens', () => {
	it('[R2] missing, garbage, wrongly signed and expired tokens close with 4401 and no message (per-room)', async () => {
		for (const [what, token] of Object.entries(await badTokens())) {
			const viaProtocol = await refusedWith(`${relay.syncUrl}/ws1/p1`, token ? meridianProtocols(token) : []);
			expect({ what, ...viaProtocol }).toEqual({ what, code: CloseCode.unauthorized, messages: 0 });
			const viaQuery = await refusedWith(`${relay.syncUrl}/ws1/p1${token ? `?token=${token}` : ''}`, []);
			expect({ what, ...viaQuery }).toEqual({ what, code: CloseCode.unauthorized, messages: 0 });
		}
	});

	it('[R2] … and on the multiplexed endpoint, even if the client sends a join at once', async () => {
		for (const [what, token] of Object.entries(await badTokens())) {
			const client = new MuxClient(relay.syncUrl, token);
			client.socket.ws.once('open', () => client.join('ws1'));
			const { code } = await client.socket.closed;
			expect({ what, code, messages: client.socket.messages.length }).toEqual({
				what,
				code: CloseCode.unauthorized,
				messages: 0
			});
		}
	});

	it('[R3] a token for another workspace: per-room 4403 with no message; multiplexed roomError 4403 only', async () => {
		const other = await relay.token('admin', 'ws2');
		expect(await refusedWith(`${relay.syncUrl}/ws1/p1`, meridianProtocols(other))).toEqual({
			code: CloseCode.forbidden,
			messages: 0
		});
		expect(await refusedWith(`${relay.syncUrl}/ws1?token=${other}`, [])).toEqual({
			code: CloseCode.forbidden,
			messages: 0
		});
		const mux = new MuxClient(relay.syncUrl, other);
		await mux.opened;
		mux.join('ws1/p1');
		mux.join('ws2/p1');
		await waitFor(() => mux.roomErrors.has('ws1/p1') && (mux.syncMessages.get('ws2/p1') ?? 0) >= 2, 'answers');
		expect(mux.roomErrors.get('ws1/p1')!.code).toBe(CloseCode.forbidden);
		expect(mux.syncMessages.get('ws1/p1') ?? 0).toBe(0);
		mux.close();
	});

	it("[R3] a member's inbox room: their own tokens (any role) read and write it; anyone else's get 4403 and no byte of it", async () => {
		const room = inboxRoom('ws1', 'viewer-1');
		const own = new MuxClient(relay.syncUrl, await relay.token('viewer', 'ws1', { memberId: 'viewer-1' }));
		await own.opened;
		own.join(room).getMap('items').set('thread:p:t', { read: 5, done: null });
		await own.allStored(room);
		own.close();

		const admin = await relay.token('admin', 'ws1', { memberId: 'admin-1' });
		expect(await refusedWith(`${relay.syncUrl}/${room}`, meridianProtocols(admin))).toEqual({ code: CloseCode.forbidden, messages: 0 });
		const spy = new MuxClient(relay.syncUrl, admin);
		await spy.opened;
		spy.join(room);
		spy.join('ws1/@inbox/admin-1');
		await waitFor(() => spy.roomErrors.has(room) && (spy.syncMessages.get('ws1/@inbox/admin-1') ?? 0) >= 2, 'answers');
		expect(spy.roomErrors.get(room)).toEqual({ code: CloseCode.forbidden, reason: "another member's room" });
		expect(spy.syncMessages.get(room) ?? 0).toBe(0);
		expect(spy.docs.get(room)!.getMap('items').size).toBe(0);
		spy.close();

		const again = new MuxClient(relay.syncUrl, await relay.token('viewer', 'ws1', { memberId: 'viewer-1' }));
		await again.opened;
		const doc = again.join(room);
		await waitFor(() => doc.getMap('items').has('thread:p:t'), 'own inbox state back from the relay');
		expect(doc.getMap('items').get('thread:p:t')).toEqual({ read: 5, done: null });
		again.close();
	});

	it('[R13][R14] a sub-protocol token: the relay selects meridian.v1 and sends stored acks on a per-room socket', async () => {
		const socket = new RecordingSocket(`${relay.syncUrl}/ws1/acks`, meridianProtocols(await relay.token('editor')));
		await socket.opened;
		expect(socket.ws.protocol).toBe(meridianProtocol);
		const doc = new Y.Doc();
		doc.getText('t').insert(0, 'x');
		const update = Y.encodeStateAsUpdate(doc);
		socket.send(new Uint8Array([0, 2, ...varUint(update.length), ...update]));
		await waitFor(() => socket.messages.some((m) => m[0] === 4 && m[1] === 1), 'stored(1)');
		socket.close();
	});

	it('[R13] tokens never appear in the logs', async () => {
		const token = await relay.token('editor');
		const provider = stockProvider(relay.syncUrl, 'ws1/logs', new Y.Doc(), token);
		await waitFor(() => provider.synced, 'synced');
		provider.destroy();
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(relay.stderr.length).toBeGreaterThan(0);
		expect(relay.stderr).not.toContain(token);
		expect(relay.stderr).not.toContain('token=');
		expect(relay.stderr).not.toContain(token.split('.')[2]!);
	});
});

function varUint(n: number): number[] {
	const out: number[] = [];
	while (n > 0x7f) {
		out.push(0x80 | (n & 0x7f));
		n >>>= 7;
	}
	out.push(n);
	return out;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve) => {
		const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...env } });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
		child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
		child.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}

describe('npm run token', () => {
	it('[R13] prints only a token that verifies with DATA_DIR/secret, which a relay without MERIDIAN_SECRET accepts', async () => {
		const dataDir = tempDir('meridian-token-');
		const env = { DATA_DIR: dataDir, MERIDIAN_SECRET: '' };
		const result = await run('npm', ['run', '--silent', 'token', '--', '--workspace', 'ws9', '--role', 'commenter', '--member', 'ann', '--expires-in', '2h'], env);
		expect(result.code).toBe(0);
		expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
		const token = result.stdout.trim();
		const secret = readFileSync(join(dataDir, 'secret'), 'utf8').trim();
		expect(statSync(join(dataDir, 'secret')).mode & 0o777).toBe(0o600);
		const { payload } = await jwtVerify(token, new TextEncoder().encode(secret));
		expect(payload).toMatchObject({ ws: 'ws9', role: 'commenter', sub: 'ann' });
		expect(payload.exp! - Math.floor(Date.now() / 1000)).toBeGreaterThan(7100);

		// Without --silent npm prints its banner on stdout before the script runs; the token is the
		// last line and the CLI says on stderr how to get only the token.
		const loud = await run('npm', ['run', 'token', '--', '--workspace', 'ws9', '--role', 'viewer'], env);
		expect(loud.code).toBe(0);
		expect(loud.stdout.trim().split('\n').at(-1)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
		expect(loud.stderr).toContain('npm run --silent token');

		const bad = await run('npm', ['run', '--silent', 'token', '--', '--workspace', 'ws9', '--role', 'owner'], env);
		expect(bad.code).toBe(2);
		expect(bad.stdout).toBe('');
		expect(bad.stderr).toContain('--role');

		const tokenRelay = await spawnRelay({ dataDir, env: { MERIDIAN_SECRET: '' } });
		try {
			const mux = new MuxClient(tokenRelay.syncUrl, token);
			await mux.opened;
			mux.join('ws9/p1/talk').getText('t').insert(0, 'comment');
			await mux.allStored('ws9/p1/talk');
			mux.close();
		} finally {
			await tokenRelay.kill();
		}
	}, 30_000);
});
