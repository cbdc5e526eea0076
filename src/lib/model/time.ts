/**
 * Times as the model stores them: milliseconds since the epoch, written by any client. One check
 * for every reader, because a value no Date can hold would make `toISOString` and
 * `Intl.DateTimeFormat` throw while rendering — a bad write on one device must not break every screen.
 */

/** A number a Date can hold (±8.64e15 ms). */
export function isTime(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 8.64e15;
}
