import { afterEach, describe, expect, it, vi } from 'vitest';
import { hostInWorker, serveConnection, type WorkerLike, type WorkerScopeLike } from './connection-bridge';
import { FromWorker, isPageMessage, isWorkerMessage, ToWorker, type PageMessage, type StartOptions, type WorkerMessage } from './connection-messages';
import type { PresenceEntry } from '@whisper/protocol';
import { createLinkStatusStore, createPresenceListeners, createTypingListeners, INITIAL_LINK_STATUS, type ConnectionHost, type LinkStatus, type TypingHeard } from './link-status';

const START: StartOptions = { origin: 'http://localhost:3000', dbName: 'whisper-test' };
const LIVE: LinkStatus = { ...INITIAL_LINK_STATUS, live: true };
const WAITING: LinkStatus = { ...INITIAL_LINK_STATUS, offline: true, unreachable: true, attempt: 2, retryAt: 1_700_000_000_000 };

/** Lets queued message deliveries (microtasks) run. */
const settle = () => new Promise((resolve) => setTimeout(resolve));

/**
 * Two ends of a message channel, as a Worker and its global scope see it:
 * each message is structured-cloned (as postMessage does) and delivered
 * later, never during postMessage.
 */
function channel() {
  const pageSide = new EventTarget();
  const workerSide = new EventTarget();
  const toWorker: PageMessage[] = [];
  const toPage: WorkerMessage[] = [];
  let terminated = false;
  let closed = false;
  const deliver = (target: EventTarget, data: unknown) =>
    queueMicrotask(() => {
      if (!terminated && !closed) target.dispatchEvent(new MessageEvent('message', { data: structuredClone(data) }));
    });
  const worker: WorkerLike & { terminated: () => boolean } = {
    postMessage(message) {
      toWorker.push(message);
      deliver(workerSide, message);
    },
    addEventListener: (type: string, listener: (event: never) => void) => pageSide.addEventListener(type, listener as EventListener),
    removeEventListener: (type: string, listener: (event: never) => void) => pageSide.removeEventListener(type, listener as EventListener),
    terminate: () => void (terminated = true),
    terminated: () => terminated,
  };
  const scope: WorkerScopeLike & { closed: () => boolean } = {
    postMessage(message) {
      toPage.push(message);
      deliver(pageSide, message);
    },
    addEventListener: (type, listener) => workerSide.addEventListener(type, listener as EventListener),
    close: () => void (closed = true),
    closed: () => closed,
  };
  /** The worker's script failed to load or run (what `new Worker` reports as an `error` event). */
  const fail = (message: string) => pageSide.dispatchEvent(new ErrorEvent('error', { message, cancelable: true }));
  return { worker, scope, toWorker, toPage, fail };
}

/** A connection that records what it was asked, with a status the test sets. */
function fakeHost(): ConnectionHost & {
  calls: unknown[][];
  setStatus(status: LinkStatus): void;
  hear(heard: TypingHeard): void;
  hearPresence(entries: PresenceEntry[]): void;
} {
  const status = createLinkStatusStore();
  const typing = createTypingListeners();
  const presence = createPresenceListeners();
  const calls: unknown[][] = [];
  return {
    getSnapshot: status.getSnapshot,
    subscribe: status.subscribe,
    retryNow: () => calls.push(['retryNow']),
    visible: () => calls.push(['visible']),
    network: (online) => calls.push(['network', online]),
    wantUsers: (ids) => calls.push(['wantUsers', [...ids]]),
    typing: (roomId, on) => calls.push(['typing', roomId, on]),
    viewing: (roomId) => calls.push(['viewing', roomId]),
    onTyping: typing.add,
    onPresence: presence.add,
    stop: () => calls.push(['stop']),
    calls,
    setStatus: status.set,
    hear: typing.emit,
    hearPresence: presence.emit,
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('connection messages', () => {
  it('tells our messages from anything else a worker or page may hear', () => {
    expect(isPageMessage({ type: ToWorker.Start, ...START })).toBe(true);
    expect(isPageMessage({ type: ToWorker.WantUsers, ids: ['a'] })).toBe(true);
    expect(isPageMessage({ type: FromWorker.Status, status: LIVE })).toBe(false);
    expect(isWorkerMessage({ type: FromWorker.Status, status: LIVE })).toBe(true);
    expect(isWorkerMessage({ type: FromWorker.Failed, reason: 'x' })).toBe(true);
    for (const other of [null, undefined, 'status', 42, {}, { type: 'SKIP_WAITING' }]) {
      expect(isPageMessage(other)).toBe(false);
      expect(isWorkerMessage(other)).toBe(false);
    }
  });
});

describe('page → worker (hostInWorker)', () => {
  it('[C3] starts the worker with the origin and database first, then passes on Retry now, visibility, the network, names wanted and stop, in order', () => {
    const { worker, toWorker } = channel();
    const host = hostInWorker(worker, START, fakeHost);
    host.retryNow();
    host.visible();
    host.network(false);
    host.network(true);
    host.wantUsers(new Set(['u1', 'u2']));
    host.stop();
    expect(toWorker).toEqual([
      { type: 'start', origin: 'http://localhost:3000', dbName: 'whisper-test' },
      { type: 'retry' },
      { type: 'visible' },
      { type: 'network', online: false },
      { type: 'network', online: true },
      { type: 'want-users', ids: ['u1', 'u2'] },
      { type: 'stop' },
    ]);
  });

  it('[C3] mirrors the status the worker sends: subscribers hear of a change once, the snapshot stays the same object until the next change', async () => {
    const { worker, scope } = channel();
    const host = hostInWorker(worker, START, fakeHost);
    expect(host.getSnapshot()).toEqual(INITIAL_LINK_STATUS);
    const heard = vi.fn();
    host.subscribe(heard);

    scope.postMessage({ type: FromWorker.Status, status: WAITING });
    await settle();
    expect(host.getSnapshot()).toEqual(WAITING);
    expect(heard).toHaveBeenCalledTimes(1);
    const snapshot = host.getSnapshot();

    scope.postMessage({ type: FromWorker.Status, status: { ...WAITING } });
    await settle();
    expect(heard).toHaveBeenCalledTimes(1);
    expect(host.getSnapshot()).toBe(snapshot);

    scope.postMessage({ type: FromWorker.Status, status: LIVE });
    await settle();
    expect(host.getSnapshot()).toEqual(LIVE);
    expect(heard).toHaveBeenCalledTimes(2);
  });

  it('[C3] a worker whose script cannot run (no module workers) hands over to the page: the fallback starts once and gets what was asked meanwhile', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { worker, fail } = channel();
    const fallback = fakeHost();
    const start = vi.fn(() => fallback);
    const host = hostInWorker(worker, START, start);
    host.wantUsers(['u1']);
    host.network(false);

    fail('SyntaxError: Cannot use import statement outside a module');
    expect(start).toHaveBeenCalledTimes(1);
    expect(worker.terminated()).toBe(true);
    expect(fallback.calls).toEqual([
      ['wantUsers', ['u1']],
      ['network', false],
    ]);

    host.retryNow();
    expect(fallback.calls.at(-1)).toEqual(['retryNow']);
    fallback.setStatus(LIVE);
    expect(host.getSnapshot()).toEqual(LIVE);
    fail('again');
    expect(start).toHaveBeenCalledTimes(1);
    host.stop();
    expect(fallback.calls.at(-1)).toEqual(['stop']);
  });

  it('[C3] a worker that reports it could not start hands over too; once it runs, an error is not a reason to start a second machine', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const failing = channel();
    const fallback = vi.fn(fakeHost);
    hostInWorker(failing.worker, START, fallback);
    failing.scope.postMessage({ type: FromWorker.Failed, reason: 'no IndexedDB in workers' });
    await settle();
    expect(fallback).toHaveBeenCalledTimes(1);

    const running = channel();
    const unused = vi.fn(fakeHost);
    hostInWorker(running.worker, START, unused);
    running.scope.postMessage({ type: FromWorker.Status, status: LIVE });
    await settle();
    running.fail('an uncaught error in the running worker');
    expect(unused).not.toHaveBeenCalled();
    expect(running.worker.terminated()).toBe(false);
  });
});

describe('worker → page (serveConnection)', () => {
  it('[C3] starts the machine on Start, reports its status at once and on every change, and passes on what the page asks', async () => {
    const { worker, scope, toPage } = channel();
    const runtime = fakeHost();
    const start = vi.fn(() => runtime);
    serveConnection(scope, start);

    worker.postMessage({ type: ToWorker.Start, ...START });
    await settle();
    expect(start).toHaveBeenCalledWith(START);
    expect(toPage).toEqual([{ type: 'status', status: INITIAL_LINK_STATUS }]);

    runtime.setStatus(WAITING);
    runtime.setStatus(LIVE);
    expect(toPage.slice(1)).toEqual([
      { type: 'status', status: WAITING },
      { type: 'status', status: LIVE },
    ]);

    worker.postMessage({ type: ToWorker.Start, ...START });
    worker.postMessage({ type: ToWorker.Visible });
    worker.postMessage({ type: ToWorker.Retry });
    worker.postMessage({ type: ToWorker.Network, online: false });
    worker.postMessage({ type: ToWorker.WantUsers, ids: ['u1'] });
    await settle();
    expect(start).toHaveBeenCalledTimes(1);
    expect(runtime.calls).toEqual([['visible'], ['retryNow'], ['network', false], ['wantUsers', ['u1']]]);

    worker.postMessage({ type: ToWorker.Stop });
    await settle();
    expect(runtime.calls.at(-1)).toEqual(['stop']);
    expect(scope.closed()).toBe(true);
  });

  it('[C3] a machine that cannot start in the worker is reported as Failed, and the worker ends', async () => {
    const { worker, scope, toPage } = channel();
    serveConnection(scope, () => {
      throw new Error('no IndexedDB in workers');
    });
    worker.postMessage({ type: ToWorker.Start, ...START });
    await settle();
    expect(toPage).toEqual([{ type: 'failed', reason: 'no IndexedDB in workers' }]);
    expect(scope.closed()).toBe(true);
  });
});

describe('both ends together', () => {
  it('[C3] the page sees the worker machine\'s status and reaches it, through cloned messages only', async () => {
    const { worker, scope } = channel();
    const runtime = fakeHost();
    serveConnection(scope, () => runtime);
    const fallback = vi.fn(fakeHost);
    const host = hostInWorker(worker, START, fallback);
    await settle();
    expect(host.getSnapshot()).toEqual(INITIAL_LINK_STATUS);

    runtime.setStatus(WAITING);
    await settle();
    expect(host.getSnapshot()).toEqual(WAITING);
    host.retryNow();
    await settle();
    expect(runtime.calls).toEqual([['retryNow']]);
    runtime.setStatus(LIVE);
    await settle();
    expect(host.getSnapshot()).toEqual(LIVE);
    expect(fallback).not.toHaveBeenCalled();
  });
});

describe('typing through the worker (L2)', () => {
  it('[L2] "send typing" reaches the worker\'s machine and "typing heard" comes back to the page', async () => {
    const { worker, scope } = channel();
    const runtime = fakeHost();
    serveConnection(scope, () => runtime);
    const host = hostInWorker(worker, START, fakeHost);
    const heard = vi.fn();
    host.onTyping(heard);
    await settle();
    host.typing('general', true);
    await settle();
    expect(runtime.calls).toEqual([['typing', 'general', true]]);
    runtime.hear({ roomId: 'general', userId: 'u1', typing: true });
    await settle();
    expect(heard).toHaveBeenCalledWith({ roomId: 'general', userId: 'u1', typing: true });
  });

  it('[L2] a signal sent before the worker ran is not kept for the fallback (never queued), later ones and heard ones go through it', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { worker, fail } = channel();
    const fallback = fakeHost();
    const host = hostInWorker(worker, START, () => fallback);
    const heard = vi.fn();
    host.onTyping(heard);
    host.typing('general', true);
    fail('no module workers');
    expect(fallback.calls).toEqual([]);
    host.typing('general', false);
    expect(fallback.calls).toEqual([['typing', 'general', false]]);
    fallback.hear({ roomId: 'general', userId: 'u2', typing: true });
    expect(heard).toHaveBeenCalledWith({ roomId: 'general', userId: 'u2', typing: true });
  });
});

describe('the room on screen through the worker (N1)', () => {
  it('[N1] "viewing" reaches the worker\'s machine', async () => {
    const { worker, scope } = channel();
    const runtime = fakeHost();
    serveConnection(scope, () => runtime);
    const host = hostInWorker(worker, START, fakeHost);
    await settle();
    host.viewing('general');
    host.viewing(null);
    await settle();
    expect(runtime.calls).toEqual([
      ['viewing', 'general'],
      ['viewing', null],
    ]);
  });

  it('[N1] unlike a typing signal, what was said before the worker failed is kept for the fallback (a state, not a signal)', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { worker, fail } = channel();
    const fallback = fakeHost();
    const host = hostInWorker(worker, START, () => fallback);
    host.viewing('general');
    fail('no module workers');
    expect(fallback.calls).toEqual([['viewing', 'general']]);
  });
});

describe('presence through the worker (L1)', () => {
  const ONLINE: PresenceEntry[] = [{ user_id: 'u1', status: 'online', last_seen: null }];

  it('[L1] the worker\'s presence frames reach the page', async () => {
    const { worker, scope } = channel();
    const runtime = fakeHost();
    serveConnection(scope, () => runtime);
    const host = hostInWorker(worker, START, fakeHost);
    const heard = vi.fn();
    host.onPresence(heard);
    await settle();
    runtime.hearPresence(ONLINE);
    await settle();
    expect(heard).toHaveBeenCalledWith(ONLINE);
  });

  it('[L1] and so do the fallback\'s, when the worker did not start', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { worker, fail } = channel();
    const fallback = fakeHost();
    const host = hostInWorker(worker, START, () => fallback);
    const heard = vi.fn();
    host.onPresence(heard);
    fail('no module workers');
    fallback.hearPresence(ONLINE);
    expect(heard).toHaveBeenCalledWith(ONLINE);
  });
});
