/**
 * Access that changes on an open connection (a new role, removal from the workspace, a revoked
 * token) takes effect at once, room by room, through Connection.reauthorize.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode, MessageType } from '../../src/lib/protocol/index.ts';
import { claims, createHarness, endTurn, settle, step1, textUpdate, updateMessage } from './relay-harness.ts';

describe('reauthorize', () => {
	it('an editor made viewer stops writing (and is told), made editor again writes again', async () => {
		const h = createHarness();
		const c = h.mux('editor');
		c.send('ws1/p', step1(new Y.Doc()));
		await settle();
		const author = new Y.Doc();
		c.send('ws1/p', updateMessage(textUpdate('a', author)));
		c.connection.reauthorize(claims('viewer'));
		c.take();
		c.send('ws1/p', updateMessage(textUpdate('b', author)));
		expect(c.take().map((m) => m.kind === 'other' && m.type)).toEqual([MessageType.auth]);
		expect(h.registry.get('ws1/p')!.doc.getText('t').toString()).toBe('a');
		c.connection.reauthorize(claims('editor'));
		// A fresh client: the refused 'b' is missing from the author's history, so its later edits would wait on it.
		c.send('ws1/p', updateMessage(textUpdate('c')));
		await endTurn();
		expect([...h.registry.get('ws1/p')!.doc.getText('t').toString()].sort().join('')).toBe('ac');
	});

	it("rooms the new claims may not open are left with 4403; a revoked token closes the socket with 4401", async () => {
		const h = createHarness();
		const c = h.mux('editor', 'ws1', 'm1');
		c.send('ws1/p', step1(new Y.Doc()));
		c.send('ws1/@inbox/m1', step1(new Y.Doc()));
		await settle();
		c.take();
		// Another member's claims on the same socket (say, the token was reissued to someone else).
		c.connection.reauthorize(claims('editor', 'ws1', 'm2'));
		expect(c.take().filter((m) => m.kind === 'roomError')).toEqual([
			{ room: 'ws1/@inbox/m1', kind: 'roomError', code: CloseCode.forbidden, reason: "another member's room" }
		]);
		expect(h.registry.get('ws1/@inbox/m1')!.sessionCount).toBe(0);
		expect(h.registry.get('ws1/p')!.sessionCount).toBe(1);
		c.connection.reauthorize(null);
		expect(c.socket.closeCode).toBe(CloseCode.unauthorized);
		expect(h.registry.get('ws1/p')!.sessionCount).toBe(0);

		const stock = h.perRoom('editor', 'ws1/p');
		await settle();
		stock.connection.reauthorize(claims('editor', 'ws2'));
		expect(stock.socket.closeCode).toBe(CloseCode.forbidden);
	});
});
