import type pg from 'pg';
import type { Attachment, MediaKind } from '../protocol/index.js';

/** A media row as the routes need it. */
export interface MediaRow extends Attachment {
  storage_key: string;
  thumb_key: string | null;
  thumb_size: number | null;
}

export interface NewMedia {
  id: string;
  sha256: string;
  kind: MediaKind;
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  thumbhash: string | null;
  waveform: string | null;
  storageKey: string;
  thumbKey: string | null;
  thumbSize: number | null;
  createdBy: string;
}

/** F3, P4: an attachment's wire fields, in the wire's order. */
const ATTACHMENT_COLUMNS = 'md.id, md.kind, md.mime, md.size, md.width, md.height, md.duration_ms, md.thumbhash, md.waveform';
const MEDIA_COLUMNS = `${ATTACHMENT_COLUMNS}, md.storage_key, md.thumb_key, md.thumb_size`;

/**
 * The JSON a message read carries for its attachments (E4: history, catch-up,
 * fan-out), for the message `m` of the surrounding query; null without any.
 */
export const ATTACHMENTS_JSON = `
  (SELECT json_agg(json_build_object('id', md.id, 'kind', md.kind, 'mime', md.mime, 'size', md.size, 'width', md.width,
            'height', md.height, 'duration_ms', md.duration_ms, 'thumbhash', md.thumbhash, 'waveform', md.waveform) ORDER BY a.position)
     FROM message_attachments a JOIN media md ON md.id = a.media_id WHERE a.message_id = m.id)`;

export interface ExpiredUpload {
  id: string;
  /** Its bytes are still staged (never finished, or refused before removal). */
  staged: boolean;
}

/**
 * F3: the attachments these upload ids stand for, where each is a completed
 * upload of the user's; one query for a whole send.
 */
export async function resolveUploads(pool: pg.Pool, userId: string, uploadIds: string[]): Promise<Map<string, Attachment>> {
  if (uploadIds.length === 0) return new Map();
  const { rows } = await pool.query<Attachment & { upload_id: string }>(
    `SELECT u.id AS upload_id, ${ATTACHMENT_COLUMNS}
       FROM uploads u JOIN media md ON md.id = u.media_id
      WHERE u.id = ANY($2::text[]) AND u.user_id = $1 AND u.error IS NULL`,
    [userId, uploadIds],
  );
  return new Map(rows.map(({ upload_id, ...attachment }) => [upload_id, attachment]));
}

export interface UploadState {
  user_id: string;
  size: number;
  media_id: string | null;
  error: string | null;
}

export function createMediaRepository(pool: pg.Pool) {
  return {
    /**
     * F2, F4: records a new upload unless it would take the user past their
     * quota (uploads refused or swept no longer count). One statement, so
     * two uploads at once cannot both squeeze under it.
     */
    async createUpload(id: string, userId: string, size: number, quota: number): Promise<boolean> {
      const { rowCount } = await pool.query(
        `INSERT INTO uploads (id, user_id, size)
         SELECT $1, $2::uuid, $3::bigint
          WHERE (SELECT COALESCE(sum(size), 0) FROM uploads WHERE user_id = $2::uuid AND error IS NULL) + $3::bigint <= $4::bigint`,
        [id, userId, size, quota],
      );
      return rowCount === 1;
    },

    /**
     * F2: an upload's owner and how it ended: processed (media_id), refused
     * (error), or neither yet (bytes still coming, or being processed).
     */
    async uploadState(id: string): Promise<UploadState | null> {
      const { rows } = await pool.query<UploadState>('SELECT user_id, size::float8 AS size, media_id, error FROM uploads WHERE id = $1', [id]);
      return rows[0] ?? null;
    },

    /** F2: the media already made from these exact bytes, if any. */
    async mediaBySha(sha256: string): Promise<string | null> {
      const { rows } = await pool.query<{ id: string }>('SELECT id FROM media WHERE sha256 = $1', [sha256]);
      return rows[0]?.id ?? null;
    },

    /** Stores a media row, or (two uploads of the same bytes finishing at once) answers the one stored first. */
    async insertMedia(media: NewMedia): Promise<string> {
      const { rows } = await pool.query<{ id: string }>(
        `INSERT INTO media (id, sha256, kind, mime, size, width, height, duration_ms, thumbhash, waveform, storage_key, thumb_key, thumb_size, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (sha256) DO NOTHING RETURNING id`,
        [media.id, media.sha256, media.kind, media.mime, media.size, media.width, media.height, media.durationMs, media.thumbhash,
          media.waveform, media.storageKey, media.thumbKey, media.thumbSize, media.createdBy],
      );
      return rows[0]?.id ?? (await this.mediaBySha(media.sha256))!;
    },

    async completeUpload(id: string, mediaId: string): Promise<void> {
      await pool.query('UPDATE uploads SET completed_at = now(), media_id = $2 WHERE id = $1', [id, mediaId]);
    },

    async failUpload(id: string, error: string): Promise<void> {
      await pool.query('UPDATE uploads SET completed_at = now(), error = $2 WHERE id = $1', [id, error]);
    },

    resolveUploads: (userId: string, uploadIds: string[]) => resolveUploads(pool, userId, uploadIds),

    /**
     * M3: a media object, if the user may see it: they uploaded those bytes,
     * a live message carrying it is in a room they can read, or it is
     * someone's profile picture (A5: anyone signed in may find anyone by
     * name, GET /v1/users, so their pictures are as visible as their names;
     * a replaced picture is private again). Otherwise null, the same as for
     * an id that does not exist.
     */
    async visibleMedia(userId: string, mediaId: string): Promise<MediaRow | null> {
      const { rows } = await pool.query<MediaRow>(
        `SELECT ${MEDIA_COLUMNS} FROM media md
          WHERE md.id = $2
            AND (EXISTS (SELECT 1 FROM uploads u WHERE u.media_id = md.id AND u.user_id = $1)
                 OR EXISTS (SELECT 1 FROM users p WHERE p.avatar_media_id = md.id)
                 OR EXISTS (SELECT 1 FROM message_attachments a
                              JOIN messages m ON m.id = a.message_id AND m.deleted_at IS NULL
                              JOIN rooms r ON r.id = m.room_id AND r.deleted_at IS NULL
                             WHERE a.media_id = md.id
                               AND (r.everyone OR EXISTS (SELECT 1 FROM room_members rm WHERE rm.room_id = r.id AND rm.user_id = $1))))`,
        [userId, mediaId],
      );
      return rows[0] ?? null;
    },

    /**
     * Cleanup: uploads older than the cutoff whose media no message carries
     * and nobody has as profile picture (A5), or that never finished, are
     * forgotten; the caller removes any bytes still staged.
     */
    async deleteExpiredUploads(cutoff: Date): Promise<ExpiredUpload[]> {
      const { rows } = await pool.query<ExpiredUpload>(
        `DELETE FROM uploads u
          WHERE u.created_at < $1
            AND (u.media_id IS NULL
                 OR (NOT EXISTS (SELECT 1 FROM message_attachments a WHERE a.media_id = u.media_id)
                     AND NOT EXISTS (SELECT 1 FROM users p WHERE p.avatar_media_id = u.media_id)))
        RETURNING u.id, u.completed_at IS NULL AS staged`,
        [cutoff],
      );
      return rows;
    },

    /**
     * Cleanup: media older than the cutoff that no message, no profile
     * picture (A5: a removed or replaced one is left to this) and no
     * remaining upload refers to; the caller deletes the objects.
     */
    async deleteUnreferencedMedia(cutoff: Date): Promise<{ storage_key: string; thumb_key: string | null }[]> {
      const { rows } = await pool.query<{ storage_key: string; thumb_key: string | null }>(
        `DELETE FROM media md
          WHERE md.created_at < $1
            AND NOT EXISTS (SELECT 1 FROM message_attachments a WHERE a.media_id = md.id)
            AND NOT EXISTS (SELECT 1 FROM users p WHERE p.avatar_media_id = md.id)
            AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.media_id = md.id)
        RETURNING md.storage_key, md.thumb_key`,
        [cutoff],
      );
      return rows;
    },
  };
}

export type MediaRepository = ReturnType<typeof createMediaRepository>;
