-- Files (F1–F5): photos and voice notes, uploaded over tus, processed once,
-- stored once per content hash, and attached to messages.

-- F4: processed media, one row per distinct upload content (F2: the SHA-256
-- of the bytes as uploaded, so a retried or repeated upload finds it).
CREATE TABLE media (
  id           char(26) PRIMARY KEY,
  sha256       text NOT NULL UNIQUE,
  kind         text NOT NULL CHECK (kind IN ('image', 'audio')),
  -- Decided from the magic bytes, never from the name or declared type (F4).
  mime         text NOT NULL,
  size         bigint NOT NULL CHECK (size >= 0),
  width        integer,
  height       integer,
  duration_ms  integer,
  thumbhash    text,
  -- Base64 of at most 64 levels (0–255), as the client computed them.
  waveform     text,
  storage_key  text NOT NULL,
  thumb_key    text,
  thumb_size   bigint,
  created_by   uuid NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
-- The cleanup sweep finds old unattached media by age.
CREATE INDEX media_created_at ON media (created_at);

-- F2: one row per tus upload, from creation; completed_at and media_id once
-- its bytes were accepted, error once they were refused.
CREATE TABLE uploads (
  id            char(26) PRIMARY KEY,
  user_id       uuid NOT NULL,
  size          bigint NOT NULL CHECK (size >= 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  completed_at  timestamptz,
  media_id      char(26) REFERENCES media (id),
  error         text
);
-- The per-user quota, and the sweep.
CREATE INDEX uploads_user ON uploads (user_id);
CREATE INDEX uploads_created_at ON uploads (created_at);
CREATE INDEX uploads_media ON uploads (media_id);

-- F3: a message's attachments, in the order the sender gave them.
CREATE TABLE message_attachments (
  message_id  char(26) NOT NULL REFERENCES messages (id),
  position    smallint NOT NULL CHECK (position >= 0),
  media_id    char(26) NOT NULL REFERENCES media (id),
  PRIMARY KEY (message_id, position)
);
-- M3: who may see a media object (the rooms its messages are in), and the sweep.
CREATE INDEX message_attachments_media ON message_attachments (media_id);

-- With attachments a caption is optional, so a live message's content may
-- be empty; that it is not empty without attachments is the writer's rule
-- (server/messages/message-validation.ts), as the attachments are stored in
-- the same statement after the message row.
ALTER TABLE messages DROP CONSTRAINT messages_content_check;
ALTER TABLE messages ADD CONSTRAINT messages_content_check
  CHECK (CASE WHEN deleted_at IS NULL THEN char_length(content) <= 4000 ELSE content = '' END);
