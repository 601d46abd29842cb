-- Stores one batch of messages for one room in a single statement (group
-- commit, S2–S4). Sent as one autocommitted call it costs one round trip
-- where BEGIN, lock, lookup, insert, counter update, notify and COMMIT cost
-- seven; under load the writer's commits follow each other back to back,
-- and each round trip also waits its turn in the busy server's event loop.
--
-- Arguments are parallel arrays, one element per item, in request order.
-- p_ids are ULIDs minted by the caller for every item; those of items that
-- turn out to be resends are unused. Returns one row per item, in order:
-- the stored message's id, seq and created_at (text in the wire format's
-- ISO 8601 UTC form: no date parsing per row), whether this call created it
-- (false for a resend, S3, and for a client_id repeated inside the batch
-- after its first use), and, for items it did not create, the stored
-- content (a created item's content is the caller's own). A room that does
-- not exist raises SQLSTATE 'WH404'.

CREATE FUNCTION store_messages(
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
  v_new_last_seq bigint;
  -- The created_at of every message this call stores (the transaction's start).
  v_now text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
BEGIN
  -- S2: the row lock is held until COMMIT, so seqs are handed out in commit
  -- order and a rolled-back batch gives its seqs back.
  SELECT r.last_seq INTO v_last_seq FROM rooms r WHERE r.id = p_room_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'room % does not exist', p_room_id USING ERRCODE = 'WH404';
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
    UPDATE rooms SET last_seq = v_new_last_seq WHERE rooms.id = p_room_id;
    -- S6: every instance hears about the commit, in commit order, once it is
    -- durable (NOTIFY is delivered at COMMIT, never for a rollback). Ids,
    -- not bodies, to stay far below the 8000-byte payload limit.
    PERFORM pg_notify(p_channel, json_build_object('r', p_room_id, 'a', v_last_seq + 1, 'b', v_new_last_seq)::text);
  END IF;
END
$$;
