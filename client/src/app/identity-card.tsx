import { useLiveQuery } from 'dexie-react-hooks';
import { userColour, userHandle, userInitials } from '../features/chat/components/user-handle';
import { MetaKey, type Identity } from '../shared/db/whisper-db';
import { useEngine } from '../shared/sync/engine-context';

/**
 * Who "you" are, for the sidebar's foot: the same handle and avatar colour
 * other people see beside your messages (your own bubbles show neither).
 * Nothing until the server's first hello has given this device an identity.
 */
export function IdentityCard() {
  const { db } = useEngine();
  const identity = useLiveQuery(async () => (await db.meta.get(MetaKey.identity))?.value as Identity | undefined, [db]);
  if (!identity) return null;
  const colour = userColour(identity.user_id);
  return (
    <div className="flex items-center gap-3 rounded-xl border border-line bg-canvas px-3 py-2.5 motion-safe:transition-opacity motion-safe:duration-300 motion-safe:starting:opacity-0">
      <span
        aria-hidden="true"
        className={`grid size-9 shrink-0 place-items-center rounded-full text-xs font-semibold text-white uppercase select-none ${colour.avatar}`}
      >
        {userInitials(identity.user_id)}
      </span>
      <span className="flex min-w-0 flex-col">
        <span className="truncate text-sm font-medium text-ink">
          <span className="sr-only">You are </span>
          {userHandle(identity.user_id)}
        </span>
        <span className="truncate text-xs text-ink-muted">You · anonymous</span>
      </span>
    </div>
  );
}
