/**
 * The words the people page shows for someone's working state, availability and the team's
 * overlap, with every time in the viewer's zone ("your time"). Pure, so the page and its tests
 * agree on them.
 */
import {
	availabilityLabels,
	currentAvailability,
	type AvailabilityStatus,
	type Person
} from '$lib/model/people.ts';
import {
	formatDayTime,
	formatSpan,
	isWorkingAt,
	nextWorkingStart,
	type TeamOverlap
} from '$lib/model/working-hours.ts';

const DAY_MS = 86_400_000;

/** "15:00" when it is within the next 20 hours, else "Mon 09:00": a time in `zone`. */
export function soonTime(ms: number, now: number, zone: string): string {
	const dayTime = formatDayTime(ms, zone);
	return ms - now < (20 * DAY_MS) / 24 ? dayTime.slice(dayTime.indexOf(' ') + 1) : dayTime;
}

export type WorkingState = { readonly kind: 'working' | 'outside' | 'unknown'; readonly text: string };

/** "Working now", "Outside working hours — back Tue 09:00 your time", or that hours are not given. */
export function workingState(person: Pick<Person, 'hours' | 'timeZone'>, now: number, viewerZone: string): WorkingState {
	const working = isWorkingAt(person, now);
	if (working === null) return { kind: 'unknown', text: 'No working hours given' };
	if (working) return { kind: 'working', text: 'Working now' };
	const next = nextWorkingStart(person, now);
	return {
		kind: 'outside',
		text: next === null ? 'Outside working hours — not back in the next 7 days' : `Outside working hours — back ${formatDayTime(next, viewerZone)} your time`
	};
}

/** "Focus time until 15:00 your time", "Off until Mon 09:00 your time", "Away", "Available". */
export function availabilityText(availability: AvailabilityStatus, now: number, viewerZone: string): string {
	const current = currentAvailability(availability, now);
	const label = availabilityLabels[current.status];
	return current.until === null ? label : `${label} until ${soonTime(current.until, now, viewerZone)} your time`;
}

/** "Team overlap: next Tue 15:00–16:00 your time (1 h)", "… now until 16:00 …", or none. */
export function overlapText(overlap: TeamOverlap, viewerZone: string): string {
	if (overlap.counted < 2) return 'Team overlap: needs working hours from at least two people.';
	const next = overlap.next;
	if (next === null) return 'Team overlap: no overlap in the next 7 days.';
	const end = formatDayTime(next.end, viewerZone);
	const endTime = end.slice(end.indexOf(' ') + 1);
	if (next.now) return `Team overlap: now until ${endTime} your time (${formatSpan(next.end - next.start)} left)`;
	const start = formatDayTime(next.start, viewerZone);
	const sameDay = start.slice(0, start.indexOf(' ')) === end.slice(0, end.indexOf(' ')) && next.end - next.start < DAY_MS;
	return `Team overlap: next ${start}–${sameDay ? endTime : end} your time (${formatSpan(next.end - next.start)})`;
}
