import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';

/** A3: shortest password accepted. */
export const MIN_PASSWORD_LENGTH = 8;
/** Longest: hashing is memory-hard but its input need not be unbounded. */
export const MAX_PASSWORD_LENGTH = 256;

/**
 * argon2id (the binding's default algorithm; the database checks the
 * prefix) with OWASP's first recommended setting (m = 19 MiB, t = 2,
 * p = 1): ~40–70 ms per hash on this machine's cores, so a login costs the
 * server a little and a stolen table costs an attacker a lot.
 */
const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * The ~49,000 most common passwords (zxcvbn's list, ranked from breaches):
 * a password on it is refused whatever its length, since guessing starts
 * there.
 */
const COMMON = new Set(dictionary['passwords-common'] as string[]);

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, username?: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `the password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `the password may have at most ${MAX_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'this password is one of the most common ones; choose another';
  if (username !== undefined && lower.includes(username.toLowerCase())) return 'the password may not contain the username';
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/**
 * A hash of nothing anyone knows, verified against when the username does
 * not exist, so that an unknown user costs the same time as a wrong
 * password (no enumeration by timing, A3).
 */
let decoy: Promise<string> | undefined;

/** Whether `password` matches `stored`; with no stored hash, spends the same time and says no. */
export async function checkPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  if (!stored) {
    decoy ??= hash(`decoy-${Math.random()}`, ARGON2_OPTIONS);
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
