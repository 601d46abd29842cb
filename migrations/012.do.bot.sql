-- Whisper Bot (B1, B2).
--
-- The bot is a user like any other (BOT_USER_ID in server/protocol/constants.ts):
-- people find it by name and open a DM with it. It has no username and no
-- password (users_account_complete) and never a session, so nobody logs in as it.
INSERT INTO users (id, display_name, color)
VALUES ('b0700000-0000-4000-8000-000000000001', 'Whisper Bot', 'violet')
ON CONFLICT (id) DO NOTHING;

-- B2: what the bot owes, durably. A reply is keyed by the message it answers
-- and inserted by the transaction that stores that message (the trigger
-- below), so a message committed is a reply owed, whatever crashes after.
-- A worker on any instance takes a due job (FOR UPDATE SKIP LOCKED), posts
-- the bot's message and deletes the job in one transaction: exactly once.
-- A greeting is keyed by the person greeted, inserted before their first
-- token is handed out (server/bot/bot.plugin.ts).
CREATE TABLE bot_jobs (
  kind       text NOT NULL CHECK (kind IN ('reply', 'greet')),
  -- reply: the id of the message answered; greet: the id of the person greeted.
  subject    text NOT NULL,
  -- reply: the DM the message is in; greet: NULL (the job opens the DM).
  room_id    text REFERENCES rooms (id),
  -- The person the bot talks to.
  user_id    uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- When the bot answers: created_at plus its "thinking" delay, chosen at
  -- random by the first worker that sees the job; NULL until then.
  run_at     timestamptz,
  PRIMARY KEY (kind, subject)
);
CREATE INDEX bot_jobs_due ON bot_jobs (run_at) WHERE run_at IS NOT NULL;
CREATE INDEX bot_jobs_unscheduled ON bot_jobs (created_at) WHERE run_at IS NULL;

-- One statement-level trigger: a batch of any size costs one join against the
-- bot's memberships (a primary key lookup per room), not a call per row, and
-- store_messages() (migrations/002, 004, 006, 009) stays as it is. Only DMs:
-- the bot answers people who talk to it, not a group someone added it to.
CREATE FUNCTION bot_jobs_on_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO bot_jobs (kind, subject, room_id, user_id)
  SELECT 'reply', n.id, n.room_id, n.user_id
    FROM new_messages n
    JOIN room_members b ON b.room_id = n.room_id AND b.user_id = 'b0700000-0000-4000-8000-000000000001'
    JOIN rooms r ON r.id = n.room_id AND r.kind = 'dm'
   WHERE n.user_id <> 'b0700000-0000-4000-8000-000000000001'
  ON CONFLICT DO NOTHING;
  IF FOUND THEN
    -- Wakes the workers at COMMIT (BOT_CHANNEL in server/bot/bot-jobs-repository.ts).
    PERFORM pg_notify('whisper_bot', '');
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER messages_bot_jobs AFTER INSERT ON messages
  REFERENCING NEW TABLE AS new_messages
  FOR EACH STATEMENT EXECUTE FUNCTION bot_jobs_on_messages();
