/**
 * The account feature as the app composes it: the identity card's corner
 * (the profile sheet, sign up, log in and out, loaded lazily).
 */
export { AccountCorner } from './account-corner';
