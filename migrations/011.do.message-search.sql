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
ALTER TABLE messages
  ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, content)) STORED;

CREATE INDEX messages_search ON messages USING gin (search_vector);
