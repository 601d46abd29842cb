import type { CachedMessage } from '../../shared/db/whisper-db';
import { escapeHtml } from './snippet';
import type { SearchHit, SearchPage } from './search-api';

/**
 * Q2: searching the messages cached on this device, for when the server
 * cannot be asked. Plain scanning, no index library. Measured with 50,000
 * cached messages (local-search.measure.test.ts, jsdom in Node 20, 2-core
 * box): preparing them takes 10 ms (a sort; each message's folded text is
 * made the first time a search reaches it), a search that fills its page
 * stops early (under 1 ms for common words), and one that reads everything
 * takes about 90 ms the first time and 7–17 ms after that. An index (MiniSearch,
 * FlexSearch) would have to be built over all 50,000 on every opening of
 * the dialog (the cache changes under it: edits, deletes, new messages), a
 * full scan's worth of work up front, plus a dependency, for a search the
 * 250 ms typing pause already hides.
 *
 * Rules, as close to the server's (Q1) as cheap: every word must match,
 * case and accents ignored; a word matches the words it begins (which also
 * stands in for the server's stemming: "meet" finds "meeting", and the word
 * being typed finds its completions); "quoted words" must follow each
 * other; -word leaves out messages with it. Deleted messages are left out,
 * edited ones are searched as they stand (the cache holds the latest text).
 */

/** How many hits one page holds (Load more shows the next ones). */
export const LOCAL_PAGE_SIZE = 30;
/** A snippet's length in characters, and how much of it comes before the first match. */
const SNIPPET_LENGTH = 160;
const SNIPPET_LEAD = 50;

const WORD = /[\p{L}\p{M}\p{N}]+/gu;
const MARKS = /\p{M}/gu;

const NON_ASCII = /[^ -~\t\n\r]/;

/** Lower case, accents off ("Café" → "cafe"). */
export function fold(text: string): string {
  // Most messages are plain ASCII: nothing to take apart.
  return !NON_ASCII.test(text) ? text.toLowerCase() : text.normalize('NFD').replace(MARKS, '').toLowerCase();
}

function words(text: string): string[] {
  return fold(text).match(WORD) ?? [];
}

export interface ParsedQuery {
  /** Each one a word, or a quoted phrase's words, that must be there. */
  required: string[][];
  /** Words that must not be there. */
  excluded: string[];
}

const QUERY_PART = /(-?)"([^"]*)"?|(-?)(\S+)/g;

/** null: nothing to look for. */
export function parseQuery(query: string): ParsedQuery | null {
  const required: string[][] = [];
  const excluded: string[] = [];
  for (const [, quotedNot, quoted, bareNot, bare] of query.matchAll(QUERY_PART)) {
    const not = (quotedNot ?? bareNot) === '-';
    const parts = words(quoted ?? bare ?? '');
    if (parts.length === 0) continue;
    if (not) excluded.push(...parts);
    else if (quoted !== undefined) required.push(parts);
    else required.push(...parts.map((part) => [part]));
  }
  return required.length > 0 ? { required, excluded } : null;
}

interface Token {
  start: number;
  end: number;
  word: string;
}

/**
 * A message as searched. Both views of its text are made when a search
 * first needs them and kept for the dialog's lifetime: a search that fills
 * its page early never looks at the older messages at all.
 */
interface Entry {
  message: CachedMessage;
  /** The whole text folded: a quick test before the word by word one. */
  folded?: string;
  tokens?: Token[];
}

export interface LocalCorpus {
  readonly size: number;
  search(query: string, options?: { roomId?: string | null; cursor?: string | null; limit?: number }): SearchPage;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(WORD)) {
    const word = fold(match[0]);
    // Folding may take a word apart ("ß" stays, "ﬁ" does not): its position is the original's.
    if (word) tokens.push({ start: match.index, end: match.index + match[0].length, word });
  }
  return tokens;
}

/** Where in `tokens` the words of `phrase` stand one after another, each beginning its token. */
function phraseAt(tokens: Token[], phrase: string[]): Token[] | null {
  const found: Token[] = [];
  for (let i = 0; i + phrase.length <= tokens.length; i++) {
    if (phrase.every((word, k) => tokens[i + k].word.startsWith(word))) found.push(...tokens.slice(i, i + phrase.length));
  }
  return found.length > 0 ? found : null;
}

/** The matched tokens, or null when the message does not match. */
function matchEntry(entry: Entry, query: ParsedQuery): Token[] | null {
  const folded = (entry.folded ??= fold(entry.message.content));
  for (const phrase of query.required) if (!phrase.every((word) => folded.includes(word))) return null;
  const tokens = (entry.tokens ??= tokenize(entry.message.content));
  if (query.excluded.some((word) => tokens.some((token) => token.word.startsWith(word)))) return null;
  const marked: Token[] = [];
  for (const phrase of query.required) {
    const found = phraseAt(tokens, phrase);
    if (!found) return null;
    marked.push(...found);
  }
  return marked;
}

/** The text around the first match, escaped, each matched word in `<mark>`: the server's snippet format. */
export function localSnippet(text: string, marked: Token[]): string {
  const sorted = [...new Set(marked)].sort((a, b) => a.start - b.start);
  const first = sorted[0]?.start ?? 0;
  let start = Math.max(0, first - SNIPPET_LEAD);
  // Start at a word, not inside one.
  if (start > 0) start = text.lastIndexOf(' ', start) + 1;
  const end = Math.min(text.length, start + SNIPPET_LENGTH);
  let out = start > 0 ? '…' : '';
  let at = start;
  for (const token of sorted) {
    if (token.start < at || token.end > end) continue;
    out += `${escapeHtml(text.slice(at, token.start))}<mark>${escapeHtml(text.slice(token.start, token.end))}</mark>`;
    at = token.end;
  }
  out += escapeHtml(text.slice(at, end)) + (end < text.length ? '…' : '');
  return out;
}

const newestFirst = (a: CachedMessage, b: CachedMessage) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : b.seq - a.seq);

/**
 * The cached messages of `roomIds` (the rooms the user is in), prepared for
 * searching: deleted ones left out, newest first.
 */
export function localCorpus(messages: readonly CachedMessage[], roomIds: ReadonlySet<string>): LocalCorpus {
  const entries: Entry[] = messages
    .filter((message) => !message.deleted && message.content && roomIds.has(message.room_id))
    .sort(newestFirst)
    .map((message) => ({ message }));
  return {
    size: entries.length,
    search(text, { roomId = null, cursor = null, limit = LOCAL_PAGE_SIZE } = {}) {
      const query = parseQuery(text);
      if (!query) return { data: [], next_cursor: null };
      const offset = Number(cursor ?? 0) || 0;
      const data: SearchHit[] = [];
      let skipped = 0;
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i];
        if (roomId !== null && entry.message.room_id !== roomId) continue;
        const marked = matchEntry(entry, query);
        if (!marked) continue;
        if (skipped++ < offset) continue;
        // One more than the page: whether there is a next one.
        if (data.length === limit) return { data, next_cursor: String(offset + limit) };
        const { id, room_id, seq, user_id, content, created_at } = entry.message;
        data.push({ id, room_id, seq, user_id, content, created_at, snippet: localSnippet(content, marked) });
      }
      return { data, next_cursor: null };
    },
  };
}
