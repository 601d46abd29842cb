import { describe, expect, it } from 'vitest';
import type { CachedMessage } from '../../shared/db/whisper-db';
import { localCorpus, parseQuery } from './local-search';
import { snippetParts } from './snippet';

let nextSeq = 1;
function message(content: string, extra: Partial<CachedMessage> = {}): CachedMessage {
  const seq = nextSeq++;
  return {
    id: `m${seq}`,
    seq,
    room_id: 'general',
    user_id: 'u1',
    client_id: null,
    content,
    created_at: new Date(Date.UTC(2026, 0, 1, 0, seq)).toISOString(),
    ...extra,
  } as CachedMessage;
}

const ROOMS = new Set(['general', 'team']);
const contents = (corpus: ReturnType<typeof localCorpus>, query: string, options?: Parameters<ReturnType<typeof localCorpus>['search']>[1]) =>
  corpus.search(query, options).data.map((hit) => hit.content);

describe('searching the messages cached on this device', () => {
  it('[Q2] ignores case and accents, both ways', () => {
    const corpus = localCorpus([message('Meet at the Café'), message('CAFE closed'), message('tea time')], ROOMS);
    expect(contents(corpus, 'café')).toEqual(['CAFE closed', 'Meet at the Café']);
    expect(contents(corpus, 'CAFE')).toEqual(['CAFE closed', 'Meet at the Café']);
  });

  it('[Q2] every word must match; a word matches the words it begins (the last one is being typed)', () => {
    const corpus = localCorpus([message('the meeting is at noon'), message('meeting moved'), message('noon sun')], ROOMS);
    expect(contents(corpus, 'meet noon')).toEqual(['the meeting is at noon']);
    expect(contents(corpus, 'meeting mov')).toEqual(['meeting moved']);
    // Inside a word is not the start of one.
    expect(contents(corpus, 'eeting')).toEqual([]);
  });

  it('[Q2] "quoted words" must follow each other; -word leaves messages with it out', () => {
    const corpus = localCorpus([message('red apple pie'), message('apple red'), message('green apple')], ROOMS);
    expect(contents(corpus, '"red apple"')).toEqual(['red apple pie']);
    expect(contents(corpus, 'apple -red')).toEqual(['green apple']);
    expect(parseQuery('-only')).toBeNull();
  });

  it('[Q2] leaves deleted messages out, and messages of rooms the user is not in', () => {
    const corpus = localCorpus([message('secret plan', { deleted: true, content: '' }), message('secret plan', { room_id: 'left-room' }), message('secret plan', { room_id: 'team' })], ROOMS);
    expect(corpus.search('secret').data.map((hit) => hit.room_id)).toEqual(['team']);
  });

  it('[Q2] searches the text as it stands (an edited message by its new words), newest first, in one room when asked', () => {
    const corpus = localCorpus([message('launch on monday', { room_id: 'team' }), message('launch on friday', { edited_at: '2026-01-02T00:00:00.000Z' }), message('no launch')], ROOMS);
    expect(contents(corpus, 'launch')).toEqual(['no launch', 'launch on friday', 'launch on monday']);
    expect(contents(corpus, 'monday')).toEqual(['launch on monday']);
    expect(contents(corpus, 'launch', { roomId: 'team' })).toEqual(['launch on monday']);
  });

  it('[Q2] marks the matched words in the server\'s snippet format, escaping the rest', () => {
    const corpus = localCorpus([message('<b>Café</b> & cafés are open')], ROOMS);
    const [hit] = corpus.search('cafe').data;
    expect(hit.snippet).toBe('&lt;b&gt;<mark>Café</mark>&lt;/b&gt; &amp; <mark>cafés</mark> are open');
    expect(snippetParts(hit.snippet).filter((part) => part.mark).map((part) => part.text)).toEqual(['Café', 'cafés']);
  });

  it('[Q2] cuts a long message to the text around its first match', () => {
    const long = `${'lorem ipsum '.repeat(30)}needle ${'dolor sit '.repeat(30)}`;
    const [hit] = localCorpus([message(long)], ROOMS).search('needle').data;
    expect(hit.snippet.startsWith('…')).toBe(true);
    expect(hit.snippet.endsWith('…')).toBe(true);
    expect(hit.snippet).toContain('<mark>needle</mark>');
    expect(hit.snippet.length).toBeLessThan(200);
  });

  it('[Q2] pages the hits: next_cursor until the last page', () => {
    const corpus = localCorpus(Array.from({ length: 5 }, (_, i) => message(`note ${i}`)), ROOMS);
    const first = corpus.search('note', { limit: 2 });
    expect(first.data.map((hit) => hit.content)).toEqual(['note 4', 'note 3']);
    const second = corpus.search('note', { limit: 2, cursor: first.next_cursor });
    const third = corpus.search('note', { limit: 2, cursor: second.next_cursor });
    expect(second.data.map((hit) => hit.content)).toEqual(['note 2', 'note 1']);
    expect(third).toEqual({ data: [expect.objectContaining({ content: 'note 0' })], next_cursor: null });
  });
});
