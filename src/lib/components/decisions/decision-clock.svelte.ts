/**
 * The time, as reactive state that changes once a minute (on the minute), so deadlines and
 * "time left" re-render without a timer per component. Ticks only while something reads it.
 */
import { createSubscriber } from 'svelte/reactivity';

export class MinuteClock {
	#subscribe = createSubscriber((update) => {
		let timer: ReturnType<typeof setTimeout>;
		const schedule = () => {
			timer = setTimeout(() => {
				update();
				schedule();
			}, 60_000 - (Date.now() % 60_000) + 50);
		};
		schedule();
		return () => clearTimeout(timer);
	});

	get current(): number {
		this.#subscribe();
		return Date.now();
	}
}
