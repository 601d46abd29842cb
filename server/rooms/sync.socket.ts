import type { FastifyInstance } from 'fastify';
import { Compile } from 'typebox/compile';
import { ErrorCode, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, type Room } from '../protocol/index.js';
import { SyncFrameSchema } from '../protocol/schemas.js';
import type { FrameContext } from '../realtime/frame-registry.js';
import { framesOf } from '../realtime/room-hub.js';
import { readLog } from './room-log.js';

const validateSync = Compile(SyncFrameSchema);

/** Member ids of rooms with a member list (not everyone's room), for the `rooms` frame's `users`. */
function memberIds(rooms: Room[]): string[] {
  return [...new Set(rooms.flatMap((room) => [...room.members, ...(room.last_message ? [room.last_message.user_id] : [])]))];
}

/**
 * P6, M5: catch-up. A room's log after the cursor goes out in pages of
 * whole frames, each page only once the socket has drained the last (a slow
 * reader cannot grow the server's memory), then `synced`. The socket is
 * already subscribed to the user's rooms, so whatever commits meanwhile
 * arrives live too; the client drops what it has by seq.
 */
export function syncFrameHandler(app: FastifyInstance) {
  /** Sends the room's log in (afterSeq, head]; false when the socket was given up. */
  async function sendLog(context: FrameContext, roomId: string, afterSeq: number, head: number): Promise<boolean> {
    let cursor = afterSeq;
    while (cursor < head) {
      if (!(await context.drained())) return false;
      const page = await readLog(app.db, roomId, cursor, head, HISTORY_MAX_LIMIT);
      if (page.length === 0) break;
      for (const json of framesOf(page)) context.subscriber.send(json);
      cursor = page[page.length - 1].seq;
    }
    return true;
  }

  async function syncOne(context: FrameContext, roomId: string, afterSeq: number) {
    const head = (await app.rooms.visibleHeads(context.userId, [roomId])).get(roomId);
    if (head === undefined) {
      context.sendError(ErrorCode.UnknownRoom, `room ${JSON.stringify(roomId)} does not exist`);
      return;
    }
    // A cursor past the room's end (the database was restored from an older
    // backup) is answered with the real end, so the client can notice.
    const from = Math.min(afterSeq, head);
    if (await sendLog(context, roomId, from, head)) context.send({ type: 'synced', room_id: roomId, seq: head });
  }

  async function syncAll(context: FrameContext, cursors: { room_id: string; after_seq: number }[]) {
    const rooms = await app.rooms.listFor(context.userId);
    context.send({ type: 'rooms', data: rooms, users: await app.users.byIds(memberIds(rooms)) });
    await app.presence.sendSnapshot(context);
    const named = new Map(cursors.map((cursor) => [cursor.room_id, cursor.after_seq]));
    for (const room of rooms) {
      const known = named.get(room.id);
      // New to this device: its newest page; older entries come over P5 when the reader scrolls back.
      const from = known === undefined ? Math.max(0, room.last_seq - HISTORY_DEFAULT_LIMIT) : Math.min(known, room.last_seq);
      if (!(await sendLog(context, room.id, from, room.last_seq))) return;
      context.send({ type: 'synced', room_id: room.id, seq: room.last_seq, ...(known === undefined ? { has_older: from > 0 } : {}) });
    }
  }

  return (frame: unknown, context: FrameContext) => {
    if (!validateSync.Check(frame)) {
      context.sendError(ErrorCode.InvalidFrame, 'a sync frame needs room_id and a non-negative integer after_seq, or rooms: [{room_id, after_seq}]');
      return;
    }
    if ('rooms' in frame) context.enqueue(() => syncAll(context, frame.rooms));
    else context.enqueue(() => syncOne(context, frame.room_id, frame.after_seq));
  };
}
