-- The media library: each image's file name, caption and credit (alt already exists), a
-- folded text to search them accent-insensitively, and the trash (deleted_at: the time it
-- went there; NULL while in the library). Trashed images are purged after 30 days.
ALTER TABLE media ADD COLUMN filename TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN caption TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN credit TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN deleted_at INTEGER;
CREATE INDEX media_trash ON media (deleted_at) WHERE deleted_at IS NOT NULL;
