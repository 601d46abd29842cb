import { ulid } from 'ulid';
import type { AckFrame, ChatMessage, MessagesFrame, ServerFrame } from '../../server/protocol/index.js';

export const isAck = (frame: ServerFrame): frame is AckFrame => frame.type === 'message_ids';
export const isMessages = (frame: ServerFrame): frame is MessagesFrame => frame.type === 'messages';

/** A P2 item with a fresh client_id. */
export function item(content: string, extra: Record<string, unknown> = {}) {
  return { client_id: ulid(), content, ...extra };
}

/** Every message in the P4 frames received so far, in arrival order. */
export function received(frames: ServerFrame[]): ChatMessage[] {
  return frames.filter(isMessages).flatMap((frame) => frame.data);
}

export async function createSession(baseUrl: string): Promise<{ user_id: string; token: string }> {
  const response = await fetch(`${baseUrl}/v1/session`, { method: 'POST' });
  if (!response.ok) throw new Error(`POST /v1/session: ${response.status}`);
  return (await response.json()) as { user_id: string; token: string };
}

export async function restSend(baseUrl: string, token: string | undefined, body: unknown) {
  const response = await fetch(`${baseUrl}/v1/chat/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
