import { createElement, useEffect, useState } from 'react';
import { useOptionalEngine } from '../sync/engine-context';

/**
 * A5: a profile picture over the initials (a lazy chunk: the first screen's
 * JavaScript only draws initials). The server's 320 px thumbnail is fetched
 * like an attachment's (F6: with the token, through the `whisper-media`
 * cache), once per page for every Avatar that shows the same person, and
 * cropped to the circle by `object-cover`. Nothing is drawn while it loads
 * or when it cannot (offline and not cached): the initials stay.
 */

/** Object URLs by media id, for the page's life: a page shows few people, and the same ones often. */
const urls = new Map<string, Promise<string>>();

/** Shows `blob` for `mediaId` at once (the picture just uploaded from this device), with no fetch. */
export function primeAvatar(mediaId: string, blob: Blob): void {
  if (typeof URL.createObjectURL === 'function') urls.set(mediaId, Promise.resolve(URL.createObjectURL(blob)));
}

export default function AvatarImage({ id }: { id: string }) {
  const engine = useOptionalEngine();
  const [shown, setShown] = useState<{ id: string; url: string } | null>(null);
  useEffect(() => {
    if (!engine || typeof URL.createObjectURL !== 'function') return;
    let cancelled = false;
    let url = urls.get(id);
    if (!url) {
      url = engine.media(id, 'thumb').then((blob) => URL.createObjectURL(blob));
      urls.set(id, url);
      // Not kept when it failed: the next Avatar tries again (back online, say).
      url.catch(() => urls.delete(id));
    }
    url.then((loaded) => !cancelled && setShown({ id, url: loaded })).catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [engine, id]);
  if (shown?.id !== id) return null;
  // createElement, not JSX: the JSX runtime would be split out of the first screen's bundle into a chunk shared with this one.
  return createElement('img', { src: shown.url, alt: '', draggable: false, onError: () => setShown(null), className: 'absolute inset-0 size-full rounded-full object-cover' });
}
