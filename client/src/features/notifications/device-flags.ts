/**
 * Small per-device flags of the notifications feature, in localStorage (not
 * the message database: they belong to the browser, whoever is logged in),
 * tolerating browsers that refuse access.
 */

/** The user sent a message from this device: the opt-in banner may be offered (never on a first load). */
export const WROTE_KEY = 'whisper.push.wrote';
/** "Not now" (or an answer already given) to the banner: it stays away on this device. */
export const PROMPT_ANSWERED_KEY = 'whisper.push.prompt-answered';
/** N2: this device's notifications show the start of each message. */
export const PREVIEWS_KEY = 'whisper.push.previews';

export function readFlag(key: string): boolean {
  try {
    return window.localStorage.getItem(key) === '1';
  } catch {
    return false;
  }
}

export function writeFlag(key: string, on: boolean): void {
  try {
    if (on) window.localStorage.setItem(key, '1');
    else window.localStorage.removeItem(key);
  } catch {
    // Not remembered: at worst the banner is offered again, or previews reset to off.
  }
}
