/**
 * Names the page, its connection worker and the service worker share about
 * the outbox. Kept apart from the code that uses them, so that the service
 * worker and the first screen import two strings, not the machinery.
 */

/** C7: the Web Lock whoever sends the outbox holds (a tab's connection worker, or the service worker: W3). */
export const OUTBOX_LOCK = 'whisper-outbox';

/** W3: the Background Sync tag a page registers when it goes away with unsent work. */
export const OUTBOX_SYNC_TAG = 'whisper-outbox';
