import { useEffect, useState, type ReactNode } from 'react';

type FindLinks = typeof import('linkifyjs').find;

/** Only these schemes become links: never javascript: or data: (R3). */
const SAFE_HREF = /^(https?:|mailto:)/i;
/**
 * Text that may hold a link (a dot between word characters, an @, a
 * scheme): only then is linkifyjs (~10 kB) fetched, after start-up, so
 * neither the first screen nor a room without links carries it.
 */
const MAYBE_LINK = /\w\.\w|@\w|:\/\//;

let findLinks: FindLinks | null = null;
let loading: Promise<FindLinks> | null = null;

function loadLinkify(): Promise<FindLinks> {
  loading ??= import('linkifyjs').then(
    (module) => (findLinks = module.find),
    (error: unknown) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

const TEXT_CLASS = 'inline whitespace-pre-wrap wrap-anywhere';

/**
 * A message's text with its links as links (linkifyjs finds them), the rest
 * as React text nodes: never HTML (R3). Links open in a new tab without
 * handing it this page (noopener) or the referrer. Until linkifyjs is here
 * (a moment, or offline before the service worker had it) the text is
 * shown as it is.
 */
export function MessageText({ content }: { content: string }) {
  const maybeLink = MAYBE_LINK.test(content);
  const [find, setFind] = useState<FindLinks | null>(() => findLinks);
  useEffect(() => {
    if (!maybeLink || find) return;
    let live = true;
    loadLinkify().then(
      (loaded) => live && setFind(() => loaded),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [maybeLink, find]);
  if (!maybeLink || !find) return <p className={TEXT_CLASS}>{content}</p>;

  const parts: ReactNode[] = [];
  let at = 0;
  for (const link of find(content)) {
    if (!SAFE_HREF.test(link.href)) continue;
    if (link.start > at) parts.push(content.slice(at, link.start));
    parts.push(
      <a key={link.start} href={link.href} target="_blank" rel="noopener noreferrer nofollow" className="underline decoration-1 underline-offset-2 break-all">
        {link.value}
      </a>,
    );
    at = link.end;
  }
  if (at < content.length) parts.push(content.slice(at));
  return <p className={TEXT_CLASS}>{parts}</p>;
}
