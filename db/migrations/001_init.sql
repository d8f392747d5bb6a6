-- The whole data model of DESIGN.md. Times are Unix seconds (UTC).

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,          -- login name
    display_name  TEXT    NOT NULL DEFAULT '',
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'editor', 'author')),
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- scs/sqlite3store's table, exactly as that store expects it.
CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BLOB NOT NULL,
    expiry REAL NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

CREATE TABLE categories (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    hidden      INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Old section slugs keep redirecting after a rename.
CREATE TABLE category_redirects (
    old_slug    TEXT PRIMARY KEY,
    category_id INTEGER NOT NULL REFERENCES categories (id) ON DELETE CASCADE
);

CREATE TABLE media (
    id          INTEGER PRIMARY KEY,
    sha256      TEXT    NOT NULL UNIQUE,            -- of the original upload: no duplicates
    mime        TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    alt         TEXT    NOT NULL DEFAULT '',
    data        BLOB    NOT NULL,                   -- re-encoded full-size image
    uploaded_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL
);

-- Resized copies served through srcset.
CREATE TABLE media_variants (
    media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    width    INTEGER NOT NULL,
    mime     TEXT    NOT NULL,
    data     BLOB    NOT NULL,
    PRIMARY KEY (media_id, width)
);

CREATE TABLE articles (
    id             INTEGER PRIMARY KEY,
    slug           TEXT    NOT NULL UNIQUE,
    title          TEXT    NOT NULL,
    lead           TEXT    NOT NULL DEFAULT '',
    body_html      TEXT    NOT NULL DEFAULT '',     -- sanitized on the way in
    byline         TEXT    NOT NULL DEFAULT '',
    category_id    INTEGER NOT NULL REFERENCES categories (id),
    author_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    status         TEXT    NOT NULL DEFAULT 'draft'
                   CHECK (status IN ('draft', 'review', 'published', 'archived')),
    publish_at     INTEGER,                          -- visible when published and publish_at <= now
    cover_media_id INTEGER REFERENCES media (id) ON DELETE SET NULL,
    cover_alt      TEXT    NOT NULL DEFAULT '',
    review_note    TEXT    NOT NULL DEFAULT '',
    views          INTEGER NOT NULL DEFAULT 0,
    comment_count  INTEGER NOT NULL DEFAULT 0,      -- approved comments, kept by the comment writes
    version        INTEGER NOT NULL DEFAULT 1,      -- optimistic locking for concurrent edits
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX articles_public_idx   ON articles (status, publish_at DESC, id DESC);
CREATE INDEX articles_category_idx ON articles (category_id, status, publish_at DESC, id DESC);
CREATE INDEX articles_author_idx   ON articles (author_id, updated_at DESC);

CREATE TABLE article_revisions (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    title       TEXT    NOT NULL,
    lead        TEXT    NOT NULL,
    body_html   TEXT    NOT NULL,
    byline      TEXT    NOT NULL,
    category_id INTEGER NOT NULL,
    editor_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    note        TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX article_revisions_article_idx ON article_revisions (article_id, id DESC);

-- Per-day view totals for the dashboard; articles.views holds the running total.
CREATE TABLE article_views_daily (
    day        TEXT    NOT NULL,                     -- YYYY-MM-DD in the site's zone
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    views      INTEGER NOT NULL,
    PRIMARY KEY (day, article_id)
);

CREATE TABLE comments (
    id           INTEGER PRIMARY KEY,
    article_id   INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    parent_id    INTEGER REFERENCES comments (id) ON DELETE SET NULL,
    name         TEXT    NOT NULL,
    phone        TEXT    NOT NULL DEFAULT '',        -- never shown publicly
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL,                   -- plain text
    status       TEXT    NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'approved', 'rejected', 'spam', 'deleted')),
    ip           TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    moderated_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    moderated_at INTEGER
);
CREATE INDEX comments_article_idx ON comments (article_id, status, created_at);
CREATE INDEX comments_status_idx  ON comments (status, created_at DESC);

-- Addresses and phone numbers that may not comment.
CREATE TABLE comment_blocks (
    kind       TEXT    NOT NULL CHECK (kind IN ('ip', 'phone')),
    value      TEXT    NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (kind, value)
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    user_name   TEXT    NOT NULL DEFAULT '',         -- kept when the user is gone
    action      TEXT    NOT NULL,
    object_type TEXT    NOT NULL DEFAULT '',
    object_id   INTEGER,
    detail      TEXT    NOT NULL DEFAULT '',
    ip          TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at_idx     ON audit_log (at DESC);
CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Search index: rowid = articles.id; columns hold vntext.Fold'ed text, since FTS5 folds
-- neither đ nor NFD on its own. Kept in sync in the same transaction as article writes.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, lead, body,
    tokenize = 'unicode61 remove_diacritics 2'
);
