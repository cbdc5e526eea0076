/** The quick switcher (issue 7 item 2): the dialog, its commands and its shortcut. */
export { default as QuickSwitcher } from './QuickSwitcher.svelte';
export { CommandId, commandPath, type SwitcherCommand } from './commands.ts';
export { isSwitcherShortcut, shortcutLabel } from './shortcut.ts';
