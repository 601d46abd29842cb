/**
 * Browser tests run against the production build, served by the real
 * server, exactly as users get it (service worker and CSP included). Build
 * it once per run.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export default async function setup() {
  // Vitest runs with NODE_ENV=test, which would give React's development
  // build; users get production.
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.join(ROOT, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    process.env.NODE_ENV = previous;
  }
}
