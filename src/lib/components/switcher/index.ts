/**
 * The quick switcher (issue 7 item 2): the dialog, its commands and its shortcut. The dialog itself
 * (QuickSwitcher.svelte) is loaded when first opened, by SwitcherLoader.svelte.
 */
export { default as SwitcherLoader } from './SwitcherLoader.svelte';
export { CommandId, commandPath, type SwitcherCommand } from './commands.ts';
export { isSwitcherShortcut, shortcutLabel } from './shortcut.ts';
