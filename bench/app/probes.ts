/**
 * What the app scenario measures inside the page, installed with `page.addInitScript` into every
 * document of the context before the app's own scripts run. Self-contained (Playwright serialises
 * the function): no imports, no closures over this module.
 *
 * - Open: from a click on a link to the bench page (in-app navigation; the click event's time
 *   stamp), or from the navigation's start (a full load of the page's URL: time 0 of the document),
 *   until the end of the first frame in which the editor is *editable and shows the whole page*:
 *   `.ProseMirror` is contenteditable, holds one block per paragraph of the page, and its last block
 *   holds the page's last line. Checked in every animation frame from the start; the time is taken
 *   after that frame (a message posted from requestAnimationFrame runs once the frame is drawn).
 *   That the view then accepts a keystroke is checked by the scenario, which types one.
 * - Keystrokes: the method of bench/browser/main.ts (the search scenario): from the key event's
 *   time stamp to just after the next frame, so a key that waits behind other work (a remote
 *   update being applied and rendered) shows it. Long tasks (over 50 ms) are counted alongside.
 */

export interface ProbeOptions {
	/** The path suffix of the page whose opening is timed, e.g. '/p/automerge-paper'. */
	readonly pagePath: string;
	readonly paragraphs: number;
	readonly lastLine: string;
}

export interface OpenTiming {
	/** performance.now() at the start: the click's time stamp, or 0 for a full load. */
	readonly start: number;
	/** performance.now() after the first frame showing the whole page, editable. */
	readonly ready: number;
	readonly kind: 'click' | 'load';
}

export interface ProbeApi {
	/** The last open timed, once ready; null while one is under way or none was started. */
	opened(): OpenTiming | null;
	startKeys(): void;
	stopKeys(): Promise<{ latencies: number[]; longTasks: number }>;
}

export function installProbes(options: ProbeOptions): void {
	const win = window as unknown as { meridianBench: ProbeApi };
	let pending: { start: number; kind: 'click' | 'load' } | null = null;
	let done: OpenTiming | null = null;

	const wholePage = (): boolean => {
		const view = document.querySelector('[data-testid=editor] .ProseMirror');
		if (!view || view.getAttribute('contenteditable') !== 'true') return false;
		if (view.childElementCount !== options.paragraphs) return false;
		return (view.lastElementChild?.textContent ?? '') === options.lastLine;
	};
	const watch = (): void => {
		requestAnimationFrame(() => {
			if (pending === null) return;
			if (!wholePage()) return watch();
			const started = pending;
			pending = null;
			const channel = new MessageChannel();
			channel.port1.onmessage = () => (done = { start: started.start, ready: performance.now(), kind: started.kind });
			channel.port2.postMessage(null);
		});
	};
	const begin = (start: number, kind: 'click' | 'load'): void => {
		const idle = pending === null;
		pending = { start, kind };
		done = null;
		if (idle) watch();
	};

	if (location.pathname.endsWith(options.pagePath)) begin(0, 'load');
	window.addEventListener(
		'click',
		(event) => {
			const link = event.target instanceof Element ? event.target.closest('a') : null;
			if (link && new URL(link.href, location.href).pathname.endsWith(options.pagePath)) begin(event.timeStamp, 'click');
		},
		true
	);

	const latencies: number[] = [];
	let recording = false;
	let longTasks = 0;
	window.addEventListener(
		'keydown',
		(event) => {
			if (!recording) return;
			const pressed = event.timeStamp;
			requestAnimationFrame(() => {
				const channel = new MessageChannel();
				channel.port1.onmessage = () => latencies.push(performance.now() - pressed);
				channel.port2.postMessage(null);
			});
		},
		true
	);
	new PerformanceObserver((list) => {
		if (recording) longTasks += list.getEntries().length;
	}).observe({ type: 'longtask', buffered: false });

	win.meridianBench = {
		opened: () => done,
		startKeys() {
			latencies.length = 0;
			longTasks = 0;
			recording = true;
		},
		async stopKeys() {
			// The last key's frame.
			await new Promise((resolve) => setTimeout(resolve, 100));
			recording = false;
			return { latencies: [...latencies], longTasks };
		}
	};
}
