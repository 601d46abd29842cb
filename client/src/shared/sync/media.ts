/**
 * F3, F6: the server's files (GET /v1/media/{id}, `?variant=thumb`), fetched
 * with the bearer token (an <img> cannot send one) and kept in Cache Storage
 * for offline viewing of recent rooms. The cache is bounded: past
 * MEDIA_CACHE_ENTRIES the oldest entries go (Cache Storage lists keys in
 * insertion order).
 */

export const MEDIA_CACHE = 'whisper-media';
/** Files kept for offline viewing (thumbnails and full files alike). */
export const MEDIA_CACHE_ENTRIES = 300;
export const MEDIA_PATH = '/v1/media';

export type MediaVariant = 'full' | 'thumb';

export interface MediaSource {
  origin: string;
  token(): Promise<string | undefined>;
  fetch?: typeof fetch;
  caches?: CacheStorage;
}

export function mediaUrl(origin: string, id: string, variant: MediaVariant): string {
  const base = `${origin}${MEDIA_PATH}/${encodeURIComponent(id)}`;
  return variant === 'thumb' ? `${base}?variant=thumb` : base;
}

async function evictOldest(cache: Cache, limit: number): Promise<void> {
  const keys = await cache.keys();
  for (const key of keys.slice(0, Math.max(0, keys.length - limit))) await cache.delete(key);
}

/** The file's bytes: from the cache when there, else from the server (then cached). */
export async function loadMedia(source: MediaSource, id: string, variant: MediaVariant = 'full'): Promise<Blob> {
  const url = mediaUrl(source.origin, id, variant);
  const storage = source.caches ?? (typeof caches === 'undefined' ? undefined : caches);
  const cache = storage ? await storage.open(MEDIA_CACHE).catch(() => undefined) : undefined;
  const hit = await cache?.match(url);
  if (hit) return hit.blob();
  const token = await source.token();
  const response = await (source.fetch ?? fetch)(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw new Error(`media request failed: HTTP ${response.status}`);
  const blob = await response.blob();
  if (cache) {
    // Media ids are immutable: the cached copy never goes stale, only old.
    await cache.put(url, new Response(blob, { headers: { 'Content-Type': blob.type } })).catch(() => undefined);
    await evictOldest(cache, MEDIA_CACHE_ENTRIES).catch(() => undefined);
  }
  return blob;
}
