/**
 * The setup most browser test files share: a relay and a Chromium (`startWorld`), and members on
 * devices of their own who join one workspace through invite links (`joinTeam`).
 */
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { connectBrowser, launchBrowser, newDevice, takeUncaughtErrors } from './browser.ts';
import { attachRelay, startRelay, type Relay, type Role, type SharedRelay } from './relay.ts';
import { join } from './app.ts';

declare module 'vitest' {
	export interface ProvidedContext {
		/** The relay and Chromium global-setup.ts started for the run; null without a Chromium. */
		e2eWorld: { relay: SharedRelay; browserEndpoint: string } | null;
	}
}

export interface World {
	readonly relay: Relay;
	readonly browser: Browser;
	/** Closes this file's browser connection (and so its devices); stops the relay if it started one. */
	close(): Promise<void>;
}

/**
 * The relay and Chromium of this run (global-setup.ts), which every file shares: starting and
 * stopping both took a second or more per file. Files keep apart by workspace ids of their own and
 * fresh contexts. Outside that setup (another vitest config) it starts both itself.
 */
export async function startWorld(): Promise<World> {
	const shared = inject('e2eWorld');
	if (shared) {
		const browser = await connectBrowser(shared.browserEndpoint);
		return { relay: attachRelay(shared.relay), browser, close: () => browser.close() };
	}
	const [relay, browser] = await Promise.all([startRelay(), launchBrowser()]);
	return {
		relay,
		browser,
		async close() {
			await browser.close();
			await relay.stop();
		}
	};
}

export interface Member {
	/** Tag of the device's console output (see `newDevice`). */
	readonly device: string;
	/** The token's member id. */
	readonly member: string;
	/** The name typed when joining. */
	readonly name: string;
	/** 'editor' unless given. */
	readonly role?: Role;
	/** The device's IANA time zone; the browser's own unless given. */
	readonly timeZone?: string;
}

export interface Team<Members extends readonly Member[]> {
	/** One device per member, in the order given. */
	readonly devices: { [K in keyof Members]: BrowserContext };
	/** Each member's tab, joined and on the workspace overview, in the order given. */
	readonly pages: { [K in keyof Members]: Page };
}

/**
 * Gives each member a device of their own, mints their invites to `workspace`, and joins them, all
 * side by side. If anyone fails to join, every device it made is closed.
 */
export async function joinTeam<const Members extends readonly Member[]>({ relay, browser }: World, workspace: string, members: Members): Promise<Team<Members>> {
	const devices = await Promise.all(members.map((m) => newDevice(browser, m.device, m.timeZone ? { timezoneId: m.timeZone } : {})));
	try {
		const invites = await Promise.all(members.map((m) => relay.invite({ workspace, role: m.role ?? 'editor', member: m.member })));
		const pages = await Promise.all(members.map((m, i) => join(devices[i]!, invites[i]!, m.name)));
		return { devices, pages } as unknown as Team<Members>;
	} catch (error) {
		await Promise.all(devices.map((device) => device.close()));
		throw error;
	}
}

/** A file's team (`useTeam`): filled in before the file's first test. */
export interface TeamFixture<Members extends readonly Member[]> extends Team<Members> {
	readonly world: World;
	readonly relay: Relay;
	readonly browser: Browser;
}

/**
 * The hooks a file with one team needs: before its tests, the world starts and `members` join
 * `workspace`; after each test, no device may have thrown; after the file, everything closes. Call
 * inside the file's describe; read the fields in tests or in a later beforeAll.
 */
export function useTeam<const Members extends readonly Member[]>(workspace: string, members: Members): TeamFixture<Members> {
	const fixture = {} as { -readonly [K in keyof TeamFixture<Members>]: TeamFixture<Members>[K] };
	beforeAll(async () => {
		fixture.world = await startWorld();
		fixture.relay = fixture.world.relay;
		fixture.browser = fixture.world.browser;
		Object.assign(fixture, await joinTeam(fixture.world, workspace, members));
	});
	afterAll(() => fixture.world?.close());
	afterEach(() => {
		(fixture.devices ?? []).forEach((device: BrowserContext, i: number) => {
			expect(takeUncaughtErrors(device), `uncaught exceptions on device ${members[i]!.device}`).toEqual([]);
		});
	});
	return fixture;
}
