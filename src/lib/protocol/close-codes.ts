/**
 * Every reason the relay closes a socket (or, on a multiplexed connection, refuses one room).
 * A finite table: PROTOCOL.md lists the same codes, and clients switch on them.
 */
export const CloseCode = {
	/** A frame or message could not be decoded. The socket is closed; stored data is untouched. */
	malformed: 4400,
	/** No token, a token that does not verify, or an expired one. */
	unauthorized: 4401,
	/** A valid token, but for another workspace than the room's, or another member's private room. */
	forbidden: 4403,
	/** A browser page on an origin the relay does not allow (ALLOWED_ORIGINS); sent before the token is read. */
	originNotAllowed: 4406,
	/** The room name is not a Meridian room (see roomName.ts). */
	unknownRoom: 4404,
	/** The room's stored document is at MAX_DOCUMENT_BYTES: a write that would grow it is refused. */
	documentTooLarge: 4413,
	/** A multiplexed connection asked for more than MAX_ROOMS_PER_CONNECTION rooms at once. */
	tooManyRooms: 4414,
	/** More updates or awareness messages per second than the connection's limit. */
	rateLimited: 4429,
	/** More sockets from one address than MAX_CONNECTIONS_PER_ADDRESS; retry later, when some have closed. */
	tooManyConnections: 4430,
	/** The room's stored document failed to load; the relay will not serve (or overwrite) it. */
	roomUnavailable: 4500,
	/** Storage is failing and the relay holds MAX_PENDING_BYTES of unstored writes: retry later. */
	storageUnavailable: 4503,
	/** The relay is shutting down; reconnect later. (WebSocket's own "going away".) */
	goingAway: 1001,
	/** A message larger than the relay's limit (the ws library closes with the standard code). */
	tooLarge: 1009
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Codes after which reconnecting with the same token cannot help. */
export const fatalCloseCodes: ReadonlySet<number> = new Set([
	CloseCode.unauthorized,
	CloseCode.forbidden,
	CloseCode.originNotAllowed,
	CloseCode.unknownRoom
]);

/**
 * The reason of the y-protocols `auth` (permission denied) message the relay sends, once per room
 * and connection, when a role that may only read sends a write that would change the document.
 * The room stays joined: the peer keeps reading.
 */
export const readOnlyReason = 'read-only: your role can read this document but not change it';
