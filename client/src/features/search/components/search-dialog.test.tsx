import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CachedMessage } from '../../../shared/db/whisper-db';
import { localCorpus } from '../local-search';
import { fetchSearch, type SearchHit, type SearchPage } from '../search-api';
import type { SearchSources } from '../use-message-search';
import type { HitNames } from './hit-list';
import { DEVICE_RESULTS_NOTICE, SearchDialog } from './search-dialog';

const ORIGIN = 'http://localhost:3000';
const ROOMS: Record<string, { name: string; kind: 'public' | 'group' }> = { general: { name: 'general', kind: 'public' }, team: { name: 'Team', kind: 'group' } };
const NAMES: HitNames = { room: (roomId) => ROOMS[roomId], person: (userId) => (userId === 'u-ana' ? 'Ana' : 'Bo') };

function hit(seq: number, roomId: string, snippet: string, userId = 'u-ana'): SearchHit {
  return { id: `m${seq}`, room_id: roomId, seq, user_id: userId, content: snippet.replace(/<\/?mark>/g, ''), created_at: new Date(Date.UTC(2026, 0, 2, 10, seq)).toISOString(), snippet };
}

const CACHED = [
  { id: 'c1', seq: 1, room_id: 'team', user_id: 'u-bo', client_id: null, content: 'offline lunch plan', created_at: '2026-01-01T09:00:00.000Z' },
] as CachedMessage[];

let fetchMock: ReturnType<typeof vi.fn>;
const answer = (page: SearchPage) => new Response(JSON.stringify(page), { status: 200, headers: { 'content-type': 'application/json' } });

/** The dialog on the real request (fetch mocked) and the real device search, as the container wires them. */
const sources: SearchSources = {
  server: (request) => fetchSearch(ORIGIN, 'token', request),
  device: async (request) => localCorpus(CACHED, new Set(['general', 'team'])).search(request.q, { roomId: request.roomId, cursor: request.cursor }),
};

function renderDialog(props: Partial<Parameters<typeof SearchDialog>[0]> = {}) {
  const onOpenHit = vi.fn();
  const onClearScope = vi.fn();
  render(<SearchDialog open onClose={() => undefined} scope={null} onClearScope={onClearScope} sources={sources} names={NAMES} onOpenHit={onOpenHit} {...props} />);
  return { onOpenHit, onClearScope, input: screen.getByRole('combobox', { name: 'Search for' }) };
}

beforeEach(() => {
  fetchMock = vi.fn();
  vi.stubGlobal('fetch', fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

describe('the search dialog', () => {
  it('[Q3] searches once typing pauses and shows the hits grouped by room, with sender and highlighted snippet', async () => {
    fetchMock.mockResolvedValue(answer({ data: [hit(3, 'general', 'the <mark>launch</mark> is on'), hit(9, 'team', '<mark>launch</mark> party', 'u-bo'), hit(2, 'general', 'before <mark>launch</mark>')], next_cursor: null }));
    const { input } = renderDialog();
    await userEvent.type(input, 'launch');
    const list = await screen.findByRole('listbox', { name: 'Results' });
    // One request for the whole word, with the bearer token.
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe(`${ORIGIN}/v1/search?q=launch`);
    expect((init.headers as Record<string, string>).authorization).toBe('Bearer token');

    const groups = within(list).getAllByRole('group');
    expect(groups.map((group) => group.getAttribute('aria-label'))).toEqual(['general', 'Team']);
    expect(within(groups[0]).getAllByRole('option').map((option) => option.textContent)).toEqual([expect.stringMatching(/^Ana.*the launch is on$/), expect.stringMatching(/^Ana.*before launch$/)]);
    expect(within(groups[1]).getByRole('option')).toHaveTextContent('Bo');
    expect(within(groups[0]).getAllByRole('option')[0].querySelector('mark')?.textContent).toBe('launch');
    expect(screen.queryByText(new RegExp(DEVICE_RESULTS_NOTICE))).toBeNull();
  });

  it('[Q3] a snippet with HTML outside the marks shows it as text: nothing is injected', async () => {
    fetchMock.mockResolvedValue(answer({ data: [hit(1, 'general', '<img src=x onerror="window.hacked=1"> &lt;b&gt; <mark>pwn</mark>')], next_cursor: null }));
    const { input } = renderDialog();
    await userEvent.type(input, 'pwn');
    const option = await screen.findByRole('option');
    expect(option.querySelector('img')).toBeNull();
    expect(option.querySelector('b')).toBeNull();
    expect(option).toHaveTextContent('<img src=x onerror="window.hacked=1"> <b> pwn');
  });

  it('[Q2] falls back to the messages on this device when the server cannot be reached, and says so', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    const { input } = renderDialog();
    await userEvent.type(input, 'lunch');
    const option = await screen.findByRole('option');
    expect(option).toHaveTextContent('offline lunch plan');
    expect(option.querySelector('mark')?.textContent).toBe('lunch');
    expect(screen.getByRole('status')).toHaveTextContent(DEVICE_RESULTS_NOTICE);
  });

  it('[Q3] a refusal is said in words, not answered from the device', async () => {
    fetchMock.mockResolvedValue(new Response('{}', { status: 404 }));
    const { input } = renderDialog({ scope: { roomId: 'team', name: 'Team' } });
    await userEvent.type(input, 'lunch');
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('You are not in that room any more'));
    expect(fetchMock.mock.calls[0][0]).toBe(`${ORIGIN}/v1/search?q=lunch&room_id=team`);
    expect(screen.queryByRole('option')).toBeNull();
  });

  it('[Q3] says when nothing matches, and loads more with next_cursor', async () => {
    fetchMock.mockResolvedValueOnce(answer({ data: [], next_cursor: null }));
    const { input } = renderDialog();
    await userEvent.type(input, 'zebra');
    expect(await screen.findByText('No messages match “zebra”.')).toBeInTheDocument();

    fetchMock.mockResolvedValueOnce(answer({ data: [hit(5, 'general', '<mark>zebras</mark>')], next_cursor: 'c2' }));
    fetchMock.mockResolvedValueOnce(answer({ data: [hit(4, 'general', 'a <mark>zebra</mark>')], next_cursor: null }));
    await userEvent.type(input, 's');
    await userEvent.click(await screen.findByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(screen.getAllByRole('option')).toHaveLength(2));
    expect(fetchMock.mock.calls[2][0]).toBe(`${ORIGIN}/v1/search?q=zebras&cursor=c2`);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('[Q3] arrow keys move through the hits in the order shown, Enter opens one', async () => {
    fetchMock.mockResolvedValue(answer({ data: [hit(3, 'general', '<mark>a</mark>'), hit(9, 'team', '<mark>b</mark>'), hit(2, 'general', '<mark>c</mark>')], next_cursor: null }));
    const { input, onOpenHit } = renderDialog();
    await userEvent.type(input, 'x');
    await screen.findByRole('listbox');
    // Shown: general (3, 2), then Team (9).
    await userEvent.keyboard('{ArrowDown}{ArrowDown}');
    expect(screen.getByRole('option', { selected: true })).toHaveTextContent('b');
    await userEvent.keyboard('{ArrowUp}{Enter}');
    expect(onOpenHit).toHaveBeenCalledWith(expect.objectContaining({ seq: 2, room_id: 'general' }));
  });

  it('[Q3] shows the room it is scoped to as a chip that removes the scope', async () => {
    const { onClearScope } = renderDialog({ scope: { roomId: 'team', name: 'Team' } });
    await userEvent.click(screen.getByRole('button', { name: 'Search all rooms instead' }));
    expect(onClearScope).toHaveBeenCalled();
    expect(screen.getByText('In Team')).toBeInTheDocument();
  });
});
