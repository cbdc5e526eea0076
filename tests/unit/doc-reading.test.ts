/**
 * [DR1] A reading of a Y.Doc is taken once between two changes, and again after any transaction.
 * [DR2] A reading taken inside a transaction is fresh each time, and not kept past it.
 * [DR3] Each document has its own counter.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { docVersion, readWhenChanged } from '../../src/lib/state/doc-reading.ts';

describe('readings of a document kept until it changes', () => {
	it('[DR1] reads once between changes, again after each transaction', () => {
		const doc = new Y.Doc();
		const text = doc.getText('t');
		let reads = 0;
		const current = readWhenChanged(doc, (d) => (reads++, d.getText('t').toString()));
		expect(current()).toBe('');
		expect(current()).toBe('');
		expect(reads).toBe(1);
		text.insert(0, 'a');
		expect(current()).toBe('a');
		expect(current()).toBe('a');
		expect(reads).toBe(2);
		// A remote update counts as a change too.
		const other = new Y.Doc();
		other.getText('t').insert(0, 'b');
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(other));
		expect(current()).toBe(text.toString());
		expect(current().length).toBe(2);
		expect(reads).toBe(3);
	});

	it('[DR2] a reading inside a transaction is fresh, and read again after it', () => {
		const doc = new Y.Doc();
		const text = doc.getText('t');
		const current = readWhenChanged(doc, (d) => d.getText('t').toString());
		expect(current()).toBe('');
		doc.transact(() => {
			text.insert(0, 'x');
			expect(current()).toBe('x');
			text.insert(1, 'y');
			// Read again in the same transaction, after another change: fresh again.
			expect(current()).toBe('xy');
			text.insert(2, 'z');
		});
		expect(current()).toBe('xyz');
	});

	it('[DR3] documents count apart', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		const before = docVersion(a);
		b.getText('t').insert(0, 'z');
		expect(docVersion(a)).toBe(before);
		a.getText('t').insert(0, 'z');
		expect(docVersion(a)).not.toBe(before);
	});
});
