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
