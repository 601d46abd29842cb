import { useEffect, useState } from 'react';
import { useOptionalEngine } from '../../../shared/sync/engine-context';
import type { AttachmentView } from '../../../shared/sync/timeline';

/**
 * Object URLs of files still on this device, by file id. The timeline's live
 * query hands over a new Blob object on every re-read (each upload chunk),
 * so one URL per file is kept rather than one per read: the preview never
 * flickers. They live as long as the page (a session sends few files).
 */
const localUrls = new Map<string, string>();

function localUrl(key: string, blob: Blob): string | null {
  let url = localUrls.get(key);
  if (!url) {
    // Not everywhere (jsdom): the tile shows its placeholder then.
    if (typeof URL.createObjectURL !== 'function') return null;
    url = URL.createObjectURL(blob);
    localUrls.set(key, url);
  }
  return url;
}

/**
 * F2, F6: where to show a file from: the local bytes at once while it is
 * only on this device; else the server's copy (or thumbnail), fetched with
 * the token through the media cache. Null until there is one (or offline
 * without a cached copy).
 */
export function useAttachmentUrl(view: AttachmentView, variant: 'full' | 'thumb' = 'full'): string | null {
  const engine = useOptionalEngine();
  const local = view.blob ? localUrl(view.key, view.blob) : null;
  const [remote, setRemote] = useState<{ id: string; url: string } | null>(null);
  const { mediaId } = view;
  useEffect(() => {
    if (local || !mediaId || !engine || typeof URL.createObjectURL !== 'function') return;
    let url: string | undefined;
    let cancelled = false;
    engine
      .media(mediaId, variant)
      .then((blob) => {
        if (cancelled) return;
        url = URL.createObjectURL(blob);
        setRemote({ id: `${mediaId}:${variant}`, url });
      })
      .catch((error: unknown) => console.warn('whisper: could not load a file', error));
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [engine, local, mediaId, variant]);
  if (local) return local;
  return remote && remote.id === `${mediaId}:${variant}` ? remote.url : null;
}

/** A ThumbHash (base64) as a data URL, decoded in a lazy chunk (the decoder stays out of the first screen's JavaScript). */
export function useThumbhash(hash: string | null): string | null {
  const [decoded, setDecoded] = useState<{ hash: string; url: string } | null>(null);
  useEffect(() => {
    if (!hash) return;
    let cancelled = false;
    import('thumbhash')
      .then(({ thumbHashToDataURL }) => {
        const bytes = Uint8Array.from(atob(hash), (c) => c.charCodeAt(0));
        if (!cancelled) setDecoded({ hash, url: thumbHashToDataURL(bytes) });
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [hash]);
  return decoded && decoded.hash === hash ? decoded.url : null;
}
