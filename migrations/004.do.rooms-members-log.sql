-- Rooms, groups and direct messages on one room log (E1–E3, M1–M6).
--
-- Every change to a room takes the next seq from rooms.last_seq under the
-- room row's lock (S2): a message (the messages table) or any other log
-- entry (room_events: a member joining, leaving, added or removed, the room
-- created, renamed or deleted). The two tables share the room's seq space,
-- so "everything after seq N" (P6) is the union of both, gap-free.

-- People (A5): a generated display name and a colour from their creation on.
CREATE TABLE users (
  id            uuid PRIMARY KEY,
  display_name  text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 64),
  color         text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
-- The member picker finds people by the start of their name.
CREATE INDEX users_display_name_prefix ON users (lower(display_name) text_pattern_ops);

ALTER TABLE rooms
  ADD COLUMN kind             text NOT NULL DEFAULT 'public' CHECK (kind IN ('public', 'group', 'dm')),
  -- The creator; may rename and delete (M1). NULL for general and DMs.
  ADD COLUMN owner_id         uuid,
  -- Every user is a member without a row in room_members (general).
  ADD COLUMN everyone         boolean NOT NULL DEFAULT false,
  -- A deleted room is gone for everyone (404), its log kept for integrity.
  ADD COLUMN deleted_at       timestamptz,
  -- The room list sorts by it (M6).
  ADD COLUMN last_activity_at timestamptz NOT NULL DEFAULT now();

UPDATE rooms SET everyone = true WHERE id = 'general';
UPDATE rooms r
   SET last_activity_at = COALESCE((SELECT max(m.created_at) FROM messages m WHERE m.room_id = r.id), r.created_at);

CREATE TABLE room_members (
  room_id    text NOT NULL REFERENCES rooms (id),
  user_id    uuid NOT NULL,
  joined_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (room_id, user_id)
);
-- A user's rooms (M5), on every connect.
CREATE INDEX room_members_user ON room_members (user_id);

CREATE TABLE room_events (
  id          char(26) PRIMARY KEY,
  room_id     text NOT NULL REFERENCES rooms (id),
  seq         bigint NOT NULL CHECK (seq > 0),
  user_id     uuid NOT NULL,
  client_id   text,
  -- 'member' or 'room' (E2); the rest of the entry's fields are in data.
  kind        text NOT NULL,
  data        jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT room_events_room_seq_key UNIQUE (room_id, seq)
);

-- E3: every op applied once per (user_id, client_id); a resend is answered
-- from here with what the first application made.
CREATE TABLE applied_ops (
  user_id     uuid NOT NULL,
  client_id   text NOT NULL,
  op          text NOT NULL,
  room_id     text NOT NULL,
  -- The last log entry the op made (or that made its outcome so), for the ack.
  entry_id    char(26) NOT NULL,
  seq         bigint NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, client_id)
);

-- store_messages() (migrations/002) learns membership: posting to a room
-- that is deleted is WH404, and an outsider's item WH403.
CREATE OR REPLACE FUNCTION store_messages(
  p_channel    text,
  p_room_id    text,
  p_ids        text[],
  p_user_ids   uuid[],
  p_client_ids text[],
  p_contents   text[]
) RETURNS TABLE (
  id         char(26),
  seq        bigint,
  created_at text,
  created    boolean,
  content    text
)
LANGUAGE plpgsql AS $$
DECLARE
  v_last_seq bigint;
  v_everyone boolean;
  v_deleted boolean;
  v_outsiders text;
  v_new_last_seq bigint;
  -- The created_at of every message this call stores (the transaction's start).
  v_now text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
BEGIN
  -- S2: the row lock is held until COMMIT, so seqs are handed out in commit
  -- order and a rolled-back batch gives its seqs back.
  SELECT r.last_seq, r.everyone, r.deleted_at IS NOT NULL INTO v_last_seq, v_everyone, v_deleted
    FROM rooms r WHERE r.id = p_room_id FOR UPDATE;
  IF NOT FOUND OR v_deleted THEN
    RAISE EXCEPTION 'room % does not exist', p_room_id USING ERRCODE = 'WH404';
  END IF;
  -- M3: only members post. Checked under the room lock, which every
  -- membership change takes too, so a member removed a moment ago cannot
  -- slip a message in after the removal's entry. The caller has already
  -- weeded out outsiders; this catches the race, naming them so the caller
  -- can refuse their items and store the rest.
  IF NOT v_everyone THEN
    SELECT string_agg(DISTINCT u::text, ',') INTO v_outsiders
      FROM unnest(p_user_ids) AS u
     WHERE NOT EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = p_room_id AND m.user_id = u);
    IF v_outsiders IS NOT NULL THEN
      RAISE EXCEPTION 'not members of room %', p_room_id USING ERRCODE = 'WH403', DETAIL = v_outsiders;
    END IF;
  END IF;

  BEGIN
    -- Almost every batch holds only new messages: insert them all at once
    -- and let the unique key on (user_id, client_id) catch the rare resend,
    -- which costs no more than looking each one up first would.
    INSERT INTO messages (id, room_id, seq, user_id, client_id, content)
    SELECT t.id, p_room_id, v_last_seq + t.ord, t.user_id, t.client_id, t.content
      FROM unnest(p_ids, p_user_ids, p_client_ids, p_contents)
             WITH ORDINALITY AS t(id, user_id, client_id, content, ord);
    RETURN QUERY
    SELECT t.id::char(26), v_last_seq + t.ord, v_now, true, NULL::text
      FROM unnest(p_ids) WITH ORDINALITY AS t(id, ord)
     ORDER BY t.ord;
  EXCEPTION WHEN unique_violation THEN
    -- Some items are resends, or repeat a client_id within the batch: the
    -- insert above is undone, and the batch is stored item by item below.
    -- Each statement of a PL/pgSQL function takes a fresh snapshot (READ
    -- COMMITTED), so the lookup sees every batch committed before the room
    -- lock was granted (S3).
    RETURN QUERY
    WITH input AS (
      SELECT t.id, t.user_id, t.client_id, t.content, t.ord,
             -- A client_id repeated inside one batch is the same message.
             row_number() OVER (PARTITION BY t.user_id, t.client_id ORDER BY t.ord) AS nth
        FROM unnest(p_ids, p_user_ids, p_client_ids, p_contents)
               WITH ORDINALITY AS t(id, user_id, client_id, content, ord)
    ),
    stored AS (
      SELECT m.id, m.seq, m.user_id, m.client_id, m.content, m.created_at
        FROM messages m
       WHERE (m.user_id, m.client_id) IN (SELECT i.user_id, i.client_id FROM input i WHERE i.client_id IS NOT NULL)
    ),
    fresh AS (
      SELECT i.id, i.user_id, i.client_id, i.content, i.ord
        FROM input i
       WHERE (i.client_id IS NULL OR i.nth = 1)
         AND NOT EXISTS (SELECT 1 FROM stored s WHERE s.user_id = i.user_id AND s.client_id = i.client_id)
    ),
    inserted AS (
      INSERT INTO messages (id, room_id, seq, user_id, client_id, content)
      SELECT f.id, p_room_id, v_last_seq + row_number() OVER (ORDER BY f.ord), f.user_id, f.client_id, f.content
        FROM fresh f
      RETURNING messages.id, messages.seq, messages.user_id, messages.client_id, messages.content
    )
    SELECT COALESCE(a.id, b.id, c.id),
           COALESCE(a.seq, b.seq, c.seq),
           CASE WHEN b.id IS NULL THEN v_now
                ELSE to_char(b.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END,
           a.id IS NOT NULL,
           CASE WHEN a.id IS NULL THEN COALESCE(b.content, c.content) END
      FROM input i
      LEFT JOIN inserted a ON a.id = i.id
      LEFT JOIN stored b ON b.user_id = i.user_id AND b.client_id = i.client_id
      LEFT JOIN inserted c ON a.id IS NULL AND b.id IS NULL AND c.user_id = i.user_id AND c.client_id = i.client_id
     ORDER BY i.ord;
  END;

  SELECT max(m.seq) INTO v_new_last_seq FROM messages m WHERE m.room_id = p_room_id AND m.seq > v_last_seq;
  IF v_new_last_seq IS NOT NULL THEN
    UPDATE rooms SET last_seq = v_new_last_seq, last_activity_at = now() WHERE rooms.id = p_room_id;
    -- S6: every instance hears about the commit, in commit order, once it is
    -- durable (NOTIFY is delivered at COMMIT, never for a rollback). Ids,
    -- not bodies, to stay far below the 8000-byte payload limit.
    PERFORM pg_notify(p_channel, json_build_object('r', p_room_id, 'a', v_last_seq + 1, 'b', v_new_last_seq)::text);
  END IF;
END
$$;
