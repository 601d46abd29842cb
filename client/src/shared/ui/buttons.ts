/**
 * Button looks shared by the shell's toasts, the dialogs and the panels, so
 * that every primary action in the app reads the same. At least 40 px tall
 * (44 on touch-first controls elsewhere) for fingers.
 */
const BUTTON_BASE =
  'inline-flex min-h-10 items-center justify-center gap-1.5 rounded-lg px-3 text-sm font-medium transition-colors disabled:cursor-not-allowed disabled:opacity-50';

export const PRIMARY_BUTTON = `${BUTTON_BASE} bg-accent text-accent-ink hover:bg-accent-hover disabled:hover:bg-accent`;

export const QUIET_BUTTON = `${BUTTON_BASE} text-ink-muted hover:bg-surface-muted hover:text-ink`;

export const OUTLINE_BUTTON = `${BUTTON_BASE} border border-line bg-surface text-ink hover:bg-surface-muted`;

/** Destructive actions (Delete, Leave, Remove): red text, or a red fill for the confirming one. */
export const DANGER_BUTTON = `${BUTTON_BASE} bg-red-700 text-white hover:bg-red-800 disabled:hover:bg-red-700`;
export const DANGER_QUIET_BUTTON = `${BUTTON_BASE} text-red-700 hover:bg-red-50 dark:text-red-300 dark:hover:bg-red-500/10`;

/** A round icon-only button; it needs an aria-label. */
export const ICON_BUTTON =
  'grid size-11 shrink-0 place-items-center rounded-lg text-ink-muted transition-colors hover:bg-surface-muted hover:text-ink md:size-10';
