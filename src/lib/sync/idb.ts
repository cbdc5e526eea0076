/**
 * Small promise helpers over IndexedDB. Unlike lib0/indexeddb (which y-indexeddb builds on), a
 * write resolves only when its *transaction* completes — the point at which the browser has the
 * data — and rejects with the real DOMException (QuotaExceededError, InvalidStateError, …) so
 * callers can tell the user what went wrong.
 */

export function openDatabase(name: string, version: number, upgrade: (db: IDBDatabase) => void): Promise<IDBDatabase> {
	return new Promise((resolve, reject) => {
		const request = indexedDB.open(name, version);
		request.onupgradeneeded = () => upgrade(request.result);
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => {
			// Chromium's own words ("The requested version (1) is less than the existing version (2).")
			// reach the page as is; say what happened and what to do, keeping the name for callers.
			if (request.error?.name === 'VersionError') {
				reject(new DOMException('A newer version of Meridian has upgraded its storage on this device, and this tab runs an older one. Reload to update; if this stays, close every Meridian tab and open it again.', 'VersionError'));
			} else {
				reject(request.error ?? new Error(`Could not open the database ${name}.`));
			}
		};
		request.onblocked = () => reject(new Error(`The database ${name} is blocked by another tab; close other Meridian tabs and reload.`));
	});
}

export function requestResult<T>(request: IDBRequest<T>): Promise<T> {
	return new Promise((resolve, reject) => {
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed.'));
	});
}

/** Resolves when the transaction commits; rejects with its error when it fails or aborts. */
export function transactionDone(tx: IDBTransaction): Promise<void> {
	return new Promise((resolve, reject) => {
		tx.oncomplete = () => resolve();
		tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed.'));
		tx.onabort = () => reject(tx.error ?? new DOMException('IndexedDB transaction aborted.', 'AbortError'));
	});
}

/** A storage failure in words a person can act on. */
export function describeStorageError(error: unknown): { kind: 'quota' | 'closed' | 'failed'; message: string } {
	const name = error instanceof DOMException || error instanceof Error ? error.name : '';
	if (name === 'QuotaExceededError') {
		return { kind: 'quota', message: 'This device is out of storage space for Meridian. Free some space; your changes are kept in this tab and saved when there is room.' };
	}
	if (name === 'VersionError') {
		return { kind: 'closed', message: 'A newer version of Meridian is open in another tab, and this tab can no longer save on this device. Copy any changes made since, then reload this tab: a reload does not keep what it could not save.' };
	}
	if (name === 'InvalidStateError' || (name === 'AbortError' && String(error).includes('closed'))) {
		return { kind: 'closed', message: 'The local database was closed (another tab upgraded it, or the browser closed it). Reconnecting…' };
	}
	const detail = error instanceof Error ? error.message : String(error);
	return { kind: 'failed', message: `Saving on this device failed: ${detail}. Retrying…` };
}
