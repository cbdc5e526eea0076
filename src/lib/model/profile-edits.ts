/**
 * Changing one's own profile (the people page's form): every field checked before anything is
 * written. Apart from people.ts, which every workspace loads to keep the people list live, because
 * only the form changes a profile.
 */
import type * as Y from 'yjs';
import { cleanText } from './text.ts';
import { isTime } from './time.ts';
import { Origin } from './origins.ts';
import { assertWritable, stampSchemaVersion } from './version.ts';
import type { Actor } from './workspace.ts';
import {
	Availability,
	availabilities,
	canonicalZone,
	field,
	isColor,
	isMinute,
	MAX_NAME_LENGTH,
	MAX_NOTE_LENGTH,
	ProfileError,
	profileIndex,
	profileMap,
	type AvailabilityStatus,
	type WorkingHours
} from './people.ts';

export interface ProfileChanges {
	readonly name?: string;
	readonly color?: string;
	readonly timeZone?: string;
	readonly hours?: WorkingHours;
	readonly availability?: { readonly status: Availability; readonly note?: string; readonly until?: number | null };
}

/**
 * Changes the acting member's own profile. Everything is checked before anything is written: an
 * empty name, a colour that is not a hex colour, a time zone Intl does not know, malformed hours
 * or an "until" already past throw a ProfileError and change nothing. Only the fields given and
 * different are written, each under its own key of the member's root map, so the fields not given
 * — here or on another device not yet synced — are never touched.
 */
export function updateProfile(people: Y.Doc, changes: ProfileChanges, actor: Actor): void {
	assertWritable(people);
	const name = changes.name === undefined ? undefined : checkName(changes.name);
	const color = changes.color === undefined ? undefined : checkColor(changes.color);
	const timeZone = changes.timeZone === undefined ? undefined : checkZone(changes.timeZone);
	const hours = changes.hours === undefined ? undefined : checkHours(changes.hours);
	const availability = changes.availability === undefined ? undefined : checkAvailability(changes.availability, actor.now);
	const id = actor.memberId;
	const differs = (key: string, value: unknown) => value !== undefined && JSON.stringify(field(people, id, key)) !== JSON.stringify(value);
	const writes: [string, unknown][] = (
		[
			['name', name],
			['color', color],
			['timeZone', timeZone],
			['hours', hours],
			['availability', availability]
		] as [string, unknown][]
	).filter(([key, value]) => differs(key, value));
	if (writes.length === 0) return;
	people.transact(() => {
		stampSchemaVersion(people);
		if (profileIndex(people).get(id) !== true) profileIndex(people).set(id, true);
		const target = profileMap(people, id);
		for (const [key, value] of writes) target.set(key, value);
		target.set('updatedAt', actor.now);
	}, Origin.local);
}

function checkName(name: string): string {
	const clean = cleanText(String(name), MAX_NAME_LENGTH, { singleLine: true }).replace(/\s+/g, ' ');
	if (clean === '') throw new ProfileError('Your name cannot be empty.');
	return clean;
}

function checkColor(color: string): string {
	if (!isColor(color)) throw new ProfileError(`"${String(color)}" is not a colour: use #rrggbb.`);
	return color.toLowerCase();
}

function checkZone(zone: string): string {
	const canonical = canonicalZone(zone);
	if (canonical === null) throw new ProfileError(`"${String(zone).slice(0, 60)}" is not a time zone this browser knows: choose one from the list.`);
	return canonical;
}

function checkHours(hours: WorkingHours): WorkingHours {
	if (typeof hours !== 'object' || hours === null || !Array.isArray(hours.days)) throw new ProfileError('Working hours need days, a start and an end.');
	if (!hours.days.every((d) => Number.isInteger(d) && d >= 0 && d <= 6)) throw new ProfileError('Working days are Sunday (0) to Saturday (6).');
	const days = [...new Set(hours.days)].sort();
	if (days.length === 0) throw new ProfileError('Choose at least one working day.');
	if (!isMinute(hours.start) || !isMinute(hours.end)) throw new ProfileError('Working hours start and end at a time of day, 00:00 to 23:59.');
	if (hours.start === hours.end) throw new ProfileError('Working hours start and end at the same time: give the end of the day.');
	return { days, start: hours.start, end: hours.end };
}

function checkAvailability(input: NonNullable<ProfileChanges['availability']>, now: number): AvailabilityStatus {
	if (!availabilities.includes(input.status)) throw new ProfileError(`"${String(input.status)}" is not an availability.`);
	const note = cleanText(input.note ?? '', MAX_NOTE_LENGTH * 4, { singleLine: true });
	if (note.length > MAX_NOTE_LENGTH) throw new ProfileError(`Keep the note to ${MAX_NOTE_LENGTH} characters.`);
	const until = input.until ?? null;
	if (until !== null) {
		if (!isTime(until)) throw new ProfileError('Choose a date and time for "until", or leave it empty.');
		if (until <= now) throw new ProfileError('"Until" is in the past: choose a time still to come, or leave it empty.');
	}
	if (input.status === Availability.available && until !== null) throw new ProfileError('"Until" is for focus time, away or off: available needs no end.');
	return { status: input.status, note, until: until === null ? null : Math.round(until) };
}
