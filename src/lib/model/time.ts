/**
 * Times as the model stores them: milliseconds since the epoch, written by any client. One check
 * for every reader, because a value no Date can hold would make `toISOString` and
 * `Intl.DateTimeFormat` throw while rendering — a bad write on one device must not break every screen.
 */

/** A number a Date can hold (±8.64e15 ms). */
export function isTime(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 8.64e15;
}

/** "09:12 Tue" in `zone`: a member's own time beside a timestamp (working-hours.ts has the rest). */
export function formatClock(ms: number, zone: string, locale = 'en-GB'): string {
	const parts = new Intl.DateTimeFormat(locale, { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(ms);
	const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
	return `${get('hour')}:${get('minute')} ${get('weekday')}`;
}
