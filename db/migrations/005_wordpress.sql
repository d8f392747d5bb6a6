-- What `toasoan import-wxr` brought in from WordPress: a second run of the same export
-- skips what is already here, and old WordPress URLs redirect to the new articles.
CREATE TABLE wordpress_ids (
    kind     TEXT    NOT NULL CHECK (kind IN ('author', 'category', 'post', 'comment')),
    wp_id    TEXT    NOT NULL,                       -- WordPress's id (author: login name)
    local_id INTEGER NOT NULL,                       -- users, categories, articles or comments id
    PRIMARY KEY (kind, wp_id)
);

-- Old permalinks /YYYY/MM/post-name/ of imported posts (post_name percent-decoded, NFC).
CREATE TABLE wordpress_permalinks (
    year       INTEGER NOT NULL,
    month      INTEGER NOT NULL,
    post_name  TEXT    NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (year, month, post_name)
);
CREATE INDEX wordpress_permalinks_name_idx ON wordpress_permalinks (post_name);
