/**
 * N1: ends this browser's push subscription, best effort. Logging out drops
 * the server's copy with the session; the browser's goes too, so the next
 * person on this device starts unsubscribed. Imported by the account sheet
 * only, so it stays out of the page's first JavaScript.
 */
export async function dropPushSubscription(): Promise<void> {
  try {
    await (await (await navigator.serviceWorker?.getRegistration())?.pushManager?.getSubscription())?.unsubscribe();
  } catch {
    // No push here, or the browser refused: nothing to undo.
  }
}
