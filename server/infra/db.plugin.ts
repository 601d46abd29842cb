import fp from 'fastify-plugin';
import pg from 'pg';

declare module 'fastify' {
  interface FastifyInstance {
    db: pg.Pool;
  }
}

/** Enough for a group-committing writer per room plus history reads. */
const POOL_MAX_CONNECTIONS = 10;
/** A statement stuck longer than this is a bug or a dead database, not load. */
const STATEMENT_TIMEOUT_MS = 15_000;
/**
 * statement_timeout is enforced by the server, so it cannot help when the
 * network to it silently drops packets; these client-side limits can.
 */
const CONNECT_TIMEOUT_MS = 5_000;
const QUERY_TIMEOUT_MS = 20_000;

// bigint (seq) and count(*) arrive as strings by default. Seqs stay far below
// 2^53, so numbers are safe and keep the wire format (P4) numeric.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export default fp<{ databaseUrl: string }>(
  async (app, { databaseUrl }) => {
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: POOL_MAX_CONNECTIONS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      application_name: 'whisper',
    });
    // An idle client whose server went away emits 'error' on the pool; without
    // a listener that would crash the process. The next query reconnects.
    pool.on('error', (error) => app.log.warn({ err: error }, 'idle database connection lost'));
    app.decorate('db', pool);
    app.addHook('onClose', async () => {
      await pool.end();
    });
  },
  { name: 'db' },
);
