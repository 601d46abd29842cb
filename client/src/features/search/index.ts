/**
 * The search feature as the first screen has it (Q3): the buttons that open
 * it. Its host with the Ctrl+K shortcut comes with what waits for start-up
 * (app/start-up-later.ts imports search-host.tsx itself, so that it stays
 * out of the first screen's chunk), and the dialog loads when first opened.
 */
export { SearchButton } from './search-button';
