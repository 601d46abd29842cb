import path from 'node:path';
import { MIN_TOKEN_SECRET_LENGTH } from './identity/token-secret.js';
import type { SocketRates } from './realtime/chat-socket.js';
import type { AbuseLimits } from './realtime/connection-limits.js';
import type { PresenceTimings } from './live/presence.js';
import type { LogFormat } from './logger.js';
import type { MediaOptions, S3Options } from './media/media-options.js';

export interface Config {
  port: number;
  host: string;
  /** Absent: run the embedded PostgreSQL under dataDir (S5). */
  databaseUrl: string | undefined;
  dataDir: string;
  logLevel: string;
  /** LOG_FORMAT; absent: pretty on a terminal, JSON otherwise. */
  logFormat: LogFormat | undefined;
  /** TOKEN_SECRET; absent: generated once and shared through the database. */
  tokenSecret: string | undefined;
  legacyTokenSecretFile: string;
  /** Fixed port for the embedded PostgreSQL; absent: any free port. */
  embeddedPgPort: number | undefined;
  /** Production build of the client, served from `/` when it exists. */
  clientDir: string;
  /** Extra origins allowed to open sockets (comma-separated ALLOWED_ORIGINS). */
  allowedOrigins: string[];
  trustProxy: boolean;
  /** SOCKET_FRAME_BURST, SOCKET_FRAMES_PER_SECOND, SOCKET_MESSAGE_BURST, SOCKET_MESSAGES_PER_SECOND */
  socketRates: Partial<SocketRates>;
  /** ADDRESS_MAX_SOCKETS, ADDRESS_CONNECT_BURST, …, USER_SENDS_PER_MINUTE (server/chat/connection-limits.ts) */
  limits: Partial<AbuseLimits>;
  /** PRESENCE_HEARTBEAT_MS, PRESENCE_INSTANCE_TTL_MS, PRESENCE_OFFLINE_GRACE_MS (server/live/presence.ts) */
  presence: Partial<PresenceTimings>;
  /** Files (F1–F5): UPLOAD_MAX_BYTES, UPLOAD_USER_QUOTA_BYTES, UPLOAD_TTL_MS, and S3_* for shared storage (S6). */
  media: MediaOptions;
  /** SEARCH_LANGUAGE: PostgreSQL text-search configuration for search (Q1); absent: english. */
  searchLanguage: string | undefined;
}

/** Environment variable of each per-address and per-user limit. */
const LIMIT_VARIABLES: Record<keyof AbuseLimits, string> = {
  maxSockets: 'ADDRESS_MAX_SOCKETS',
  connectBurst: 'ADDRESS_CONNECT_BURST',
  connectsPerSecond: 'ADDRESS_CONNECTS_PER_SECOND',
  sessionsPerMinute: 'ADDRESS_SESSIONS_PER_MINUTE',
  historyPerMinute: 'ADDRESS_HISTORY_PER_MINUTE',
  sendsPerMinute: 'ADDRESS_SENDS_PER_MINUTE',
  userSendsPerMinute: 'USER_SENDS_PER_MINUTE',
  userRequestsPerMinute: 'USER_REQUESTS_PER_MINUTE',
  loginsPerUsername: 'LOGINS_PER_USERNAME',
};

/** Environment variable of each presence timing (L1). */
const PRESENCE_VARIABLES: Record<keyof PresenceTimings, string> = {
  heartbeatMs: 'PRESENCE_HEARTBEAT_MS',
  instanceTtlMs: 'PRESENCE_INSTANCE_TTL_MS',
  offlineGraceMs: 'PRESENCE_OFFLINE_GRACE_MS',
};

/** Where releases before the shared secret kept the generated one (see server/auth/token-secret.ts). */
const LEGACY_TOKEN_SECRET_FILE = 'token-secret';

function parseRate(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const rate = Number(value);
  if (!Number.isFinite(rate) || rate <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(value)}`);
  return rate;
}

/** The variables of `names` that are set, parsed as positive numbers; unset ones are left to the defaults. */
function parseRates<K extends string>(env: NodeJS.ProcessEnv, names: Record<K, string>): Partial<Record<K, number>> {
  const rates: Partial<Record<K, number>> = {};
  for (const key of Object.keys(names) as K[]) {
    const rate = parseRate(names[key], env[names[key]]);
    if (rate !== undefined) rates[key] = rate;
  }
  return rates;
}

function parsePort(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name} must be a port number (0–65535), got ${JSON.stringify(value)}`);
  }
  return port;
}

function parseLogFormat(value: string | undefined): LogFormat | undefined {
  if (value === undefined || value === '') return undefined;
  if (value !== 'json' && value !== 'pretty') throw new Error(`LOG_FORMAT must be json or pretty, got ${JSON.stringify(value)}`);
  return value;
}

function parseTokenSecret(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value.length < MIN_TOKEN_SECRET_LENGTH) throw new Error(`TOKEN_SECRET must be at least ${MIN_TOKEN_SECRET_LENGTH} characters`);
  return value;
}

/** S3_*: all of endpoint-less AWS or an S3-compatible store; absent S3_BUCKET: files under DATA_DIR. */
function parseS3(env: NodeJS.ProcessEnv): S3Options | undefined {
  if (!env.S3_BUCKET) return undefined;
  const { S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey } = env;
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) throw new Error('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together');
  return {
    bucket: env.S3_BUCKET,
    region: env.S3_REGION || 'us-east-1',
    endpoint: env.S3_ENDPOINT || undefined,
    forcePathStyle: env.S3_FORCE_PATH_STYLE === '1' || env.S3_FORCE_PATH_STYLE === 'true',
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.DATA_DIR || '.data');
  return {
    port: parsePort('PORT', env.PORT) ?? 8080,
    host: env.HOST || '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    logLevel: env.LOG_LEVEL || 'info',
    logFormat: parseLogFormat(env.LOG_FORMAT),
    tokenSecret: parseTokenSecret(env.TOKEN_SECRET),
    legacyTokenSecretFile: path.join(dataDir, LEGACY_TOKEN_SECRET_FILE),
    embeddedPgPort: parsePort('EMBEDDED_PG_PORT', env.EMBEDDED_PG_PORT),
    clientDir: path.resolve(env.CLIENT_DIR || 'client/dist'),
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '').split(',').map((origin) => origin.trim()).filter(Boolean),
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    socketRates: parseRates(env, {
      frameBurst: 'SOCKET_FRAME_BURST',
      framesPerSecond: 'SOCKET_FRAMES_PER_SECOND',
      messageBurst: 'SOCKET_MESSAGE_BURST',
      messagesPerSecond: 'SOCKET_MESSAGES_PER_SECOND',
    }),
    limits: parseRates(env, LIMIT_VARIABLES),
    presence: parseRates(env, PRESENCE_VARIABLES),
    media: {
      dataDir,
      ...parseRates(env, { maxUploadBytes: 'UPLOAD_MAX_BYTES', userQuotaBytes: 'UPLOAD_USER_QUOTA_BYTES', uploadTtlMs: 'UPLOAD_TTL_MS' }),
      s3: parseS3(env),
    },
    searchLanguage: env.SEARCH_LANGUAGE || undefined,
  };
}
