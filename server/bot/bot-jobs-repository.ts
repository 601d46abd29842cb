import type pg from 'pg';

/**
 * LISTEN/NOTIFY channel on which a commit that owes the bot a reply wakes the
 * workers (the trigger in migrations/012 names it too).
 */
export const BOT_CHANNEL = 'whisper_bot';

/** Unscheduled jobs one pass looks at; more wait for the next pass. */
const SCHEDULE_PAGE = 100;

export type BotJobKind = 'reply' | 'greet';

/** A job of table bot_jobs (migrations/012). */
export interface BotJob {
  kind: BotJobKind;
  /** reply: the message answered; greet: the person greeted. */
  subject: string;
  /** reply: the DM; greet: null (the DM is the bot's with user_id). */
  room_id: string | null;
  user_id: string;
}

/** A job just given its time, by this worker. */
export interface ScheduledJob extends BotJob {
  /** How long until it is due, by the database's clock. */
  due_in_ms: number;
}

/** The message a reply answers, as it stands now. */
export interface AnsweredMessage {
  room_id: string;
  seq: number;
  content: string;
  deleted: boolean;
  has_attachments: boolean;
}

const JOB_COLUMNS = 'kind, subject, room_id, user_id::text AS user_id';

/** B2: the bot's durable to-do list. */
export const botJobs = {
  /** B1: a greeting owed to a new person, once however often it is asked for. */
  async addGreeting(db: pg.Pool, userId: string): Promise<void> {
    await db.query(`INSERT INTO bot_jobs (kind, subject, user_id) VALUES ('greet', $1::text, $1::uuid) ON CONFLICT DO NOTHING`, [userId]);
  },

  /** Jobs no worker has given a time yet, oldest first. */
  async unscheduled(db: pg.Pool): Promise<BotJob[]> {
    const { rows } = await db.query<BotJob>(`SELECT ${JOB_COLUMNS} FROM bot_jobs WHERE run_at IS NULL ORDER BY created_at LIMIT $1`, [SCHEDULE_PAGE]);
    return rows;
  },

  /**
   * Gives a job its time, `delayMs` after it was created, unless another
   * worker did first (then null: the first one's delay stands, and so does
   * the "thinking" that one shows).
   */
  async schedule(db: pg.Pool, job: BotJob, delayMs: number): Promise<ScheduledJob | null> {
    const { rows } = await db.query<ScheduledJob>(
      `UPDATE bot_jobs SET run_at = created_at + $3 * interval '1 millisecond'
        WHERE kind = $1 AND subject = $2 AND run_at IS NULL
        RETURNING ${JOB_COLUMNS}, GREATEST(0, extract(epoch FROM run_at - now()) * 1000)::float8 AS due_in_ms`,
      [job.kind, job.subject, delayMs],
    );
    return rows[0] ?? null;
  },

  /**
   * Takes the job due first, locked until the caller's transaction ends; a
   * job another worker holds is skipped, not waited for. null: none is due.
   */
  async claimDue(client: pg.PoolClient): Promise<BotJob | null> {
    const { rows } = await client.query<BotJob>(
      `SELECT ${JOB_COLUMNS} FROM bot_jobs WHERE run_at <= now() ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
    );
    return rows[0] ?? null;
  },

  async remove(db: pg.Pool | pg.PoolClient, job: BotJob): Promise<void> {
    await db.query('DELETE FROM bot_jobs WHERE kind = $1 AND subject = $2', [job.kind, job.subject]);
  },

  /** How long until the next scheduled job is due (0 if one is), or null when none is scheduled. */
  async nextDueInMs(db: pg.Pool): Promise<number | null> {
    const { rows } = await db.query<{ due_in_ms: number | null }>(
      `SELECT GREATEST(0, extract(epoch FROM min(run_at) - now()) * 1000)::float8 AS due_in_ms FROM bot_jobs WHERE run_at IS NOT NULL`,
    );
    return rows[0]?.due_in_ms ?? null;
  },

  async answeredMessage(db: pg.Pool | pg.PoolClient, messageId: string): Promise<AnsweredMessage | null> {
    const { rows } = await db.query<AnsweredMessage>(
      `SELECT m.room_id, m.seq, m.content, m.deleted_at IS NOT NULL AS deleted,
              EXISTS (SELECT 1 FROM message_attachments a WHERE a.message_id = m.id) AS has_attachments
         FROM messages m WHERE m.id = $1`,
      [messageId],
    );
    return rows[0] ?? null;
  },
};
