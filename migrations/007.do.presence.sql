-- Presence (L1) across instances (L5, S6).
--
-- Each server process has a row of its own, its heartbeat refreshed every
-- few seconds (server/live/presence.ts). A user is online while some live
-- instance holds a presence row for them: one row per (instance, user),
-- however many sockets the user has there (the instance counts those in
-- memory). A process that is killed leaves its rows behind; the first other
-- instance to find its heartbeat older than the TTL deletes its row and its
-- rows, and announces those of its users who have no row left as offline.

CREATE TABLE server_instances (
  id            uuid PRIMARY KEY,
  heartbeat_at  timestamptz NOT NULL DEFAULT now()
);
-- The sweep looks for the stale ones.
CREATE INDEX server_instances_heartbeat ON server_instances (heartbeat_at);

-- No foreign key to server_instances: the sweep deletes both in one
-- statement, and the rows of an instance are never read without it.
CREATE TABLE presence_sockets (
  instance_id  uuid NOT NULL,
  user_id      uuid NOT NULL,
  PRIMARY KEY (instance_id, user_id)
);
-- "Is this user online anywhere?", on every arrival and departure.
CREATE INDEX presence_sockets_user ON presence_sockets (user_id);

-- When the user's last socket went away (L1's last_seen); NULL: never seen
-- offline since presence was recorded.
ALTER TABLE users ADD COLUMN last_seen_at timestamptz;
