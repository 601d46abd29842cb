-- Web Push (N1–N3) and muted rooms.
--
-- One row per device that subscribed: the browser's PushSubscription
-- (endpoint and keys) and the device session it came from, so a logout
-- removes it (A4) and the push decision can ask whether that very device is
-- looking at the room. An endpoint is one browser profile's subscription:
-- subscribing it again (another user on the same browser) moves it.
CREATE TABLE push_subscriptions (
  id          bigserial PRIMARY KEY,
  endpoint    text NOT NULL UNIQUE CHECK (char_length(endpoint) <= 2000),
  user_id     uuid NOT NULL,
  session_id  uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  p256dh      text NOT NULL,
  auth        text NOT NULL,
  -- N2: message text goes into a payload only when the user allowed it.
  previews    boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);
CREATE INDEX push_subscriptions_session ON push_subscriptions (session_id);

-- A4: a revoked session (logout, logout everywhere) takes its devices'
-- subscriptions along, whichever path revoked it.
CREATE FUNCTION push_subscriptions_on_revoke() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM push_subscriptions WHERE session_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER sessions_push_subscriptions AFTER UPDATE OF revoked_at ON sessions
  FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL) EXECUTE FUNCTION push_subscriptions_on_revoke();

-- The newest seq each subscription was notified of per room, so that
-- reading on one device clears the notification on the others with one
-- push, and only where a notification may still be open.
CREATE TABLE push_notified (
  subscription_id  bigint NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
  room_id          text NOT NULL,
  seq              bigint NOT NULL,
  PRIMARY KEY (subscription_id, room_id)
);

-- Which room each socket shows on a visible page (the `viewing` frame).
-- Rows belong to the instance holding the socket and go with it: deleted
-- when the socket closes, and with the instance's row when it shuts down or
-- is swept as dead (server/live/presence-repository.ts), so every instance
-- sees the same answer to "is this device looking at the room?".
CREATE TABLE push_viewing (
  instance_id  uuid NOT NULL REFERENCES server_instances (id) ON DELETE CASCADE,
  socket_id    uuid NOT NULL,
  session_id   uuid NOT NULL,
  room_id      text NOT NULL,
  PRIMARY KEY (instance_id, socket_id)
);
CREATE INDEX push_viewing_room ON push_viewing (room_id, session_id);

-- Rooms a person muted: no push for them (N1). A table of its own rather
-- than a column of room_members, which has no rows for rooms everyone is in
-- (general).
CREATE TABLE room_mutes (
  room_id   text NOT NULL REFERENCES rooms (id),
  user_id   uuid NOT NULL,
  PRIMARY KEY (room_id, user_id)
);
