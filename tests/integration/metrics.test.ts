/**
 * GET /metrics from a real relay process: the text parses as the Prometheus exposition format
 * (every sample under a HELP and TYPE of its family, histograms cumulative with +Inf = count), and
 * the numbers move with what real clients do — connect, write, get refused, get closed with a code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { CloseCode } from '../../src/lib/protocol/index.ts';
import { MuxClient, RecordingSocket, meridianProtocols, waitFor } from './clients.ts';
import { spawnRelay, stopAllRelays, type RelayProcess } from './relay-process.ts';
import { ballastedDatabase } from './storage-fixtures.ts';

interface Sample {
	readonly name: string;
	readonly labels: Record<string, string>;
	readonly value: number;
}

interface Family {
	readonly type: string;
	readonly samples: Sample[];
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (\S+)$/;

/** Parses Prometheus text format 0.0.4, throwing on anything a scraper would reject or misread. */
function parsePrometheus(text: string): Map<string, Family> {
	if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
	const families = new Map<string, Family>();
	const helped = new Set<string>();
	let current: string | null = null;
	for (const line of text.slice(0, -1).split('\n')) {
		const meta = /^# (HELP|TYPE) (\S+) (.+)$/.exec(line);
		if (meta) {
			const [, kind, name, rest] = meta as unknown as [string, string, string, string];
			if (!metricName.test(name)) throw new Error(`bad metric name: ${line}`);
			if (kind === 'HELP') {
				if (helped.has(name)) throw new Error(`second HELP for ${name}`);
				helped.add(name);
			} else {
				if (families.has(name)) throw new Error(`second TYPE for ${name}`);
				if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`bad type: ${line}`);
				families.set(name, { type: rest, samples: [] });
				current = name;
			}
			continue;
		}
		const match = sampleLine.exec(line);
		if (!match) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
		const [, name, labelText, valueText] = match as unknown as [string, string, string | undefined, string];
		const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
		if (Number.isNaN(value) && valueText !== 'NaN') throw new Error(`bad value: ${line}`);
		const family = current ? families.get(current) : undefined;
		const suffixes = family?.type === 'histogram' ? ['_bucket', '_sum', '_count'] : [''];
		if (!family || !suffixes.some((suffix) => name === current + suffix)) throw new Error(`sample outside its family: ${line}`);
		const labels: Record<string, string> = {};
		for (const [, key, raw] of (labelText ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"/g)) {
			labels[key!] = raw!;
		}
		family.samples.push({ name, labels, value });
	}
	for (const [name, family] of families) {
		if (!helped.has(name)) throw new Error(`no HELP for ${name}`);
		if (family.type !== 'histogram') continue;
		const buckets = family.samples.filter((s) => s.name === `${name}_bucket`);
		const bounds = buckets.map((b) => (b.labels.le === '+Inf' ? Infinity : Number(b.labels.le)));
		if (bounds.at(-1) !== Infinity) throw new Error(`${name}: no +Inf bucket`);
		bounds.forEach((bound, i) => {
			if (i > 0 && !(bound > bounds[i - 1]!)) throw new Error(`${name}: buckets not ascending`);
			if (i > 0 && buckets[i]!.value < buckets[i - 1]!.value) throw new Error(`${name}: buckets not cumulative`);
		});
		const count = family.samples.find((s) => s.name === `${name}_count`)?.value;
		if (count !== buckets.at(-1)!.value) throw new Error(`${name}: +Inf bucket ${buckets.at(-1)!.value} ≠ count ${count}`);
	}
	return families;
}

let relay: RelayProcess;
beforeAll(async () => {
	relay = await spawnRelay({ env: { MAX_CONNECTIONS_PER_ADDRESS: '20' } });
});
afterAll(async () => {
	await relay?.kill();
	await stopAllRelays();
});

async function scrape(from: RelayProcess = relay): Promise<Map<string, Family>> {
	const response = await fetch(`${from.url}/metrics`);
	expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
	return parsePrometheus(await response.text());
}

/** The value of `name` (with `labels`, if given); 0 for a labelled series not yet seen. */
function value(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
	const familyName = name.replace(/_(bucket|sum|count)$/, '');
	const family = families.get(name) ?? families.get(familyName);
	if (!family) throw new Error(`no metric ${name}`);
	const sample = family.samples.find(
		(s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length
	);
	return sample?.value ?? 0;
}

describe('/metrics', () => {
	it('[R24] parses as Prometheus text and has every documented family with its type', async () => {
		const families = await scrape();
		const types = Object.fromEntries([...families].map(([name, family]) => [name, family.type]));
		expect(types).toMatchObject({
			meridian_rooms_loaded: 'gauge',
			meridian_connections: 'gauge',
			meridian_connections_opened_total: 'counter',
			meridian_connections_closed_total: 'counter',
			meridian_upgrades_refused_total: 'counter',
			meridian_room_errors_total: 'counter',
			meridian_permission_denied_total: 'counter',
			meridian_updates_received_total: 'counter',
			meridian_updates_sent_total: 'counter',
			meridian_updates_stored_total: 'counter',
			meridian_storage_commit_errors_total: 'counter',
			meridian_storage_commit_seconds: 'histogram',
			meridian_storage_faulted: 'gauge',
			meridian_storage_fault_episodes_total: 'counter',
			meridian_quarantined_rows: 'gauge'
		});
		expect(() => parsePrometheus('meridian_x 1\n')).toThrow(/outside its family/);
		expect(() => parsePrometheus('# HELP a b\n# TYPE a gauge\na one\n')).toThrow(/bad value/);
	});

	it('[R24] counters move with real clients: connect, write, forward, store, refuse, close with a code', async () => {
		const before = await scrape();
		const token = await relay.token('editor');
		const writer = new MuxClient(relay.syncUrl, token);
		const reader = new MuxClient(relay.syncUrl, token);
		await Promise.all([writer.opened, reader.opened]);
		const readerDoc = reader.join('ws1/metrics');
		await waitFor(() => (reader.syncMessages.get('ws1/metrics') ?? 0) >= 2, 'reader joined');
		const text = writer.join('ws1/metrics').getText('t');
		for (const word of ['one ', 'two ', 'three ']) text.insert(text.length, word);
		await writer.allStored('ws1/metrics');
		await waitFor(() => readerDoc.getText('t').toString() === 'one two three ', 'reader got the writes');

		const during = await scrape();
		expect(value(during, 'meridian_connections') - value(before, 'meridian_connections')).toBe(2);
		expect(value(during, 'meridian_rooms_loaded')).toBeGreaterThanOrEqual(1);
		expect(value(during, 'meridian_connections_opened_total') - value(before, 'meridian_connections_opened_total')).toBe(2);
		// Three updates and the writer's answer to the relay's step 1 (plus the reader's, empty).
		const received = value(during, 'meridian_updates_received_total') - value(before, 'meridian_updates_received_total');
		expect(received).toBeGreaterThanOrEqual(4);
		expect(value(during, 'meridian_updates_stored_total') - value(before, 'meridian_updates_stored_total')).toBeGreaterThanOrEqual(3);
		// The relay's step 2 to each joiner and the three updates forwarded to the reader — in as few
		// as one message, when they arrive in one socket read ([R31]).
		expect(value(during, 'meridian_updates_sent_total') - value(before, 'meridian_updates_sent_total')).toBeGreaterThanOrEqual(3);
		const commits = value(during, 'meridian_storage_commit_seconds_count') - value(before, 'meridian_storage_commit_seconds_count');
		expect(commits).toBeGreaterThanOrEqual(1);
		expect(value(during, 'meridian_storage_commit_seconds_sum')).toBeGreaterThan(0);
		expect(value(during, 'meridian_messages_received_total')).toBeGreaterThan(value(before, 'meridian_messages_received_total'));
		expect(value(during, 'meridian_storage_commit_errors_total')).toBe(0);

		// A viewer's write is refused (permission denied), a room of another workspace gets roomError 4403.
		const viewer = new MuxClient(relay.syncUrl, await relay.token('viewer'));
		await viewer.opened;
		const viewerDoc = viewer.join('ws1/metrics');
		await waitFor(() => viewerDoc.getText('t').length > 0, 'viewer synced');
		viewerDoc.getText('t').insert(0, 'not allowed ');
		viewer.join('ws2/elsewhere');
		await waitFor(() => viewer.roomErrors.get('ws2/elsewhere')?.code === CloseCode.forbidden, 'roomError 4403');
		let refusedNow = await scrape();
		for (const deadline = Date.now() + 5000; Date.now() < deadline && value(refusedNow, 'meridian_permission_denied_total') === 0; ) {
			await new Promise((resolve) => setTimeout(resolve, 50));
			refusedNow = await scrape();
		}
		expect(value(refusedNow, 'meridian_permission_denied_total') - value(before, 'meridian_permission_denied_total')).toBe(1);
		const roomErrors = (families: Map<string, Family>) => value(families, 'meridian_room_errors_total', { code: String(CloseCode.forbidden) });
		expect(roomErrors(refusedNow) - roomErrors(before)).toBe(1);
		viewer.socket.ws.close(1000, 'done');
		await viewer.socket.closed;

		// Closed by the relay with 4400 (a text message), by the client with 1000, refused with 4401 and 4406.
		writer.socket.ws.send('not binary');
		expect((await writer.socket.closed).code).toBe(CloseCode.malformed);
		reader.socket.ws.close(1000, 'done');
		await reader.socket.closed;
		const unauthorized = new RecordingSocket(relay.syncUrl, meridianProtocols('not-a-token'));
		expect((await unauthorized.closed).code).toBe(CloseCode.unauthorized);
		// A foreign origin: the upgrade completes and is closed at once with 4406, so a browser can say why.
		const foreign = new RecordingSocket(relay.syncUrl, meridianProtocols(token), { Origin: 'https://elsewhere.example' });
		expect((await foreign.closed).code).toBe(CloseCode.originNotAllowed);

		// The relay counts a close when it sees the socket end, a moment after the client does.
		const closes = (families: Map<string, Family>, code: number) =>
			value(families, 'meridian_connections_closed_total', { code: String(code) });
		let after = await scrape();
		const deadline = Date.now() + 5000;
		const settled = (families: Map<string, Family>) =>
			closes(families, CloseCode.malformed) > closes(before, CloseCode.malformed) &&
			closes(families, 1000) >= closes(before, 1000) + 2 &&
			closes(families, CloseCode.unauthorized) > closes(before, CloseCode.unauthorized);
		while (Date.now() < deadline && !settled(after)) {
			await new Promise((resolve) => setTimeout(resolve, 50));
			after = await scrape();
		}
		expect(closes(after, CloseCode.malformed) - closes(before, CloseCode.malformed)).toBe(1);
		expect(closes(after, 1000) - closes(before, 1000)).toBe(2);
		expect(closes(after, CloseCode.unauthorized) - closes(before, CloseCode.unauthorized)).toBe(1);
		const refused = (families: Map<string, Family>) => value(families, 'meridian_upgrades_refused_total', { reason: 'origin' });
		expect(refused(after) - refused(before)).toBe(1);
		expect(value(after, 'meridian_connections')).toBe(value(before, 'meridian_connections'));
	});

	it('[R20] storage faults show: the faulted gauge and failed commits while the disk is full, one episode, quarantined rows', async () => {
		// A database a few pages short of its cap (SQLITE_MAX_PAGE_COUNT), with ballast to drop.
		const { dataDir, file, pages } = await ballastedDatabase('meridian-metrics-');
		const faulty = await spawnRelay({ dataDir, env: { SQLITE_MAX_PAGE_COUNT: String(pages + 3) } });
		try {
			const writer = new MuxClient(faulty.syncUrl, await faulty.token('editor'));
			await writer.opened;
			const text = writer.join('ws1/full').getText('t');
			let full = false;
			for (let i = 0; i < 40 && !full; i++) {
				text.insert(text.length, `${i}:${'x'.repeat(3000)};`);
				full = await writer.allStored('ws1/full', 500).then(
					() => false,
					() => true
				);
			}
			expect(full).toBe(true);
			const during = await scrape(faulty);
			expect(value(during, 'meridian_storage_faulted')).toBe(1);
			expect(value(during, 'meridian_storage_commit_errors_total')).toBeGreaterThanOrEqual(1);
			expect(value(during, 'meridian_storage_fault_episodes_total')).toBe(1);
			expect(value(during, 'meridian_pending_updates')).toBeGreaterThanOrEqual(1);

			const operator = new Database(file);
			operator.exec('DELETE FROM ballast');
			operator.close();
			await writer.allStored('ws1/full', 8000);
			const after = await scrape(faulty);
			expect(value(after, 'meridian_storage_faulted')).toBe(0);
			expect(value(after, 'meridian_storage_fault_episodes_total')).toBe(1);
			expect(value(after, 'meridian_storage_commit_seconds_count')).toBeGreaterThan(value(during, 'meridian_storage_commit_seconds_count'));
			expect(value(after, 'meridian_quarantined_rows')).toBe(0);

			// Three rows of one room, the middle one corrupted while the relay is down.
			const q = writer.join('ws1/q').getText('t');
			for (const part of ['one;', 'two;', 'three;']) {
				q.insert(q.length, part);
				await writer.allStored('ws1/q');
			}
			writer.close();
			await faulty.kill('SIGKILL');
			const db = new Database(file);
			const rows = db.prepare("SELECT seq FROM updates WHERE room = 'ws1/q' ORDER BY seq").all() as { seq: number }[];
			db.prepare('UPDATE updates SET data = ? WHERE seq = ?').run(Buffer.from([0xff, 0xfe, 0xfd]), rows[1]!.seq);
			db.close();
			await faulty.restart();
			const reader = new MuxClient(faulty.syncUrl, await faulty.token('viewer'));
			await reader.opened;
			reader.join('ws1/q');
			await waitFor(() => (reader.syncMessages.get('ws1/q') ?? 0) >= 2, 'reader synced');
			expect(value(await scrape(faulty), 'meridian_quarantined_rows')).toBe(1);
			reader.close();
			// The count is the quarantine table's, so a restart keeps it.
			await faulty.restart('SIGKILL');
			expect(value(await scrape(faulty), 'meridian_quarantined_rows')).toBe(1);
		} finally {
			await faulty.kill('SIGKILL');
		}
	});
});
