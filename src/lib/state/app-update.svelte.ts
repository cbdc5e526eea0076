/**
 * Registers the service worker and tells the page when a new version of Meridian is waiting.
 *
 * The rule: a new version is never swapped in silently under an open editor. The worker installs
 * and waits (src/service-worker.ts never skips waiting by itself); this class notices the waiting
 * worker, the UI offers "Reload to update", and only `applyUpdate()` — a user's click — asks the
 * worker to take over and reloads the page once it has.
 *
 * The state is plain `$state` written from event listeners rather than a `createSubscriber` bridge:
 * "installed while a controller exists" and "updated by another tab" are transitions seen in events,
 * not values that can be read back from the registration later.
 */

const UPDATE_CHECK_INTERVAL_MS = 30 * 60 * 1000;

type SkipWaitingMessage = { readonly type: 'SKIP_WAITING' };

export class AppUpdate {
	#registration = $state.raw<ServiceWorkerRegistration | null>(null);
	/** A worker that finished installing while this page already had a controller. */
	#waiting = $state.raw<ServiceWorker | null>(null);
	/** Another tab applied an update: this page still runs the old code and needs a reload. */
	#updatedElsewhere = $state(false);
	#applying = $state(false);
	#reloading = false;
	#ready: Promise<ServiceWorkerRegistration> | null = null;

	/** The service worker registration, once `start()` has registered it. */
	get registration(): ServiceWorkerRegistration | null {
		return this.#registration;
	}

	/** Resolves when a worker is active for this page's scope (`navigator.serviceWorker.ready`). */
	get ready(): Promise<ServiceWorkerRegistration> {
		if (!this.#ready) {
			this.#ready = supported()
				? navigator.serviceWorker.ready
				: Promise.reject(new Error('service workers are not available in this context'));
			// Callers that never await `ready` must not see an unhandled rejection.
			this.#ready.catch(() => {});
		}
		return this.#ready;
	}

	/** True when a new version is installed and waiting for the user to reload into it. */
	get updateAvailable(): boolean {
		return this.#waiting !== null || this.#updatedElsewhere;
	}

	/** True between the user's click and the reload. */
	get applying(): boolean {
		return this.#applying;
	}

	/**
	 * Registers /service-worker.js and starts watching for updates. Call once from the root layout's
	 * `onMount`; the returned function stops the watching (the registration itself stays).
	 */
	start(): () => void {
		if (!supported()) return () => {};
		const container = navigator.serviceWorker;
		const controller = new AbortController();
		const { signal } = controller;

		// Whether this page was controlled when it loaded: a controllerchange on a page that had no
		// controller is the first install claiming it, not an update.
		let hadController = container.controller !== null;
		container.addEventListener(
			'controllerchange',
			() => {
				if (this.#applying) return this.#reload();
				if (hadController) this.#updatedElsewhere = true;
				hadController = true;
			},
			{ signal }
		);

		let interval: ReturnType<typeof setInterval> | undefined;
		container
			// SvelteKit emits a module worker in dev and a classic script in the build.
			.register('/service-worker.js', { type: import.meta.env.DEV ? 'module' : 'classic', updateViaCache: 'none' })
			.then((registration) => {
				if (signal.aborted) return;
				this.#registration = registration;
				this.#watch(registration, signal);
				interval = setInterval(() => check(registration), UPDATE_CHECK_INTERVAL_MS);
				document.addEventListener(
					'visibilitychange',
					() => {
						if (document.visibilityState === 'visible') check(registration);
					},
					{ signal }
				);
			})
			.catch((error: unknown) => console.warn('Meridian: service worker registration failed', error));

		return () => {
			controller.abort();
			clearInterval(interval);
		};
	}

	/** Asks the waiting worker to take over; the page reloads when it has. Only on a user's click. */
	applyUpdate(): void {
		if (this.#applying) return;
		this.#applying = true;
		const waiting = this.#registration?.waiting ?? this.#waiting;
		if (waiting) {
			const message: SkipWaitingMessage = { type: 'SKIP_WAITING' };
			waiting.postMessage(message);
		} else {
			// Already activated by another tab: this page only needs to load the new code.
			this.#reload();
		}
	}

	#watch(registration: ServiceWorkerRegistration, signal: AbortSignal): void {
		const track = (worker: ServiceWorker | null) => {
			if (!worker) return;
			const settle = () => {
				// Installed with no controller is the first install, which activates by itself.
				if (worker.state === 'installed' && navigator.serviceWorker.controller) this.#waiting = worker;
				// A newer version replaced the one we offered: offer whatever is waiting now.
				if (worker.state === 'redundant' && this.#waiting === worker) this.#waiting = registration.waiting;
				if (worker.state === 'activated' && this.#waiting === worker) this.#waiting = null;
			};
			worker.addEventListener('statechange', settle, { signal });
			settle();
		};
		track(registration.waiting);
		track(registration.installing);
		registration.addEventListener('updatefound', () => track(registration.installing), { signal });
	}

	#reload(): void {
		if (this.#reloading) return;
		this.#reloading = true;
		location.reload();
	}
}

function supported(): boolean {
	return typeof navigator !== 'undefined' && 'serviceWorker' in navigator;
}

function check(registration: ServiceWorkerRegistration): void {
	// Offline, or the relay is restarting: the next check will do.
	registration.update().catch(() => {});
}
