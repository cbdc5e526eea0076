/**
 * Every reason the relay closes a socket (or, on a multiplexed connection, refuses one room).
 * A finite table: PROTOCOL.md lists the same codes, and clients switch on them.
 */
export const CloseCode = {
	/** A frame or message could not be decoded. The socket is closed; stored data is untouched. */
	malformed: 4400,
	/** No token, a token that does not verify, or an expired one. */
	unauthorized: 4401,
	/** A valid token, but for another workspace than the room's. */
	forbidden: 4403,
	/** The room name is not a Meridian room (see roomName.ts). */
	unknownRoom: 4404,
	/** The room's stored document failed to load; the relay will not serve (or overwrite) it. */
	roomUnavailable: 4500,
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
	CloseCode.unknownRoom
]);
