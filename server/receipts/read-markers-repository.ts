import type pg from 'pg';
import type { Receipt } from '../protocol/index.js';

/** A room's kind and newest seq, as someone who may see it reads it. */
export interface VisibleRoom {
  kind: string;
  last_seq: number;
}

/** A marker that moved: whose, in which room, and where it stands now. */
export interface MovedMarker extends Receipt {
  room_id: string;
  /** Whether the room has receipts for its members (a DM or group), or only the person's own devices care (public). */
  shared: boolean;
}

/**
 * Rooms `$1` may see: the same test as rooms-repository's, without the room
 * row's lock: markers never change the log, so they need not wait for a
 * writer of it.
 */
const VISIBLE_TO = `r.deleted_at IS NULL AND (r.everyone OR EXISTS (SELECT 1 FROM room_members mm WHERE mm.room_id = r.id AND mm.user_id = $1))`;

/** Reads and moves of the read markers (L3) and delivered markers (L4), table read_markers (migrations/008). */
export const readMarkers = {
  async visibleRoom(db: pg.Pool | pg.PoolClient, userId: string, roomId: string): Promise<VisibleRoom | null> {
    const { rows } = await db.query<VisibleRoom>(`SELECT r.kind, r.last_seq FROM rooms r WHERE r.id = $2 AND ${VISIBLE_TO}`, [userId, roomId]);
    return rows[0] ?? null;
  },

  /**
   * L3: read up to `seq` (at most the room's end); reading implies having.
   * Returns the markers if they moved, null if they stood there already.
   */
  async advanceRead(db: pg.Pool | pg.PoolClient, userId: string, roomId: string, seq: number): Promise<Receipt | null> {
    const { rows } = await db.query<{ read_seq: string; delivered_seq: string }>(
      `INSERT INTO read_markers AS m (room_id, user_id, read_seq, delivered_seq) VALUES ($2, $1, $3, $3)
       ON CONFLICT (room_id, user_id) DO UPDATE
         SET read_seq = EXCLUDED.read_seq, delivered_seq = GREATEST(m.delivered_seq, EXCLUDED.read_seq)
         WHERE m.read_seq < EXCLUDED.read_seq
       RETURNING read_seq, delivered_seq`,
      [userId, roomId, seq],
    );
    return rows[0] ? { user_id: userId, read_seq: Number(rows[0].read_seq), delivered_seq: Number(rows[0].delivered_seq) } : null;
  },

  /** L3: where the user's marker stands in the room (0 without one). */
  async readSeq(db: pg.Pool | pg.PoolClient, userId: string, roomId: string): Promise<number> {
    const { rows } = await db.query<{ read_seq: string }>('SELECT read_seq FROM read_markers WHERE room_id = $2 AND user_id = $1', [userId, roomId]);
    return Number(rows[0]?.read_seq ?? 0);
  },

  /**
   * L4: a device has stored these rooms' logs up to these seqs. Only DMs and
   * groups the user is in count (a public room has no receipts, and a room
   * not yours is not there: M3); a seq past a room's end counts as its end.
   * One statement for the whole report; returns the markers that moved.
   */
  async advanceDelivered(db: pg.Pool, userId: string, reports: readonly { room_id: string; seq: number }[]): Promise<MovedMarker[]> {
    const { rows } = await db.query<{ room_id: string; read_seq: string; delivered_seq: string }>(
      `INSERT INTO read_markers AS m (room_id, user_id, read_seq, delivered_seq)
       SELECT r.id, $1, 0, LEAST(d.seq, r.last_seq)
         FROM unnest($2::text[], $3::bigint[]) AS d (room_id, seq)
         JOIN rooms r ON r.id = d.room_id
        WHERE r.kind IN ('dm', 'group') AND ${VISIBLE_TO}
       ON CONFLICT (room_id, user_id) DO UPDATE
         SET delivered_seq = EXCLUDED.delivered_seq
         WHERE m.delivered_seq < EXCLUDED.delivered_seq
       RETURNING room_id, read_seq, delivered_seq`,
      [userId, reports.map((report) => report.room_id), reports.map((report) => report.seq)],
    );
    return rows.map((row) => ({ room_id: row.room_id, user_id: userId, read_seq: Number(row.read_seq), delivered_seq: Number(row.delivered_seq), shared: true }));
  },
};
