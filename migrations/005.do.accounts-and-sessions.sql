-- Accounts and device sessions (A1–A4).
--
-- An anonymous identity becomes an account by claiming a username and a
-- password: the same users row, so its user_id, rooms and history stay (A1).
ALTER TABLE users
  ADD COLUMN username      text CHECK (username ~ '^[a-z0-9_]{3,32}$'),
  -- argon2id in PHC string form; never the password itself (A3).
  ADD COLUMN password_hash text CHECK (password_hash LIKE '$argon2id$%'),
  ADD COLUMN claimed_at    timestamptz,
  ADD CONSTRAINT users_account_complete CHECK ((username IS NULL) = (password_hash IS NULL));
-- Stored lower-case: unique regardless of case (A1).
CREATE UNIQUE INDEX users_username_key ON users (username);

-- One row per device that holds a token (A4). A token names its session;
-- a revoked session's token is refused from then on, on every instance.
CREATE TABLE sessions (
  id           uuid PRIMARY KEY,
  user_id      uuid NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  -- Renewed at most once an hour per session (on hello), for "last active".
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz,
  -- What the device said it is (its User-Agent, cut short), for a device list.
  device       text CHECK (char_length(device) <= 200)
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;

-- A3: failed logins per username in the current window, shared by every
-- instance. Kept for any name tried, known or not: an unknown username must
-- be held back exactly like a real one, or the limit would tell them apart.
CREATE TABLE login_failures (
  username     text PRIMARY KEY,
  failures     integer NOT NULL,
  window_start timestamptz NOT NULL
);
