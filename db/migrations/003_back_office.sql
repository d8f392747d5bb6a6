-- The back office's additions: login throttling, session invalidation, form replay guard.

-- Failed logins per account name and per client address, for exponential backoff.
-- Rows are deleted on a successful login (for that account and address).
CREATE TABLE login_attempts (
    kind     TEXT    NOT NULL CHECK (kind IN ('user', 'ip')),
    key      TEXT    NOT NULL,
    failures INTEGER NOT NULL,
    last_at  INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
);

-- Bumped when a user is disabled or their password is reset: sessions remember the
-- generation they were issued under and end when it changes.
ALTER TABLE users ADD COLUMN session_gen INTEGER NOT NULL DEFAULT 0;

-- One-time tokens of "new article" forms: a second submit of the same form finds its
-- article instead of creating a twin.
CREATE TABLE form_tokens (
    token      TEXT    PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
