/**
 * Tabs of one browser in step (sync/tab-channel.ts), over Node's BroadcastChannel, which behaves as
 * the browser's: a message reaches every other channel of the same name, never its sender.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TabChannel } from '../../src/lib/sync/tab-channel.ts';
import { Origin } from '../../src/lib/model/origins.ts';

const channels: TabChannel[] = [];
afterEach(() => {
	for (const channel of channels.splice(0)) channel.close();
});

function tab(workspaceId: string): TabChannel {
	const channel = new TabChannel(workspaceId);
	channels.push(channel);
	return channel;
}

/** Until BroadcastChannel has delivered what was posted (it delivers as macrotasks, in order). */
const delivered = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('tab channel', () => {
	it('a local change reaches the other tab', async () => {
		const [a, b] = [tab('ws1'), tab('ws1')];
		const [docA, docB] = [new Y.Doc(), new Y.Doc()];
		a.add('ws1/p', docA);
		b.add('ws1/p', docB);
		docA.transact(() => docA.getText('t').insert(0, 'typed here'), Origin.local);
		await delivered();
		expect(docB.getText('t').toString()).toBe('typed here');
	});

	it('what the relay sent is not posted: each tab hears it on its own connection', async () => {
		const [a, b] = [tab('ws2'), tab('ws2')];
		const [docA, docB] = [new Y.Doc(), new Y.Doc()];
		a.add('ws2/p', docA);
		b.add('ws2/p', docB);
		// Both open and answered each other's request before the relay's update arrives.
		await delivered();
		const remote = new Y.Doc();
		remote.getText('t').insert(0, 'from the relay');
		Y.applyUpdate(docA, Y.encodeStateAsUpdate(remote), Origin.relay);
		await delivered();
		expect(docB.getText('t').toString()).toBe('');
	});

	it('a tab opening a document still gets what another tab holds from the relay', async () => {
		const a = tab('ws3');
		const docA = new Y.Doc();
		a.add('ws3/p', docA);
		const remote = new Y.Doc();
		remote.getText('t').insert(0, 'from the relay');
		Y.applyUpdate(docA, Y.encodeStateAsUpdate(remote), Origin.relay);
		const docB = new Y.Doc();
		tab('ws3').add('ws3/p', docB);
		await delivered();
		expect(docB.getText('t').toString()).toBe('from the relay');
	});
});

describe('tab channel: what one task posts', () => {
	/** Every message posted on the workspace's channel, as a raw listener (another tab) sees it. */
	function listen(workspaceId: string): { messages: unknown[]; close(): void } {
		const raw = new BroadcastChannel(`meridian:${workspaceId}`);
		const messages: unknown[] = [];
		raw.onmessage = (event: MessageEvent) => messages.push(event.data);
		return { messages, close: () => raw.close() };
	}

	it('[TC1] opening many documents in one task is one message; the other tab answers in one, for the documents it holds', async () => {
		const other = tab('ws4');
		for (let i = 0; i < 5; i++) {
			const doc = new Y.Doc();
			doc.getText('t').insert(0, `held ${i}`);
			other.add(`ws4/p${i}`, doc);
		}
		await delivered();
		const wire = listen('ws4');
		const docs = Array.from({ length: 200 }, () => new Y.Doc());
		const opening = tab('ws4');
		docs.forEach((doc, i) => opening.add(`ws4/p${i}`, doc));
		// Two hops (the requests, the answers) on a machine that may be busy: wait for both, then a
		// little longer for anything after them.
		for (let waited = 0; wire.messages.length < 2 && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
		await delivered();
		// The 200 requests, then the other tab's answers for the five it holds.
		expect(wire.messages).toHaveLength(2);
		expect(wire.messages.map((message) => (message as unknown[]).length)).toEqual([200, 5]);
		docs.slice(0, 5).forEach((doc, i) => expect(doc.getText('t').toString()).toBe(`held ${i}`));
		wire.close();
	});

	it('[TC2] a single message goes as itself, and one from a tab of an earlier version is read', async () => {
		const a = tab('ws5');
		const docA = new Y.Doc();
		a.add('ws5/p', docA);
		await delivered();
		const wire = listen('ws5');
		docA.transact(() => docA.getText('t').insert(0, 'one keystroke'), Origin.local);
		await delivered();
		expect(wire.messages).toEqual([{ type: 'update', doc: 'ws5/p', update: expect.any(Uint8Array) }]);
		wire.close();

		const earlier = new BroadcastChannel('meridian:ws5');
		const change = new Y.Doc();
		change.getText('t').insert(0, 'from an older tab; ');
		earlier.postMessage({ type: 'update', doc: 'ws5/p', update: Y.encodeStateAsUpdate(change) });
		await delivered();
		expect(docA.getText('t').toString()).toContain('from an older tab; ');
		earlier.close();
	});

	it('[TC3] a change made just before the tab closes is posted', async () => {
		const a = tab('ws6');
		const docA = new Y.Doc();
		a.add('ws6/p', docA);
		const docB = new Y.Doc();
		tab('ws6').add('ws6/p', docB);
		await delivered();
		docA.transact(() => docA.getText('t').insert(0, 'last words'), Origin.local);
		a.close();
		await delivered();
		expect(docB.getText('t').toString()).toBe('last words');
	});
});
