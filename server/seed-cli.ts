/**
 * `npm run seed` (A6): demo people, rooms and history in DATABASE_URL, or in
 * the embedded database under DATA_DIR: the one a running `npm start` owns,
 * or else started here for the time of the seeding. Idempotent.
 */
import path from 'node:path';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { runningEmbeddedPostgresUrl, startEmbeddedPostgres, type EmbeddedPostgresHandle } from './infra/embedded-postgres.js';
import { migrate } from './infra/migrate.js';
import { DEMO_PEOPLE, seedDemoData } from './seed/demo-data.js';

const config = loadConfig();
const pgDir = path.join(config.dataDir, 'postgres');
let embedded: EmbeddedPostgresHandle | undefined;
let code = 0;
try {
  let databaseUrl = config.databaseUrl ?? (await runningEmbeddedPostgresUrl(pgDir));
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: pgDir, port: config.embeddedPgPort });
    databaseUrl = embedded.url;
  }
  await migrate(databaseUrl);
  const app = await buildApp({ databaseUrl, tokenSecret: config.tokenSecret, clientDir: config.clientDir });
  await app.ready();
  try {
    const report = await seedDemoData(app, (line) => console.log(line));
    const made = report.accounts.filter((account) => account.created).length;
    console.log(`Demo data ready (${made} new accounts, ${report.messages} new messages; running it again changes nothing). Log in with:`);
    for (const person of DEMO_PEOPLE) console.log(`  ${person.username.padEnd(10)} ${person.password}`);
  } finally {
    await app.close();
  }
} catch (error) {
  console.error('seeding failed:', error);
  code = 1;
} finally {
  await embedded?.stop();
}
process.exit(code);
