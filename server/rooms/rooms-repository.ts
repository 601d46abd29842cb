import type pg from 'pg';
import { RoomKind, UNREAD_COUNT_CAP, type LastMessage, type Receipt, type Room } from '../protocol/index.js';

/** Member ids a room carries in lists; a large public room's total is in member_count. */
export const MEMBERS_LISTED = 200;
/** Characters of the newest message shown in the room list (M6). */
const EXCERPT_LENGTH = 140;
/** Most public rooms one browse returns (most active first). */
const PUBLIC_ROOMS_LIMIT = 100;

interface RoomRow {
  id: string;
  name: string;
  kind: Room['kind'];
  owner_id: string | null;
  everyone: boolean;
  last_seq: number;
  last_activity_at: Date;
  created_at: Date;
  member_count: number;
  members: string[] | null;
  lm_seq: number | null;
  lm_user_id: string | null;
  lm_excerpt: string | null;
  lm_created_at: Date | null;
  lm_deleted: boolean | null;
  /** Only when read for someone (VIEWER_SELECT). */
  read_seq?: string | null;
  unread?: number | null;
  receipts?: [string, string, string][] | null;
  muted?: boolean;
}

/**
 * What a room is to the person reading it (`$1`): their read marker, what is
 * unread after it (L3, M6), and in a DM or group the other members' markers
 * (L4). Every query that lists someone's own rooms adds these.
 */
const VIEWER_SELECT = `
  , rm.read_seq,
    (SELECT count(*) FROM (SELECT 1 FROM messages u
                            WHERE u.room_id = r.id AND u.seq > rm.read_seq AND u.user_id <> $1 AND u.deleted_at IS NULL
                            LIMIT ${UNREAD_COUNT_CAP}) x)::int AS unread,
    CASE WHEN r.kind <> '${RoomKind.Public}' THEN
      (SELECT json_agg(json_build_array(o.user_id, o.delivered_seq, o.read_seq) ORDER BY o.user_id)
         FROM read_markers o JOIN room_members om ON om.room_id = o.room_id AND om.user_id = o.user_id
        WHERE o.room_id = r.id AND o.user_id <> $1) END AS receipts,
    EXISTS (SELECT 1 FROM room_mutes mu WHERE mu.room_id = r.id AND mu.user_id = $1) AS muted`;
const VIEWER_JOIN = `LEFT JOIN read_markers rm ON rm.room_id = r.id AND rm.user_id = $1`;

/**
 * A room's M6 fields in one pass (`viewer`: with VIEWER_SELECT's too).
 * `everyone` rooms (general) list no members and count every known person.
 */
const roomSelect = (viewer: boolean) => `
  SELECT r.id, r.name, r.kind, r.owner_id::text AS owner_id, r.everyone, r.last_seq, r.last_activity_at, r.created_at,
         CASE WHEN r.everyone THEN (SELECT count(*) FROM users)
              ELSE (SELECT count(*) FROM room_members m WHERE m.room_id = r.id) END::int AS member_count,
         CASE WHEN r.everyone THEN NULL
              ELSE (SELECT array_agg(x.user_id::text ORDER BY x.joined_at, x.user_id)
                      FROM (SELECT m.user_id, m.joined_at FROM room_members m WHERE m.room_id = r.id
                             ORDER BY m.joined_at, m.user_id LIMIT ${MEMBERS_LISTED}) x) END AS members,
         lm.seq AS lm_seq, lm.user_id::text AS lm_user_id, lm.excerpt AS lm_excerpt, lm.created_at AS lm_created_at, lm.deleted AS lm_deleted
    ${viewer ? VIEWER_SELECT : ''}
    FROM rooms r
    LEFT JOIN LATERAL (
      -- As it stands (E4): the latest edit's text; a deleted message's is empty.
      SELECT m.seq, m.user_id, left(m.content, ${EXCERPT_LENGTH}) AS excerpt, m.created_at, m.deleted_at IS NOT NULL AS deleted
        FROM messages m WHERE m.room_id = r.id ORDER BY m.seq DESC LIMIT 1
    ) lm ON true
    ${viewer ? VIEWER_JOIN : ''}`;
const ROOM_SELECT = roomSelect(false);
const ROOM_SELECT_FOR_VIEWER = roomSelect(true);

/** Rooms `$1` may see: not deleted, and everyone's or theirs (M3). */
const VISIBLE_TO = `r.deleted_at IS NULL AND (r.everyone OR EXISTS (SELECT 1 FROM room_members mm WHERE mm.room_id = r.id AND mm.user_id = $1))`;

function toRoom(row: RoomRow): Room {
  const lastMessage: LastMessage | null =
    row.lm_seq === null
      ? null
      : {
          seq: row.lm_seq,
          user_id: row.lm_user_id!,
          excerpt: row.lm_excerpt!,
          created_at: row.lm_created_at!.toISOString(),
          ...(row.lm_deleted ? { deleted: true as const } : {}),
        };
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    owner_id: row.owner_id,
    members: row.members ?? [],
    member_count: row.member_count,
    last_seq: row.last_seq,
    last_activity_at: row.last_activity_at.toISOString(),
    last_message: lastMessage,
    created_at: row.created_at.toISOString(),
    ...(row.read_seq === undefined ? {} : viewerFields(row)),
  };
}

function viewerFields(row: RoomRow): Pick<Room, 'read_seq' | 'unread' | 'receipts' | 'muted'> {
  const receipts: Receipt[] | undefined = row.receipts?.map(([userId, delivered, read]) => ({
    user_id: userId,
    delivered_seq: Number(delivered),
    read_seq: Number(read),
  }));
  return {
    read_seq: Number(row.read_seq ?? 0),
    unread: row.unread ?? 0,
    ...(row.kind === RoomKind.Public ? {} : { receipts: receipts ?? [] }),
    muted: row.muted ?? false,
  };
}

/** Reads of rooms and membership; every change goes through room-ops.ts. */
export function createRoomsRepository(pool: pg.Pool) {
  return {
    /** M5, M6: every room the user is in, most recently active first. */
    async listFor(userId: string): Promise<Room[]> {
      const { rows } = await pool.query<RoomRow>(`${ROOM_SELECT_FOR_VIEWER} WHERE ${VISIBLE_TO} ORDER BY r.last_activity_at DESC, r.id`, [userId]);
      return rows.map(toRoom);
    },

    /** M1: the public rooms anyone may join, most active first. */
    async publicRooms(): Promise<Room[]> {
      const { rows } = await pool.query<RoomRow>(
        `${ROOM_SELECT} WHERE r.deleted_at IS NULL AND r.kind = '${RoomKind.Public}' ORDER BY r.last_activity_at DESC, r.id LIMIT ${PUBLIC_ROOMS_LIMIT}`,
      );
      return rows.map(toRoom);
    },

    /** The room if the user may see it; null for a room that does not exist and for one that is not theirs alike (M3). */
    async visible(userId: string, roomId: string): Promise<Room | null> {
      const { rows } = await pool.query<RoomRow>(`${ROOM_SELECT_FOR_VIEWER} WHERE r.id = $2 AND ${VISIBLE_TO}`, [userId, roomId]);
      return rows[0] ? toRoom(rows[0]) : null;
    },

    /** Which of these rooms the user is in, and each one's newest seq. */
    async visibleHeads(userId: string, roomIds: readonly string[]): Promise<Map<string, number>> {
      const { rows } = await pool.query<{ id: string; last_seq: number }>(
        `SELECT r.id, r.last_seq FROM rooms r WHERE r.id = ANY($2::text[]) AND ${VISIBLE_TO}`,
        [userId, [...new Set(roomIds)]],
      );
      return new Map(rows.map((row) => [row.id, row.last_seq]));
    },

    /** Whether the room is one everyone is in (general), readable without a token. */
    async openToAll(roomId: string): Promise<boolean> {
      const { rows } = await pool.query('SELECT 1 FROM rooms WHERE id = $1 AND everyone AND deleted_at IS NULL', [roomId]);
      return rows.length > 0;
    },

    /** The rooms of each of these people (L1: who hears their presence), in one read. */
    async roomIdsOfMany(userIds: readonly string[]): Promise<Map<string, string[]>> {
      const { rows } = await pool.query<{ user_id: string; id: string }>(
        `SELECT u.user_id::text AS user_id, r.id
           FROM unnest($1::uuid[]) AS u (user_id)
           JOIN rooms r ON r.deleted_at IS NULL
                       AND (r.everyone OR EXISTS (SELECT 1 FROM room_members mm WHERE mm.room_id = r.id AND mm.user_id = u.user_id))`,
        [[...userIds]],
      );
      const rooms = new Map<string, string[]>(userIds.map((id) => [id, []]));
      for (const row of rows) rooms.get(row.user_id)?.push(row.id);
      return rooms;
    },

    /** The ids of every room the user is in, for the socket's subscriptions (M5). */
    async roomIdsOf(userId: string): Promise<string[]> {
      const { rows } = await pool.query<{ id: string }>(`SELECT r.id FROM rooms r WHERE ${VISIBLE_TO}`, [userId]);
      return rows.map((row) => row.id);
    },
  };
}

export type RoomsRepository = ReturnType<typeof createRoomsRepository>;
