/**
 * The cold-sync benchmark's page in Chromium (driven by bench/coldsync/coldsync.ts): a new device,
 * its IndexedDB empty, brings a whole workspace into local storage — once with the app's own
 * workspace sync, once with a stock provider pair per document. Nothing is faked: the first is
 * WorkspaceSession (one IndexedDB database, one multiplexed socket, every page followed), the
 * second y-websocket's WebsocketProvider and y-indexeddb's IndexeddbPersistence as shipped.
 *
 * The page measures and exposes its figures on `window.bench`; it does not judge them.
 */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WorkspaceSession } from '../../../src/lib/sync/workspace-session.ts';
import { pageRoom, talkRoom, workspaceRoom } from '../../../src/lib/protocol/index.ts';
import { newPageDoc } from '../../../src/lib/model/page.ts';

/** How often the page looks at the rooms' progress (the figures' resolution). */
const POLL_MS = 5;
const TIMEOUT_MS = 180_000;

/** Bytes and counts of WebSocket messages sent and received (payloads, as the page hands them over). */
const traffic = { in: 0, out: 0, messagesIn: 0, messagesOut: 0, sockets: 0 };
/**
 * When each message arrived (ms from the run's start) and its bytes, in pairs; and when each was
 * sent. Written beside the profiles (COLDSYNC_PROFILE): the rate the page receives at.
 */
const timeline = { started: 0, arrivals: [] as number[], sends: [] as number[] };

/** Every socket the page opens counts its messages: the app's connection and the stock providers alike. */
class CountingWebSocket extends WebSocket {
	constructor(url: string | URL, protocols?: string | string[]) {
		super(url, protocols);
		traffic.sockets++;
		this.addEventListener('message', (event: MessageEvent) => {
			const bytes = event.data instanceof ArrayBuffer ? event.data.byteLength : event.data instanceof Blob ? event.data.size : String(event.data).length;
			traffic.in += bytes;
			traffic.messagesIn++;
			timeline.arrivals.push(performance.now() - timeline.started, bytes);
		});
	}
	override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
		traffic.out += typeof data === 'string' ? data.length : data instanceof Blob ? data.size : data.byteLength;
		traffic.messagesOut++;
		timeline.sends.push(performance.now() - timeline.started);
		super.send(data);
	}
}
globalThis.WebSocket = CountingWebSocket;

function resetTraffic(): void {
	traffic.in = 0;
	traffic.out = 0;
	traffic.messagesIn = 0;
	traffic.messagesOut = 0;
	traffic.sockets = 0;
	timeline.started = performance.now();
	timeline.arrivals = [];
	timeline.sends = [];
}

/** Resolves when `check` returns true, looking every POLL_MS; rejects after TIMEOUT_MS saying what `progress` says. */
function until(check: () => boolean, progress: () => string): Promise<number> {
	const started = performance.now();
	return new Promise((resolve, reject) => {
		const look = () => {
			if (check()) return resolve(performance.now());
			if (performance.now() - started > TIMEOUT_MS) return reject(new Error(`timed out: ${progress()}`));
			setTimeout(look, POLL_MS);
		};
		look();
	});
}

export interface OursParams {
	readonly relayUrl: string;
	readonly workspaceId: string;
	readonly memberId: string;
	readonly token: string;
	readonly pageIds: readonly string[];
}

/** When the last room synced and its data committed (milliseconds from the start), and what travelled: either side's result. */
interface JoinResult {
	readonly allSynced: number;
	readonly committed: number;
	readonly rooms: number;
	readonly bytesIn: number;
	readonly bytesOut: number;
	readonly messagesIn: number;
	readonly messagesOut: number;
	readonly sockets: number;
}

/** Milliseconds from the start, and what travelled. */
export interface OursResult extends JoinResult {
	readonly opened: number;
	readonly connected: number;
	readonly workspaceSynced: number;
	/** Every room read from IndexedDB (empty) and joined on the connection. */
	readonly allJoined: number;
	readonly firstPageSynced: number;
	/**
	 * Every room's relay copy applied to its Y.Doc: what the session stored on arrival and applied
	 * after, in idle slices (sync/room-link.ts, Deferral). After `committed`; not the budget's figure.
	 */
	readonly allApplied: number;
}

/**
 * The app's join: WorkspaceSession.open on an empty device, then syncAllPages, as the workspace
 * layout does (routes/w/[ws]/+layout.svelte). Done when every page's body and discussion has its
 * relay copy on the device (`received`: applied, or stored to apply in idle time) and everything the
 * session queued for IndexedDB has committed. Then, apart, when every copy is applied.
 */
async function ours(params: OursParams): Promise<OursResult> {
	resetTraffic();
	const rooms = params.pageIds.flatMap((id) => [pageRoom(params.workspaceId, id), talkRoom(params.workspaceId, id)]);
	const started = performance.now();
	const session = await WorkspaceSession.open(
		{ id: params.workspaceId, name: 'Cold sync', memberId: params.memberId, memberName: params.memberId, token: params.token, addedAt: Date.now() },
		params.relayUrl
	);
	try {
		const opened = performance.now();
		session.syncAllPages();
		const connection = session.connection!;
		let firstPageSynced = 0;
		let syncedCount = 0;
		const [connected, workspaceSynced, allJoined, allSynced] = await Promise.all([
			until(() => connection.state.kind === 'open', () => connection.state.kind),
			until(() => session.link(workspaceRoom(params.workspaceId))?.synced === true, () => 'workspace room'),
			until(() => rooms.every((room) => session.link(room) !== null), () => `${connection.rooms.size} rooms joined`),
			until(
				() => {
					syncedCount = 0;
					for (const room of rooms) if (session.link(room)?.received) syncedCount++;
					if (syncedCount > 0 && firstPageSynced === 0) firstPageSynced = performance.now();
					return syncedCount === rooms.length;
				},
				() => `${syncedCount} of ${rooms.length} rooms synced, connection ${connection.state.kind}`
			)
		]);
		// Every update a room received was queued for IndexedDB as it arrived; this is when the last has committed.
		await session.store.whenSaved();
		const committed = performance.now();
		let applied = 0;
		const allApplied = await until(
			() => {
				applied = rooms.filter((room) => session.link(room)?.synced).length;
				return applied === rooms.length;
			},
			() => `${applied} of ${rooms.length} rooms applied`
		);
		return {
			opened: opened - started,
			connected: connected - started,
			workspaceSynced: workspaceSynced - started,
			allJoined: allJoined - started,
			firstPageSynced: firstPageSynced - started,
			allSynced: allSynced - started,
			committed: committed - started,
			allApplied: allApplied - started,
			rooms: connection.rooms.size,
			bytesIn: traffic.in,
			bytesOut: traffic.out,
			messagesIn: traffic.messagesIn,
			messagesOut: traffic.messagesOut,
			sockets: traffic.sockets
		};
	} finally {
		await session.close();
	}
}

export interface StockParams {
	/** The provider's serverUrl: the room name is appended after a slash. */
	readonly serverUrl: string;
	readonly token: string;
	readonly rooms: readonly { readonly room: string; readonly kind: string }[];
}

export interface StockResult extends JoinResult {
	readonly firstSynced: number;
}

/**
 * A transaction on the store y-indexeddb writes to, made after its writes: IndexedDB runs
 * transactions whose scopes overlap in the order they were created, so when this one completes,
 * every write y-indexeddb had started before it has committed (y-indexeddb itself says nothing
 * when a write commits: `_storeUpdate` fires a transaction and forgets it).
 */
function afterWrites(db: IDBDatabase): Promise<void> {
	return new Promise((resolve, reject) => {
		const tx = db.transaction('updates', 'readonly');
		tx.objectStore('updates').count();
		tx.oncomplete = () => resolve();
		tx.onerror = () => reject(tx.error);
		tx.onabort = () => reject(tx.error);
	});
}

/**
 * Sockets the stock run keeps open at once. Chromium allows a page 255 WebSockets in all (per
 * profile); a provider per document for a whole workspace at once (2,002 documents) never
 * finishes: the first 255 sync and keep their sockets, and the rest retry for ever (a 200-page
 * trial stalled at 255 of 402 documents after 180 s, having opened 11,146 sockets). So the stock
 * run does what an app on the stock pieces would have to: a window of documents at a time, each
 * provider let go once its document is in local storage.
 */
const STOCK_WINDOW = 200;

/**
 * One stock WebsocketProvider and one IndexeddbPersistence per document, STOCK_WINDOW at a time.
 * A document is in local storage once the provider has synced (the server's state is applied, so
 * y-indexeddb has queued it), the persistence has loaded (before that, y-indexeddb stores the whole
 * state when it opens instead) and a transaction after those writes has completed.
 */
async function stock(params: StockParams): Promise<StockResult> {
	resetTraffic();
	const started = performance.now();
	let firstSynced = 0;
	let lastSynced = 0;
	let lastCommitted = 0;
	let done = 0;
	const queue = [...params.rooms];
	const one = async ({ room, kind }: StockParams['rooms'][number]) => {
		const doc = kind === 'page' ? newPageDoc() : new Y.Doc();
		const persistence = new IndexeddbPersistence(room, doc);
		const provider = new WebsocketProvider(params.serverUrl, room, doc, { params: { token: params.token } });
		try {
			await new Promise<void>((resolve) => {
				if (provider.synced) return resolve();
				const onSync = (synced: boolean) => {
					if (!synced) return;
					provider.off('sync', onSync);
					resolve();
				};
				provider.on('sync', onSync);
			});
			const synced = performance.now();
			if (firstSynced === 0) firstSynced = synced;
			lastSynced = Math.max(lastSynced, synced);
			await persistence.whenSynced;
			await afterWrites(persistence.db!);
			lastCommitted = Math.max(lastCommitted, performance.now());
			done++;
		} finally {
			provider.destroy();
			await persistence.destroy();
			doc.destroy();
		}
	};
	const worker = async () => {
		for (let next = queue.shift(); next; next = queue.shift()) await one(next);
	};
	let timer: ReturnType<typeof setTimeout> | undefined;
	await Promise.race([
		Promise.all(Array.from({ length: STOCK_WINDOW }, worker)),
		new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${done} of ${params.rooms.length} docs stored, ${traffic.sockets} sockets`)), TIMEOUT_MS)))
	]).finally(() => clearTimeout(timer));
	return {
		firstSynced: firstSynced - started,
		allSynced: lastSynced - started,
		committed: lastCommitted - started,
		rooms: params.rooms.length,
		bytesIn: traffic.in,
		bytesOut: traffic.out,
		messagesIn: traffic.messagesIn,
		messagesOut: traffic.messagesOut,
		sockets: traffic.sockets
	};
}

const api = { ours, stock, timeline: () => timeline };
(window as unknown as { bench: typeof api }).bench = api;
document.title = 'ready';
