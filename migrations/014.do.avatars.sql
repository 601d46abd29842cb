-- A5: a profile picture, an image uploaded through the files pipeline (F2, F4).
-- The media row stays when the avatar is removed or replaced; the cleanup
-- sweep deletes it once nothing refers to it (server/media/media-repository.ts).
ALTER TABLE users ADD COLUMN avatar_media_id char(26) REFERENCES media (id);

-- Media visibility (anyone signed in may see an avatar) and the sweep ask
-- "is this media someone's avatar?".
CREATE INDEX users_avatar_media ON users (avatar_media_id) WHERE avatar_media_id IS NOT NULL;
