import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SocketRates } from './chat/chat-socket.js';

export interface Config {
  port: number;
  host: string;
  /** Absent: run the embedded PostgreSQL under dataDir (S5). */
  databaseUrl: string | undefined;
  dataDir: string;
  logLevel: string;
  tokenSecret: string;
  /** Fixed port for the embedded PostgreSQL; absent: any free port. */
  embeddedPgPort: number | undefined;
  /** Production build of the client, served from `/` when it exists. */
  clientDir: string;
  /** Extra origins allowed to open sockets (comma-separated ALLOWED_ORIGINS). */
  allowedOrigins: string[];
  trustProxy: boolean;
  /** SOCKET_FRAME_BURST, SOCKET_FRAMES_PER_SECOND, SOCKET_MESSAGE_BURST, SOCKET_MESSAGES_PER_SECOND */
  socketRates: Partial<SocketRates>;
}

const TOKEN_SECRET_FILE = 'token-secret';
/** 256 bits, the HMAC-SHA256 key size. */
const TOKEN_SECRET_BYTES = 32;

function parseRate(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const rate = Number(value);
  if (!Number.isFinite(rate) || rate <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(value)}`);
  return rate;
}

function parsePort(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name} must be a port number (0–65535), got ${JSON.stringify(value)}`);
  }
  return port;
}

/**
 * The token secret must survive restarts, or every stored identity would be
 * logged out. When TOKEN_SECRET is not given it is generated once and kept
 * (readable by the owner only) under DATA_DIR.
 */
function loadTokenSecret(dataDir: string, fromEnv: string | undefined): string {
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error('TOKEN_SECRET must be at least 32 characters');
    return fromEnv;
  }
  const file = path.join(dataDir, TOKEN_SECRET_FILE);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(TOKEN_SECRET_BYTES).toString('base64url');
  // 'wx' fails if another process created it meanwhile; then use theirs.
  try {
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch {
    return readFileSync(file, 'utf8').trim();
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.DATA_DIR || '.data');
  return {
    port: parsePort('PORT', env.PORT) ?? 8080,
    host: env.HOST || '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    logLevel: env.LOG_LEVEL || 'info',
    tokenSecret: loadTokenSecret(dataDir, env.TOKEN_SECRET),
    embeddedPgPort: parsePort('EMBEDDED_PG_PORT', env.EMBEDDED_PG_PORT),
    clientDir: path.resolve(env.CLIENT_DIR || 'client/dist'),
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '').split(',').map((origin) => origin.trim()).filter(Boolean),
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    socketRates: Object.fromEntries(
      Object.entries({
        frameBurst: parseRate('SOCKET_FRAME_BURST', env.SOCKET_FRAME_BURST),
        framesPerSecond: parseRate('SOCKET_FRAMES_PER_SECOND', env.SOCKET_FRAMES_PER_SECOND),
        messageBurst: parseRate('SOCKET_MESSAGE_BURST', env.SOCKET_MESSAGE_BURST),
        messagesPerSecond: parseRate('SOCKET_MESSAGES_PER_SECOND', env.SOCKET_MESSAGES_PER_SECOND),
      }).filter(([, value]) => value !== undefined),
    ),
  };
}
