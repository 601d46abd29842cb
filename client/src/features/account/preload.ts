/**
 * The account feature's lazily loaded part: the profile sheet and its forms
 * (with Headless UI), kept out of the first screen's JavaScript. It is
 * imported when the pointer or focus comes near the buttons that open it;
 * the service worker's precache holds it, so it opens offline too.
 */
export const loadAccountSheet = () => import('./account-sheet').then((module) => module.AccountSheet);
