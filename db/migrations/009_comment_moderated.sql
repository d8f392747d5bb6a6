-- An article page's Last-Modified includes the latest moderation of its comments: this
-- index answers it without reading the article's comments that wait for moderation, so
-- rendering a page no longer costs as much as its moderation queue is long.
CREATE INDEX comments_moderated_idx ON comments (article_id, moderated_at) WHERE moderated_at IS NOT NULL;
