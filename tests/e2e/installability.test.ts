import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './support/chromium.js';
import { createE2eEnv, UI_TIMEOUT_MS, type E2eEnv } from './support/e2e-env.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await createE2eEnv();
});
afterAll(async () => {
  await env?.close();
});

interface ManifestIcon {
  src: string;
  sizes: string;
  type?: string;
  purpose?: string;
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('installable PWA', () => {
  it('[W1] the manifest has what phones need to install the app, and every icon is a real PNG of its size', async () => {
    const context = await env.newContext();
    const page = await env.openChat(context);
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(href).toBeTruthy();
    const response = await page.request.get(new URL(href!, env.origin).toString());
    expect(response.ok()).toBe(true);
    const manifest = (await response.json()) as Record<string, unknown> & { icons: ManifestIcon[] };
    expect(manifest).toMatchObject({ name: 'Whisper', short_name: 'Whisper', display: 'standalone' });
    expect(manifest.start_url).toEqual(expect.any(String));
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{3,8}$/i);
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{3,8}$/i);

    const sizes = new Set<string>();
    for (const icon of manifest.icons) {
      const image = await page.request.get(new URL(icon.src, new URL(href!, env.origin)).toString());
      expect(image.ok(), icon.src).toBe(true);
      const { width, height } = pngSize(await image.body());
      expect(`${width}x${height}`, icon.src).toBe(icon.sizes);
      sizes.add(`${icon.sizes}:${icon.purpose ?? 'any'}`);
    }
    expect(sizes).toContain('192x192:any');
    expect(sizes).toContain('512x512:any');
    expect([...sizes].some((size) => size.startsWith('512x512') && size.includes('maskable'))).toBe(true);
  });

  it('[W1] the service worker controls the page and Chromium reports no installability errors', async () => {
    // Incognito contexts are never installable; use a real profile.
    const profile = await mkdtemp(path.join(os.tmpdir(), 'whisper-profile-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    onTestFinished(async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    });
    const page = await context.newPage();
    await page.goto(`${env.origin}/chat`);
    // clientsClaim(): the first visit is controlled without a reload.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: UI_TIMEOUT_MS });
    const scriptUrl = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);
    expect(scriptUrl).toBe(`${env.origin}/sw.js`);

    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    expect(installabilityErrors).toEqual([]);
    const { url, errors } = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[] };
    expect(url).toBe(`${env.origin}/manifest.webmanifest`);
    expect(errors).toEqual([]);
  });
});
