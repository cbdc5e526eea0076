export * from './ids.ts';
export * from './origins.ts';
export * from './version.ts';
export * from './workspace.ts';
export * from './tree.ts';
export * from './page.ts';
export * from './authorship.ts';
export * from './members.ts';
