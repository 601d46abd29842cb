import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type pg from 'pg';

/** 256 bits, the HMAC-SHA256 key size. */
const TOKEN_SECRET_BYTES = 32;
export const MIN_TOKEN_SECRET_LENGTH = 32;
const SECRET_NAME = 'token';

export interface TokenSecretSources {
  /** TOKEN_SECRET: when set, it wins and nothing is stored. */
  fromEnv?: string;
  /**
   * Where earlier releases kept the generated secret (DATA_DIR/token-secret).
   * A database that has no secret yet adopts it, so upgrading logs nobody out.
   */
  legacyFile?: string;
}

async function readLegacySecret(file: string | undefined): Promise<string | undefined> {
  if (!file) return undefined;
  try {
    const secret = (await readFile(file, 'utf8')).trim();
    return secret.length >= MIN_TOKEN_SECRET_LENGTH ? secret : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The key that signs identity tokens. Every instance on one database must
 * use the same one, and it must survive restarts on a fresh disk, or stored
 * identities would be refused and their owners' devices would start over.
 * So unless TOKEN_SECRET is given it lives in the database: the first
 * instance to start generates it, `ON CONFLICT DO NOTHING` makes concurrent
 * first starts agree on one, and everyone reads the winner.
 */
export async function loadTokenSecret(db: pg.Pool | pg.Client, sources: TokenSecretSources = {}): Promise<string> {
  if (sources.fromEnv) {
    if (sources.fromEnv.length < MIN_TOKEN_SECRET_LENGTH) throw new Error(`TOKEN_SECRET must be at least ${MIN_TOKEN_SECRET_LENGTH} characters`);
    return sources.fromEnv;
  }
  const candidate = (await readLegacySecret(sources.legacyFile)) ?? randomBytes(TOKEN_SECRET_BYTES).toString('base64url');
  await db.query('INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [SECRET_NAME, candidate]);
  const { rows } = await db.query<{ value: string }>('SELECT value FROM server_secrets WHERE name = $1', [SECRET_NAME]);
  return rows[0].value;
}
