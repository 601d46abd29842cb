/** The look of text fields in forms and dialogs: 44 px tall for fingers, the accent border on focus. */
export const TEXT_FIELD =
  'min-h-11 w-full rounded-lg border border-line bg-canvas px-3 text-[15px] text-ink placeholder:text-ink-muted focus:border-accent focus:outline-none';

/** A search field: room on the left for the magnifier drawn over it (SEARCH_FIELD_ICON). */
export const SEARCH_FIELD = `${TEXT_FIELD} py-2 pl-9`;

/** The magnifier, placed over a SEARCH_FIELD inside a `relative` wrapper. */
export const SEARCH_FIELD_ICON = 'pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-ink-muted';
