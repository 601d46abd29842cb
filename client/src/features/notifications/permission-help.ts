/**
 * Why turning notifications on failed, in words that point the right way:
 * offline, the server out of reach, or the browser's own push service (a
 * private window, a browser without one) refusing to register.
 */
export function turnOnFailureText(error: unknown): string {
  if (typeof navigator !== 'undefined' && !navigator.onLine) return 'Notifications could not be turned on while offline. Try again once you are online.';
  if (error instanceof DOMException && (error.name === 'AbortError' || error.name === 'NotAllowedError' || error.name === 'NotSupportedError')) {
    return 'This browser could not set up notifications: its push service refused (private windows and some browsers have none). Try again later or in another browser.';
  }
  if (error instanceof TypeError) return 'Could not reach Whisper to turn notifications on. Try again in a moment.';
  return 'Notifications could not be turned on. Try again in a moment.';
}

/** What to do once the browser blocks notifications for the site: only the user can lift it, in the browser. */
export const BLOCKED_HELP =
  'Notifications are blocked for this site in your browser. To allow them, open the site’s settings (the icon beside the address, or the browser’s site settings), set Notifications to Allow, then turn them on here.';
