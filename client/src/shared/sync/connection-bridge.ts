import { FromWorker, isPageMessage, isWorkerMessage, ToWorker, type PageMessage, type StartOptions, type WorkerMessage } from './connection-messages';
import { createLinkStatusStore, createPresenceListeners, createTypingListeners, type ConnectionHost } from './link-status';

/**
 * Both ends of the page ↔ connection-worker link (the messages are in
 * connection-messages.ts). The page's end is a ConnectionHost like the one
 * that runs the machine in the page, so nothing above it knows where the
 * machine runs.
 */

/** What the page's end needs of a Worker (a fake in the unit tests). */
export interface WorkerLike {
  postMessage(message: PageMessage): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (event: Event) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'error', listener: (event: Event) => void): void;
  terminate(): void;
}

/** What the worker's end needs of its global scope. */
export interface WorkerScopeLike {
  postMessage(message: WorkerMessage): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  close(): void;
}

/**
 * The page's end. Starts the machine in `worker` and mirrors its status.
 * Until the worker's first status says it runs, a failure (its script did
 * not load or is not a module the browser can run, or it reports Failed)
 * hands over to `fallback()`, the machine in the page, with what the page
 * asked meanwhile.
 */
export function hostInWorker(worker: WorkerLike, start: StartOptions, fallback: () => ConnectionHost): ConnectionHost {
  const status = createLinkStatusStore();
  const typing = createTypingListeners();
  const presence = createPresenceListeners();
  let running = false;
  let replacement: ConnectionHost | undefined;
  /** Sent before the worker said it runs: replayed into the fallback if it never does. */
  const early: PageMessage[] = [];

  function send(message: PageMessage) {
    if (replacement) return replay(replacement, message);
    if (!running) early.push(message);
    worker.postMessage(message);
  }

  function onMessage(event: MessageEvent) {
    const message: unknown = event.data;
    if (!isWorkerMessage(message)) return;
    if (message.type === FromWorker.TypingHeard) {
      typing.emit({ roomId: message.roomId, userId: message.userId, typing: message.typing });
    } else if (message.type === FromWorker.PresenceHeard) {
      presence.emit(message.entries);
    } else if (message.type === FromWorker.Status) {
      running = true;
      early.length = 0;
      status.set(message.status);
    } else if (!running) {
      fallBack(message.reason);
    } else {
      console.error(`whisper: the connection worker failed: ${message.reason}`);
    }
  }

  function onError(event: Event) {
    if (running) return; // An uncaught error in a running worker: the browser reports it.
    event.preventDefault();
    fallBack(event instanceof ErrorEvent && event.message ? event.message : 'its script could not be run');
  }

  function detach() {
    worker.removeEventListener('message', onMessage);
    worker.removeEventListener('error', onError);
  }

  function fallBack(reason: string) {
    if (replacement) return;
    console.warn(`whisper: the connection runs in the page (the worker did not start: ${reason})`);
    detach();
    worker.terminate();
    const host = fallback();
    replacement = host;
    host.subscribe(() => status.set(host.getSnapshot()));
    host.onTyping(typing.emit);
    host.onPresence(presence.emit);
    status.set(host.getSnapshot());
    for (const message of early) replay(host, message);
    early.length = 0;
  }

  worker.addEventListener('message', onMessage);
  worker.addEventListener('error', onError);
  send({ type: ToWorker.Start, ...start });

  return {
    getSnapshot: status.getSnapshot,
    subscribe: status.subscribe,
    retryNow: () => send({ type: ToWorker.Retry }),
    visible: () => send({ type: ToWorker.Visible }),
    network: (online) => send({ type: ToWorker.Network, online }),
    wantUsers: (userIds) => send({ type: ToWorker.WantUsers, ids: [...userIds] }),
    // L2: never kept for a fallback (a signal is worth nothing later); a worker not running yet drops it.
    typing(roomId, on) {
      if (replacement) replacement.typing(roomId, on);
      else worker.postMessage({ type: ToWorker.Typing, roomId, typing: on });
    },
    // N1: a state, not a signal: kept for a fallback like the rest.
    viewing: (roomId) => send({ type: ToWorker.Viewing, roomId }),
    onTyping: typing.add,
    onPresence: presence.add,
    stop() {
      if (replacement) return replacement.stop();
      // The worker stops its machine (closing the socket, giving the outbox
      // lock back) and then itself.
      worker.postMessage({ type: ToWorker.Stop });
      detach();
    },
  };
}

/** What a message from the page asks of a host that runs the machine itself. */
function replay(host: ConnectionHost, message: PageMessage) {
  switch (message.type) {
    case ToWorker.Visible:
      return host.visible();
    case ToWorker.Retry:
      return host.retryNow();
    case ToWorker.Network:
      return host.network(message.online);
    case ToWorker.WantUsers:
      return host.wantUsers(message.ids);
    case ToWorker.Typing:
      return host.typing(message.roomId, message.typing);
    case ToWorker.Viewing:
      return host.viewing(message.roomId);
    case ToWorker.Stop:
      return host.stop();
    case ToWorker.Start:
      return; // The fallback starts itself.
  }
}

/**
 * The worker's end: starts the machine on the page's Start, tells the page
 * its status (at once, then on every change) and passes on what the page asks.
 */
export function serveConnection(scope: WorkerScopeLike, start: (options: StartOptions) => ConnectionHost): void {
  let runtime: ConnectionHost | undefined;
  scope.addEventListener('message', (event) => {
    const message: unknown = event.data;
    if (!isPageMessage(message)) return;
    switch (message.type) {
      case ToWorker.Start: {
        if (runtime) return;
        let started: ConnectionHost;
        try {
          started = start({ origin: message.origin, dbName: message.dbName });
        } catch (error) {
          scope.postMessage({ type: FromWorker.Failed, reason: error instanceof Error ? error.message : String(error) });
          scope.close();
          return;
        }
        runtime = started;
        const report = () => scope.postMessage({ type: FromWorker.Status, status: started.getSnapshot() });
        started.subscribe(report);
        started.onTyping((heard) => scope.postMessage({ type: FromWorker.TypingHeard, ...heard }));
        started.onPresence((entries) => scope.postMessage({ type: FromWorker.PresenceHeard, entries }));
        report();
        return;
      }
      case ToWorker.Visible:
        return runtime?.visible();
      case ToWorker.Retry:
        return runtime?.retryNow();
      case ToWorker.Network:
        return runtime?.network(message.online);
      case ToWorker.WantUsers:
        return runtime?.wantUsers(message.ids);
      case ToWorker.Typing:
        return runtime?.typing(message.roomId, message.typing);
      case ToWorker.Viewing:
        return runtime?.viewing(message.roomId);
      case ToWorker.Stop:
        runtime?.stop();
        runtime = undefined;
        scope.close();
        return;
    }
  });
}
