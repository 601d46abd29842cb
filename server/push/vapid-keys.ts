import type pg from 'pg';
import webPush from 'web-push';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  /** The contact the push services may reach (a mailto: or https: URL). */
  subject: string;
}

/** VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT, when given. */
export interface VapidSources {
  publicKey?: string;
  privateKey?: string;
  subject?: string;
}

const SECRET_NAME = 'vapid';
/** Push services want a contact; without VAPID_SUBJECT, one that names no one. */
export const DEFAULT_VAPID_SUBJECT = 'mailto:push@whisper.invalid';

/**
 * N1: the key pair that signs every push. Subscriptions are made for one
 * public key, so it must outlive restarts and be the same on every instance
 * on the database: unless the environment gives one, the first instance to
 * start generates it and stores it in server_secrets (as the token secret
 * is: server/identity/token-secret.ts), `ON CONFLICT DO NOTHING` settles
 * concurrent first starts, and everyone reads the winner.
 */
export async function loadVapidKeys(db: pg.Pool, sources: VapidSources = {}): Promise<VapidKeys> {
  const subject = sources.subject || DEFAULT_VAPID_SUBJECT;
  if (sources.publicKey || sources.privateKey) {
    if (!sources.publicKey || !sources.privateKey) throw new Error('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together');
    // Throws on keys of the wrong size, at start rather than at the first push.
    webPush.setVapidDetails(subject, sources.publicKey, sources.privateKey);
    return { publicKey: sources.publicKey, privateKey: sources.privateKey, subject };
  }
  const candidate = webPush.generateVAPIDKeys();
  await db.query('INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [SECRET_NAME, JSON.stringify(candidate)]);
  const { rows } = await db.query<{ value: string }>('SELECT value FROM server_secrets WHERE name = $1', [SECRET_NAME]);
  const stored = JSON.parse(rows[0].value) as { publicKey: string; privateKey: string };
  return { publicKey: stored.publicKey, privateKey: stored.privateKey, subject };
}
