import { fromCallback } from 'xstate';
import type { ClientFrame, ServerFrame } from '@whisper/protocol';

/** Events the socket actor sends to its parent machine. */
export type SocketEvent =
  | { type: 'SOCKET.OPEN' }
  | { type: 'SOCKET.CLOSED'; code: number; reason: string }
  | { [K in ServerFrame['type']]: { type: `SERVER.${K}`; frame: Extract<ServerFrame, { type: K }> } }[ServerFrame['type']];

/** What the machine can ask of the socket. */
export type SocketCommand = { type: 'SEND'; frame: ClientFrame } | { type: 'SEND.RAW'; data: string };

export interface SocketInput {
  url: string;
  /** Subprotocols to offer: the token travels here rather than in the URL (P1). */
  protocols?: string[];
}

/**
 * The WebSocket as an actor: it only moves frames. Every decision (when to
 * connect, what to resend, when a silent socket is dead) is the machine's.
 * Stopping the actor closes the socket.
 */
export const socketActor = fromCallback<SocketCommand, SocketInput, SocketEvent>(({ sendBack, receive, input }) => {
  const ws = new WebSocket(input.url, input.protocols);
  let closed = false;
  const reportClose = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    sendBack({ type: 'SOCKET.CLOSED', code, reason });
  };

  ws.onopen = () => sendBack({ type: 'SOCKET.OPEN' });
  ws.onmessage = (event: MessageEvent) => {
    if (typeof event.data !== 'string') return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(event.data) as ServerFrame;
    } catch {
      return; // Not ours to interpret; the heartbeat still counts the socket alive only on valid frames.
    }
    if (typeof frame?.type !== 'string') return;
    sendBack({ type: `SERVER.${frame.type}`, frame } as SocketEvent);
  };
  ws.onclose = (event: CloseEvent) => reportClose(event.code, event.reason);
  // An error is always followed by close; nothing to do here.
  ws.onerror = () => undefined;

  receive((command) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(command.type === 'SEND' ? JSON.stringify(command.frame) : command.data);
  });

  return () => {
    closed = true;
    ws.onopen = ws.onmessage = ws.onclose = null;
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000, 'client closing');
  };
});
