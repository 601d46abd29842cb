/**
 * The first half of `npm start`: builds the client (`npm run build`) only
 * when its sources changed since the last build, so a restart does not wait
 * for Vite. A fresh clone (no build yet) and a `git pull` that changed the
 * client both build; a restart with nothing changed starts at once.
 *
 * After a successful build a stamp with a hash of every build input is
 * written into the build folder. The stamp lives inside the build, so any
 * other build (`npm run build`, the browser tests' build) replaces the
 * folder and removes it, and the next start builds again rather than trust
 * a build it did not make. Contents are hashed, not modification times:
 * a checkout that touches files without changing them builds nothing, and
 * one that restores older files with new times is still noticed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the build reads, relative to the repository root (see vite.config.ts). */
export const BUILD_INPUTS = [
  'client/index.html',
  'client/public',
  'client/src',
  'client/tsconfig.json',
  'sw',
  // The wire types the client imports through the `@whisper/protocol` alias.
  'server/protocol',
  'vite.config.ts',
  'package.json',
  'package-lock.json',
];
/** Tests sit beside the code they test but never reach the bundle. */
const NOT_BUILT = /\.test\.[cm]?[jt]sx?$/;
export const CLIENT_DIST = 'client/dist';
export const STAMP_FILE = '.build-stamp';

async function filesUnder(root: string, relative: string): Promise<string[]> {
  const full = path.join(root, relative);
  if (!existsSync(full)) return [];
  const entries = await readdir(full, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOTDIR') return null;
    throw error;
  });
  if (entries === null) return [relative];
  const nested = await Promise.all(
    entries.map((entry) => {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) return filesUnder(root, child);
      return NOT_BUILT.test(entry.name) ? [] : [child];
    }),
  );
  return nested.flat();
}

/** A hash of the names and contents of every build input under `root`. */
export async function sourceHash(root: string, inputs: readonly string[] = BUILD_INPUTS): Promise<string> {
  const files = (await Promise.all(inputs.map((input) => filesUnder(root, input)))).flat().sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file).update('\0');
    hash.update(await readFile(path.join(root, file))).update('\0');
  }
  return hash.digest('hex');
}

/** True when `distDir` holds a build whose stamp matches `hash`. */
export async function buildIsCurrent(distDir: string, hash: string): Promise<boolean> {
  if (!existsSync(path.join(distDir, 'index.html'))) return false;
  const stamp = await readFile(path.join(distDir, STAMP_FILE), 'utf8').catch(() => null);
  return stamp?.trim() === hash;
}

export async function writeStamp(distDir: string, hash: string): Promise<void> {
  await writeFile(path.join(distDir, STAMP_FILE), `${hash}\n`);
}

/** Builds unless the build is current; returns whether it built. Throws when the build fails. */
export async function buildIfStale(root: string, build: () => void | Promise<void>): Promise<boolean> {
  const distDir = path.join(root, CLIENT_DIST);
  // Hashed before building: a source edited during the build leaves a
  // stamp that no longer matches, so the next start builds again.
  const hash = await sourceHash(root);
  if (await buildIsCurrent(distDir, hash)) return false;
  await build();
  await writeStamp(distDir, hash);
  return true;
}

function npmRunBuild(root: string): void {
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`npm run build failed (exit code ${result.status ?? result.signal})`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  buildIfStale(root, () => npmRunBuild(root)).then(
    (built) => {
      if (!built) console.log(`client build in ${CLIENT_DIST} is up to date (its sources have not changed); not rebuilding`);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
