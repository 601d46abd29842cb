import type { WebSocket } from 'ws';
import { CloseCode } from '../protocol/index.js';

/**
 * The open sockets of each device session on this instance, so that a
 * logout closes them at once (A4: 4401, the client forgets the token).
 */
export class SessionSockets {
  private readonly bySession = new Map<string, Set<WebSocket>>();

  add(sessionId: string, socket: WebSocket): void {
    let sockets = this.bySession.get(sessionId);
    if (!sockets) this.bySession.set(sessionId, (sockets = new Set()));
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0 && this.bySession.get(sessionId) === sockets) this.bySession.delete(sessionId);
    });
  }

  /** Sessions with a socket here (to check again after missed notices). */
  sessions(): string[] {
    return [...this.bySession.keys()];
  }

  /** Closes every socket of these sessions: their token is no longer valid. */
  revoke(sessionIds: readonly string[]): void {
    for (const id of sessionIds) {
      for (const socket of this.bySession.get(id) ?? []) socket.close(CloseCode.InvalidToken, 'logged out');
    }
  }
}
