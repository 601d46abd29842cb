import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import WS from 'jest-websocket-mock';
import { ulid } from 'ulid';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage, ClientFrame, HistoryResponse, LogEvent, Room, SendFrame, ServerFrame, User } from '@whisper/protocol';
import { MetaKey, WhisperDatabase } from '../../shared/db/whisper-db';
import { EngineProvider } from '../../shared/sync/engine-context';
import { WhisperChatPage } from './whisper-chat.page';

const ORIGIN = 'http://localhost:3000';
const ME = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const TOKEN = 'token-me';
const SOCKET_URL = `ws://localhost:3000/v1/chat/ws?token=${TOKEN}`;
const PEOPLE: User[] = [
  { id: ME, display_name: 'Quiet Otter', color: 'teal' },
  { id: BOB, display_name: 'Bob Builder', color: 'orange' },
];

let db: WhisperDatabase;
let server: WS;
/** The newest entries of general, as the server's sync round sends them to a device that names no cursor for it. */
let history: ChatMessage[];
let fetchMock: ReturnType<typeof vi.fn>;

function message(seq: number, userId: string, content: string, clientId: string | null = null): ChatMessage {
  return { id: ulid(), seq, room_id: 'general', user_id: userId, client_id: clientId, content, created_at: new Date(Date.UTC(2026, 10, 21, 12, seq)).toISOString() };
}

function general(lastSeq: number): Room {
  const at = new Date(Date.UTC(2026, 10, 21, 12, lastSeq)).toISOString();
  return { id: 'general', name: 'general', kind: 'public', owner_id: null, members: [], member_count: 2, last_seq: lastSeq, last_activity_at: at, last_message: null, created_at: at };
}

async function nextOfType<T extends ClientFrame['type']>(socket: WS, type: T): Promise<Extract<ClientFrame, { type: T }>> {
  for (;;) {
    const frame = (await socket.nextMessage) as ClientFrame;
    if (frame.type === type) return frame as Extract<ClientFrame, { type: T }>;
  }
}

/**
 * Plays the server's side of connecting (M5): hello, then the answer to the
 * client's one sync round: the rooms, general's entries (its newest page
 * when the client named no cursor for it, else what follows the cursor),
 * and its `synced`.
 */
async function acceptConnection(socket: WS, syncedSeq: number, { hasOlder = false, extra = [] as ServerFrame[], readSeq = undefined as number | undefined } = {}) {
  await socket.connected;
  socket.send({ type: 'hello', user_id: ME, token: TOKEN, protocol: 2 });
  const sync = await nextOfType(socket, 'sync');
  expect('rooms' in sync).toBe(true);
  const cursor = 'rooms' in sync ? sync.rooms.find((room) => room.room_id === 'general') : undefined;
  socket.send({ type: 'rooms', data: [{ ...general(syncedSeq), ...(readSeq === undefined ? {} : { read_seq: readSeq, unread: 0 }) }], users: PEOPLE });
  const page = history.filter((m) => m.seq > (cursor?.after_seq ?? 0));
  if (page.length > 0) socket.send({ type: 'messages', data: page });
  for (const frame of extra) socket.send(frame);
  socket.send({ type: 'synced', room_id: 'general', seq: syncedSeq, ...(cursor ? {} : { has_older: hasOlder }) });
}

async function nextSend(socket: WS): Promise<SendFrame> {
  return nextOfType(socket, 'messages');
}

function ownBubbles() {
  return [...screen.getByRole('log').querySelectorAll<HTMLElement>('[data-status]')];
}

function renderPage() {
  return render(
    <EngineProvider db={db} origin={ORIGIN}>
      <WhisperChatPage roomId="general" onBack={vi.fn()} />
    </EngineProvider>,
  );
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

beforeEach(async () => {
  // Updates here come from IndexedDB live queries and the socket, outside
  // any act() scope by nature; assertions wait for them with waitFor.
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;
  db = new WhisperDatabase(`page-test-${ulid()}`);
  await db.meta.put({ key: MetaKey.identity, value: { user_id: ME, token: TOKEN } });
  history = [message(1, BOB, 'Hello from user2'), message(2, ME, 'Hello, world!', ulid())];
  // REST: older pages of history (P5) and people's names (A5).
  fetchMock = vi.fn(async (url: string) => {
    if (url.includes('/v1/users')) return json({ data: PEOPLE });
    const body: HistoryResponse = { type: 'messages', data: [], has_more: false };
    return json(body);
  });
  vi.stubGlobal('fetch', fetchMock);
  server = new WS(SOCKET_URL, { jsonProtocol: true });
});

afterEach(async () => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
  WS.clean();
  vi.unstubAllGlobals();
  db.close();
  await db.delete();
});

describe('WhisperChat page', () => {
  it('[M5][C3][C8] on load it connects, catches up in one round, and shows the room with its messages under the senders\' names', async () => {
    renderPage();
    await acceptConnection(server, 2);
    const log = await screen.findByRole('log');
    expect(await within(log).findByText('Hello from user2')).toBeInTheDocument();
    expect(within(log).getByText('Hello, world!')).toBeInTheDocument();
    // A5: the sender by name, never by id.
    expect(within(log).getByText('Bob Builder')).toBeInTheDocument();
    expect(log.textContent).not.toContain(BOB.slice(0, 8));
    // My own message from history is shown as sent.
    await waitFor(() => expect(ownBubbles().map((el) => el.dataset.status)).toEqual(['sent']));
    // The room's bar: its name as the page heading, and what it is.
    expect(await screen.findByRole('heading', { level: 1, name: 'general' })).toBeInTheDocument();
    expect(screen.getByText(/2 members/)).toBeInTheDocument();
  });

  it('[M4] membership changes show in the timeline as notices between the messages', async () => {
    const joined: LogEvent = { id: ulid(), seq: 3, room_id: 'general', user_id: BOB, client_id: null, created_at: new Date(Date.UTC(2026, 10, 21, 12, 3)).toISOString(), kind: 'member', action: 'joined', user_ids: [BOB] };
    renderPage();
    await acceptConnection(server, 3, { extra: [{ type: 'events', data: [joined] }] });
    const log = await screen.findByRole('log');
    await waitFor(() => expect(log.querySelector('[data-notice]')).toHaveTextContent('Bob Builder joined'));
  });

  it('[M6] tells the engine what it has shown, so the room list counts nothing in it as unread', async () => {
    renderPage();
    await acceptConnection(server, 2);
    await screen.findByText('Hello from user2');
    await waitFor(async () => expect((await db.meta.get(MetaKey.seenSeq('general')))?.value).toBe(2));
  });

  it('[L3] a hidden page reads nothing; once visible with the newest messages in view, the read op goes out', async () => {
    const visibility = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    renderPage();
    await acceptConnection(server, 2, { readSeq: 0 });
    await screen.findByText('Hello from user2');
    const readOps = () => (server.messages as ClientFrame[]).flatMap((frame) => (frame.type === 'ops' ? frame.data.filter((op) => op.op === 'read') : []));
    // Time for anything that would go out to go out.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await db.meta.get(MetaKey.seenSeq('general')))?.value).toBe(0);
    expect(readOps()).toEqual([]);
    visibility.mockReturnValue('visible');
    document.dispatchEvent(new Event('visibilitychange'));
    await waitFor(async () => expect((await db.meta.get(MetaKey.seenSeq('general')))?.value).toBe(2));
    await waitFor(() => expect(readOps()).toEqual([expect.objectContaining({ op: 'read', room_id: 'general', seq: 2 })]));
    visibility.mockRestore();
  });

  it('[C1][C5][C9] a sent message shows at once as pending, then as sent when its ULID ack arrives', async () => {
    const user = userEvent.setup();
    renderPage();
    await acceptConnection(server, 2);
    await screen.findByText('Hello from user2');

    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Are you there?');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    const bubble = await screen.findByText('Are you there?');
    const statusOf = () => bubble.closest<HTMLElement>('[data-status]')?.dataset.status;
    expect(['pending', 'sending']).toContain(statusOf());
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveValue('');

    const frame = await nextSend(server);
    expect(frame.data).toEqual([{ client_id: expect.stringMatching(/^[0-9A-Z]{26}$/), room_id: 'general', content: 'Are you there?' }]);
    await waitFor(() => expect(statusOf()).toBe('sending'));
    act(() => server.send({ type: 'message_ids', status: 'success', message_ids: [ulid()], client_ids: [frame.data[0].client_id!], seqs: [3] }));
    await waitFor(() => expect(screen.getByText('Are you there?').closest<HTMLElement>('[data-status]')?.dataset.status).toBe('sent'));
    // The broadcast copy arrives too: still one bubble.
    act(() => server.send({ type: 'messages', data: [{ ...message(3, ME, 'Are you there?', frame.data[0].client_id!) }] }));
    await waitFor(() => expect(screen.getAllByText('Are you there?')).toHaveLength(1));
  });

  it('[C4] a dropped socket and a reconnect resend exactly the unacked messages, in order', async () => {
    const user = userEvent.setup();
    renderPage();
    await acceptConnection(server, 2);
    await screen.findByText('Hello from user2');
    const textbox = screen.getByRole('textbox', { name: 'Message' });
    for (const text of ['one', 'two', 'three']) {
      await user.type(textbox, `${text}{Enter}`);
    }
    const sent: string[] = [];
    while (sent.length < 3) sent.push(...(await nextSend(server)).data.map((item) => item.client_id!));
    // Only "one" is acked before the connection dies.
    act(() => server.send({ type: 'message_ids', status: 'success', message_ids: [ulid()], client_ids: [sent[0]], seqs: [3] }));
    await waitFor(() => expect(screen.getByText('one').closest<HTMLElement>('[data-status]')?.dataset.status).toBe('sent'));
    act(() => server.close({ code: 1006, reason: 'network gone', wasClean: false }));
    WS.clean();

    const reconnected = new WS(SOCKET_URL, { jsonProtocol: true });
    await acceptConnection(reconnected, 3);
    const resent = await nextSend(reconnected);
    expect(resent.data.map((item) => item.client_id)).toEqual([sent[1], sent[2]]);
    expect(resent.data.map((item) => item.content)).toEqual(['two', 'three']);
  });

  it('[P4] another user\'s message appears as it arrives', async () => {
    renderPage();
    await acceptConnection(server, 2);
    await screen.findByText('Hello from user2');
    act(() => server.send({ type: 'messages', data: [message(3, BOB, 'Fresh news from Bob')] }));
    const bubble = await screen.findByText('Fresh news from Bob');
    expect(bubble.closest('[data-status]')).toBeNull();
  });

  it('[C6] a rejected message shows as failed with Retry and Delete; Delete removes it for good', async () => {
    const user = userEvent.setup();
    renderPage();
    await acceptConnection(server, 2);
    await screen.findByText('Hello from user2');
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'not allowed{Enter}');
    const frame = await nextSend(server);
    act(() => server.send({ type: 'rejected', client_ids: [frame.data[0].client_id!], code: 'invalid_content', message: 'content is empty' }));
    await waitFor(() => expect(screen.getByText('not allowed').closest<HTMLElement>('[data-status]')?.dataset.status).toBe('failed'));
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(screen.queryByText('not allowed')).not.toBeInTheDocument());
    expect(await db.outbox.count()).toBe(0);
  });

  it('[C8] scrolling back through a large cache widens the window in big steps, without the server', async () => {
    // 1,200 messages already on this device, the room synced up to the newest.
    await db.messages.bulkPut(Array.from({ length: 1200 }, (_, i) => message(i + 1, BOB, `cached ${i + 1}`)));
    await db.meta.put({ key: MetaKey.syncedSeq('general'), value: 1200 });
    history = [];
    renderPage();
    await acceptConnection(server, 1200);
    await screen.findByRole('button', { name: 'Load older messages' });
    const user = userEvent.setup();

    // The live query is bounded: the newest 100 first, then 500 more per step
    // (each step an IntersectionObserver sentinel or this button).
    const loadOlder = () => screen.getByRole('button', { name: 'Load older messages' });
    // 100 → 600 → 1,100: still more in the cache after each.
    for (let step = 0; step < 2; step++) {
      await user.click(loadOlder());
      await waitFor(() => expect(loadOlder()).toBeEnabled());
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(screen.queryByText('This is the beginning of the conversation.')).toBeNull();
    }
    // → 1,200: seq 1 is in the window.
    await user.click(loadOlder());
    expect(await screen.findByText('This is the beginning of the conversation.')).toBeInTheDocument();
    expect(fetchMock.mock.calls.filter(([url]) => String(url).includes('before_seq='))).toEqual([]);
    // jsdom lays nothing out, so the list draws far more of 1,200 rows than a browser would: slow, not wrong.
  }, 20_000);

  it('[C8][P5] a reader resting at the top while older history cannot be fetched does not retry in a tight loop', async () => {
    // The browser reports the top sentinel in view as soon as it is observed (the reader is at the top).
    class AtTopIntersectionObserver {
      constructor(private readonly callback: IntersectionObserverCallback) {}
      observe() {
        queueMicrotask(() => this.callback([{ isIntersecting: true } as IntersectionObserverEntry], this as unknown as IntersectionObserver));
      }
      unobserve() {}
      disconnect() {}
      takeRecords() {
        return [];
      }
    }
    vi.stubGlobal('IntersectionObserver', AtTopIntersectionObserver);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    // Backoff steps at their shortest (250 ms, 500 ms, 1 s, …), so the automatic retry comes soon.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0);
    history = [message(51, BOB, 'page two, first'), message(52, BOB, 'page two, last')];
    const olderUrls: string[] = [];
    fetchMock.mockImplementation(async (url: string) => {
      if (url.includes('before_seq=')) {
        olderUrls.push(url);
        throw new TypeError('Failed to fetch');
      }
      return json({ data: PEOPLE });
    });

    renderPage();
    await acceptConnection(server, 52, { hasOlder: true });
    await screen.findByText('page two, last');
    await waitFor(() => expect(screen.getByRole('status')).toHaveAttribute('data-phase', 'online'));
    await waitFor(() => expect(olderUrls.length).toBeGreaterThanOrEqual(1));

    // Before the fix every failure re-armed the observer at once: dozens of
    // requests in this window. Now at most one backoff step may come due.
    const before = olderUrls.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(olderUrls.length - before).toBeLessThanOrEqual(1);

    // The button still works on demand, and the list tries again by itself after the backoff.
    const afterPause = olderUrls.length;
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Load older messages' }));
    await waitFor(() => expect(olderUrls.length).toBeGreaterThan(afterPause));
    const afterClick = olderUrls.length;
    await waitFor(() => expect(olderUrls.length).toBeGreaterThan(afterClick), { timeout: 5_000 });
    expect(screen.getByText('page two, first')).toBeInTheDocument();
    expect(warn).toHaveBeenCalledWith('whisper: could not load older messages', expect.any(TypeError));
    warn.mockRestore();
    random.mockRestore();
  }, 15_000);
});
