/**
 * Q1 server search, through the real HTTP server on real PostgreSQL:
 * full-text matching (stems, phrases, OR, exclusion), HTML-safe snippets,
 * membership (M3) now and after leaving, messages as they stand (edited,
 * deleted), keyset paging, and the refusals.
 *
 * Every test posts into rooms of its own people and searches for a word
 * made up for it (tag()), so tests never find each other's messages.
 */
import { randomInt } from 'node:crypto';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SEARCH_QUERY_LENGTH, type SearchHit, type SearchResponse } from '../../server/protocol/index.js';
import { createSession } from '../support/fixtures.js';
import { api } from '../support/rooms-fixtures.js';
import { ensureSearchLanguage } from '../../server/search/search-language.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

type Person = { user_id: string; token: string };
const person = (): Promise<Person> => createSession(server.baseUrl);

/** A word no dictionary has, that the stemmer leaves alone: this test's own. */
function tag(): string {
  const letters = 'bcdfghjkmnpqrtvwxz';
  return `zq${Array.from({ length: 8 }, () => letters[randomInt(letters.length)]).join('')}`;
}

async function group(owner: Person, members: Person[] = []): Promise<string> {
  const { status, body } = await api(server.baseUrl, owner.token, 'POST', '/v1/rooms', { name: 'Search', kind: 'group', user_ids: members.map((m) => m.user_id) });
  expect(status).toBe(201);
  return body.id as string;
}

/** Sends the messages in order; returns their ids. */
async function post(sender: Person, roomId: string, ...contents: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const content of contents) {
    const { status, body } = await api(server.baseUrl, sender.token, 'POST', '/v1/chat/messages', { data: [{ client_id: ulid(), room_id: roomId, content }] });
    expect(status).toBe(200);
    ids.push((body.message_ids as string[])[0]);
  }
  return ids;
}

async function search(who: Person | null, params: Record<string, string | number>) {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const { status, body } = await api(server.baseUrl, who?.token, 'GET', `/v1/search?${query}`);
  return { status, body: body as unknown as SearchResponse & { code?: string; message?: string } };
}

/** The contents found for q (one page of up to 50). */
async function found(who: Person, q: string, extra: Record<string, string> = {}): Promise<string[]> {
  const { status, body } = await search(who, { q, limit: 50, ...extra });
  expect(status).toBe(200);
  return body.data.map((hit) => hit.content);
}

describe('Q1 matching', () => {
  it('[Q1] words match their other forms (stemming): "running" finds "runs"', async () => {
    const ana = await person();
    const t = tag();
    const room = await group(ana);
    await post(ana, room, `she runs every morning ${t}`, `nothing to see ${t}`);
    expect(await found(ana, `running ${t}`)).toEqual([`she runs every morning ${t}`]);
  });

  it('[Q1] "quoted words" match as a phrase; unquoted they may stand apart', async () => {
    const ana = await person();
    const t = tag();
    const room = await group(ana);
    await post(ana, room, `a red fox crossed ${t}`, `the red barn and a fox ${t}`);
    expect(await found(ana, `"red fox" ${t}`)).toEqual([`a red fox crossed ${t}`]);
    expect((await found(ana, `red fox ${t}`)).sort()).toEqual([`a red fox crossed ${t}`, `the red barn and a fox ${t}`].sort());
  });

  it('[Q1] -word excludes the messages that have it', async () => {
    const ana = await person();
    const t = tag();
    const room = await group(ana);
    await post(ana, room, `apples and pears ${t}`, `apples alone ${t}`);
    expect(await found(ana, `apples -pears ${t}`)).toEqual([`apples alone ${t}`]);
  });

  it('[Q1] or finds either word', async () => {
    const ana = await person();
    const [a, b, c] = [tag(), tag(), tag()];
    const room = await group(ana);
    await post(ana, room, `first ${a}`, `second ${b}`, `third ${c}`);
    expect((await found(ana, `${a} or ${b}`)).sort()).toEqual([`first ${a}`, `second ${b}`]);
  });

  it('[Q1] every word must match', async () => {
    const ana = await person();
    const t = tag();
    const room = await group(ana);
    await post(ana, room, `tea and cake ${t}`, `tea alone ${t}`);
    expect(await found(ana, `tea cake ${t}`)).toEqual([`tea and cake ${t}`]);
  });

  it('[Q1] a query of stop words only finds nothing (200, empty)', async () => {
    const ana = await person();
    await post(ana, 'general', `the and of ${tag()}`);
    const { status, body } = await search(ana, { q: 'the' });
    expect(status).toBe(200);
    expect(body).toEqual({ data: [], next_cursor: null });
  });

  it('[Q1] a query with nothing to look for, only exclusions, finds nothing rather than everything', async () => {
    const ana = await person();
    const t = tag();
    await post(ana, 'general', `something to find ${t}`);
    for (const q of [`-${t}`, `-${t} or -other`]) {
      const { status, body } = await search(ana, { q });
      expect(status).toBe(200);
      expect(body).toEqual({ data: [], next_cursor: null });
    }
  });

  it('[Q1] a word after a slash is a word: "help" finds "/help", and the path words of a link', async () => {
    const ana = await person();
    const t = tag();
    await post(ana, 'general', `type /help ${t}`, `see https://example.org/recipes/pancakes ${t}`);
    expect(await found(ana, `help ${t}`)).toEqual([`type /help ${t}`]);
    expect(await found(ana, `pancakes ${t}`)).toEqual([`see https://example.org/recipes/pancakes ${t}`]);
  });

  it('[Q1] a short message comes back whole in its snippet; a cut one says so with …', async () => {
    const ana = await person();
    const t = tag();
    const short = `Hi, I am here to help. Write to me any time and I will answer, whatever the hour, about ${t} or anything else you like.`;
    const long = `${'filler words that go on and on '.repeat(12)}the ${t} sits in the middle ${'and more filler words after it '.repeat(12)}`;
    await post(ana, 'general', short, long);
    const { body } = await search(ana, { q: t });
    const snippets = new Map((body.data as { content: string; snippet: string }[]).map((hit) => [hit.content, hit.snippet]));
    expect(snippets.get(short)!.replace(/<\/?mark>/g, '')).toBe(short.replace(/'/g, '&#39;'));
    expect(snippets.get(long)).toMatch(/^….*<mark>.*…$/);
  });

  it('[Q1] a hit carries the message fields and a snippet marking the match', async () => {
    const ana = await person();
    const t = tag();
    const room = await group(ana);
    const [id] = await post(ana, room, `meet me at the station at noon ${t}`);
    const { body } = await search(ana, { q: `station ${t}` });
    expect(body.data).toEqual([
      {
        id,
        room_id: room,
        seq: expect.any(Number),
        user_id: ana.user_id,
        content: `meet me at the station at noon ${t}`,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        snippet: `meet me at the <mark>station</mark> at noon <mark>${t}</mark>`,
      },
    ] satisfies SearchHit[]);
  });

  it('[Q1] the snippet is HTML-safe: markup in a message comes back escaped, <mark> is the only tag', async () => {
    const ana = await person();
    const t = tag();
    const room = await group(ana);
    const hostile = `look <script>alert("x")</script> & <img src=x onerror=alert(1)> '\u0002sneaky\u0003' quick ${t}`;
    await post(ana, room, hostile);
    const [hit] = (await search(ana, { q: `quick ${t}` })).body.data;
    expect(hit.content).toBe(hostile);
    expect(hit.snippet).toContain('<mark>quick</mark>');
    expect(hit.snippet).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(hit.snippet).toContain('&amp;');
    expect(hit.snippet).toContain('&#39;');
    // Taking the marks out leaves no markup at all, and no marker of the server's own.
    const unmarked = hit.snippet.replaceAll('<mark>', '').replaceAll('</mark>', '');
    expect(unmarked).not.toMatch(/[<>"]/);
    expect(unmarked).not.toContain('\u0002');
    expect(unmarked).not.toContain('\u0003');
    expect(hit.snippet.match(/<mark>/g)).toHaveLength(2);
  });

  it('[Q1] a long message is cut to a window around the match', async () => {
    const ana = await person();
    const t = tag();
    const room = await group(ana);
    const filler = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
    await post(ana, room, `${filler} needle ${t} ${filler}`);
    const [hit] = (await search(ana, { q: `needle ${t}` })).body.data;
    expect(hit.snippet).toContain('<mark>needle</mark>');
    expect(hit.snippet.split(' ').length).toBeLessThan(40);
  });
});

describe('Q1 membership (M3)', () => {
  it('[Q1][M3] a stranger finds nothing of a group or a DM; room_id of a group not theirs is 404 like a missing one', async () => {
    const [owner, member, stranger] = [await person(), await person(), await person()];
    const t = tag();
    const room = await group(owner, [member]);
    const dm = (await api(server.baseUrl, owner.token, 'POST', '/v1/dms', { user_id: member.user_id })).body.id as string;
    await post(owner, room, `group secret ${t}`);
    await post(owner, dm, `dm secret ${t}`);

    expect((await found(member, t)).sort()).toEqual([`dm secret ${t}`, `group secret ${t}`]);
    expect(await found(stranger, t)).toEqual([]);
    const onGroup = await search(stranger, { q: t, room_id: room });
    const onMissing = await search(stranger, { q: t, room_id: ulid().toLowerCase() });
    expect(onGroup).toMatchObject({ status: 404, body: { code: 'unknown_room' } });
    expect({ ...onGroup.body, message: '' }).toEqual({ ...onMissing.body, message: '' });
    expect((await search(stranger, { q: t, room_id: dm })).status).toBe(404);
  });

  it('[Q1][M3] room_id narrows to that room', async () => {
    const ana = await person();
    const t = tag();
    const [one, two] = [await group(ana), await group(ana)];
    await post(ana, one, `in one ${t}`);
    await post(ana, two, `in two ${t}`);
    expect(await found(ana, t, { room_id: two })).toEqual([`in two ${t}`]);
  });

  it('[Q1][M3] after leaving a room its messages vanish from the results', async () => {
    const [owner, member] = [await person(), await person()];
    const t = tag();
    const room = await group(owner, [member]);
    await post(owner, room, `before you go ${t}`);
    expect(await found(member, t)).toEqual([`before you go ${t}`]);

    const { status } = await api(server.baseUrl, member.token, 'DELETE', `/v1/rooms/${room}/members/${member.user_id}`);
    expect(status).toBeLessThan(300);
    expect(await found(member, t)).toEqual([]);
    expect((await search(member, { q: t, room_id: room })).status).toBe(404);
    expect(await found(owner, t)).toEqual([`before you go ${t}`]);
  });
});

describe('Q1 messages as they stand (E4)', () => {
  it('[Q1] an edited message is found by its new words, not its old ones', async () => {
    const ana = await person();
    const t = tag();
    const room = await group(ana);
    const [id] = await post(ana, room, `original wording ${t}`);
    expect((await api(server.baseUrl, ana.token, 'PATCH', `/v1/chat/messages/${id}`, { content: `revised phrasing ${t}` })).status).toBe(200);
    expect(await found(ana, `wording ${t}`)).toEqual([]);
    const [hit] = (await search(ana, { q: `phrasing ${t}` })).body.data;
    expect(hit).toMatchObject({ id, content: `revised phrasing ${t}`, edited_at: expect.any(String) });
  });

  it('[Q1] a deleted message is never found', async () => {
    const ana = await person();
    const t = tag();
    const room = await group(ana);
    const [id] = await post(ana, room, `delete me ${t}`, `keep me ${t}`);
    expect((await api(server.baseUrl, ana.token, 'DELETE', `/v1/chat/messages/${id}`)).status).toBe(204);
    expect(await found(ana, t)).toEqual([`keep me ${t}`]);
  });
});

describe('Q1 paging', () => {
  it('[Q1] pages through next_cursor cover every hit once, in rank order, equal ranks newest first', async () => {
    const ana = await person();
    const t = tag();
    const room = await group(ana);
    // Three ranks (the word once, twice, three times), several messages each.
    const contents = Array.from({ length: 13 }, (_, i) => `${Array.from({ length: 1 + (i % 3) }, () => t).join(' filler ')} number ${i}`);
    const ids = await post(ana, room, ...contents);

    const pages: SearchHit[][] = [];
    let cursor: string | null = null;
    do {
      const { status, body } = await search(ana, { q: t, limit: 4, ...(cursor ? { cursor } : {}) });
      expect(status).toBe(200);
      pages.push(body.data);
      cursor = body.next_cursor;
    } while (cursor !== null && pages.length < 10);

    expect(pages.map((page) => page.length)).toEqual([4, 4, 4, 1]);
    const order = pages.flat().map((hit) => hit.id);
    expect(new Set(order).size).toBe(13);
    expect([...order].sort()).toEqual([...ids].sort());
    // Rank: the messages with the word three times first, then twice, then once; newest first within each.
    const expected = [2, 1, 0].flatMap((repeat) => ids.filter((_, i) => i % 3 === repeat).reverse());
    expect(order).toEqual(expected);
  });

  it('[Q1] limit defaults to 20 and reads more than 50 as 50', async () => {
    const ana = await person();
    const t = tag();
    const room = await group(ana);
    await post(ana, room, ...Array.from({ length: 51 }, (_, i) => `${t} ${i}`));
    const first = await search(ana, { q: t });
    expect(first.body.data).toHaveLength(20);
    const big = await search(ana, { q: t, limit: 500 });
    expect(big.body.data).toHaveLength(50);
    expect(big.body.next_cursor).not.toBeNull();
  });
});

describe('Q1 refusals', () => {
  it('[Q1] 401 without a token', async () => {
    const { status, body } = await search(null, { q: 'anything' });
    expect(status).toBe(401);
    expect(body.code).toBeDefined();
  });

  it.each([
    ['empty', ''],
    ['white space', '   '],
    ['too long', 'a'.repeat(MAX_SEARCH_QUERY_LENGTH + 1)],
  ])('[Q1] 400 for a q that is %s, with a clear message', async (_what, q) => {
    const ana = await person();
    const { status, body } = await search(ana, { q });
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/^q: /) });
  });

  it('[Q1] 400 for a cursor the server did not give out', async () => {
    const ana = await person();
    const forged = (rank: string) => Buffer.from(JSON.stringify([rank, '01JD3S8Q2W4K6M8P0R2T4V6X8Z'])).toString('base64url');
    // Not base64 JSON; a rank no PostgreSQL real can hold (too large, too small, negative).
    for (const cursor of ['not-a-cursor', forged('9e99'), forged('1e-50'), forged('-1')]) {
      const { status, body } = await search(ana, { q: 'word', cursor });
      expect(status).toBe(400);
      expect(body.message).toMatch(/^cursor: /);
    }
  });
});

describe('Q1 SEARCH_LANGUAGE', () => {
  it('[Q1] another text-search configuration rebuilds the stored words for it: with simple, no stemming', async () => {
    const simple = await startTestServer({ searchLanguage: 'simple' });
    try {
      const ana = await createSession(simple.baseUrl);
      const t = tag();
      await api(simple.baseUrl, ana.token, 'POST', '/v1/chat/messages', { data: [{ client_id: ulid(), room_id: 'general', content: `she runs ${t}` }] });
      const contents = async (q: string) => ((await api(simple.baseUrl, ana.token, 'GET', `/v1/search?q=${encodeURIComponent(q)}`)).body.data as SearchHit[]).map((hit) => hit.content);
      expect(await contents(`runs ${t}`)).toEqual([`she runs ${t}`]);
      expect(await contents(`running ${t}`)).toEqual([]);
      const { rows } = await simple.db.pool.query("SELECT pg_get_expr(d.adbin, d.adrelid) AS expr FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE a.attrelid = 'messages'::regclass AND a.attname = 'search_vector'");
      expect(rows[0].expr).toContain("'simple'::regconfig");
    } finally {
      await simple.close();
    }
  });

  it('[Q1] an unknown configuration fails the start with its name', async () => {
    // What the search plugin runs at start-up, on the test server's own database (which stays as it was).
    await expect(ensureSearchLanguage(server.db.pool, 'klingon', server.app.log)).rejects.toThrow(/SEARCH_LANGUAGE "klingon"/);
    await expect(ensureSearchLanguage(server.db.pool, 'english', server.app.log)).resolves.toBe('english');
  });
});
