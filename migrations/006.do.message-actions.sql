-- Message actions (X1–X3) on the room log (E1–E5).
--
-- A message's row holds it as it stands now (E4): the latest edit's content,
-- when it was edited, whether it is deleted, and what it quotes; reactions
-- have a table of their own. The log entries that made it so (edit, delete,
-- react, unreact) are room_events, written under the room row's lock by the
-- op runner (server/rooms/op-runner.ts), so the row always matches the log
-- up to the room's last_seq and history (P5) never replays edits.

ALTER TABLE messages
  -- X1: the quoted message, of the same room and earlier in its log.
  ADD COLUMN reply_to   char(26) REFERENCES messages (id),
  ADD COLUMN edited_at  timestamptz,
  ADD COLUMN deleted_at timestamptz;

-- A deleted message keeps its place in the log (a tombstone) but not its
-- words: its content is erased, and nothing else may be stored there.
ALTER TABLE messages DROP CONSTRAINT messages_content_check;
ALTER TABLE messages ADD CONSTRAINT messages_content_check
  CHECK (CASE WHEN deleted_at IS NULL THEN char_length(content) BETWEEN 1 AND 4000 ELSE content = '' END);

-- X3: one row per (message, person, emoji) that stands now.
CREATE TABLE message_reactions (
  message_id  char(26) NOT NULL REFERENCES messages (id),
  user_id     uuid NOT NULL,
  emoji       text NOT NULL CHECK (char_length(emoji) BETWEEN 1 AND 32),
  -- The react entry that added it: who reacted with an emoji, earliest first.
  seq         bigint NOT NULL,
  -- Where the emoji's current run on this message began (the seq of the react
  -- that took it from no one to someone): emoji are listed in that order, as
  -- a client replaying the log would list them.
  since_seq   bigint NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- Its leading column also serves the per-message aggregate (E4).
  PRIMARY KEY (message_id, user_id, emoji)
);

-- A delete erases the content its earlier edit entries carried.
CREATE INDEX room_events_edits ON room_events (room_id, (data->>'message_id')) WHERE kind = 'edit';

-- store_messages() (migrations/002, 004) learns replies: p_reply_tos names,
-- per item, the quoted message by its server id or by the sender's own
-- client_id (one that may not be acked yet, possibly earlier in this very
-- batch). It is resolved after the insert, so a target in the same batch is
-- found; one that names nothing earlier in the room is dropped (the message
-- is stored without a quote). Each row also returns the quote as the
-- broadcast shows it (P4, X1), so the writer needs no read of its own.
DROP FUNCTION store_messages(text, text, text[], uuid[], text[], text[]);

CREATE FUNCTION store_messages(
  p_channel    text,
  p_room_id    text,
  p_ids        text[],
  p_user_ids   uuid[],
  p_client_ids text[],
  p_contents   text[],
  p_reply_tos  text[]
) RETURNS TABLE (
  id            char(26),
  seq           bigint,
  created_at    text,
  created       boolean,
  content       text,
  reply_id      char(26),
  reply_user_id uuid,
  reply_seq     bigint,
  -- REPLY_EXCERPT_LENGTH (server/protocol/constants.ts) characters; '' once deleted.
  reply_excerpt text,
  reply_deleted boolean
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
  v_resends boolean := false;
  v_replies boolean := EXISTS (SELECT 1 FROM unnest(p_reply_tos) AS r(v) WHERE r.v IS NOT NULL);
BEGIN
  -- S2: the row lock is held until COMMIT, so seqs are handed out in commit
  -- order and a rolled-back batch gives its seqs back.
  SELECT r.last_seq, r.everyone, r.deleted_at IS NOT NULL INTO v_last_seq, v_everyone, v_deleted
    FROM rooms r WHERE r.id = p_room_id FOR UPDATE;
  IF NOT FOUND OR v_deleted THEN
    RAISE EXCEPTION 'room % does not exist', p_room_id USING ERRCODE = 'WH404';
  END IF;
  -- M3: only members post (see migrations/004).
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
    -- and let the unique key on (user_id, client_id) catch the rare resend.
    INSERT INTO messages (id, room_id, seq, user_id, client_id, content)
    SELECT t.id, p_room_id, v_last_seq + t.ord, t.user_id, t.client_id, t.content
      FROM unnest(p_ids, p_user_ids, p_client_ids, p_contents)
             WITH ORDINALITY AS t(id, user_id, client_id, content, ord);
  EXCEPTION WHEN unique_violation THEN
    -- Some items are resends, or repeat a client_id within the batch: the
    -- insert above is undone and only the new ones are stored; the answer
    -- below finds the rest by (user_id, client_id). Each statement takes a
    -- fresh snapshot (READ COMMITTED), so the lookup sees every batch
    -- committed before the room lock was granted (S3).
    v_resends := true;
    WITH input AS (
      SELECT t.id, t.user_id, t.client_id, t.content, t.ord,
             -- A client_id repeated inside one batch is the same message.
             row_number() OVER (PARTITION BY t.user_id, t.client_id ORDER BY t.ord) AS nth
        FROM unnest(p_ids, p_user_ids, p_client_ids, p_contents)
               WITH ORDINALITY AS t(id, user_id, client_id, content, ord)
    ),
    fresh AS (
      SELECT i.id, i.user_id, i.client_id, i.content, i.ord
        FROM input i
       WHERE (i.client_id IS NULL OR i.nth = 1)
         AND NOT EXISTS (SELECT 1 FROM messages s WHERE s.user_id = i.user_id AND s.client_id = i.client_id)
    )
    INSERT INTO messages (id, room_id, seq, user_id, client_id, content)
    SELECT f.id, p_room_id, v_last_seq + row_number() OVER (ORDER BY f.ord), f.user_id, f.client_id, f.content
      FROM fresh f;
  END;

  IF v_replies THEN
    -- X1: by server id first, else by the author's own client_id; always an
    -- earlier message of this room (so never the reply itself).
    UPDATE messages m
       SET reply_to = COALESCE(
             (SELECT x.id FROM messages x
               WHERE length(i.reply_to) = 26 AND x.id = i.reply_to::char(26) AND x.room_id = m.room_id AND x.seq < m.seq),
             (SELECT x.id FROM messages x
               WHERE x.user_id = m.user_id AND x.client_id = i.reply_to AND x.room_id = m.room_id AND x.seq < m.seq))
      FROM unnest(p_ids, p_reply_tos) AS i(id, reply_to)
     WHERE i.reply_to IS NOT NULL AND m.id = i.id::char(26);
  END IF;

  IF NOT (v_resends OR v_replies) THEN
    -- The common case answers from the arguments alone: no read.
    RETURN QUERY
    SELECT t.id::char(26), v_last_seq + t.ord, v_now, true, NULL::text,
           NULL::char(26), NULL::uuid, NULL::bigint, NULL::text, NULL::boolean
      FROM unnest(p_ids) WITH ORDINALITY AS t(id, ord)
     ORDER BY t.ord;
  ELSE
    RETURN QUERY
    SELECT COALESCE(a.id, b.id),
           COALESCE(a.seq, b.seq),
           CASE WHEN a.id IS NOT NULL THEN v_now
                ELSE to_char(b.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END,
           a.id IS NOT NULL,
           CASE WHEN a.id IS NULL THEN b.content END,
           q.id, q.user_id, q.seq,
           CASE WHEN q.deleted_at IS NULL THEN left(q.content, 100) ELSE '' END,
           q.deleted_at IS NOT NULL
      FROM unnest(p_ids, p_user_ids, p_client_ids) WITH ORDINALITY AS i(id, user_id, client_id, ord)
      LEFT JOIN messages a ON a.id = i.id::char(26)
      LEFT JOIN messages b ON a.id IS NULL AND b.user_id = i.user_id AND b.client_id = i.client_id
      LEFT JOIN messages q ON q.id = COALESCE(a.reply_to, b.reply_to)
     ORDER BY i.ord;
  END IF;

  SELECT max(m.seq) INTO v_new_last_seq FROM messages m WHERE m.room_id = p_room_id AND m.seq > v_last_seq;
  IF v_new_last_seq IS NOT NULL THEN
    UPDATE rooms SET last_seq = v_new_last_seq, last_activity_at = now() WHERE rooms.id = p_room_id;
    -- S6: every instance hears about the commit once it is durable.
    PERFORM pg_notify(p_channel, json_build_object('r', p_room_id, 'a', v_last_seq + 1, 'b', v_new_last_seq)::text);
  END IF;
END
$$;
