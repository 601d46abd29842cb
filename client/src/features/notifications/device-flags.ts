/**
 * Small per-device flags of the notifications feature, in localStorage (not
 * the message database: they belong to the browser, whoever is logged in),
 * tolerating browsers that refuse access.
 */

/** The user sent a message from this device: the opt-in banner may be offered (never on a first load). */
export const WROTE_KEY = 'whisper.push.wrote';
/** "Not now" (or an answer already given) to the banner: it stays away on this device. */
export const PROMPT_ANSWERED_KEY = 'whisper.push.prompt-answered';
/** N1: the user this browser's push subscription was made for (another one here must not get their notifications). */
export const OWNER_KEY = 'whisper.push.owner';
/** N2: this device's notifications show the start of each message. */
export const PREVIEWS_KEY = 'whisper.push.previews';

export function readText(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeText(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    // Not remembered: at worst the banner is offered again, or previews reset to off.
  }
}

export const readFlag = (key: string): boolean => readText(key) === '1';
export const writeFlag = (key: string, on: boolean): void => writeText(key, on ? '1' : null);
