import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/**
 * Headless as root in a container: no sandbox, no GPU, and no background
 * traffic (updates, sync, QUIC probes) that would only hang on a machine
 * without internet.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // F1: voice notes record from a fake microphone, granted without a prompt.
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];
/** The opt-out for developers without Chromium (vitest.config.ts honours it; CI never sets it). */
export const SKIP_ENV = 'WHISPER_SKIP_BROWSER_TESTS';

const browserMissing = !existsSync(CHROMIUM_PATH);

export async function launchChromium(): Promise<Browser> {
  if (browserMissing) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the browser tests need it. Install it with "apt-get install -y chromium" ` +
        `(or set CHROMIUM_PATH), or set ${SKIP_ENV}=1 to skip them on this machine.`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
