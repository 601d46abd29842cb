/** `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database under DATA_DIR. */
import path from 'node:path';
import { loadConfig } from './config.js';
import { startEmbeddedPostgres } from './infra/embedded-postgres.js';
import { migrate } from './infra/migrate.js';

const config = loadConfig();
const embedded = config.databaseUrl
  ? undefined
  : await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'postgres'), port: config.embeddedPgPort });
let code = 0;
try {
  const applied = await migrate(config.databaseUrl ?? embedded!.url);
  console.log(applied.length > 0 ? `applied migrations ${applied.join(', ')}` : 'database is up to date');
} catch (error) {
  console.error('migration failed:', error);
  code = 1;
} finally {
  await embedded?.stop();
}
// embedded-postgres leaves handles open; end explicitly.
process.exit(code);
