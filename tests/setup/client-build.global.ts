/**
 * Browser tests run against the production build, served by the real
 * server, exactly as users get it (service worker and CSP included). Build
 * it once per run.
 */
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = path.join(ROOT, 'client/dist');

export default async function setup() {
  // Vitest runs with NODE_ENV=test, which would give React's development
  // build; users get production.
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  // Build beside the live folder and swap it in, so a server that is
  // serving client/dist (another run, npm start) never sees it half-written.
  const fresh = `${DIST}.building-${process.pid}`;
  try {
    await build({ configFile: path.join(ROOT, 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir: fresh, emptyOutDir: true } });
    const old = `${DIST}.old-${process.pid}`;
    await rename(DIST, old).catch(() => undefined);
    await rename(fresh, DIST);
    await rm(old, { recursive: true, force: true });
  } finally {
    process.env.NODE_ENV = previous;
    await rm(fresh, { recursive: true, force: true });
  }
}
