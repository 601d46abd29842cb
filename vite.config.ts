import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin, type ProxyOptions } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/** Absolute path of a file relative to the repository root (this file's folder). */
const fromRoot = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

/** Where `npm start` (server/main.ts) runs during development. */
const API_TARGET = 'http://127.0.0.1:8080';
const DEV_PORT = 5173;

/**
 * Light surfaces; the manifest has one theme colour, so it matches the light
 * look (index.html carries a second theme-color for dark mode).
 */
const THEME_COLOR = '#f8fafc';
const BACKGROUND_COLOR = '#f8fafc';

/** Requests the client makes to the server: REST and the chat socket under /v1, plus docs and health. */
const apiProxy: Record<string, ProxyOptions> = {
  '/v1': { target: API_TARGET, ws: true },
  '/docs': { target: API_TARGET },
  '/healthz': { target: API_TARGET },
};

/** Text files worth compressing; smaller ones gain nothing over the headers they cost. */
const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|webmanifest)$/;
const COMPRESS_MIN_BYTES = 1024;

/**
 * Brotli (quality 11) and gzip (level 9) copies of the built text files,
 * written once at build time beside the originals (x.js → x.js.br,
 * x.js.gz). The server sends them to browsers that accept them (the client
 * plugin's `preCompressed`), so nothing is compressed per request and the
 * app's JavaScript crosses the network at about a quarter of its size.
 * Exported for the start-up benchmark's floor page (tests/bench/startup.ts),
 * which is served the same way.
 */
export function precompress(): Plugin {
  return {
    name: 'whisper:precompress',
    apply: 'build',
    enforce: 'post',
    async writeBundle(options, bundle) {
      const dir = options.dir;
      if (!dir) return;
      await Promise.all(
        Object.keys(bundle)
          .filter((fileName) => COMPRESSIBLE.test(fileName))
          .map(async (fileName) => {
            const file = path.join(dir, fileName);
            const data = await readFile(file);
            if (data.length < COMPRESS_MIN_BYTES) return;
            const brotli = brotliCompressSync(data, {
              params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: data.length },
            });
            await Promise.all([writeFile(`${file}.br`, brotli), writeFile(`${file}.gz`, gzipSync(data, { level: 9 }))]);
          }),
      );
    },
  };
}

/** Emojibase's data (the emoji picker's, Frimousse): served from this origin, never from a CDN. */
const EMOJIBASE_FILES = ['en/data.json', 'en/messages.json'];

/**
 * Emojibase's English data at /emojibase/ (see client/src/features/chat/
 * actions/message-dialogs.tsx): emitted into the build, so the service
 * worker precaches it (W1: the picker opens offline), and served by the dev
 * server from node_modules.
 */
function emojibaseData(): Plugin {
  const source = (file: string) => fromRoot(`./node_modules/emojibase-data/${file}`);
  return {
    name: 'whisper:emojibase-data',
    async generateBundle() {
      for (const file of EMOJIBASE_FILES) this.emitFile({ type: 'asset', fileName: `emojibase/${file}`, source: await readFile(source(file)) });
    },
    configureServer(server) {
      server.middlewares.use(async (request, response, next) => {
        const file = EMOJIBASE_FILES.find((name) => request.url === `/emojibase/${name}`);
        if (!file) return next();
        response.setHeader('Content-Type', 'application/json');
        response.end(await readFile(source(file)));
      });
    },
  };
}

export default defineConfig({
  // The app lives in client/; index.html and public/ are resolved from here.
  root: fromRoot('./client'),
  resolve: {
    alias: [
      // The one definition of the wire types (server/protocol/), shared with the server.
      { find: '@whisper/protocol', replacement: fromRoot('./server/protocol/index.ts') },
      { find: /^dexie$/, replacement: 'dexie/dist/modern/dexie.mjs' },
      { find: /^use-sync-external-store\/shim(?:\/index\.js)?$/, replacement: 'use-sync-external-store' },
      { find: /^use-sync-external-store\/shim\/with-selector$/, replacement: 'use-sync-external-store/with-selector' },
    ],
  },
  build: {
    outDir: fromRoot('./client/dist'),
    emptyOutDir: true,
  },
  // The connection worker (client/src/shared/sync/connection.worker.ts) is a
  // module worker, like the page's own code; its chunks are precached with
  // the rest of the shell (W1), so it starts offline too.
  worker: { format: 'es' },
  server: { port: DEV_PORT, strictPort: true, proxy: apiProxy },
  preview: { proxy: apiProxy },
  plugins: [
    react(),
    tailwindcss(),
    emojibaseData(),
    precompress(),
    VitePWA({
      strategies: 'injectManifest',
      // Relative to `root` (client/): the worker source is sw/sw.ts at the repo root.
      srcDir: '../sw',
      filename: 'sw.ts',
      // W2: a new worker waits until the user agrees to reload (see client/src/app/update-prompt.tsx).
      registerType: 'prompt',
      // Registered from React through virtual:pwa-register/react; an injected
      // inline script would also be blocked by the server's CSP.
      injectRegister: false,
      // W1: the precache holds the whole shell: the built JS/CSS/HTML (globbed
      // below), these public files, the manifest icons and the manifest itself
      // (the last two are added by the plugin; globbing them too would list them twice).
      includeAssets: ['favicon.svg', 'apple-touch-icon.png'],
      injectManifest: {
        globPatterns: ['**/*.{js,css,html}', 'emojibase/**/*.json'],
      },
      manifest: {
        name: 'Whisper',
        short_name: 'Whisper',
        description: 'Offline-first real-time chat that never loses a message.',
        lang: 'en',
        display: 'standalone',
        start_url: '/chat',
        scope: '/',
        theme_color: THEME_COLOR,
        background_color: BACKGROUND_COLOR,
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      // No worker in `vite` dev: it would cache dev modules and hide changes.
      devOptions: { enabled: false },
    }),
  ],
});
