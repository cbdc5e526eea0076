/** Random URL-safe ids for workspaces, pages and members (see protocol/rooms.ts for the accepted form). */
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 16 characters of 62 symbols ≈ 95 bits: collisions are not a concern for ids minted offline. */
export function newId(length = 16): string {
	const bytes = new Uint8Array(length);
	crypto.getRandomValues(bytes);
	let id = '';
	// 62 does not divide 256; the slight bias toward the first symbols does not matter for ids.
	for (const byte of bytes) id += alphabet[byte % alphabet.length];
	return id;
}

/** Whether a value read from a document is an id of that form (anything else is dropped by readers). */
export { isId } from '../protocol/rooms.ts';
