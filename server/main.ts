/**
 * `npm start`: configuration from the environment, the embedded PostgreSQL
 * when no DATABASE_URL is given (S5), migrations, then the app. Shutdown on
 * SIGINT/SIGTERM drains sockets before the database stops.
 */
import path from 'node:path';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './infra/embedded-postgres.js';
import { chooseLogFormat, createLogger, runningLine } from './logger.js';
import { migrate } from './infra/migrate.js';

/** Time allowed for draining sockets and stopping the database before a forced exit. */
const SHUTDOWN_GRACE_MS = 15_000;

const config = loadConfig();
const log = createLogger(config.logLevel, chooseLogFormat(config.logFormat));
let embedded: EmbeddedPostgresHandle | undefined;

async function start() {
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    log.info({ dataDir: config.dataDir }, 'no DATABASE_URL: starting the embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(config.dataDir, 'postgres'),
      port: config.embeddedPgPort,
      log: (level, msg) => log[level]({ component: 'postgres' }, msg),
    });
    databaseUrl = embedded.url;
  }
  const applied = await migrate(databaseUrl);
  if (applied.length > 0) log.info({ applied }, 'migrations applied');

  const app = await buildApp({
    databaseUrl,
    tokenSecret: config.tokenSecret,
    legacyTokenSecretFile: config.legacyTokenSecretFile,
    clientDir: config.clientDir,
    logger: log,
    allowedOrigins: config.allowedOrigins,
    trustProxy: config.trustProxy,
    socketRates: config.socketRates,
    limits: config.limits,
    presence: config.presence,
    media: config.media,
    searchLanguage: config.searchLanguage,
  });
  closeWithGrace({ delay: SHUTDOWN_GRACE_MS, logger: log }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'closing after an unexpected error');
    else log.info({ signal }, 'shutting down');
    await app.close();
    await embedded?.stop();
  });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  log.info(runningLine(config.host, typeof address === 'object' && address !== null ? address.port : config.port));
}

start().catch(async (error: unknown) => {
  log.fatal({ err: error }, 'Whisper could not start');
  await embedded?.stop().catch(() => undefined);
  process.exit(1);
});
