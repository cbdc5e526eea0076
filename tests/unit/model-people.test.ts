/**
 * People and time zones (src/lib/model/people.ts), issue 5 item 4.
 *
 * [PE1] ensureOwnProfile fills in what is absent: the device's name and zone (under `deviceName`
 *       and `deviceZone`, which only stand in for an unchosen name or zone), and Mon–Fri
 *       09:00–17:00 only once the people room has synced; the colour is read from the id, never
 *       stored. Later only what is missing, and nothing (no bytes) when nothing is. A member's
 *       profile never touches another's.
 * [PE2] updateProfile checks everything before writing: an empty name, a zone Intl does not know,
 *       malformed hours (no days, bad times, start = end), a colour that is not #rrggbb, an "until"
 *       in the past, a note too long — a ProfileError and not one byte changed. Good input writes
 *       only what differs and stamps updatedAt; fields written on two devices apart both survive.
 * [PE3] Reading is defensive: whatever another client wrote (non-map entries, wrong types, bad
 *       hours, unknown statuses, times no Date holds) reads as a default, never throws.
 * [PE4] A zone the browser does not know reads as UTC, visibly ("UTC (unknown zone Mars/Olympus)").
 * [PE5] listPeople = profiles ∪ workspace members: a profile wins, the members list fills in for
 *       people with no profile yet (no hours: left out of overlaps, and said so).
 * [PE6] Working hours in each member's own zone: working now or not, when next, overnight shifts.
 * [PE7] Team overlap over the next 7 days across zones (Berlin + New York + Tokyo has none), and
 *       across daylight-saving changes: the US and the EU switch on different dates, so the
 *       Berlin/New York overlap is 2 h, then 3 h in the weeks between, then 2 h again.
 * [PE8] Availability: an expired "until" reads as available.
 * [PE10] Each member's profile is a root map (`profile:<id>`) with a `members` index of plain
 *       values, never a Y.Map under a shared key: a device that has not synced (new, or storage
 *       cleared) running ensureOwnProfile and changing its name loses none of the fields set on
 *       another device, in either merge order and for any client ids — before, 7 runs in 20 lost
 *       the whole profile. The unreleased `profiles` layout is still read, field by field, below it.
 * [PE9] The people page's words put every time in the viewer's zone ("back Tue 09:00 your time",
 *       "Team overlap: next Mon 15:00–17:00 your time (2 h)", "now until …", none in 7 days).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	Availability,
	DEFAULT_HOURS,
	ProfileError,
	currentAvailability,
	ensureOwnProfile,
	listPeople,
	profileIndex,
	profileMap,
	readProfile,
	resolveZone,
	type Person,
	type WorkingHours
} from '../../src/lib/model/people.ts';
import {
	describeHours,
	formatSpan,
	isWorkingAt,
	nextWorkingStart,
	parseMinutes,
	teamOverlap,
	wallClock,
	workingIntervals,
	zonedTime
} from '../../src/lib/model/working-hours.ts';
import { colorForMember } from '../../src/lib/model/members.ts';
import { formatClock } from '../../src/lib/model/time.ts';
import { updateProfile, type ProfileChanges } from '../../src/lib/model/profile-edits.ts';
import { availabilityText, overlapText, workingState } from '../../src/lib/components/people/people-text.ts';
import { upsertMember } from '../../src/lib/model/workspace.ts';
import { BASE_SCHEMA_VERSION, metaMap } from '../../src/lib/model/version.ts';
import { TestNetwork } from '../support/test-network.ts';

const H = 3_600_000;
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';
const TOKYO = 'Asia/Tokyo';
const utc = (iso: string) => Date.parse(iso.endsWith('Z') ? iso : `${iso}Z`);
const iso = (ms: number) => new Date(ms).toISOString().replace(':00.000Z', 'Z');
const actor = (memberId: string, now = utc('2026-06-01T08:00')) => ({ memberId, now });
const SYNCED = { synced: true } as const;
const UNSYNCED = { synced: false } as const;

function person(id: string, timeZone: string, hours: WorkingHours | null = DEFAULT_HOURS): Person {
	return { id, name: id, color: '#2563eb', ...resolveZone(timeZone), hours, availability: { status: 'available', note: '', until: null }, updatedAt: null, hasProfile: true };
}

function withProfile(memberId: string, name = memberId, timeZone = BERLIN): Y.Doc {
	const doc = new Y.Doc();
	ensureOwnProfile(doc, { name, timeZone }, actor(memberId), SYNCED);
	return doc;
}

describe('profiles', () => {
	it('[PE1] once synced, first open writes the name, the device zone and Mon–Fri 09–17; the colour reads from the id', () => {
		const doc = withProfile('ana', '  Ana   Lima ', BERLIN);
		const ana = readProfile(doc, 'ana')!;
		expect(ana).toMatchObject({ name: 'Ana Lima', color: colorForMember('ana'), timeZone: BERLIN, hours: DEFAULT_HOURS, hasProfile: true, updatedAt: actor('ana').now });
		expect(ana.availability).toEqual({ status: 'available', note: '', until: null });
		expect(metaMap(doc).get('schemaVersion')).toBe(BASE_SCHEMA_VERSION);
		expect(profileIndex(doc).toJSON()).toEqual({ ana: true });
		expect(Object.keys(profileMap(doc, 'ana').toJSON()).sort()).toEqual(['deviceName', 'deviceZone', 'hours', 'updatedAt']);
	});

	it('[PE1] before the people room has synced, only the device’s name and zone, no hours', () => {
		const empty = new Y.Doc();
		expect(listPeople(empty, null, { id: 'ana', name: 'Ana' })).toMatchObject([
			// Own card before anything is written: the device record's name, the zone "not set", no hours.
			{ id: 'ana', name: 'Ana', color: colorForMember('ana'), zoneKnown: false, storedTimeZone: '', zoneLabel: 'UTC (zone not set)', hours: null, hasProfile: false }
		]);
		const doc = new Y.Doc();
		ensureOwnProfile(doc, { name: 'Ana', timeZone: BERLIN }, actor('ana'), UNSYNCED);
		expect(profileMap(doc, 'ana').toJSON()).toEqual({ deviceName: 'Ana', deviceZone: BERLIN, updatedAt: actor('ana').now });
		expect(readProfile(doc, 'ana')).toMatchObject({ name: 'Ana', timeZone: BERLIN, hours: null, hasProfile: true });
		// Once synced, the hours that are still absent.
		ensureOwnProfile(doc, { name: 'Ana', timeZone: BERLIN }, actor('ana'), SYNCED);
		expect(readProfile(doc, 'ana')!.hours).toEqual(DEFAULT_HOURS);
	});

	it('[PE1] a chosen name or zone wins over any device’s, whichever was written last', () => {
		const doc = new Y.Doc();
		updateProfile(doc, { name: 'Ana Lima', timeZone: 'America/Sao_Paulo' }, actor('ana'));
		profileMap(doc, 'ana').set('deviceName', 'Ana (phone)');
		profileMap(doc, 'ana').set('deviceZone', TOKYO);
		expect(readProfile(doc, 'ana')).toMatchObject({ name: 'Ana Lima', timeZone: 'America/Sao_Paulo' });
	});

	it('[PE1] a later open writes nothing when nothing is missing, and only what is missing otherwise', () => {
		const doc = withProfile('ana', 'Ana', BERLIN);
		updateProfile(doc, { name: 'Ana L.', timeZone: 'America/Sao_Paulo' }, actor('ana'));
		const before = Y.encodeStateAsUpdate(doc);
		ensureOwnProfile(doc, { name: 'Device name', timeZone: TOKYO }, actor('ana', utc('2026-06-02T00:00')), SYNCED);
		expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
		profileMap(doc, 'ana').set('hours', 'garbage');
		ensureOwnProfile(doc, { name: 'Device name', timeZone: TOKYO }, actor('ana'), SYNCED);
		expect(readProfile(doc, 'ana')).toMatchObject({ name: 'Ana L.', timeZone: 'America/Sao_Paulo', hours: DEFAULT_HOURS });
	});

	it('[PE1] an unknown device zone starts the profile in UTC; an empty device name as "Member"', () => {
		const doc = new Y.Doc();
		ensureOwnProfile(doc, { name: '   ', timeZone: 'Mars/Olympus' }, actor('x'), SYNCED);
		expect(readProfile(doc, 'x')).toMatchObject({ name: 'Member', timeZone: 'UTC', zoneKnown: true });
	});

	it('[PE1] one member writes only their own entry', () => {
		const doc = withProfile('ana');
		ensureOwnProfile(doc, { name: 'Ben', timeZone: NEW_YORK }, actor('ben'), SYNCED);
		updateProfile(doc, { name: 'Benjamin' }, actor('ben'));
		expect(readProfile(doc, 'ana')!.name).toBe('ana');
		expect(readProfile(doc, 'ben')!.name).toBe('Benjamin');
	});

	it('[PE2] good input writes only what differs, canonical, and stamps updatedAt', () => {
		const doc = withProfile('ana');
		const later = utc('2026-06-01T09:00');
		updateProfile(
			doc,
			{ name: ' Ana ', color: '#DB2777', timeZone: 'europe/berlin', hours: { days: [5, 1, 1, 3], start: 8 * 60, end: 16 * 60 + 30 }, availability: { status: 'focus', note: ' deep work ', until: later + H } },
			actor('ana', later)
		);
		expect(readProfile(doc, 'ana')).toMatchObject({
			name: 'Ana',
			color: '#db2777',
			timeZone: BERLIN,
			hours: { days: [1, 3, 5], start: 480, end: 990 },
			availability: { status: 'focus', note: 'deep work', until: later + H },
			updatedAt: later
		});
		const before = Y.encodeStateAsUpdate(doc);
		updateProfile(doc, { name: 'Ana', timeZone: BERLIN }, actor('ana', later + H));
		expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
	});

	it.each([
		['an empty name', { name: '  \u0000 ' }, /name cannot be empty/],
		['an unknown zone', { timeZone: 'Mars/Olympus' }, /not a time zone this browser knows/],
		['an empty zone', { timeZone: '' }, /not a time zone/],
		['no working days', { hours: { days: [], start: 540, end: 1020 } }, /at least one working day/],
		['a day out of the week', { hours: { days: [1, 7], start: 540, end: 1020 } }, /Sunday \(0\) to Saturday \(6\)/],
		['a start past the day', { hours: { days: [1], start: 1440, end: 60 } }, /time of day/],
		['a fractional minute', { hours: { days: [1], start: 540.5, end: 1020 } }, /time of day/],
		['start equal to end', { hours: { days: [1], start: 540, end: 540 } }, /same time/],
		['hours that are not hours', { hours: 'nine to five' as unknown as WorkingHours }, /days, a start and an end/],
		['a colour that is not #rrggbb', { color: 'red' }, /not a colour/],
		['an unknown availability', { availability: { status: 'busy' as Availability } }, /not an availability/],
		['an until in the past', { availability: { status: 'off', until: actor('ana').now - 1 } }, /in the past/],
		['an until that is no time', { availability: { status: 'off', until: Number.NaN } }, /Choose a date and time/],
		['available until', { availability: { status: 'available', until: actor('ana').now + H } }, /needs no end/],
		['a note too long', { availability: { status: 'away', note: 'x'.repeat(141) } }, /140 characters/]
	] as [string, ProfileChanges, RegExp][])('[PE2] %s is refused with a ProfileError and nothing changes', (_, changes, message) => {
		const doc = withProfile('ana');
		const before = Y.encodeStateAsUpdate(doc);
		// Good fields beside the bad one are not written either.
		expect(() => updateProfile(doc, { name: 'Changed', ...changes }, actor('ana'))).toThrow(ProfileError);
		expect(() => updateProfile(doc, { name: 'Changed', ...changes }, actor('ana'))).toThrow(message);
		expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
	});

	it('[PE2] fields changed on two devices apart both survive', () => {
		const one = withProfile('ana');
		const two = new Y.Doc();
		Y.applyUpdate(two, Y.encodeStateAsUpdate(one));
		updateProfile(one, { name: 'Ana on the laptop' }, actor('ana'));
		updateProfile(two, { availability: { status: 'away', note: 'dentist' } }, actor('ana'));
		Y.applyUpdate(one, Y.encodeStateAsUpdate(two));
		Y.applyUpdate(two, Y.encodeStateAsUpdate(one));
		for (const doc of [one, two]) expect(readProfile(doc, 'ana')).toMatchObject({ name: 'Ana on the laptop', availability: { status: 'away', note: 'dentist' } });
	});

	it('[PE3] whatever another client wrote reads as defaults, never throws', () => {
		const doc = new Y.Doc();
		profileIndex(doc).set('junk', 'not true');
		doc.getArray('profile:arr').push(['a root of another type']);
		const odd = profileMap(doc, 'odd');
		odd.set('name', 42);
		odd.set('color', 'javascript:alert(1)');
		odd.set('timeZone', ['Europe/Berlin']);
		odd.set('hours', { days: [1, 'two', 9, 1.5], start: 540, end: 1020 });
		odd.set('availability', { status: 'off', note: 7, until: Infinity });
		odd.set('updatedAt', 9e99);
		const bad = profileMap(doc, 'bad');
		bad.set('hours', { days: [1], start: -5, end: 1020 });
		bad.set('availability', { status: 'partying' });
		doc.getMap('profiles').set('legacy-junk', 'not a map');
		// The same, arriving from the network (roots nobody here has asked for yet).
		const remote = new Y.Doc();
		Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
		for (const d of [doc, remote]) {
			const people = listPeople(d, null);
			expect(people.map((p) => p.id)).toEqual(['bad', 'junk', 'odd']);
			const o = people.find((p) => p.id === 'odd')!;
			expect(o).toMatchObject({ name: 'Member', color: colorForMember('odd'), timeZone: 'UTC', zoneLabel: 'UTC (zone not set)', hours: { days: [1], start: 540, end: 1020 }, updatedAt: null });
			expect(o.availability).toEqual({ status: 'off', note: '', until: null });
			const b = people.find((p) => p.id === 'bad')!;
			expect(b.hours).toBeNull();
			expect(b.availability.status).toBe('available');
			expect(readProfile(d, 'arr')).toBeNull();
		}
	});

	it('[PE4] a zone this browser does not know reads as UTC, labelled so', () => {
		const doc = withProfile('ana');
		profileMap(doc, 'ana').set('timeZone', 'Mars/Olympus');
		const ana = readProfile(doc, 'ana')!;
		expect(ana).toMatchObject({ timeZone: 'UTC', storedTimeZone: 'Mars/Olympus', zoneKnown: false, zoneLabel: 'UTC (unknown zone Mars/Olympus)' });
		expect(isWorkingAt(ana, utc('2026-06-01T10:00'))).toBe(true); // Mon 10:00 UTC
		expect(formatClock(utc('2026-06-01T10:00'), ana.timeZone)).toBe('10:00 Mon');
		expect(resolveZone('<b>\u0007</b>').zoneLabel).toBe('UTC (unknown zone <b>?</b>)');
	});

	it('[PE5] profiles win over the members list, which fills in for people without one', () => {
		const people = withProfile('ana', 'Ana', BERLIN);
		const workspace = new Y.Doc();
		upsertMember(workspace, { id: 'ana', name: 'Ana (old)', color: '#7c3aed', timeZone: NEW_YORK });
		upsertMember(workspace, { id: 'carl', name: 'Carl', color: '#047857', timeZone: 'Nowhere/City' });
		const list = listPeople(people, workspace);
		expect(list.map((p) => [p.id, p.name, p.timeZone, p.hasProfile])).toEqual([
			['ana', 'Ana', BERLIN, true],
			['carl', 'Carl', 'UTC', false]
		]);
		expect(list[1]).toMatchObject({ color: '#047857', hours: null, zoneLabel: 'UTC (unknown zone Nowhere/City)' });
		// A profile without a name or zone yet takes them from the members list.
		profileMap(people, 'carl').set('updatedAt', 1);
		expect(listPeople(people, workspace).find((p) => p.id === 'carl')).toMatchObject({ name: 'Carl', color: '#047857', hasProfile: true });
	});
});

describe('profiles written on two devices', () => {
	/** Device A, synced: Ana's real profile, set on her laptop. */
	function laptop(clientID: number): Y.Doc {
		const a = new Y.Doc();
		a.clientID = clientID;
		ensureOwnProfile(a, { name: 'Ana', timeZone: BERLIN }, actor('ana'), SYNCED);
		updateProfile(a, { timeZone: 'America/Sao_Paulo', hours: { days: [2, 3, 4], start: 600, end: 1080 }, availability: { status: 'away', note: 'school run', until: null } }, actor('ana'));
		return a;
	}

	/** Device B: Ana's phone, new (or its storage cleared), before the people room has synced. */
	function phone(clientID: number): Y.Doc {
		const b = new Y.Doc();
		b.clientID = clientID;
		ensureOwnProfile(b, { name: 'Ana (phone)', timeZone: TOKYO }, actor('ana', utc('2026-06-01T09:00')), UNSYNCED);
		updateProfile(b, { name: 'Ana Lima' }, actor('ana', utc('2026-06-01T09:00')));
		return b;
	}

	function expectBoth(doc: Y.Doc): void {
		expect(readProfile(doc, 'ana')).toMatchObject({
			name: 'Ana Lima',
			timeZone: 'America/Sao_Paulo',
			hours: { days: [2, 3, 4], start: 600, end: 1080 },
			availability: { status: 'away', note: 'school run', until: null }
		});
	}

	it('[PE10] an unsynced device keeps the other device’s hours, zone and availability, and its own name change, in both merge orders', () => {
		let lost = 0;
		const runs = 200;
		for (let run = 0; run < runs; run++) {
			// Yjs settles a concurrent write to one key by client id: every pairing, both ways round.
			const [idA, idB] = [1 + ((run * 7919) % 100_000), 1 + ((run * 104_729 + 13) % 100_000)];
			for (const order of ['a-first', 'b-first'] as const) {
				const a = laptop(idA);
				const b = phone(idB === idA ? idA + 1 : idB);
				const [first, second] = order === 'a-first' ? [a, b] : [b, a];
				Y.applyUpdate(second, Y.encodeStateAsUpdate(first));
				Y.applyUpdate(first, Y.encodeStateAsUpdate(second));
				for (const doc of [a, b]) {
					const ana = readProfile(doc, 'ana');
					if (ana?.timeZone !== 'America/Sao_Paulo' || ana.hours?.start !== 600 || ana.availability.status !== 'away') lost++;
					expectBoth(doc);
				}
			}
		}
		expect(lost, `profiles lost in ${runs * 4} merged replicas`).toBe(0);
	});

	it('[PE10] over a random network (reordered, duplicated, dropped and healed), every seed keeps both devices’ fields', () => {
		for (let seed = 1; seed <= 100; seed++) {
			const network = new TestNetwork({ replicas: 3, seed });
			const [relay, a, b] = network.docs as [Y.Doc, Y.Doc, Y.Doc];
			network.disconnect(2);
			ensureOwnProfile(a, { name: 'Ana', timeZone: BERLIN }, actor('ana'), SYNCED);
			for (let i = 0; i < 5; i++) network.step();
			updateProfile(a, { timeZone: 'America/Sao_Paulo', hours: { days: [2, 3, 4], start: 600, end: 1080 } }, actor('ana'));
			ensureOwnProfile(b, { name: 'Ana (phone)', timeZone: TOKYO }, actor('ana'), UNSYNCED);
			updateProfile(b, { name: 'Ana Lima' }, actor('ana'));
			network.connect(2);
			for (let i = 0; i < 10; i++) network.step();
			updateProfile(a, { availability: { status: 'away', note: 'school run' } }, actor('ana'));
			for (let i = 0; i < 20; i++) network.step();
			network.flushAll();
			// Once synced, the phone's own ensureOwnProfile finds nothing absent.
			const before = Y.encodeStateAsUpdate(b);
			ensureOwnProfile(b, { name: 'Ana (phone)', timeZone: TOKYO }, actor('ana'), SYNCED);
			expect(Y.encodeStateAsUpdate(b), `seed ${seed}: nothing to fill in`).toEqual(before);
			network.assertConverged((doc) => readProfile(doc, 'ana'));
			for (const doc of [relay, a, b]) expectBoth(doc);
			network.destroy();
		}
	});

	it('[PE10] two new devices filling in defaults at once converge on one valid profile', () => {
		for (let run = 0; run < 50; run++) {
			const a = new Y.Doc();
			const b = new Y.Doc();
			ensureOwnProfile(a, { name: 'Ana', timeZone: BERLIN }, actor('ana'), SYNCED);
			ensureOwnProfile(b, { name: 'Ana P', timeZone: TOKYO }, actor('ana'), SYNCED);
			Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
			Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
			expect(readProfile(a, 'ana')).toEqual(readProfile(b, 'ana'));
			expect(readProfile(a, 'ana')).toMatchObject({ hours: DEFAULT_HOURS, hasProfile: true });
			expect([BERLIN, TOKYO]).toContain(readProfile(a, 'ana')!.timeZone);
			expect(listPeople(a, null)).toHaveLength(1);
		}
	});

	it('[PE10] the unreleased `profiles` layout is read, field by field, under the new one', () => {
		const doc = new Y.Doc();
		const old = new Y.Map<unknown>();
		doc.getMap('profiles').set('ana', old);
		old.set('name', 'Ana (old)');
		old.set('timeZone', BERLIN);
		old.set('hours', { days: [1], start: 480, end: 960 });
		expect(readProfile(doc, 'ana')).toMatchObject({ name: 'Ana (old)', timeZone: BERLIN, hours: { days: [1], start: 480, end: 960 }, hasProfile: true });
		// Nothing is absent: a synced open writes only the index entry.
		ensureOwnProfile(doc, { name: 'Device', timeZone: TOKYO }, actor('ana'), SYNCED);
		expect(profileMap(doc, 'ana').size).toBe(0);
		updateProfile(doc, { name: 'Ana', hours: { days: [1], start: 480, end: 960 } }, actor('ana'));
		expect(profileMap(doc, 'ana').get('hours')).toBeUndefined(); // unchanged: not written
		expect(readProfile(doc, 'ana')).toMatchObject({ name: 'Ana', timeZone: BERLIN, hours: { days: [1], start: 480, end: 960 } });
		expect(listPeople(doc, null).map((p) => p.id)).toEqual(['ana']);
	});
});

describe('working hours', () => {
	it('[PE6] zonedTime converts wall clocks to instants, across both kinds of DST change', () => {
		expect(iso(zonedTime(2026, 1, 15, 9 * 60, BERLIN))).toBe('2026-01-15T08:00Z');
		expect(iso(zonedTime(2026, 7, 15, 9 * 60, BERLIN))).toBe('2026-07-15T07:00Z');
		expect(iso(zonedTime(2026, 7, 15, 9 * 60, NEW_YORK))).toBe('2026-07-15T13:00Z');
		// 02:30 does not exist in Berlin on 29 March 2026: it lands after the jump (03:30 CEST).
		expect(iso(zonedTime(2026, 3, 29, 150, BERLIN))).toBe('2026-03-29T01:30Z');
		// 01:30 happens twice in New York on 1 November 2026: the first (EDT) is taken.
		expect(iso(zonedTime(2026, 11, 1, 90, NEW_YORK))).toBe('2026-11-01T05:30Z');
		expect(wallClock(utc('2026-03-29T01:30'), BERLIN)).toEqual({ year: 2026, month: 3, day: 29, weekday: 0, hour: 3, minute: 30 });
	});

	it('[PE6] working now, when next, in the member’s own zone', () => {
		const tokyo = person('kenji', TOKYO);
		const friday = utc('2026-11-20T03:00'); // Fri 12:00 in Tokyo
		expect(isWorkingAt(tokyo, friday)).toBe(true);
		expect(nextWorkingStart(tokyo, friday)).toBe(friday);
		const fridayNight = utc('2026-11-20T09:00'); // Fri 18:00 in Tokyo: back Monday 09:00 = Sun 24:00 UTC
		expect(isWorkingAt(tokyo, fridayNight)).toBe(false);
		expect(iso(nextWorkingStart(tokyo, fridayNight)!)).toBe('2026-11-23T00:00Z');
		expect(isWorkingAt(person('x', TOKYO, null), friday)).toBeNull();
		expect(nextWorkingStart(person('x', TOKYO, null), friday)).toBeNull();
		// End is exclusive: 17:00 is outside, 16:59 inside.
		expect(isWorkingAt(tokyo, utc('2026-11-20T08:00'))).toBe(false);
		expect(isWorkingAt(tokyo, utc('2026-11-20T07:59'))).toBe(true);
	});

	it('[PE6] an overnight shift runs past midnight into the next day, and is described so', () => {
		const night: WorkingHours = { days: [1, 2, 3, 4, 5], start: 22 * 60, end: 6 * 60 };
		const nurse = person('n', 'UTC', night);
		expect(isWorkingAt(nurse, utc('2026-11-17T23:00'))).toBe(true); // Tue 23:00
		expect(isWorkingAt(nurse, utc('2026-11-18T05:59'))).toBe(true); // Wed 05:59, Tuesday's shift
		expect(isWorkingAt(nurse, utc('2026-11-21T03:00'))).toBe(true); // Sat 03:00, Friday's shift
		expect(isWorkingAt(nurse, utc('2026-11-22T03:00'))).toBe(false); // Sun 03:00
		expect(describeHours(night)).toBe('Mon–Fri 22:00–06:00 (next day)');
		// Every night: consecutive shifts merge into one stretch only where they touch.
		const always = workingIntervals({ days: [0, 1, 2, 3, 4, 5, 6], start: 0, end: 23 * 60 + 59 }, 'UTC', utc('2026-11-16T00:00'), utc('2026-11-17T00:00'));
		expect(always).toEqual([[utc('2026-11-16T00:00'), utc('2026-11-16T23:59')]]);
	});

	it('[PE6] hours read and described for people', () => {
		expect(describeHours(DEFAULT_HOURS)).toBe('Mon–Fri 09:00–17:00');
		expect(describeHours({ days: [0, 1, 2, 3, 4, 5, 6], start: 480, end: 960 })).toBe('Every day 08:00–16:00');
		expect(describeHours({ days: [1, 3], start: 480, end: 960 })).toBe('Mon, Wed 08:00–16:00');
		expect(describeHours({ days: [6, 0], start: 600, end: 840 })).toBe('Sat, Sun 10:00–14:00');
		expect(parseMinutes('09:30')).toBe(570);
		expect(parseMinutes('24:00')).toBeNaN();
		expect(parseMinutes('9.30')).toBeNaN();
		expect(formatSpan(H)).toBe('1 h');
		expect(formatSpan(2.5 * H)).toBe('2 h 30 min');
		expect(formatSpan(H / 4)).toBe('15 min');
	});
});

describe('team overlap', () => {
	const ana = person('ana', BERLIN);
	const ben = person('ben', NEW_YORK);
	const kenji = person('kenji', TOKYO);

	it('[PE7] Berlin and New York, 09–17 each, overlap 2 h in winter', () => {
		const monday = utc('2026-11-16T06:00');
		const overlap = teamOverlap([ana, ben], monday);
		expect(overlap.next).toEqual({ start: utc('2026-11-16T14:00'), end: utc('2026-11-16T16:00'), now: false });
		expect(overlap.all).toHaveLength(5); // Mon–Fri
		expect(overlap.counted).toBe(2);
	});

	it('[PE7] an overlap going on now starts now', () => {
		const overlap = teamOverlap([ana, ben], utc('2026-11-16T15:00'));
		expect(overlap.next).toEqual({ start: utc('2026-11-16T15:00'), end: utc('2026-11-16T16:00'), now: true });
	});

	it('[PE7] Berlin + New York + Tokyo have no overlap in the next 7 days', () => {
		const overlap = teamOverlap([ana, ben, kenji], utc('2026-11-16T00:00'));
		expect(overlap.next).toBeNull();
		expect(overlap.all).toEqual([]);
		// Tokyo and Berlin alone don't either in winter (Berlin 08–16 UTC, Tokyo 00–08 UTC)…
		expect(teamOverlap([ana, kenji], utc('2026-11-16T00:00')).next).toBeNull();
		// …but do for an hour in summer, when Berlin starts at 07:00 UTC.
		const summer = teamOverlap([ana, kenji], utc('2026-07-13T00:00')).next!;
		expect([iso(summer.start), iso(summer.end)]).toEqual(['2026-07-13T07:00Z', '2026-07-13T08:00Z']);
	});

	it('[PE7] the US spring change moves the overlap a week before the EU’s: 2 h → 3 h → 2 h', () => {
		// US: clocks forward Sun 8 March 2026; EU: Sun 29 March 2026.
		const day = (isoDay: string) => {
			const next = teamOverlap([ana, ben], utc(`${isoDay}T00:00`)).next!;
			return `${iso(next.start)}–${iso(next.end).slice(11)} ${formatSpan(next.end - next.start)}`;
		};
		expect(day('2026-03-06')).toBe('2026-03-06T14:00Z–16:00Z 2 h'); // Fri before: CET / EST
		expect(day('2026-03-09')).toBe('2026-03-09T13:00Z–16:00Z 3 h'); // Mon after the US change: CET / EDT
		expect(day('2026-03-27')).toBe('2026-03-27T13:00Z–16:00Z 3 h'); // Fri before the EU change
		expect(day('2026-03-30')).toBe('2026-03-30T13:00Z–15:00Z 2 h'); // Mon after: CEST / EDT
	});

	it('[PE7] one 7-day window spanning a change holds both lengths', () => {
		// From Thu 5 March: Thu, Fri at 2 h, then Mon–Wed after the US change at 3 h.
		const overlap = teamOverlap([ana, ben], utc('2026-03-05T00:00'));
		expect(overlap.all.map(([a, b]) => `${iso(a).slice(5, 10)} ${(b - a) / H}`)).toEqual(['03-05 2', '03-06 2', '03-09 3', '03-10 3', '03-11 3']);
	});

	it('[PE7] the autumn changes: EU back on 25 October, US on 1 November 2026', () => {
		const span = (isoDay: string) => {
			const next = teamOverlap([ana, ben], utc(`${isoDay}T00:00`)).next!;
			return (next.end - next.start) / H;
		};
		expect(span('2026-10-23')).toBe(2); // CEST / EDT
		expect(span('2026-10-26')).toBe(3); // CET / EDT
		expect(span('2026-11-02')).toBe(2); // CET / EST
		// Berlin local time of the overlap's start moves from 15:00 to 14:00 and back.
		const startInBerlin = (isoDay: string) => formatClock(teamOverlap([ana, ben], utc(`${isoDay}T00:00`)).next!.start, BERLIN);
		expect([startInBerlin('2026-10-23'), startInBerlin('2026-10-26'), startInBerlin('2026-11-02')]).toEqual(['15:00 Fri', '14:00 Mon', '15:00 Mon']);
	});

	it('[PE7] a chosen set, and people without hours left out and listed', () => {
		const noHours = person('dora', BERLIN, null);
		const overlap = teamOverlap([ana, noHours, kenji], utc('2026-07-13T00:00'));
		expect(overlap.counted).toBe(2);
		expect(overlap.unknown.map((p) => p.id)).toEqual(['dora']);
		expect(overlap.next).not.toBeNull();
		expect(teamOverlap([ana], utc('2026-07-13T00:00'))).toMatchObject({ next: null, counted: 1 });
	});

	it('[PE7] an overnight shift in Tokyo overlaps a Berlin day', () => {
		const nightOwl = person('owl', TOKYO, { days: [1, 2, 3, 4, 5], start: 20 * 60, end: 2 * 60 }); // 11–17 UTC in Tokyo's Mon evening
		const next = teamOverlap([ana, nightOwl], utc('2026-11-16T00:00')).next!;
		expect([iso(next.start), iso(next.end)]).toEqual(['2026-11-16T11:00Z', '2026-11-16T16:00Z']);
	});
});

describe('availability', () => {
	it('[PE8] an expired "until" reads as available; a current one holds', () => {
		const now = utc('2026-11-16T10:00');
		const focus = { status: Availability.focus, note: 'writing', until: now + H };
		expect(currentAvailability(focus, now)).toBe(focus);
		expect(currentAvailability(focus, now + H)).toEqual({ status: 'available', note: '', until: null });
		const off = { status: Availability.off, note: '', until: null };
		expect(currentAvailability(off, now + 1000 * H)).toBe(off);
	});

	it('[PE8] set through updateProfile, read back, then expired', () => {
		const doc = withProfile('ana');
		const now = actor('ana').now;
		updateProfile(doc, { availability: { status: 'off', note: 'holiday', until: now + 48 * H } }, actor('ana'));
		const ana = readProfile(doc, 'ana')!;
		expect(currentAvailability(ana.availability, now).status).toBe('off');
		expect(currentAvailability(ana.availability, now + 49 * H).status).toBe('available');
	});
});

describe('the people page’s words', () => {
	const ana = person('ana', BERLIN);
	const ben = person('ben', NEW_YORK);
	const kenji = person('kenji', TOKYO);

	it('[PE9] working now, or back at a time in the viewer’s zone', () => {
		const fridayEvening = utc('2026-11-20T17:00'); // Fri 18:00 in Berlin
		expect(workingState(ana, utc('2026-11-20T10:00'), TOKYO)).toEqual({ kind: 'working', text: 'Working now' });
		// Back Monday 09:00 Berlin = 08:00 UTC = 17:00 Monday in Tokyo.
		expect(workingState(ana, fridayEvening, TOKYO).text).toBe('Outside working hours — back Mon 17:00 your time');
		expect(workingState(ana, fridayEvening, BERLIN).text).toBe('Outside working hours — back Mon 09:00 your time');
		expect(workingState(person('x', BERLIN, null), fridayEvening, BERLIN)).toEqual({ kind: 'unknown', text: 'No working hours given' });
	});

	it('[PE9] availability with its end in the viewer’s time, a day name when it is far off', () => {
		const now = utc('2026-11-20T10:00'); // Fri
		expect(availabilityText({ status: 'focus', note: '', until: utc('2026-11-20T14:00') }, now, BERLIN)).toBe('Focus time until 15:00 your time');
		expect(availabilityText({ status: 'off', note: '', until: utc('2026-11-23T08:00') }, now, BERLIN)).toBe('Off until Mon 09:00 your time');
		expect(availabilityText({ status: 'away', note: 'x', until: null }, now, BERLIN)).toBe('Away');
		expect(availabilityText({ status: 'off', note: '', until: now - 1 }, now, BERLIN)).toBe('Available');
	});

	it('[PE9] the overlap line: next, now, none, too few', () => {
		const monday = utc('2026-11-16T06:00');
		expect(overlapText(teamOverlap([ana, ben], monday), BERLIN)).toBe('Team overlap: next Mon 15:00–17:00 your time (2 h)');
		expect(overlapText(teamOverlap([ana, ben], monday), TOKYO)).toBe('Team overlap: next Mon 23:00–Tue 01:00 your time (2 h)');
		expect(overlapText(teamOverlap([ana, ben], utc('2026-11-16T15:30')), NEW_YORK)).toBe('Team overlap: now until 11:00 your time (30 min left)');
		expect(overlapText(teamOverlap([ana, ben, kenji], monday), BERLIN)).toBe('Team overlap: no overlap in the next 7 days.');
		expect(overlapText(teamOverlap([ana], monday), BERLIN)).toBe('Team overlap: needs working hours from at least two people.');
	});
});
