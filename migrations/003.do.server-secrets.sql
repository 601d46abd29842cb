-- Secrets every server instance must share, such as the key that signs
-- identity tokens (P1). Kept in the database rather than under one
-- instance's DATA_DIR: a second instance, or a container restarted with a
-- fresh disk, must accept the tokens the first one issued.
CREATE TABLE server_secrets (
  name        text PRIMARY KEY,
  value       text NOT NULL CHECK (char_length(value) >= 32),
  created_at  timestamptz NOT NULL DEFAULT now()
);
