/**
 * GET /metrics in the Prometheus text format (version 0.0.4): gauges read from the relay when
 * scraped, and counters and a histogram that the glue and storage feed as things happen.
 * Counters only ever grow while the process lives (Prometheus handles the reset on restart).
 * Labels are bounded sets — close codes, refusal reasons — never room names or addresses, which
 * would make a series per document or per client.
 */

/** Read at scrape time. */
export interface MetricsSource {
	roomsLoaded(): number;
	connections(): number;
	sessions(): number;
	pendingUpdates(): number;
	pendingBytes(): number;
	storedBytes(): number;
	/** Storage transactions that failed, ever (each retry counts). */
	failedCommits(): number;
	/** True from a failed transaction until the next commit: nothing is acknowledged meanwhile. */
	storageFaulted(): boolean;
	/** Fault episodes begun (first failure to the next commit). */
	faultEpisodes(): number;
	/** Stored rows moved to the quarantine table, in this database (not reset by a restart). */
	quarantinedRows(): number;
}

/** Why an upgrade was answered with an HTTP error instead of a WebSocket. */
export type Refusal = 'origin' | 'address_limit' | 'shutting_down';
/** Why a join by invite was refused (api.ts): the code's state, or the per-address limit. */
export type JoinRefusal = 'unknown' | 'expired' | 'revoked' | 'used' | 'rate_limited';

/**
 * Commit latency buckets, in seconds: SQLite with synchronous=FULL commits in about a
 * millisecond on an SSD and tens of milliseconds on a slow disk; past a second something is wrong.
 */
export const commitBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

export class RelayMetrics {
	connectionsOpened = 0;
	/** Sockets closed, by the code the relay closed with, else the code the peer closed with. */
	readonly closesByCode = new Map<number, number>();
	readonly refusals = new Map<Refusal, number>();
	/** Rooms refused on multiplexed connections (roomError), by code; the connection carries on. */
	readonly roomErrorsByCode = new Map<number, number>();
	/** Writes answered with y-protocols' permission-denied (the role may only read the room). */
	permissionDenied = 0;
	messagesIn = 0;
	messagesOut = 0;
	bytesIn = 0;
	bytesOut = 0;
	/** syncStep2 and syncUpdate messages: documents' changes travelling in and out. */
	updatesIn = 0;
	updatesOut = 0;
	/** Updates in committed storage transactions. */
	updatesStored = 0;
	/** Invites and members (api.ts). */
	invitesCreated = 0;
	invitesRedeemed = 0;
	readonly joinsRefused = new Map<JoinRefusal, number>();
	readonly memberChanges = new Map<'role' | 'removed', number>();
	readonly #commitBuckets: number[] = commitBuckets.map(() => 0);
	#commitCount = 0;
	#commitSum = 0;

	closed(code: number): void {
		this.closesByCode.set(code, (this.closesByCode.get(code) ?? 0) + 1);
	}

	roomRefused(code: number): void {
		this.roomErrorsByCode.set(code, (this.roomErrorsByCode.get(code) ?? 0) + 1);
	}

	joinRefused(reason: JoinRefusal): void {
		this.joinsRefused.set(reason, (this.joinsRefused.get(reason) ?? 0) + 1);
	}

	memberChanged(change: 'role' | 'removed'): void {
		this.memberChanges.set(change, (this.memberChanges.get(change) ?? 0) + 1);
	}

	refused(reason: Refusal): void {
		this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + 1);
	}

	/** One committed storage transaction that took `seconds` and held `updates` updates. */
	committed(seconds: number, updates: number): void {
		this.#commitCount++;
		this.#commitSum += seconds;
		this.updatesStored += updates;
		commitBuckets.forEach((bound, i) => {
			if (seconds <= bound) this.#commitBuckets[i]!++;
		});
	}

	render(source: MetricsSource): string {
		const out: string[] = [];
		const family = (name: string, type: 'gauge' | 'counter' | 'histogram', help: string, samples: string[]): void => {
			out.push(`# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${samples.join('')}`);
		};
		const gauge = (name: string, help: string, value: number): void => family(name, 'gauge', help, [`${name} ${value}\n`]);
		const counter = (name: string, help: string, value: number): void =>
			family(name, 'counter', help, [`${name} ${value}\n`]);

		gauge('meridian_rooms_loaded', 'Rooms whose document is in memory.', source.roomsLoaded());
		gauge('meridian_connections', 'Open WebSocket connections (per-room and multiplexed).', source.connections());
		gauge('meridian_sessions', 'Room memberships across all connections.', source.sessions());
		gauge('meridian_pending_updates', 'Accepted updates not yet committed to storage.', source.pendingUpdates());
		gauge('meridian_pending_bytes', 'Bytes of accepted updates not yet committed.', source.pendingBytes());
		gauge('meridian_stored_bytes', 'Bytes of stored updates.', source.storedBytes());
		gauge('meridian_storage_faulted', '1 while storage commits fail (nothing is acknowledged), else 0.', source.storageFaulted() ? 1 : 0);
		gauge(
			'meridian_quarantined_rows',
			'Corrupt stored rows moved to the quarantine table, in this database (survives restarts).',
			source.quarantinedRows()
		);

		counter('meridian_connections_opened_total', 'WebSocket connections accepted with a valid token.', this.connectionsOpened);
		family(
			'meridian_connections_closed_total',
			'counter',
			'WebSocket connections closed, by close code (the relay\'s if it closed, else the peer\'s; 1006 = dropped).',
			[...this.closesByCode.entries()]
				.sort(([a], [b]) => a - b)
				.map(([code, n]) => `meridian_connections_closed_total{code="${code}"} ${n}\n`)
		);
		family(
			'meridian_room_errors_total',
			'counter',
			'Rooms refused on multiplexed connections (roomError), by code; the connection carries on.',
			[...this.roomErrorsByCode.entries()]
				.sort(([a], [b]) => a - b)
				.map(([code, n]) => `meridian_room_errors_total{code="${code}"} ${n}\n`)
		);
		counter(
			'meridian_permission_denied_total',
			'Writes refused because the role may only read the room (answered with y-protocols auth).',
			this.permissionDenied
		);
		family(
			'meridian_upgrades_refused_total',
			'counter',
			'WebSocket upgrades answered with an HTTP error (origin 403, address_limit 429, shutting_down 503).',
			[...this.refusals.entries()]
				.sort(([a], [b]) => a.localeCompare(b))
				.map(([reason, n]) => `meridian_upgrades_refused_total{reason="${reason}"} ${n}\n`)
		);
		counter('meridian_messages_received_total', 'WebSocket messages received from clients.', this.messagesIn);
		counter('meridian_messages_sent_total', 'WebSocket messages sent to clients.', this.messagesOut);
		counter('meridian_received_bytes_total', 'Bytes of WebSocket messages received.', this.bytesIn);
		counter('meridian_sent_bytes_total', 'Bytes of WebSocket messages sent.', this.bytesOut);
		counter('meridian_updates_received_total', 'Document updates (syncStep2, syncUpdate) received from clients.', this.updatesIn);
		counter('meridian_updates_sent_total', 'Document updates (syncStep2, syncUpdate) sent to clients.', this.updatesOut);
		counter('meridian_updates_stored_total', 'Updates committed to storage.', this.updatesStored);
		counter('meridian_storage_commit_errors_total', 'Storage transactions that failed (retried; nothing acknowledged).', source.failedCommits());
		counter('meridian_storage_fault_episodes_total', 'Storage fault episodes: from a failed commit to the next one that succeeds.', source.faultEpisodes());

		counter('meridian_invites_created_total', 'Invite links created by admins.', this.invitesCreated);
		counter('meridian_invites_redeemed_total', 'Members who joined by an invite.', this.invitesRedeemed);
		family(
			'meridian_joins_refused_total',
			'counter',
			'Join attempts refused, by reason (unknown code, expired, revoked, used up, rate_limited).',
			[...this.joinsRefused.entries()]
				.sort(([a], [b]) => a.localeCompare(b))
				.map(([reason, n]) => `meridian_joins_refused_total{reason="${reason}"} ${n}\n`)
		);
		family(
			'meridian_member_changes_total',
			'counter',
			'Members whose role was changed or who were removed, by change.',
			[...this.memberChanges.entries()]
				.sort(([a], [b]) => a.localeCompare(b))
				.map(([change, n]) => `meridian_member_changes_total{change="${change}"} ${n}\n`)
		);

		const h = 'meridian_storage_commit_seconds';
		family(h, 'histogram', 'Time to commit one storage transaction (a group of updates).', [
			...commitBuckets.map((bound, i) => `${h}_bucket{le="${bound}"} ${this.#commitBuckets[i]}\n`),
			`${h}_bucket{le="+Inf"} ${this.#commitCount}\n`,
			`${h}_sum ${this.#commitSum}\n`,
			`${h}_count ${this.#commitCount}\n`
		]);
		return out.join('');
	}
}
