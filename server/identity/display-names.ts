import { createHash } from 'node:crypto';
import type { User } from '../protocol/index.js';

const ADJECTIVES = [
  'Quiet', 'Brave', 'Calm', 'Clever', 'Cosy', 'Curious', 'Daring', 'Eager', 'Gentle', 'Glad',
  'Happy', 'Honest', 'Jolly', 'Kind', 'Lively', 'Lucky', 'Merry', 'Mellow', 'Nimble', 'Patient',
  'Plucky', 'Polite', 'Proud', 'Quick', 'Radiant', 'Sunny', 'Swift', 'Tidy', 'Witty', 'Zesty',
  'Bright', 'Bold', 'Breezy', 'Chirpy', 'Dapper', 'Fuzzy', 'Gallant', 'Humble', 'Keen', 'Nifty',
];
const ANIMALS = [
  'Otter', 'Badger', 'Heron', 'Fox', 'Panda', 'Koala', 'Lynx', 'Owl', 'Puffin', 'Seal',
  'Wren', 'Yak', 'Zebra', 'Beaver', 'Crane', 'Dolphin', 'Falcon', 'Gecko', 'Hedgehog', 'Ibis',
  'Jaguar', 'Kiwi', 'Lemur', 'Marmot', 'Newt', 'Ocelot', 'Pelican', 'Quokka', 'Robin', 'Stork',
  'Tapir', 'Walrus', 'Alpaca', 'Bison', 'Camel', 'Dingo', 'Ferret', 'Gazelle', 'Hare', 'Mole',
];
/** Avatar colours; the client maps each name to a tone that reads in light and dark mode. */
export const AVATAR_COLORS = ['red', 'orange', 'amber', 'lime', 'green', 'teal', 'cyan', 'sky', 'blue', 'indigo', 'violet', 'pink'] as const;

/**
 * A friendly name and a colour for a new identity ("Quiet Otter"), derived
 * from its id: the same on every instance and for identities that existed
 * before names did, so nobody ever shows as a UUID.
 */
export function generatedProfile(userId: string): User {
  const digest = createHash('sha256').update(userId).digest();
  return {
    id: userId,
    display_name: `${ADJECTIVES[digest.readUInt16BE(0) % ADJECTIVES.length]} ${ANIMALS[digest.readUInt16BE(2) % ANIMALS.length]}`,
    color: AVATAR_COLORS[digest[4] % AVATAR_COLORS.length],
    avatar: null,
  };
}
