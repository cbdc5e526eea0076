/**
 * People: every member's profile — name, colour, time zone, working hours and availability — in
 * the workspace's people document (room `<ws>/@people`). The time-zone arithmetic that reads them
 * (local time now, inside working hours or not, when someone is next at work, when the team's
 * working hours next overlap) is in working-hours.ts, loaded with the screens that show it, and
 * changing a profile (the people page's form) in profile-edits.ts.
 *
 *   members: memberId → true                      (the index of who has a profile)
 *   profile:<memberId>: root map {
 *     name: string, color: string, timeZone: IANA name      (what the member chose)
 *     deviceName: string, deviceZone: IANA name             (filled in by a device; read when unchosen)
 *     hours: { days: number[] (0 = Sunday … 6 = Saturday), start, end: minutes after local midnight }
 *     availability: { status, note, until: ms since the epoch | null }
 *     updatedAt: ms since the epoch
 *   }
 *
 * Why a document of its own: the relay enforces roles per document, never inside one, and the
 * workspace document is written by editors and admins only — viewers and commenters must still
 * say where they are and when they work. So every role may write this one, and each member writes
 * only their own entry, by the app's rule (a modified client could change anyone's: the same trust
 * as any shared document; presence, which must not be forged, is bound to the token instead).
 *
 * Why a root map per member, and never a Y.Map under a shared key: Yjs keeps only one of two
 * values written concurrently under one map key, and a nested Y.Map is one value. A device that
 * has not synced yet (new, or its storage cleared) and created `profiles[me] = new Y.Map()` would
 * replace the whole profile written on the member's other devices. Root types are named, not
 * written: every device's `profile:<id>` is the same map, so concurrent writers merge field by
 * field. The `members` index holds plain `true`s, which are safe to write twice.
 *
 * Each field is its own key, so a name changed on one device and hours on another both survive;
 * hours and availability are written whole (one value), so a half-edited week never merges with
 * another device's. Defaults never sit where they could beat a real value: the colour is derived
 * from the id, a device's name and zone go under keys of their own that only fill in for an
 * unchosen `name` or `timeZone` (then the workspace's members list, then "Member" and "zone not
 * set"), and default hours are written only once the room has synced (see ensureOwnProfile).
 * Nothing is ever deleted (a bare map delete creates no structs; see decisions.ts).
 *
 * An earlier layout (`profiles`: memberId → Y.Map) was never released; it is still read, field by
 * field, under the new one, since that costs a few lines.
 *
 * Time zones: every conversion goes through Intl (the browser's tz database), never a fixed
 * offset, so working hours follow each zone's daylight-saving changes, which fall on different
 * dates (the US moves in March and November a few weeks apart from the EU). A zone this browser
 * does not know reads as UTC, labelled so ("UTC (unknown zone Mars/Olympus)"), never as an error.
 */
import * as Y from 'yjs';
import { cleanText } from './text.ts';
import { Origin } from './origins.ts';
import { assertWritable, stampSchemaVersion } from './version.ts';
import { isTime } from './time.ts';
import { colorForMember } from './members.ts';
import { listMembers, type Actor } from './workspace.ts';

export const Availability = { available: 'available', focus: 'focus', away: 'away', off: 'off' } as const;
export type Availability = (typeof Availability)[keyof typeof Availability];
export const availabilities: readonly Availability[] = Object.values(Availability);

export const availabilityLabels: Readonly<Record<Availability, string>> = {
	available: 'Available',
	focus: 'Focus time',
	away: 'Away',
	off: 'Off'
};

export const MAX_NAME_LENGTH = 80;
export const MAX_NOTE_LENGTH = 140;
const MINUTES_PER_DAY = 24 * 60;

/**
 * Working hours in the member's own zone: a shift from `start` to `end` (minutes after local
 * midnight) on each of `days`. An `end` at or before `start` means the shift ends the next day
 * (22:00–06:00 starts on the listed day); a shift is never empty and never longer than a day.
 */
export interface WorkingHours {
	readonly days: readonly number[];
	readonly start: number;
	readonly end: number;
}

export const DEFAULT_HOURS: WorkingHours = { days: [1, 2, 3, 4, 5], start: 9 * 60, end: 17 * 60 };

export interface AvailabilityStatus {
	readonly status: Availability;
	readonly note: string;
	/** Until when it holds (ms); null: until changed. */
	readonly until: number | null;
}

export interface Person {
	readonly id: string;
	readonly name: string;
	readonly color: string;
	/** A zone this browser knows: the stored one, or 'UTC' when it is unknown (see zoneLabel). */
	readonly timeZone: string;
	/** The zone as stored (may be unknown here), or '' when none is set. */
	readonly storedTimeZone: string;
	readonly zoneKnown: boolean;
	/** What to show for the zone: "Europe/Berlin", "UTC (unknown zone Mars/Olympus)" or "UTC (zone not set)". */
	readonly zoneLabel: string;
	/** Null: not told (a member with no profile yet, or hours unreadable). */
	readonly hours: WorkingHours | null;
	/** As stored; `currentAvailability` says what holds now. */
	readonly availability: AvailabilityStatus;
	readonly updatedAt: number | null;
	/** False for a member known only from the workspace's members list. */
	readonly hasProfile: boolean;
}

/** Bad input to a profile: shown to the member as is, and nothing was changed. */
export class ProfileError extends Error {
	override name = 'ProfileError';
}

/** Who has a profile: member id → true. Plain values, so two devices adding one member both stay. */
export function profileIndex(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap('members');
}

const PROFILE_PREFIX = 'profile:';

/** One member's profile: a root map, the same map on every device (see the module comment). */
export function profileMap(doc: Y.Doc, memberId: string): Y.Map<unknown> {
	return doc.getMap(PROFILE_PREFIX + memberId);
}

/**
 * A root map for reading, without defining it: null when nothing was ever written to it, or when
 * another client defined that name as some other type (getMap would throw then). A root that
 * arrived from the network before anyone asked for it is a bare AbstractType; getMap makes it the
 * map it is.
 */
function readRoot(doc: Y.Doc, name: string): Y.Map<unknown> | null {
	const root = doc.share.get(name);
	return root instanceof Y.Map || root?.constructor === Y.AbstractType ? doc.getMap<unknown>(name) : null;
}

function rootProfile(doc: Y.Doc, memberId: string): Y.Map<unknown> | null {
	return readRoot(doc, PROFILE_PREFIX + memberId);
}

function legacyEntry(doc: Y.Doc, memberId: string): Y.Map<unknown> | null {
	// The earlier, unreleased layout (memberId → Y.Map): read as a fallback, never written.
	const entry = readRoot(doc, 'profiles')?.get(memberId);
	return entry instanceof Y.Map ? entry : null;
}

/** Every member id with a profile: the index, root maps that arrived without it, the old layout. */
function profileIds(doc: Y.Doc): Set<string> {
	const ids = new Set<string>();
	readRoot(doc, 'members')?.forEach((_, id) => ids.add(id));
	for (const name of doc.share.keys()) {
		const id = name.slice(PROFILE_PREFIX.length);
		if (name.startsWith(PROFILE_PREFIX) && id !== '' && (rootProfile(doc, id)?.size ?? 0) > 0) ids.add(id);
	}
	readRoot(doc, 'profiles')?.forEach((entry, id) => {
		if (entry instanceof Y.Map) ids.add(id);
	});
	return ids;
}

/** A field of a member's profile: the root map's value, else the old layout's; undefined if neither. */
export function field(doc: Y.Doc, memberId: string, key: string): unknown {
	const value = rootProfile(doc, memberId)?.get(key);
	return value !== undefined ? value : legacyEntry(doc, memberId)?.get(key);
}

function hasProfile(doc: Y.Doc, memberId: string): boolean {
	return (
		readRoot(doc, 'members')?.has(memberId) === true ||
		(rootProfile(doc, memberId)?.size ?? 0) > 0 ||
		legacyEntry(doc, memberId) !== null
	);
}

// ---- writing ----

/** What the device knows about its member on first open. */
export interface DeviceDefaults {
	readonly name: string;
	readonly timeZone: string;
}

export interface EnsureOptions {
	/**
	 * Whether the people room has synced with the relay (or there is no relay). Until it has, the
	 * member's hours may exist elsewhere and only be missing here, so default hours are not written.
	 */
	readonly synced: boolean;
}

/**
 * Fills in what is absent of this member's profile. The device's name and zone go under keys of
 * their own, `deviceName` and `deviceZone`, read only where the member has not chosen a `name` or
 * `timeZone`: so they are safe to write at once, even before the room has synced, and never
 * compete with what the member chose on another device (Yjs keeps one of two values written
 * concurrently to one key, whichever client id sorts last, not the newer). Mon–Fri 09:00–17:00
 * goes under `hours` itself, which everyone reads, so only once the room has synced: before that,
 * absent may only mean not arrived yet. The colour is never written (it reads from the id).
 * Writes nothing at all when nothing is absent, and never a field that has a value.
 */
export function ensureOwnProfile(people: Y.Doc, defaults: DeviceDefaults, actor: Actor, options: EnsureOptions): void {
	assertWritable(people);
	const id = actor.memberId;
	const isName = (v: unknown) => typeof v === 'string' && v.trim() !== '';
	const isZone = (v: unknown) => typeof v === 'string' && v !== '';
	const writes: [string, unknown][] = [];
	if (!isName(field(people, id, 'name')) && !isName(field(people, id, 'deviceName'))) {
		writes.push(['deviceName', cleanText(defaults.name, MAX_NAME_LENGTH, { singleLine: true }).replace(/\s+/g, ' ') || 'Member']);
	}
	if (!isZone(field(people, id, 'timeZone')) && !isZone(field(people, id, 'deviceZone'))) writes.push(['deviceZone', canonicalZone(defaults.timeZone) ?? 'UTC']);
	if (options.synced && readHours(field(people, id, 'hours')) === null) writes.push(['hours', { ...DEFAULT_HOURS, days: [...DEFAULT_HOURS.days] }]);
	const indexed = readRoot(people, 'members')?.get(id) === true;
	if (writes.length === 0 && indexed) return;
	people.transact(() => {
		stampSchemaVersion(people);
		if (!indexed) profileIndex(people).set(id, true);
		if (writes.length === 0) return;
		const target = profileMap(people, id);
		for (const [key, value] of writes) target.set(key, value);
		target.set('updatedAt', actor.now);
	}, Origin.local);
}

// ---- reading ----

/** What the workspace's members list (or the device) says about a member: the fallback for a profile. */
interface Fallback {
	readonly name: string;
	readonly color: string;
	readonly timeZone: string;
}

/** One member's profile as stored, read defensively; null when there is none. */
export function readProfile(people: Y.Doc, memberId: string): Person | null {
	return hasProfile(people, memberId) ? readEntry(people, memberId, null) : null;
}

/** This device's member as the device record knows them: shown before their profile has synced. */
export interface Self {
	readonly id: string;
	readonly name: string;
}

/**
 * Everyone to show: every profile, and every member of the workspace's members list who has no
 * profile yet (editors who joined before profiles existed, or whose profile has not synced), and
 * `self`, this device's member, even when in neither (a viewer on a new device, before the people
 * room has synced). A profile wins; the list fills in what the profile lacks, then the device
 * record. Sorted by name, then id.
 */
export function listPeople(people: Y.Doc, workspace: Y.Doc | null, self?: Self): Person[] {
	const members = new Map<string, Fallback>((workspace ? listMembers(workspace) : []).map((m) => [m.id, m]));
	if (self && !members.has(self.id)) members.set(self.id, { name: self.name, color: colorForMember(self.id), timeZone: '' });
	const out = new Map<string, Person>();
	for (const id of profileIds(people)) out.set(id, readEntry(people, id, members.get(id) ?? null));
	for (const [id, member] of members) {
		if (out.has(id)) continue;
		const zone = resolveZone(member.timeZone);
		out.set(id, {
			id,
			name: member.name.trim() || 'Member',
			color: isColor(member.color) ? member.color : colorForMember(id),
			...zone,
			hours: null,
			availability: { status: Availability.available, note: '', until: null },
			updatedAt: null,
			hasProfile: false
		});
	}
	return [...out.values()].sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** What holds now: an availability whose "until" has passed reads as available. */
export function currentAvailability(availability: AvailabilityStatus, now: number): AvailabilityStatus {
	if (availability.until !== null && availability.until <= now) return { status: Availability.available, note: '', until: null };
	return availability;
}

function readEntry(people: Y.Doc, id: string, member: Fallback | null): Person {
	// What the member chose wins over what a device filled in (ensureOwnProfile).
	const chosenName = field(people, id, 'name');
	const name = typeof chosenName === 'string' && chosenName.trim() !== '' ? chosenName : field(people, id, 'deviceName');
	const color = field(people, id, 'color');
	const chosenZone = field(people, id, 'timeZone');
	const zone = typeof chosenZone === 'string' && chosenZone !== '' ? chosenZone : field(people, id, 'deviceZone');
	const updatedAt = field(people, id, 'updatedAt');
	const cleanName = typeof name === 'string' ? cleanText(name, MAX_NAME_LENGTH, { singleLine: true }).replace(/\s+/g, ' ') : '';
	return {
		id,
		name: cleanName || member?.name.trim() || 'Member',
		color: isColor(color) ? color : member && isColor(member.color) ? member.color : colorForMember(id),
		...resolveZone(typeof zone === 'string' && zone !== '' ? zone : (member?.timeZone ?? '')),
		hours: readHours(field(people, id, 'hours')),
		availability: readAvailability(field(people, id, 'availability')),
		updatedAt: isTime(updatedAt) ? updatedAt : null,
		hasProfile: true
	};
}

function readHours(value: unknown): WorkingHours | null {
	if (typeof value !== 'object' || value === null) return null;
	const v = value as Record<string, unknown>;
	const { days, start, end } = v;
	if (!Array.isArray(days) || !isMinute(start) || !isMinute(end) || start === end) return null;
	const clean = [...new Set(days.filter((d): d is number => Number.isInteger(d) && d >= 0 && d <= 6))].sort();
	return { days: clean, start, end };
}

function readAvailability(value: unknown): AvailabilityStatus {
	const fallback: AvailabilityStatus = { status: Availability.available, note: '', until: null };
	if (typeof value !== 'object' || value === null) return fallback;
	const v = value as Record<string, unknown>;
	if (!availabilities.includes(v['status'] as Availability)) return fallback;
	return {
		status: v['status'] as Availability,
		note: typeof v['note'] === 'string' ? cleanText(v['note'], MAX_NOTE_LENGTH, { singleLine: true }) : '',
		until: isTime(v['until']) ? v['until'] : null
	};
}

/** Minutes after midnight: 0 to 1439. */
export function isMinute(value: unknown): value is number {
	return Number.isInteger(value) && (value as number) >= 0 && (value as number) < MINUTES_PER_DAY;
}

/** A colour as profiles store it: `#rrggbb`. */
export function isColor(value: unknown): value is string {
	return typeof value === 'string' && /^#[0-9a-fA-F]{6}$/.test(value);
}



// ---- time zones ----

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A formatter giving a zone's wall clock as parts; null when Intl does not know the zone. */
export function partsFormatter(zone: string): Intl.DateTimeFormat | null {
	let formatter = formatters.get(zone);
	if (!formatter) {
		try {
			formatter = new Intl.DateTimeFormat('en-US', {
				timeZone: zone,
				hourCycle: 'h23',
				year: 'numeric',
				month: 'numeric',
				day: 'numeric',
				hour: 'numeric',
				minute: 'numeric',
				second: 'numeric'
			});
		} catch {
			return null;
		}
		formatters.set(zone, formatter);
	}
	return formatter;
}

/** The zone's IANA name as Intl spells it, or null if Intl does not know it (or it is not a string). */
export function canonicalZone(zone: unknown): string | null {
	if (typeof zone !== 'string' || zone.trim() === '' || zone.length > 100) return null;
	const formatter = partsFormatter(zone.trim());
	return formatter ? formatter.resolvedOptions().timeZone : null;
}

/** The zone to compute with and how to show it: an unknown zone falls back to UTC, visibly. */
export function resolveZone(stored: string): Pick<Person, 'timeZone' | 'storedTimeZone' | 'zoneKnown' | 'zoneLabel'> {
	const canonical = canonicalZone(stored);
	if (canonical !== null) return { timeZone: canonical, storedTimeZone: stored, zoneKnown: true, zoneLabel: canonical };
	if (typeof stored !== 'string' || stored.trim() === '') return { timeZone: 'UTC', storedTimeZone: '', zoneKnown: false, zoneLabel: 'UTC (zone not set)' };
	const shown = String(stored).replace(/[^\x20-\x7e]/g, '?').slice(0, 60);
	return { timeZone: 'UTC', storedTimeZone: stored, zoneKnown: false, zoneLabel: `UTC (unknown zone ${shown})` };
}
