package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"toasoan/internal/vntext"
)

// Tag limits: a tag is a short topic name, and an article carries a handful.
const (
	MaxTagName       = 80 // characters
	MaxTagsOfArticle = 20
)

// Errors of tag writes.
var (
	ErrDuplicateTag = errors.New("db: a tag with this slug exists")
	ErrBadTagName   = errors.New("db: empty or too long tag name")
	ErrTooManyTags  = errors.New("db: too many tags on one article")
)

// Tag is a topic (chủ đề) articles share.
type Tag struct {
	ID        int64
	Slug      string
	Name      string
	Articles  int // how many articles carry it (in lists that count)
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CleanTagName normalizes a typed tag name (NFC, one line, spaces squeezed) and checks
// it; the slug comes from it with vntext.Slug.
func CleanTagName(name string) (string, string, error) {
	name = vntext.Normalize(name)
	slug := vntext.Slug(name)
	if name == "" || slug == "" || vntext.CharCount(name) > MaxTagName {
		return "", "", ErrBadTagName
	}
	return name, slug, nil
}

// SplitTagNames cuts the article form's tag field ("Hà Nội, giao thông") into names, in
// order, without duplicates by slug.
func SplitTagNames(field string) []string {
	var out []string
	seen := map[string]bool{}
	for _, part := range strings.FieldsFunc(field, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		name, slug, err := CleanTagName(part)
		if err != nil || seen[slug] {
			continue
		}
		seen[slug] = true
		out = append(out, name)
	}
	return out
}

const tagColumns = `t.id, t.slug, t.name, t.created_at, t.updated_at`

func scanTag(row interface{ Scan(...any) error }, extra ...any) (Tag, error) {
	var t Tag
	var created, updated int64
	err := row.Scan(append([]any{&t.ID, &t.Slug, &t.Name, &created, &updated}, extra...)...)
	t.CreatedAt, t.UpdatedAt = fromUnix(created), fromUnix(updated)
	return t, err
}

func scanTags(rows *sql.Rows) ([]Tag, error) {
	defer rows.Close()
	var out []Tag
	for rows.Next() {
		t, err := scanTag(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Tags lists every tag with the number of articles (any status) carrying it, in
// Vietnamese order of names.
func (d *DB) Tags(ctx context.Context) ([]Tag, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT `+tagColumns+`, (SELECT count(*) FROM article_tags x WHERE x.tag_id = t.id)
		FROM tags t`)
	if err != nil {
		return nil, fmt.Errorf("db: tags: %w", err)
	}
	out, err := scanCountedTags(rows)
	if err != nil {
		return nil, fmt.Errorf("db: tags: %w", err)
	}
	vntext.SortFunc(out, func(t Tag) string { return t.Name })
	return out, nil
}

func scanCountedTags(rows *sql.Rows) ([]Tag, error) {
	defer rows.Close()
	var out []Tag
	for rows.Next() {
		var n int
		t, err := scanTag(rows, &n)
		if err != nil {
			return nil, err
		}
		t.Articles = n
		out = append(out, t)
	}
	return out, rows.Err()
}

// TagBySlug finds a tag by its current slug.
func (d *DB) TagBySlug(ctx context.Context, slug string) (Tag, error) {
	t, err := scanTag(d.r.QueryRowContext(ctx, `SELECT `+tagColumns+` FROM tags t WHERE t.slug = ?`, slug))
	if err != nil {
		return t, fmt.Errorf("db: tag %q: %w", slug, notFound(err))
	}
	return t, nil
}

// TagByID finds a tag by id.
func (d *DB) TagByID(ctx context.Context, id int64) (Tag, error) {
	t, err := scanTag(d.r.QueryRowContext(ctx, `SELECT `+tagColumns+` FROM tags t WHERE t.id = ?`, id))
	if err != nil {
		return t, fmt.Errorf("db: tag %d: %w", id, notFound(err))
	}
	return t, nil
}

// TagRedirect returns the current slug for a renamed tag's old slug.
func (d *DB) TagRedirect(ctx context.Context, oldSlug string) (string, error) {
	var slug string
	err := d.r.QueryRowContext(ctx, `SELECT t.slug FROM tag_redirects r JOIN tags t ON t.id = r.tag_id
		WHERE r.old_slug = ?`, oldSlug).Scan(&slug)
	if err != nil {
		return "", fmt.Errorf("db: tag redirect %q: %w", oldSlug, notFound(err))
	}
	return slug, nil
}

// TagsByPrefix lists up to limit tags whose folded name starts with the folded prefix,
// for the article form's suggestions while typing.
func (d *DB) TagsByPrefix(ctx context.Context, prefix string, limit int) ([]Tag, error) {
	// Slugs are the folded names with hyphens, so a slug range finds prefixes with the
	// unique index: "ha no" → slugs from "ha-no" up to "ha-no\xff".
	p := vntext.Slug(prefix)
	if p == "" {
		return nil, nil
	}
	rows, err := d.r.QueryContext(ctx, `SELECT `+tagColumns+` FROM tags t WHERE t.slug >= ? AND t.slug < ?
		ORDER BY t.slug LIMIT ?`, p, p+"\xff", limit)
	if err != nil {
		return nil, fmt.Errorf("db: tags by prefix: %w", err)
	}
	out, err := scanTags(rows)
	if err != nil {
		return nil, fmt.Errorf("db: tags by prefix: %w", err)
	}
	return out, nil
}

func tagSlugTaken(ctx context.Context, tx *sql.Tx, slug string, selfID int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM tags WHERE slug = ? AND id != ?)
		+ (SELECT count(*) FROM tag_redirects WHERE old_slug = ? AND tag_id != ?)`, slug, selfID, slug, selfID).Scan(&n)
	return n > 0, err
}

// ensureTag returns the id of the tag called name (by slug, so "Hà Nội" and "HÀ NỘI" are
// one tag; an old slug finds the renamed tag), creating it when new.
func ensureTag(ctx context.Context, tx *sql.Tx, name string, now time.Time) (id int64, created bool, err error) {
	name, slug, err := CleanTagName(name)
	if err != nil {
		return 0, false, err
	}
	err = tx.QueryRowContext(ctx, `SELECT id FROM tags WHERE slug = ?
		UNION ALL SELECT tag_id FROM tag_redirects WHERE old_slug = ? LIMIT 1`, slug, slug).Scan(&id)
	if err == nil {
		return id, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("db: find tag %q: %w", slug, err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO tags (slug, name, created_at, updated_at) VALUES (?, ?, ?, ?)`,
		slug, name, unix(now), unix(now))
	if err != nil {
		return 0, false, fmt.Errorf("db: create tag %q: %w", slug, err)
	}
	id, err = res.LastInsertId()
	return id, true, err
}

// CreateTag adds a tag, with an audit entry. A name whose slug exists is ErrDuplicateTag.
func (d *DB) CreateTag(ctx context.Context, by Actor, now time.Time, name string) (int64, error) {
	name, slug, err := CleanTagName(name)
	if err != nil {
		return 0, err
	}
	var id int64
	err = d.inTx(ctx, func(tx *sql.Tx) error {
		taken, err := tagSlugTaken(ctx, tx, slug, 0)
		if err != nil {
			return err
		}
		if taken {
			return ErrDuplicateTag
		}
		if id, _, err = ensureTag(ctx, tx, name, now); err != nil {
			return err
		}
		return writeAudit(ctx, tx, by, now, "tag.create", ObjectTag, id, name)
	})
	return id, err
}

// RenameTag renames a tag; its slug follows the name and the old slug keeps redirecting.
func (d *DB) RenameTag(ctx context.Context, by Actor, now time.Time, id int64, name string) error {
	name, slug, err := CleanTagName(name)
	if err != nil {
		return err
	}
	return d.inTx(ctx, func(tx *sql.Tx) error {
		old, err := scanTag(tx.QueryRowContext(ctx, `SELECT `+tagColumns+` FROM tags t WHERE t.id = ?`, id))
		if err != nil {
			return fmt.Errorf("db: tag %d: %w", id, notFound(err))
		}
		if old.Name == name {
			return nil
		}
		if slug != old.Slug {
			taken, err := tagSlugTaken(ctx, tx, slug, id)
			if err != nil {
				return err
			}
			if taken {
				return ErrDuplicateTag
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM tag_redirects WHERE old_slug = ?`, slug); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO tag_redirects (old_slug, tag_id) VALUES (?, ?)
				ON CONFLICT (old_slug) DO UPDATE SET tag_id = excluded.tag_id`, old.Slug, id); err != nil {
				return fmt.Errorf("db: tag redirect: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tags SET slug = ?, name = ?, updated_at = ? WHERE id = ?`,
			slug, name, unix(now), id); err != nil {
			return fmt.Errorf("db: rename tag %d: %w", id, err)
		}
		return writeAudit(ctx, tx, by, now, "tag.rename", ObjectTag, id, old.Name+" → "+name)
	})
}

// DeleteTag removes a tag from every article and deletes it.
func (d *DB) DeleteTag(ctx context.Context, by Actor, now time.Time, id int64) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		old, err := scanTag(tx.QueryRowContext(ctx, `SELECT `+tagColumns+` FROM tags t WHERE t.id = ?`, id))
		if err != nil {
			return fmt.Errorf("db: tag %d: %w", id, notFound(err))
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM article_tags WHERE tag_id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tags WHERE id = ?`, id); err != nil {
			return fmt.Errorf("db: delete tag %d: %w", id, err)
		}
		return writeAudit(ctx, tx, by, now, "tag.delete", ObjectTag, id, fmt.Sprintf("%s (%d bài)", old.Name, n))
	})
}

// ArticleTags lists an article's tags in the order they were given.
func (d *DB) ArticleTags(ctx context.Context, articleID int64) ([]Tag, error) {
	rows, err := d.rKept.QueryContext(ctx, `SELECT `+tagColumns+` FROM article_tags x JOIN tags t ON t.id = x.tag_id
		WHERE x.article_id = ? ORDER BY x.position, t.id`, articleID)
	if err != nil {
		return nil, fmt.Errorf("db: tags of %d: %w", articleID, err)
	}
	out, err := scanTags(rows)
	if err != nil {
		return nil, fmt.Errorf("db: tags of %d: %w", articleID, err)
	}
	return out, nil
}

// setArticleTags replaces an article's tags with names (created when new) and returns
// the names that changed, for the audit entry ("" when none did).
func setArticleTags(ctx context.Context, tx *sql.Tx, articleID int64, names []string, now time.Time) (string, error) {
	if len(names) > MaxTagsOfArticle {
		return "", ErrTooManyTags
	}
	var before []string
	rows, err := tx.QueryContext(ctx, `SELECT t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id
		WHERE x.article_id = ? ORDER BY x.position, t.id`, articleID)
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return "", err
		}
		before = append(before, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_tags WHERE article_id = ?`, articleID); err != nil {
		return "", fmt.Errorf("db: clear tags of %d: %w", articleID, err)
	}
	var after []string
	for i, name := range names {
		id, _, err := ensureTag(ctx, tx, name, now)
		if err != nil {
			return "", err
		}
		// A name given twice (or an old and a new slug of one tag) is one tag.
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_tags (article_id, tag_id, position) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, articleID, id, i); err != nil {
			return "", fmt.Errorf("db: tag article %d: %w", articleID, err)
		}
		var stored string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM tags WHERE id = ?`, id).Scan(&stored); err != nil {
			return "", err
		}
		after = append(after, stored)
	}
	b, a := strings.Join(before, ", "), strings.Join(after, ", ")
	if b == a {
		return "", nil
	}
	return "chủ đề: " + b + " → " + a, nil
}

// SetArticleTags replaces an article's tags (by name, creating new ones), with an audit
// entry when they changed.
func (d *DB) SetArticleTags(ctx context.Context, by Actor, now time.Time, articleID int64, names []string) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM articles WHERE id = ?`, articleID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("db: tag article %d: %w", articleID, ErrNotFound)
		}
		detail, err := setArticleTags(ctx, tx, articleID, names, now)
		if err != nil || detail == "" {
			return err
		}
		return writeAudit(ctx, tx, by, now, "article.tags", ObjectArticle, articleID, detail)
	})
}

// A tag's articles are found through article_tags_tag_idx and checked on the covering
// articles_search_idx; only the page's rows are read whole. The CROSS JOINs keep that
// order: left to itself SQLite walked every published article, reading each row, to find
// the few carrying a rare tag (and always all of them to count).
const (
	tagArticlesQuery = `WITH page AS (
			SELECT x.article_id AS id, p.publish_at AS at
			FROM article_tags x CROSS JOIN articles p INDEXED BY articles_search_idx ON p.id = x.article_id
			JOIN categories c ON c.id = p.category_id
			WHERE x.tag_id = ? AND p.status = 'published' AND p.publish_at <= ? AND c.hidden = 0
			ORDER BY p.publish_at DESC, p.id DESC LIMIT ? OFFSET ?
		)
		SELECT ` + articleListColumns + ` FROM page g CROSS JOIN articles a ON a.id = g.id
		JOIN categories c ON c.id = a.category_id ORDER BY g.at DESC, a.id DESC`
	tagCountQuery = `SELECT count(*)
		FROM article_tags x CROSS JOIN articles a INDEXED BY articles_search_idx ON a.id = x.article_id
		JOIN categories c ON c.id = a.category_id
		WHERE x.tag_id = ? AND a.status = 'published' AND a.publish_at <= ? AND c.hidden = 0`
)

// PublicTagArticles lists a page of the public articles carrying a tag, newest first.
func (d *DB) PublicTagArticles(ctx context.Context, tagID int64, limit, offset int, now time.Time) ([]Article, error) {
	rows, err := d.rKept.QueryContext(ctx, tagArticlesQuery, tagID, unix(now), limit, offset)
	if err != nil {
		return nil, fmt.Errorf("db: articles of tag %d: %w", tagID, err)
	}
	out, err := scanArticles(rows)
	if err != nil {
		return nil, fmt.Errorf("db: articles of tag %d: %w", tagID, err)
	}
	return out, nil
}

// CountPublicTagArticles counts what PublicTagArticles pages through.
func (d *DB) CountPublicTagArticles(ctx context.Context, tagID int64, now time.Time) (int, error) {
	var n int
	err := d.rKept.QueryRowContext(ctx, tagCountQuery, tagID, unix(now)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("db: count articles of tag %d: %w", tagID, err)
	}
	return n, nil
}

// relatedQuery ranks the articles sharing tags with one article (?: its id, now, how many).
// One grouped pass over the articles sharing any of a's tags (at most
// MaxTagsOfArticle index ranges of article_tags_tag_idx), ranked on the covering
// articles_search_idx; only the n chosen rows are read whole. The CROSS JOINs keep
// that order: left to itself SQLite walked every published article (reading each
// row, body and all) to meet a list of shared articles that is often empty — 3 ms
// an article page on a database of 1,000, and most of a render under load.
const relatedQuery = `WITH shared AS (
			SELECT x2.article_id AS id, count(*) AS k
			FROM article_tags x1 JOIN article_tags x2 ON x2.tag_id = x1.tag_id AND x2.article_id != x1.article_id
			WHERE x1.article_id = ? GROUP BY x2.article_id
		), top AS (
			SELECT s.id, s.k, x.publish_at AS at
			FROM shared s CROSS JOIN articles x INDEXED BY articles_search_idx ON x.id = s.id
			JOIN categories c ON c.id = x.category_id
			WHERE x.status = 'published' AND x.publish_at <= ? AND c.hidden = 0
			ORDER BY s.k DESC, x.publish_at DESC, x.id DESC LIMIT ?
		)
		SELECT ` + articleListColumns + `, t.k FROM top t CROSS JOIN articles a ON a.id = t.id JOIN categories c ON c.id = a.category_id
		ORDER BY t.k DESC, t.at DESC, a.id DESC`

// RelatedArticles lists up to n public articles related to a: those sharing the most of
// its tags first (newest among equals), then the newest of its section.
func (d *DB) RelatedArticles(ctx context.Context, a Article, n int, now time.Time) ([]Article, error) {
	rows, err := d.rKept.QueryContext(ctx, relatedQuery, a.ID, unix(now), n)
	if err != nil {
		return nil, fmt.Errorf("db: related to %d: %w", a.ID, err)
	}
	var out []Article
	seen := map[int64]bool{a.ID: true}
	func() {
		defer rows.Close()
		for rows.Next() {
			var k int
			r, e := scanArticle(rows, &k)
			if e != nil {
				err = e
				return
			}
			seen[r.ID] = true
			out = append(out, r)
		}
		err = rows.Err()
	}()
	if err != nil {
		return nil, fmt.Errorf("db: related to %d: %w", a.ID, err)
	}
	if len(out) >= n {
		return out, nil
	}
	same, err := d.PublicArticles(ctx, PublicListQuery{CategoryID: a.CategoryID, Limit: n + len(out) + 1}, now)
	if err != nil {
		return nil, err
	}
	for _, r := range same {
		if len(out) == n {
			break
		}
		if !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// SitemapTag is a tag's entry in the sitemap.
type SitemapTag struct {
	Slug     string
	Modified time.Time // the newest change among its public articles
}

// SitemapTags lists the tags that have public articles, with their last change.
func (d *DB) SitemapTags(ctx context.Context, now time.Time) ([]SitemapTag, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT t.slug, max(max(a.publish_at, a.updated_at))
		FROM tags t JOIN article_tags x ON x.tag_id = t.id JOIN articles a ON a.id = x.article_id
		JOIN categories c ON c.id = a.category_id
		WHERE a.status = 'published' AND a.publish_at <= ? AND c.hidden = 0
		GROUP BY t.id ORDER BY t.slug`, unix(now))
	if err != nil {
		return nil, fmt.Errorf("db: sitemap tags: %w", err)
	}
	defer rows.Close()
	var out []SitemapTag
	for rows.Next() {
		var s SitemapTag
		var m int64
		if err := rows.Scan(&s.Slug, &m); err != nil {
			return nil, fmt.Errorf("db: sitemap tags: %w", err)
		}
		s.Modified = fromUnix(m)
		out = append(out, s)
	}
	return out, rows.Err()
}

// AddTag returns the id of the tag called name, creating it when new (imports).
func (b *Bulk) AddTag(name string) (int64, error) {
	id, _, err := ensureTag(b.ctx, b.tx, name, b.now)
	return id, err
}

// SetArticleTags replaces an article's tags by name (imports, demo content).
func (b *Bulk) SetArticleTags(articleID int64, names []string) error {
	_, err := setArticleTags(b.ctx, b.tx, articleID, names, b.now)
	return err
}
