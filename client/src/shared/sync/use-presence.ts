import { useCallback, useMemo, useSyncExternalStore } from 'react';
import { useEngine } from './engine-context';
import { useLinkStatus } from './use-link-status';
import type { Presence } from './presence';

/**
 * L1: the user's presence as far as this device can tell: undefined when
 * nothing is known, and never "online" while the link is not live (their
 * going offline could not reach us); a last-seen time stays shown.
 */
export function usePresence(userId: string | null | undefined): Presence | undefined {
  const { presence } = useEngine();
  const { live } = useLinkStatus();
  const read = useCallback(() => (userId ? presence.get(userId) : undefined), [presence, userId]);
  const known = useSyncExternalStore(presence.subscribe, read);
  return known && (live || known.status !== 'online') ? known : undefined;
}

/**
 * L1: which of these people are online (nobody while the link is not live),
 * for lists; the same set until it changes.
 */
export function useOnlineAmong(userIds: readonly string[]): ReadonlySet<string> {
  const { presence } = useEngine();
  const { live } = useLinkStatus();
  // A string, compared by value: a change elsewhere on the board re-renders nothing here.
  const key = useSyncExternalStore(presence.subscribe, () => userIds.filter((id) => presence.get(id)?.status === 'online').join(','));
  return useMemo(() => new Set(live && key ? key.split(',') : []), [live, key]);
}
