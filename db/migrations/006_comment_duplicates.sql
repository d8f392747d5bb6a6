-- Duplicate detection ("the same text on the same article within a day") looks comments up
-- by the start of their text: without this, every post scanned all of the article's
-- comments, and posting slowed down as a popular article gathered them.
CREATE INDEX comments_duplicate_idx ON comments (article_id, substr(body, 1, 64), created_at);
