/**
 * What this device knows outside any workspace: the list of its workspaces, each with the
 * member id it acts as there and, once joined through an invite, the token for the relay.
 */
import { openDatabase, requestResult, transactionDone } from './idb.ts';

export interface WorkspaceRecord {
	readonly id: string;
	/** The name last seen in the workspace document, for the list before it is opened. */
	readonly name: string;
	readonly memberId: string;
	/** The name this member goes by in the workspace, as given on this device. */
	readonly memberName: string;
	/** Null for a workspace used on this device only (no relay). */
	readonly token: string | null;
	readonly addedAt: number;
}

const DB_NAME = 'meridian-device';
const WORKSPACES = 'workspaces';
const SETTINGS = 'settings';

let dbPromise: Promise<IDBDatabase> | null = null;
function db(): Promise<IDBDatabase> {
	dbPromise ??= openDatabase(DB_NAME, 1, (database) => {
		database.createObjectStore(WORKSPACES, { keyPath: 'id' });
		database.createObjectStore(SETTINGS);
	}).then((database) => {
		database.onversionchange = () => {
			database.close();
			dbPromise = null;
		};
		database.onclose = () => {
			dbPromise = null;
		};
		return database;
	});
	dbPromise.catch(() => (dbPromise = null));
	return dbPromise;
}

export async function listWorkspaces(): Promise<WorkspaceRecord[]> {
	const tx = (await db()).transaction(WORKSPACES, 'readonly');
	const all = await requestResult(tx.objectStore(WORKSPACES).getAll() as IDBRequest<WorkspaceRecord[]>);
	return all.sort((a, b) => a.addedAt - b.addedAt);
}

export async function getWorkspace(id: string): Promise<WorkspaceRecord | null> {
	const tx = (await db()).transaction(WORKSPACES, 'readonly');
	return (await requestResult(tx.objectStore(WORKSPACES).get(id) as IDBRequest<WorkspaceRecord | undefined>)) ?? null;
}

export async function putWorkspace(record: WorkspaceRecord): Promise<void> {
	const tx = (await db()).transaction(WORKSPACES, 'readwrite');
	tx.objectStore(WORKSPACES).put(record);
	await transactionDone(tx);
}

export async function getSetting<T>(key: string): Promise<T | null> {
	const tx = (await db()).transaction(SETTINGS, 'readonly');
	return ((await requestResult(tx.objectStore(SETTINGS).get(key))) as T | undefined) ?? null;
}

export async function putSetting(key: string, value: unknown): Promise<void> {
	const tx = (await db()).transaction(SETTINGS, 'readwrite');
	tx.objectStore(SETTINGS).put(value, key);
	await transactionDone(tx);
}

/**
 * Asks the browser not to evict Meridian's data under storage pressure. Returns whether storage
 * is persistent. Browsers may decide without asking the user; Chromium grants it to installed apps.
 */
export async function requestPersistentStorage(): Promise<boolean> {
	if (!navigator.storage?.persist) return false;
	if (await navigator.storage.persisted()) return true;
	return navigator.storage.persist();
}

export async function storageEstimate(): Promise<{ usage: number; quota: number } | null> {
	if (!navigator.storage?.estimate) return null;
	const { usage = 0, quota = 0 } = await navigator.storage.estimate();
	return { usage, quota };
}
