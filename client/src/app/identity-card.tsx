import { AccountCorner } from '../features/account';
import { NotificationsSettings } from '../features/notifications';
import { useMe } from '../shared/sync/people';
import { useAccount } from '../shared/sync/use-account';
import { Avatar } from '../shared/ui/avatar';

/**
 * Who "you" are, for the sidebar's foot: the display name and avatar other
 * people see beside your messages (A5; your own bubbles show neither), and
 * the username once the identity is an account (A1). It opens the profile
 * sheet (the account feature). Nothing until the server's first hello has
 * given this device an identity and its profile is known.
 */
export function IdentityCard() {
  const { profile } = useMe();
  const account = useAccount();
  if (!profile) return null;
  const username = account?.username ?? null;
  const card = (
    <div className="flex items-center gap-3 rounded-xl border border-line bg-canvas px-3 py-2.5 motion-safe:transition-opacity motion-safe:duration-300 motion-safe:starting:opacity-0">
      <Avatar name={profile.display_name} color={profile.color} avatar={profile.avatar} size="sm" className="size-9" />
      <span className="flex min-w-0 flex-col">
        <span className="truncate text-sm font-medium text-ink">{profile.display_name}</span>
        <span className="truncate text-xs text-ink-muted">{username ? `You · ${username}` : 'You · anonymous'}</span>
      </span>
    </div>
  );
  return <AccountCorner card={card} label={`Your profile: ${profile.display_name}, ${username ?? 'anonymous'}`} settings={<NotificationsSettings />} />;
}
