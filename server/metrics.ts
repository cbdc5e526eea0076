/** GET /metrics: a handful of gauges in the Prometheus text format. */
export interface MetricsSource {
	roomsLoaded(): number;
	connections(): number;
	sessions(): number;
	pendingUpdates(): number;
	pendingBytes(): number;
	storedBytes(): number;
}

export function renderMetrics(source: MetricsSource): string {
	const gauges: [string, string, number][] = [
		['meridian_rooms_loaded', 'Rooms whose document is in memory.', source.roomsLoaded()],
		['meridian_connections', 'Open WebSocket connections (per-room and multiplexed).', source.connections()],
		['meridian_sessions', 'Room memberships across all connections.', source.sessions()],
		['meridian_pending_updates', 'Accepted updates not yet committed to storage.', source.pendingUpdates()],
		['meridian_pending_bytes', 'Bytes of accepted updates not yet committed.', source.pendingBytes()],
		['meridian_stored_bytes', 'Bytes of stored updates.', source.storedBytes()]
	];
	return gauges.map(([name, help, value]) => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}\n`).join('');
}
