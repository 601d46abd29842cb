-- Read markers and receipts (L3, L4).
--
-- One row per (room, person): the newest seq they have read (L3: only ever
-- forward) and the newest seq one of their devices has stored (L4:
-- delivered; reading implies it). Unread counts (M6) start from read_seq,
-- and a message of seq s is delivered to / read by someone whose
-- delivered_seq / read_seq is at least s.
CREATE TABLE read_markers (
  room_id        text NOT NULL REFERENCES rooms (id),
  user_id        uuid NOT NULL,
  read_seq       bigint NOT NULL DEFAULT 0 CHECK (read_seq >= 0),
  delivered_seq  bigint NOT NULL DEFAULT 0 CHECK (delivered_seq >= read_seq),
  PRIMARY KEY (room_id, user_id)
);

-- Someone arriving in a room has read nothing of it, but has nothing to read
-- of what came before them either: their markers start at the room's seq at
-- that moment (everything older counted as read), so a new account is not
-- greeted with the whole history of general as unread. Rejoining never
-- moves a marker back.
CREATE FUNCTION read_markers_on_join() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO read_markers (room_id, user_id, read_seq, delivered_seq)
  SELECT r.id, NEW.user_id, r.last_seq, r.last_seq FROM rooms r WHERE r.id = NEW.room_id
  ON CONFLICT (room_id, user_id) DO UPDATE
    SET read_seq = GREATEST(read_markers.read_seq, EXCLUDED.read_seq),
        delivered_seq = GREATEST(read_markers.delivered_seq, EXCLUDED.delivered_seq);
  RETURN NULL;
END $$;
CREATE TRIGGER room_members_read_markers AFTER INSERT ON room_members
  FOR EACH ROW EXECUTE FUNCTION read_markers_on_join();

-- Rooms everyone is in (general) have no room_members rows: a new person's
-- markers there start when the person does.
CREATE FUNCTION read_markers_on_new_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO read_markers (room_id, user_id, read_seq, delivered_seq)
  SELECT r.id, NEW.id, r.last_seq, r.last_seq FROM rooms r WHERE r.everyone AND r.deleted_at IS NULL
  ON CONFLICT (room_id, user_id) DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER users_read_markers AFTER INSERT ON users
  FOR EACH ROW EXECUTE FUNCTION read_markers_on_new_user();

-- Everyone who is somewhere already has read what is there: receipts and
-- unread counts start from now rather than from the beginning of time.
INSERT INTO read_markers (room_id, user_id, read_seq, delivered_seq)
SELECT m.room_id, m.user_id, r.last_seq, r.last_seq FROM room_members m JOIN rooms r ON r.id = m.room_id
ON CONFLICT DO NOTHING;
INSERT INTO read_markers (room_id, user_id, read_seq, delivered_seq)
SELECT r.id, u.id, r.last_seq, r.last_seq FROM rooms r CROSS JOIN users u WHERE r.everyone
ON CONFLICT DO NOTHING;
