-- Reader conversation (issue #18) and newsroom replies (#15): replies use comments.parent_id
-- (one level: a reply's parent is always a top-level comment), likes get their own table
-- and a kept count, and a newsroom reply is a comment written by a staff account.

-- Likes on this comment, kept by the like writes (recounted, so it cannot drift).
ALTER TABLE comments ADD COLUMN like_count INTEGER NOT NULL DEFAULT 0;
-- Set on a newsroom reply: the staff account that wrote it (shown as the newsroom, not the person).
ALTER TABLE comments ADD COLUMN staff_id INTEGER REFERENCES users (id) ON DELETE SET NULL;

-- One row per like. reader is the reader cookie's random id; ip bounds how many likes one
-- address can give one comment, so clearing cookies does not flood the count.
CREATE TABLE comment_likes (
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    reader     TEXT    NOT NULL,
    ip         TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (comment_id, reader)
) WITHOUT ROWID;
CREATE INDEX comment_likes_ip_idx ON comment_likes (comment_id, ip);

-- A page of an article's thread: its approved top-level comments, newest or most liked first.
CREATE INDEX comments_thread_new_idx ON comments (article_id, created_at DESC, id DESC)
    WHERE status = 'approved' AND parent_id IS NULL;
CREATE INDEX comments_thread_liked_idx ON comments (article_id, like_count DESC, created_at DESC, id DESC)
    WHERE status = 'approved' AND parent_id IS NULL;
-- The replies under the comments of a page.
CREATE INDEX comments_parent_idx ON comments (parent_id, created_at);

-- The article sidebar's "Tin đọc nhiều": published articles by views, read from the top.
CREATE INDEX articles_views_idx ON articles (views DESC, id DESC) WHERE status = 'published';
