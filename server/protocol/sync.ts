import Type, { type Static } from 'typebox';
import { MAX_SYNC_ROOMS } from './constants.js';
import { RoomIdSchema, SeqSchema } from './common.js';

export const RoomCursorSchema = Type.Object({ room_id: RoomIdSchema, after_seq: SeqSchema });
export type RoomCursor = Static<typeof RoomCursorSchema>;

/** P6: catch up on one room (seed-style). */
export const SyncRoomFrameSchema = Type.Object({ type: Type.Literal('sync'), ...RoomCursorSchema.properties });
/**
 * M5: catch up on every room in one round. The server answers with a `rooms`
 * frame, then each of the user's rooms in turn: those named from their
 * cursor, the others (new to this device) from their newest page, each
 * ending with its `synced`.
 */
export const SyncRoomsFrameSchema = Type.Object({
  type: Type.Literal('sync'),
  rooms: Type.Array(RoomCursorSchema, { maxItems: MAX_SYNC_ROOMS }),
});
export const SyncFrameSchema = Type.Union([SyncRoomFrameSchema, SyncRoomsFrameSchema]);
export type SyncFrame = Static<typeof SyncFrameSchema>;

/** P6: catch-up of one room finished; the client has everything up to `seq`. */
export const SyncedFrameSchema = Type.Object({
  type: Type.Literal('synced'),
  room_id: RoomIdSchema,
  seq: SeqSchema,
  /**
   * Only for a room the sync did not name: whether entries older than the
   * page sent exist (loaded over P5 when the reader scrolls back).
   */
  has_older: Type.Optional(Type.Boolean()),
});
export type SyncedFrame = Static<typeof SyncedFrameSchema>;
