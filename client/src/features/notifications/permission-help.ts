/** What to do once the browser blocks notifications for the site: only the user can lift it, in the browser. */
export const BLOCKED_HELP =
  'Notifications are blocked for this site in your browser. To allow them, open the site’s settings (the icon beside the address, or the browser’s site settings), set Notifications to Allow, then turn them on here.';
