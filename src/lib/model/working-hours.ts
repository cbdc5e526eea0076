/**
 * Working hours and wall clocks across time zones (model/people.ts stores the profiles): local time
 * now, inside working hours or not, when someone is next at work, when the team's working hours
 * next overlap, and how times and hours read. Apart from people.ts so that the workspace, which
 * keeps the people list live on every page, does not load the arithmetic only the people screens,
 * cards and timestamps use. Every conversion goes through Intl (see people.ts, "Time zones").
 */
import { partsFormatter, type Person, type WorkingHours } from './people.ts';

const DAY_MS = 86_400_000;
/** How far ahead "next in working hours" and "next overlap" look. */
export const LOOKAHEAD_DAYS = 7;

export const dayNames = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

export interface WallClock {
	readonly year: number;
	/** 1–12 */
	readonly month: number;
	readonly day: number;
	/** 0 = Sunday */
	readonly weekday: number;
	readonly hour: number;
	readonly minute: number;
}

/** The wall clock in `zone` at `ms` (a zone Intl does not know reads as UTC). */
export function wallClock(ms: number, zone: string): WallClock {
	const formatter = partsFormatter(zone) ?? partsFormatter('UTC')!;
	const parts: Record<string, number> = {};
	for (const part of formatter.formatToParts(ms)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
	const year = parts['year']!;
	const month = parts['month']!;
	const day = parts['day']!;
	return { year, month, day, weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(), hour: parts['hour']! % 24, minute: parts['minute']! };
}

/** How far `zone` is ahead of UTC at `ms`, in ms. */
function offsetAt(ms: number, zone: string): number {
	const formatter = partsFormatter(zone) ?? partsFormatter('UTC')!;
	const parts: Record<string, number> = {};
	for (const part of formatter.formatToParts(ms)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
	const asUtc = Date.UTC(parts['year']!, parts['month']! - 1, parts['day']!, parts['hour']! % 24, parts['minute']!, parts['second']!);
	return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a wall-clock time in `zone` names. A time skipped by a change to summer time (02:30
 * on the night clocks jump to 03:00) is read with the offset before the jump, landing after it
 * (03:30); a time that happens twice when clocks go back is its first occurrence.
 */
export function zonedTime(year: number, month: number, day: number, minutes: number, zone: string): number {
	const wall = Date.UTC(year, month - 1, day) + minutes * 60_000;
	const before = offsetAt(wall - DAY_MS / 2, zone);
	const after = offsetAt(wall + DAY_MS / 2, zone);
	// Try both offsets around the time; a candidate is right if the zone's offset at it agrees.
	const candidates = [wall - Math.max(before, after), wall - Math.min(before, after)];
	for (const at of candidates) if (offsetAt(at, zone) === wall - at) return at;
	return wall - before; // in a gap: no wall clock names it
}

// ---- working hours ----

export type Interval = readonly [start: number, end: number];

/**
 * The stretches of working time of `hours` in `zone` that overlap [from, to), clipped to it, in
 * order and merged where one shift runs into the next (an overnight shift into the next day's).
 */
export function workingIntervals(hours: WorkingHours, zone: string, from: number, to: number): Interval[] {
	const out: [number, number][] = [];
	if (hours.days.length === 0 || to <= from) return out;
	// Start a day early: yesterday's overnight shift may still be running at `from`.
	const first = wallClock(from - DAY_MS, zone);
	for (let i = 0; ; i++) {
		const date = new Date(Date.UTC(first.year, first.month - 1, first.day + i));
		const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
		const start = zonedTime(y, m, d, hours.start, zone);
		if (start >= to) break;
		if (!hours.days.includes(date.getUTCDay())) continue;
		const end = hours.end > hours.start ? zonedTime(y, m, d, hours.end, zone) : zonedTime(y, m, d + 1, hours.end, zone);
		const a = Math.max(start, from);
		const b = Math.min(end, to);
		if (b <= a) continue;
		const last = out.at(-1);
		if (last && a <= last[1]) last[1] = Math.max(last[1], b);
		else out.push([a, b]);
	}
	return out;
}

/** Whether `person` is inside their working hours at `now`; null when they have not said. */
export function isWorkingAt(person: Pick<Person, 'hours' | 'timeZone'>, now: number): boolean | null {
	if (!person.hours) return null;
	return workingIntervals(person.hours, person.timeZone, now, now + 1).length > 0;
}

/**
 * When `person` is next inside their working hours, within the next week: `now` itself while they
 * are working; null if they have no hours (or none in the week).
 */
export function nextWorkingStart(person: Pick<Person, 'hours' | 'timeZone'>, now: number): number | null {
	if (!person.hours) return null;
	return workingIntervals(person.hours, person.timeZone, now, now + LOOKAHEAD_DAYS * DAY_MS)[0]?.[0] ?? null;
}

/** Where two sorted lists of disjoint intervals overlap. */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
	const out: Interval[] = [];
	let i = 0;
	let j = 0;
	while (i < a.length && j < b.length) {
		const start = Math.max(a[i]![0], b[j]![0]);
		const end = Math.min(a[i]![1], b[j]![1]);
		if (start < end) out.push([start, end]);
		if (a[i]![1] < b[j]![1]) i++;
		else j++;
	}
	return out;
}

export interface Overlap {
	readonly start: number;
	readonly end: number;
	/** True when the overlap is going on at `now` (`start` is then `now`). */
	readonly now: boolean;
}

export interface TeamOverlap {
	/** The first stretch when everyone counted is at work, within the next week; null if none. */
	readonly next: Overlap | null;
	/** Every such stretch in the week, in order. */
	readonly all: readonly Interval[];
	/** People left out of the reckoning because they have not given working hours. */
	readonly unknown: readonly Person[];
	/** How many people were counted. */
	readonly counted: number;
}

/**
 * When the working hours of `people` (everyone given, or a chosen few) next all overlap, over
 * the next LOOKAHEAD_DAYS days from `now`. Computed on real instants, so each zone's
 * daylight-saving changes move its hours on their own dates. People without hours are left out and
 * listed; with fewer than two counted there is no overlap to speak of (next is null).
 */
export function teamOverlap(people: readonly Person[], now: number): TeamOverlap {
	const counted = people.filter((p) => p.hours !== null);
	const unknown = people.filter((p) => p.hours === null);
	if (counted.length < 2) return { next: null, all: [], unknown, counted: counted.length };
	const to = now + LOOKAHEAD_DAYS * DAY_MS;
	let all: Interval[] = workingIntervals(counted[0]!.hours!, counted[0]!.timeZone, now, to);
	for (const person of counted.slice(1)) all = intersect(all, workingIntervals(person.hours!, person.timeZone, now, to));
	const first = all[0];
	return { next: first ? { start: first[0], end: first[1], now: first[0] <= now } : null, all, unknown, counted: counted.length };
}

// ---- showing times ----

/** "Tue 09:00" in `zone`: when something next happens, within a week. */
export function formatDayTime(ms: number, zone: string, locale = 'en-GB'): string {
	const parts = new Intl.DateTimeFormat(locale, { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(ms);
	const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
	return `${get('weekday')} ${get('hour')}:${get('minute')}`;
}

/** "1 h", "2 h 30 min", "45 min". */
export function formatSpan(ms: number): string {
	const minutes = Math.round(ms / 60_000);
	const h = Math.floor(minutes / 60);
	const m = minutes % 60;
	if (h === 0) return `${m} min`;
	return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** "09:00" from minutes after midnight. */
export function formatMinutes(minutes: number): string {
	return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Minutes after midnight from "HH:MM" (what a time input gives); NaN when malformed. */
export function parseMinutes(text: string): number {
	const match = /^(\d{1,2}):(\d{2})$/.exec(String(text).trim());
	if (!match) return NaN;
	const h = Number(match[1]);
	const m = Number(match[2]);
	return h < 24 && m < 60 ? h * 60 + m : NaN;
}

/** "Mon–Fri 09:00–17:00", "Mon, Wed 22:00–06:00 (next day)". */
export function describeHours(hours: WorkingHours): string {
	const sorted = [...hours.days].sort();
	// Runs of consecutive days, with the week starting on Monday.
	const order = [1, 2, 3, 4, 5, 6, 0].filter((d) => sorted.includes(d));
	const runs: number[][] = [];
	for (const d of order) {
		const run = runs.at(-1);
		const prev = run?.at(-1);
		if (run && prev !== undefined && (prev + 1) % 7 === d && !(prev === 0)) run.push(d);
		else runs.push([d]);
	}
	const days = order.length === 7 ? 'Every day' : runs.map((r) => (r.length >= 3 ? `${dayNames[r[0]!]}–${dayNames[r.at(-1)!]}` : r.map((d) => dayNames[d]).join(', '))).join(', ');
	const overnight = hours.end <= hours.start ? ' (next day)' : '';
	return `${days} ${formatMinutes(hours.start)}–${formatMinutes(hours.end)}${overnight}`;
}
