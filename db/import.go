package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Kinds of WordPress ids recorded by imports (table wordpress_ids).
const (
	WPAuthor   = "author"
	WPCategory = "category"
	WPPost     = "post"
	WPComment  = "comment"
	WPTag      = "tag"
	WPPage     = "page"
)

// ImportedPasswordHash is stored for users created by an import: it is not a bcrypt hash,
// so no password can ever match it, and the users are disabled besides. An admin who
// wants one of them to log in sets a password and enables the account.
const ImportedPasswordHash = "!imported: no password"

// WordPressID returns the local id recorded for a WordPress id, ok=false when none.
func (b *Bulk) WordPressID(kind, wpID string) (int64, bool, error) {
	var id int64
	err := b.tx.QueryRowContext(b.ctx, `SELECT local_id FROM wordpress_ids WHERE kind = ? AND wp_id = ?`, kind, wpID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("db: wordpress %s %q: %w", kind, wpID, err)
	}
	return id, true, nil
}

// SetWordPressID records which local row a WordPress id became.
func (b *Bulk) SetWordPressID(kind, wpID string, localID int64) error {
	_, err := b.tx.ExecContext(b.ctx, `INSERT INTO wordpress_ids (kind, wp_id, local_id) VALUES (?, ?, ?)
		ON CONFLICT (kind, wp_id) DO UPDATE SET local_id = excluded.local_id`, kind, wpID, localID)
	if err != nil {
		return fmt.Errorf("db: record wordpress %s %q: %w", kind, wpID, err)
	}
	return nil
}

// AddImportedUser creates a disabled author account for a byline brought in by an
// import. The login name is name, or name-2, name-3... when taken; it returns the id
// and the login name used.
func (b *Bulk) AddImportedUser(name, displayName string) (int64, string, error) {
	login := name
	for i := 2; ; i++ {
		var taken int
		if err := b.tx.QueryRowContext(b.ctx, `SELECT count(*) FROM users WHERE name = ?`, login).Scan(&taken); err != nil {
			return 0, "", fmt.Errorf("db: check user %q: %w", login, err)
		}
		if taken == 0 {
			break
		}
		login = name + "-" + strconv.Itoa(i)
	}
	res, err := b.tx.ExecContext(b.ctx, `INSERT INTO users (name, display_name, password_hash, role, disabled, created_at, updated_at)
		VALUES (?, ?, ?, 'author', 1, ?, ?)`, login, displayName, ImportedPasswordHash, unix(b.now), unix(b.now))
	if err != nil {
		return 0, "", fmt.Errorf("db: create imported user %q: %w", login, err)
	}
	id, err := res.LastInsertId()
	return id, login, err
}

// CategoryIDBySlug returns the id of the section with this slug, ok=false when none.
func (b *Bulk) CategoryIDBySlug(slug string) (int64, bool, error) {
	var id int64
	err := b.tx.QueryRowContext(b.ctx, `SELECT id FROM categories WHERE slug = ?`, slug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("db: category %q: %w", slug, err)
	}
	return id, true, nil
}

// NextCategoryPosition is the menu position after the last section.
func (b *Bulk) NextCategoryPosition() (int, error) {
	var n int
	if err := b.tx.QueryRowContext(b.ctx, `SELECT coalesce(max(position), 0) + 1 FROM categories`).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: next category position: %w", err)
	}
	return n, nil
}

// AddWordPressPermalink records an old /YYYY/MM/post-name/ address of an article.
func (b *Bulk) AddWordPressPermalink(year, month int, postName string, articleID int64) error {
	_, err := b.tx.ExecContext(b.ctx, `INSERT INTO wordpress_permalinks (year, month, post_name, article_id)
		VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, year, month, postName, articleID)
	if err != nil {
		return fmt.Errorf("db: record permalink %d/%d/%s: %w", year, month, postName, err)
	}
	return nil
}

// Now is the time the bulk write started, for rows that need a creation time.
func (b *Bulk) Now() time.Time { return b.now }

// WordPressArticle returns the id of the article imported from WordPress post wpID.
func (d *DB) WordPressArticle(ctx context.Context, wpID int64) (int64, error) {
	var id int64
	err := d.r.QueryRowContext(ctx, `SELECT local_id FROM wordpress_ids WHERE kind = 'post' AND wp_id = ?`,
		strconv.FormatInt(wpID, 10)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("db: wordpress post %d: %w", wpID, notFound(err))
	}
	return id, nil
}

// WordPressPermalink returns the id of the article that had the WordPress permalink
// /year/month/postName/.
func (d *DB) WordPressPermalink(ctx context.Context, year, month int, postName string) (int64, error) {
	var id int64
	err := d.r.QueryRowContext(ctx, `SELECT article_id FROM wordpress_permalinks
		WHERE year = ? AND month = ? AND post_name = ?`, year, month, postName).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("db: wordpress permalink %d/%d/%s: %w", year, month, postName, notFound(err))
	}
	return id, nil
}

// WordPressCategory returns the section imported from WordPress category term wpID.
func (d *DB) WordPressCategory(ctx context.Context, wpID int64) (Category, error) {
	c, err := scanCategory(d.r.QueryRowContext(ctx, `SELECT `+categoryColumns+` FROM categories
		WHERE id = (SELECT local_id FROM wordpress_ids WHERE kind = 'category' AND wp_id = ?)`, strconv.FormatInt(wpID, 10)))
	if err != nil {
		return c, fmt.Errorf("db: wordpress category %d: %w", wpID, notFound(err))
	}
	return c, nil
}

// AddFeatured puts an article last among the featured stories, unless it is there
// already (imports of sticky posts).
func (b *Bulk) AddFeatured(articleID int64) error {
	_, err := b.tx.ExecContext(b.ctx, `INSERT INTO featured (article_id, position, created_at)
		SELECT ?, coalesce(max(position), 0) + 1, ? FROM featured WHERE true ON CONFLICT DO NOTHING`, articleID, unix(b.now))
	if err != nil {
		return fmt.Errorf("db: feature article %d: %w", articleID, err)
	}
	return nil
}

// WordPressPage returns the slug of the published page imported from WordPress page wpID.
func (d *DB) WordPressPage(ctx context.Context, wpID int64) (string, error) {
	var slug string
	err := d.r.QueryRowContext(ctx, `SELECT slug FROM pages WHERE status = 'published'
		AND id = (SELECT local_id FROM wordpress_ids WHERE kind = 'page' AND wp_id = ?)`, strconv.FormatInt(wpID, 10)).Scan(&slug)
	if err != nil {
		return "", fmt.Errorf("db: wordpress page %d: %w", wpID, notFound(err))
	}
	return slug, nil
}
