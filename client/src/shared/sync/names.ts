import type { User } from '@whisper/protocol';
import type { NoticeNames } from './notices';

/**
 * A5: how a person is shown while the device has no name for them yet (the
 * lookup is on its way): a neutral name and colour, never their UUID.
 */
export const SOMEONE = 'Someone';
export const NEUTRAL_COLOR = 'slate';

export function personOf(users: ReadonlyMap<string, User>, userId: string): User {
  return users.get(userId) ?? { id: userId, display_name: SOMEONE, color: NEUTRAL_COLOR };
}

export function noticeNames(users: ReadonlyMap<string, User>, me: string | undefined): NoticeNames {
  return { nameOf: (userId) => personOf(users, userId).display_name, me };
}

/** The ids among `userIds` that `users` has no name for: to look up. */
export function unknownAmong(users: ReadonlyMap<string, User>, userIds: Iterable<string>): string[] {
  return [...new Set(userIds)].filter((id) => !users.has(id));
}
