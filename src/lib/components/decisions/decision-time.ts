/**
 * Times on decision records as the viewer reads and types them: in this device's own time zone.
 * A `datetime-local` input has no zone; its value is read and written in the device's zone, which
 * is the zone `Date`'s local getters and `new Date('YYYY-MM-DDTHH:mm')` use.
 */

/** How long the device's time zone is taken as known: asking Intl costs a new DateTimeFormat. */
const ZONE_TTL_MS = 60_000;
let zone: { readonly name: string; readonly at: number } | null = null;

/**
 * This device's IANA time zone (what every time on a record is shown in). Read again at most once
 * a minute: highlights and feeds ask for every line they draw, and a device that travels to
 * another zone shows it within the minute.
 */
export function viewerTimeZone(): string {
	const now = Date.now();
	if (zone === null || now - zone.at > ZONE_TTL_MS) zone = { name: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', at: now };
	return zone.name;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A time as a `datetime-local` value, in this device's zone. */
export function toLocalInput(ms: number): string {
	const d = new Date(ms);
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value read in this device's zone; NaN when empty or unreadable (the model says so). */
export function fromLocalInput(value: string): number {
	if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return NaN;
	return new Date(value).getTime();
}

/** The default decide-by: a week from now, at the start of the same hour. */
export function defaultDecideBy(now: number): number {
	const d = new Date(now);
	d.setDate(d.getDate() + 7);
	d.setMinutes(0, 0, 0);
	return d.getTime();
}

/** One formatter per zone: making one costs far more than formatting with it. */
const whenFormats = new Map<string, Intl.DateTimeFormat>();

/** "3 Mar 2026, 10:30" in `timeZone`: when a position or status change was made. */
export function formatWhen(ms: number, timeZone: string): string {
	let format = whenFormats.get(timeZone);
	if (!format) {
		format = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone });
		whenFormats.set(timeZone, format);
	}
	return format.format(ms);
}

/** Tags as typed: comma-separated. */
export function parseTags(text: string): string[] {
	return text
		.split(',')
		.map((t) => t.trim())
		.filter((t) => t !== '');
}
