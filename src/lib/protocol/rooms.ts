/**
 * Room names and who may write to them. A room is one Y.Doc:
 *   <workspaceId>                 the workspace document (page index, members)
 *   <workspaceId>/<pageId>        a page body
 *   <workspaceId>/<pageId>/talk   a page's discussion (comments, positions)
 *   <workspaceId>/@people         every member's profile (name, time zone, working hours…)
 *   <workspaceId>/@inbox/<member> one member's inbox state (what they read and cleared): theirs only
 * '@' is not an id character, so no page id can name the people or inbox rooms.
 */

export const Role = { viewer: 'viewer', commenter: 'commenter', editor: 'editor', admin: 'admin' } as const;
export type Role = (typeof Role)[keyof typeof Role];
export const roles: readonly Role[] = Object.values(Role);

export function isRole(value: unknown): value is Role {
	return typeof value === 'string' && (roles as readonly string[]).includes(value);
}

export type RoomKind = 'workspace' | 'page' | 'talk' | 'people' | 'inbox';
export interface RoomName {
	readonly workspaceId: string;
	readonly pageId: string | null;
	readonly kind: RoomKind;
	/** The member a private room belongs to (the inbox room); null for shared rooms. */
	readonly ownerId: string | null;
}

/** Ids are what the app generates (see model/ids.ts): URL-safe, at most 64 characters. */
const idPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function isId(value: unknown): value is string {
	return typeof value === 'string' && idPattern.test(value);
}

/** Parses a room name; null when it is not a Meridian room. */
export function parseRoomName(room: string): RoomName | null {
	const parts = room.split('/');
	const [workspaceId, pageId, suffix] = parts;
	if (workspaceId === undefined || !isId(workspaceId)) return null;
	if (parts.length === 1) return { workspaceId, pageId: null, kind: 'workspace', ownerId: null };
	if (parts.length === 2 && pageId === PEOPLE) return { workspaceId, pageId: null, kind: 'people', ownerId: null };
	if (parts.length === 3 && pageId === INBOX && suffix !== undefined && isId(suffix)) return { workspaceId, pageId: null, kind: 'inbox', ownerId: suffix };
	if (pageId === undefined || !isId(pageId)) return null;
	if (parts.length === 2) return { workspaceId, pageId, kind: 'page', ownerId: null };
	if (parts.length === 3 && suffix === 'talk') return { workspaceId, pageId, kind: 'talk', ownerId: null };
	return null;
}

/** What a token says about its holder, as far as opening rooms goes. */
export interface RoomClaims {
	readonly workspaceId: string;
	readonly memberId: string;
}

/**
 * Why a token may not open a room at all (read or write), or null when it may: a room of another
 * workspace, or another member's private room. The relay answers with 4403 either way.
 */
export function refuseRoom(claims: RoomClaims, name: RoomName): string | null {
	if (name.workspaceId !== claims.workspaceId) return 'token is for another workspace';
	if (name.ownerId !== null && name.ownerId !== claims.memberId) return "another member's room";
	return null;
}

export function workspaceRoom(workspaceId: string): string {
	return workspaceId;
}
export function pageRoom(workspaceId: string, pageId: string): string {
	return `${workspaceId}/${pageId}`;
}
export function talkRoom(workspaceId: string, pageId: string): string {
	return `${workspaceId}/${pageId}/talk`;
}
const PEOPLE = '@people';
export function peopleRoom(workspaceId: string): string {
	return `${workspaceId}/${PEOPLE}`;
}
const INBOX = '@inbox';
export function inboxRoom(workspaceId: string, memberId: string): string {
	return `${workspaceId}/${INBOX}/${memberId}`;
}

/**
 * Whether a role may change a room's document. Every member keeps their own profile in the people
 * room and their own inbox state, viewers included, and viewers write nowhere else; commenters also
 * write discussions, so they can talk about a page without editing it; editors and admins write
 * everywhere. (Who may open a private room at all is `refuseRoom`.)
 * The relay enforces this per document and never filters inside one (see Yjs's threat model).
 */
export function canWrite(role: Role, kind: RoomKind): boolean {
	switch (role) {
		case 'viewer':
			return kind === 'people' || kind === 'inbox';
		case 'commenter':
			return kind === 'talk' || kind === 'people' || kind === 'inbox';
		case 'editor':
		case 'admin':
			return true;
		default:
			return exhaustive(role);
	}
}

function exhaustive(value: never): never {
	throw new Error(`unexpected value ${String(value)}`);
}
