/**
 * Applying what the relay sent without Yjs encoding it again (src/lib/sync/received.ts): the
 * document's 'update' listeners get the received bytes, exactly when Yjs's own event would have
 * carried them (a change, or structs left waiting), and everything else about them stays as it was.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { applyReceived } from '../../src/lib/sync/received.ts';
import { halfApplying } from './relay-harness.ts';

function listen(doc: Y.Doc): { update: Uint8Array; origin: unknown }[] {
	const heard: { update: Uint8Array; origin: unknown }[] = [];
	doc.on('update', (update: Uint8Array, origin: unknown) => heard.push({ update, origin }));
	return heard;
}

describe('applying what the relay sent', () => {
	it('gives the listeners the received bytes themselves, once, and nothing for an update that changes nothing', () => {
		const source = new Y.Doc();
		source.getText('t').insert(0, 'from the relay');
		const received = Y.encodeStateAsUpdate(source);
		const doc = new Y.Doc();
		const heard = listen(doc);
		applyReceived(doc, received, 'relay');
		expect(doc.getText('t').toString()).toBe('from the relay');
		expect(heard).toHaveLength(1);
		expect(heard[0]!.update).toBe(received);
		expect(heard[0]!.origin).toBe('relay');
		applyReceived(doc, received, 'relay');
		expect(heard).toHaveLength(1);
	});

	it('passes on an update whose structs wait on missing ones, so storing what listeners get loses nothing', () => {
		const source = new Y.Doc();
		source.getText('t').insert(0, 'first');
		const first = Y.encodeStateAsUpdate(source);
		const vector = Y.encodeStateVector(source);
		source.getText('t').insert(5, ' second');
		const second = Y.encodeStateAsUpdate(source, vector);
		const doc = new Y.Doc();
		const heard = listen(doc);
		applyReceived(doc, second, 'relay');
		expect(doc.getText('t').toString()).toBe('');
		applyReceived(doc, first, 'relay');
		expect(doc.getText('t').toString()).toBe('first second');
		const stored = new Y.Doc();
		for (const { update } of heard) Y.applyUpdate(stored, update);
		expect(stored.getText('t').toString()).toBe('first second');
	});

	it('leaves the listeners in place: local changes get Yjs\'s encoding, and a listener added while applying is kept', () => {
		const source = new Y.Doc();
		source.getMap('m').set('k', 1);
		const doc = new Y.Doc();
		const heard = listen(doc);
		const late: unknown[] = [];
		doc.getMap('m').observe(() => {
			if (late.length === 0) doc.on('update', (_update: Uint8Array, origin: unknown) => late.push(origin));
		});
		applyReceived(doc, Y.encodeStateAsUpdate(source), 'relay');
		doc.getMap('m').set('local', true);
		expect(heard.map((h) => h.origin)).toEqual(['relay', null]);
		// As with Yjs alone: added while the relay's update applied, it hears that update (once) too.
		expect(late).toEqual(['relay', null]);
		const copy = new Y.Doc();
		for (const { update } of heard) Y.applyUpdate(copy, update);
		expect(copy.getMap('m').toJSON()).toEqual({ k: 1, local: true });
	});

	it('an update that throws half way still throws, and the listeners get what it integrated, as Yjs encodes it', () => {
		const doc = new Y.Doc({ gc: false });
		const heard = listen(doc);
		const bad = halfApplying();
		expect(() => applyReceived(doc, bad, 'relay')).toThrow();
		expect(heard).toHaveLength(1);
		expect(heard[0]!.update).not.toBe(bad);
		const copy = new Y.Doc({ gc: false });
		Y.applyUpdate(copy, heard[0]!.update);
		expect(copy.getText('t').toString()).toBe(doc.getText('t').toString());
	});
});
