export * from './messages.ts';
export * from './close-codes.ts';
export * from './rooms.ts';
export * from './token.ts';
