/**
 * Work a page does not need to show: run `work` once the page has had `ms` to load its own scripts
 * and documents, in an idle moment then (at most `IDLE_WAIT_MS` later). The workspace's indexes
 * start this way (search, the inbox), so their code and their first reading of every page come
 * after what the member opened. Returns a cancel for a page left before.
 */
export const AFTER_LOAD_MS = 1000;
const IDLE_WAIT_MS = 2000;

export function afterLoad(work: () => void, ms = AFTER_LOAD_MS): () => void {
	let cancelled = false;
	const idle = globalThis.requestIdleCallback ?? ((run: () => void) => setTimeout(run, 50));
	const timer = setTimeout(() => idle(() => cancelled || work(), { timeout: IDLE_WAIT_MS }), ms);
	return () => {
		cancelled = true;
		clearTimeout(timer);
	};
}
