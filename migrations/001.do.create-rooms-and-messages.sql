-- Rooms carry the per-room sequence counter. Every insert into a room locks
-- its row (SELECT … FOR UPDATE) and advances last_seq in the same
-- transaction, so seq is gap-free and follows commit order (S2).
CREATE TABLE rooms (
  id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  name        text NOT NULL,
  last_seq    bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
  created_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO rooms (id, name) VALUES ('general', 'General');

CREATE TABLE messages (
  -- Server ULID: 26 Crockford base32 characters, sortable by time.
  id          char(26) PRIMARY KEY,
  room_id     text NOT NULL REFERENCES rooms (id),
  seq         bigint NOT NULL CHECK (seq > 0),
  user_id     uuid NOT NULL,
  -- Minted by the client at enqueue; NULL for seed-style clients that send none.
  client_id   text,
  content     text NOT NULL CHECK (char_length(content) BETWEEN 1 AND 4000),
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- History (P5) and catch-up (P6) read ranges of seq within a room.
  CONSTRAINT messages_room_seq_key UNIQUE (room_id, seq),
  -- S3: a resend stores nothing new. NULL client_ids never collide.
  CONSTRAINT messages_user_client_key UNIQUE (user_id, client_id)
);
