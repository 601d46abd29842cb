/**
 * Q1, Q3: a hit's snippet as text. The server's snippet is HTML-escaped
 * text with the matches wrapped in `<mark>`…`</mark>`; it is never set as
 * HTML here: it is split on the two markers and the five entities the
 * server writes are decoded by hand, so whatever else it holds (a server
 * bug, a tag that slipped through) shows as the characters it is.
 */

export interface SnippetPart {
  text: string;
  /** A match, shown highlighted. */
  mark: boolean;
}

const MARK_OPEN = '<mark>';
const MARK_CLOSE = '</mark>';
const ENTITIES: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const ENTITY_PATTERN = /&(?:amp|lt|gt|quot|#39);/g;

export function unescapeEntities(text: string): string {
  return text.replace(ENTITY_PATTERN, (entity) => ENTITIES[entity]);
}

/** The snippet's parts in order; empty parts are dropped, and an unclosed mark runs to the end. */
export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let mark = false;
  let rest = snippet;
  while (rest.length > 0) {
    const marker = mark ? MARK_CLOSE : MARK_OPEN;
    const at = rest.indexOf(marker);
    const raw = at < 0 ? rest : rest.slice(0, at);
    if (raw) parts.push({ text: unescapeEntities(raw), mark });
    if (at < 0) break;
    rest = rest.slice(at + marker.length);
    mark = !mark;
  }
  return parts;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The server's escaping, for snippets made on this device (Q2), so one renderer shows both. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}
