-- Reader comments: the captcha store and the indexes of the reader's comment path.

-- Captcha challenges (github.com/dchest/captcha digits), single use: a check deletes the
-- row whatever the answer. seq grows with every insert, so capping the table is a range
-- delete on the primary key; expires_at lets expired rows go in one index range.
CREATE TABLE captchas (
    seq        INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    digits     TEXT    NOT NULL,                   -- the answer, ASCII digits
    expires_at INTEGER NOT NULL
);
CREATE INDEX captchas_expires_idx ON captchas (expires_at);

-- First-time moderation: "has this name and phone an approved comment already?"
CREATE INDEX comments_commenter_idx ON comments (phone, name) WHERE status = 'approved' AND phone <> '';
