-- Full-text search over messages (Q1).
--
-- Each message's words are kept beside it as a tsvector, generated from its
-- content by PostgreSQL itself, so every path that writes content (a send,
-- an edit, a delete erasing it to '') keeps them current with no code of its
-- own: an edited message is found by its words as they stand, and a deleted
-- one (content '') has none and is never found.
--
-- Stored rather than an expression index over to_tsvector(content): the GIN
-- index is lossy for phrases, and ranking (ts_rank_cd) needs every match's
-- vector, so an expression index would parse the text of every candidate
-- again on each search. Stored, a search reads the vectors and parses nothing.
--
-- The text-search configuration is part of the column's expression, fixed
-- here to 'english'. SEARCH_LANGUAGE names another (any regconfig, e.g.
-- 'simple', 'german'); at start-up the server rebuilds this column and its
-- index for it (server/search/search-language.ts), which rewrites the table
-- once: plan for it on a large database.
--
-- A slash before a word is read as a space: the parser takes "/help" or
-- "a/b" for a file path, one token, so a search for "help" would miss the
-- bot's commands, and a link's path words would be one lump. Not after "<":
-- "</b>" stays a tag, which the parser skips (as a space, "< b>" would make
-- it swallow the rest of the text).
ALTER TABLE messages
  ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, regexp_replace(content, '(?<!<)/(?=\w)', ' ', 'g'))) STORED;

-- The room leads the index (btree_gin gives GIN an operator class for text):
-- a search is always within the rooms of one person, so for a broad query
-- one index scan intersects "in these rooms" with "has these words" and the
-- table is read only for the person's own matches; over the words alone, a
-- common word's matches in every room were fetched and then filtered (4 in
-- 5 thrown away for a member of a quarter of the rooms). GIN serves a
-- condition on the words alone too, which is how selective queries go
-- (server/search/search-repository.ts).
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX messages_search ON messages USING gin (room_id, search_vector);
