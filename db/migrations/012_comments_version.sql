-- A counter per article that every write changing its public comments bumps, in the same
-- transaction (issue #19). With comment_count it is the version the comment list's pollers
-- compare: reading it is one row, where the fingerprint it replaces (count, max and sum of
-- ids, latest moderation over the approved comments) read every approved comment of the
-- thread on each render and each post's answer, so both grew with the thread. It also
-- catches a moderator's edit, which the fingerprint missed.
ALTER TABLE articles ADD COLUMN comments_version INTEGER NOT NULL DEFAULT 0;
