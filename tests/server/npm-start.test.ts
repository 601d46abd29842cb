/**
 * S5: `npm start` builds the client, but only when its sources changed since
 * the last build (server/build-if-stale.ts), and says where the app is. The
 * build decision is checked on a scratch tree with a stand-in build, so no
 * Vite run is needed; tests/server/embedded-start.test.ts runs the server.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILD_INPUTS, CLIENT_DIST, STAMP_FILE, buildIfStale } from '../../server/build-if-stale.js';
import { loadConfig } from '../../server/config.js';
import { chooseLogFormat, runningLine } from '../../server/logger.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

let root: string;
let builds = 0;
/** Stands in for `npm run build`: replaces the build folder, as Vite does (emptyOutDir). */
async function fakeBuild() {
  builds++;
  const dist = path.join(root, CLIENT_DIST);
  await rm(dist, { recursive: true, force: true });
  await mkdir(dist, { recursive: true });
  await writeFile(path.join(dist, 'index.html'), `<!doctype html><p>build ${builds}</p>`);
}
const start = () => buildIfStale(root, fakeBuild);

async function put(relative: string, content: string) {
  await mkdir(path.dirname(path.join(root, relative)), { recursive: true });
  await writeFile(path.join(root, relative), content);
}

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'whisper-stamp-'));
  builds = 0;
  await put('client/index.html', '<div id="root"></div>');
  await put('client/src/main.tsx', 'render()');
  await put('client/src/app.test.tsx', 'test()');
  await put('sw/sw.ts', 'precache()');
  await put('server/protocol/constants.ts', 'export const A = 1;');
  await put('server/main.ts', 'listen()');
  await put('vite.config.ts', 'export default {}');
  await put('package.json', '{}');
  await put('package-lock.json', '{}');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('npm start builds only when the client changed (S5)', () => {
  it('[S5] a fresh clone builds; a second start with nothing changed does not; touching files without changing them does not', async () => {
    expect(await start()).toBe(true);
    expect(existsSync(path.join(root, CLIENT_DIST, STAMP_FILE))).toBe(true);
    expect(await start()).toBe(false);
    const later = new Date(Date.now() + 60_000);
    await utimes(path.join(root, 'client/src/main.tsx'), later, later);
    expect(await start()).toBe(false);
    expect(builds).toBe(1);
  });

  it('[S5] a changed, added or removed input builds again (client, service worker, shared protocol, Vite config, lock file); server code and tests do not', async () => {
    await start();
    const edits: [string, () => Promise<unknown>][] = [
      ['client source edited', () => put('client/src/main.tsx', 'render(2)')],
      ['client file added', () => put('client/src/new.ts', 'x')],
      ['client file removed', () => rm(path.join(root, 'client/src/new.ts'))],
      ['service worker edited', () => put('sw/sw.ts', 'precache(2)')],
      ['shared protocol edited', () => put('server/protocol/constants.ts', 'export const A = 2;')],
      ['Vite config edited', () => put('vite.config.ts', 'export default { x: 1 }')],
      ['dependencies changed', () => put('package-lock.json', '{"v":2}')],
    ];
    for (const [what, edit] of edits) {
      await edit();
      expect(await start(), what).toBe(true);
      expect(await start(), `${what}, then nothing`).toBe(false);
    }
    await put('server/main.ts', 'listen(2)');
    await put('client/src/app.test.tsx', 'test(2)');
    expect(await start()).toBe(false);
  });

  it('[S5] a build made elsewhere (no stamp), a missing build and a failed build are never trusted', async () => {
    await start();
    // `npm run build` or the browser tests' build replaced the folder: no stamp.
    await rm(path.join(root, CLIENT_DIST, STAMP_FILE));
    expect(await start()).toBe(true);
    await rm(path.join(root, CLIENT_DIST), { recursive: true });
    expect(await start()).toBe(true);
    await put('client/src/main.tsx', 'broken(');
    await expect(buildIfStale(root, () => Promise.reject(new Error('build failed')))).rejects.toThrow('build failed');
    expect(await start()).toBe(true);
  });

  it('[S5] every build input it hashes exists in this repository', () => {
    expect(BUILD_INPUTS.filter((input) => !existsSync(path.join(REPO, input)))).toEqual([]);
  });
});

describe('what npm start prints (S5)', () => {
  it('[S5] one line says where the app is; on every interface it also names this machine\'s network addresses', () => {
    expect(runningLine('127.0.0.1', 8080)).toBe('Whisper is running at http://127.0.0.1:8080');
    expect(runningLine('::1', 8080)).toBe('Whisper is running at http://[::1]:8080');
    const interfaces = {
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
      eth0: [
        { address: '192.168.1.20', family: 'IPv4', internal: false },
        { address: 'fe80::1', family: 'IPv6', internal: false },
      ],
    } as unknown as NodeJS.Dict<os.NetworkInterfaceInfo[]>;
    expect(runningLine('0.0.0.0', 8080, interfaces)).toBe(
      'Whisper is running at http://127.0.0.1:8080; from other devices on this network: http://192.168.1.20:8080',
    );
  });

  it('[S5] logs are pretty on a terminal and JSON otherwise (pipes, CI, containers); LOG_FORMAT overrides', () => {
    expect(chooseLogFormat(undefined, true)).toBe('pretty');
    expect(chooseLogFormat(undefined, false)).toBe('json');
    expect(chooseLogFormat(loadConfig({ LOG_FORMAT: 'json' }).logFormat, true)).toBe('json');
    expect(chooseLogFormat(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat, false)).toBe('pretty');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });
});
