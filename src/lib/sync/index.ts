export * from './device.ts';
export * from './local-store.ts';
export * from './relay-connection.ts';
export * from './room-link.ts';
export * from './tab-channel.ts';
export * from './workspace-session.ts';
export * from './status.ts';
export * from './workspaces.ts';
