/**
 * CSS custom properties on the root element through which the chat page and
 * the app's toasts (app/update-prompt.tsx) make room for each other, without
 * importing each other: the composer says how far its top is from the bottom
 * of the viewport, so toasts sit just above it; the toast region says how
 * much room it takes there, so the message list ends above it and a toast
 * never hides the newest messages.
 */
export const COMPOSER_CLEARANCE_PROPERTY = '--composer-clearance';
export const TOAST_CLEARANCE_PROPERTY = '--toast-clearance';
