import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';

/** Vite puts content-hashed files here; they never change under one name. */
const HASHED_ASSETS_PREFIX = '/assets/';
const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** index.html, sw.js and the manifest must be revalidated so updates are seen. */
const REVALIDATE_CACHE = 'no-cache';

/** Serves the production build of the client from `/` when it has been built, and JSON 404s otherwise. */
export default fp<{ clientDir: string }>(
  async (app, { clientDir }) => {
    const built = existsSync(path.join(clientDir, 'index.html'));
    if (!built) app.log.info({ clientDir }, 'no client build found; serving the API only (run npm run build)');
    // Client-side routes (/chat, …) load the app shell; API paths stay 404.
    app.setNotFoundHandler((request, reply) => {
      const wantsPage = built && request.method === 'GET' && !request.url.startsWith('/v1/') && (request.headers.accept ?? '').includes('text/html');
      if (wantsPage) return reply.header('cache-control', REVALIDATE_CACHE).sendFile('index.html');
      return reply.code(404).send({ type: 'error', code: 'not_found', message: `${request.method} ${request.url.split('?')[0]} not found` });
    });
    if (!built) return;
    await app.register(fastifyStatic, {
      root: clientDir,
      cacheControl: false,
      // The build writes brotli and gzip copies of its text files (x.js.br,
      // x.js.gz; see vite.config.ts): sent to browsers that accept them,
      // the original otherwise. Nothing is compressed per request.
      preCompressed: true,
      setHeaders(res, filePath) {
        const url = '/' + path.relative(clientDir, filePath).split(path.sep).join('/');
        res.setHeader('cache-control', url.startsWith(HASHED_ASSETS_PREFIX) ? IMMUTABLE_CACHE : REVALIDATE_CACHE);
        // Which copy was sent depends on Accept-Encoding: caches must key on it.
        res.setHeader('vary', 'accept-encoding');
      },
    });
  },
  { name: 'client' },
);
