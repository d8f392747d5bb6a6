-- Hardening against abuse (issue #14).

-- Who asked for each captcha (the client address): one address's flood replaces its own
-- oldest challenges, never those issued to other readers.
ALTER TABLE captchas ADD COLUMN owner TEXT NOT NULL DEFAULT '';
CREATE INDEX captchas_owner_idx ON captchas (owner, seq);

-- Fill-time tokens spent by an accepted comment: a token proves one form was filled and
-- is good for one post. 16 bytes of the token's MAC identify it; a row is kept until the
-- token would have expired anyway.
CREATE TABLE used_form_tokens (
    mac        BLOB    NOT NULL PRIMARY KEY,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX used_form_tokens_expires_idx ON used_form_tokens (expires_at);
