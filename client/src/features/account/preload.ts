/**
 * The account feature's lazily loaded part: the profile sheet and its forms
 * (with Headless UI), kept out of the first screen's JavaScript. The app
 * fetches it once start-up has settled, so it opens at once, and offline.
 */
export const loadAccountSheet = () => import('./account-sheet').then((module) => module.AccountSheet);
