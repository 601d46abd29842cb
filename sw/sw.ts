/// <reference lib="webworker" />
/**
 * Whisper's service worker, built by vite-plugin-pwa (injectManifest): the
 * build replaces `self.__WB_MANIFEST` with the list of every file of the app
 * shell and its revision.
 *
 * W1: the shell is precached, and navigations inside the app are answered
 *     with the precached index.html, so a reload with no network opens the app.
 * W2: a new version installs and then waits; the page asks the user and only
 *     then posts {type: 'SKIP_WAITING'} (see client/src/app/update-prompt.tsx).
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import './push.js';
import './background-sync.js';

declare const self: ServiceWorkerGlobalScope;

/** The page posts this when the user accepts an update (workbox-window's messageSkipWaiting). */
const SKIP_WAITING = 'SKIP_WAITING';

/** The precached document every in-app navigation gets. */
const APP_SHELL_URL = 'index.html';

/**
 * Navigations the server answers itself: the API, its Swagger UI and the
 * health check. Everything else (/, /chat, unknown paths) is the SPA.
 */
const SERVER_NAVIGATIONS: RegExp[] = [/^\/v1(?:\/|$)/, /^\/docs(?:\/|$)/, /^\/healthz(?:\/|$)/];

precacheAndRoute(self.__WB_MANIFEST);
// Drops precaches left behind by older Workbox versions.
cleanupOutdatedCaches();

registerRoute(
  new NavigationRoute(createHandlerBoundToURL(APP_SHELL_URL), { denylist: SERVER_NAVIGATIONS }),
);

// The very first install takes control of the open page at once, so it works
// offline without a reload. Updates still wait: clientsClaim only acts when
// this worker activates, which a waiting update does after SKIP_WAITING.
clientsClaim();

self.addEventListener('message', (event) => {
  if (isSkipWaitingMessage(event.data)) void self.skipWaiting();
});

function isSkipWaitingMessage(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === SKIP_WAITING;
}
