/**
 * The notifications feature as the app composes it (N1, N2): the opt-in
 * banner's trigger (the banner a chunk of its own) and the account sheet's
 * Notifications section (a chunk too).
 */
export { NotificationsPrompt } from './notifications-prompt';
export { NotificationsSettings } from './notifications-settings';
