-- The content model of issue #15: tags, static pages, featured stories, comments closed
-- per article, and the article trash.

-- Tags (chủ đề): many per article. The slug is vntext.Slug of the name; a renamed tag's
-- old slug keeps redirecting, like sections.
CREATE TABLE tags (
    id         INTEGER PRIMARY KEY,
    slug       TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE tag_redirects (
    old_slug TEXT PRIMARY KEY,
    tag_id   INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE
);

-- position keeps the order the editor typed the tags in.
CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, tag_id)
);
-- A tag's page and related articles go from the tag to its articles.
CREATE INDEX article_tags_tag_idx ON article_tags (tag_id, article_id);

-- Static pages (Giới thiệu, Liên hệ, ...) at /trang/{slug}. placement says where the
-- link shows: nowhere, the footer or the main menu, in position order.
CREATE TABLE pages (
    id         INTEGER PRIMARY KEY,
    slug       TEXT    NOT NULL UNIQUE,
    title      TEXT    NOT NULL,
    body_html  TEXT    NOT NULL DEFAULT '',        -- sanitized on the way in, as articles
    status     TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    placement  TEXT    NOT NULL DEFAULT 'none' CHECK (placement IN ('none', 'footer', 'menu')),
    position   INTEGER NOT NULL DEFAULT 0,
    version    INTEGER NOT NULL DEFAULT 1,         -- optimistic locking, as articles
    author_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE page_revisions (
    id         INTEGER PRIMARY KEY,
    page_id    INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    title      TEXT    NOT NULL,
    body_html  TEXT    NOT NULL,
    editor_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    note       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX page_revisions_page_idx ON page_revisions (page_id, id DESC);

-- Featured stories, in the editors' order: position 1 is the home page's lead, the
-- following ones fill the "Tin nổi bật" block. Only public articles are shown.
CREATE TABLE featured (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);

-- Comments closed per article: no form, posting refused, existing comments stay.
ALTER TABLE articles ADD COLUMN comments_closed INTEGER NOT NULL DEFAULT 0;

-- The article trash. A trashed article's status becomes 'archived' (which every public
-- query — pages, feeds, search, sitemap — already leaves out) and trashed_status keeps
-- the status to restore. Purged trashed_at + 30 days.
ALTER TABLE articles ADD COLUMN trashed_at INTEGER;
ALTER TABLE articles ADD COLUMN trashed_status TEXT NOT NULL DEFAULT '';
CREATE INDEX articles_trash_idx ON articles (trashed_at) WHERE trashed_at IS NOT NULL;

-- The WordPress importer maps tags and pages too.
CREATE TABLE wordpress_ids_new (
    kind     TEXT    NOT NULL CHECK (kind IN ('author', 'category', 'post', 'comment', 'tag', 'page')),
    wp_id    TEXT    NOT NULL,
    local_id INTEGER NOT NULL,                       -- users, categories, articles, comments, tags or pages id
    PRIMARY KEY (kind, wp_id)
);
INSERT INTO wordpress_ids_new (kind, wp_id, local_id) SELECT kind, wp_id, local_id FROM wordpress_ids;
DROP TABLE wordpress_ids;
ALTER TABLE wordpress_ids_new RENAME TO wordpress_ids;
