package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Bulk writes many rows in one transaction: demo content, seeding and imports use it,
// since one transaction per row is far slower with SQLite.
type Bulk struct {
	ctx context.Context
	tx  *sql.Tx
	now time.Time
}

// InBulk runs fn with a Bulk writer; everything fn wrote is committed together, or
// nothing when fn fails.
func (d *DB) InBulk(ctx context.Context, fn func(b *Bulk) error) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		return fn(&Bulk{ctx: ctx, tx: tx, now: time.Now()})
	})
}

// AddCategory inserts a section.
func (b *Bulk) AddCategory(c Category) (int64, error) { return insertCategory(b.ctx, b.tx, c, b.now) }

// AddArticle inserts an article with its search row and first revision.
func (b *Bulk) AddArticle(a Article) (int64, error) { return insertArticle(b.ctx, b.tx, a, b.now) }

// AddComment inserts a comment, keeping the article's approved count.
func (b *Bulk) AddComment(c Comment) (int64, error) { return insertComment(b.ctx, b.tx, c) }

// HasArticles reports whether any article exists (demo content loads only into an empty site).
func (d *DB) HasArticles(ctx context.Context) (bool, error) {
	var n int
	if err := d.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM articles LIMIT 1)`).Scan(&n); err != nil {
		return false, fmt.Errorf("db: any articles: %w", err)
	}
	return n > 0, nil
}

// SetSetting stores a site setting.
func (b *Bulk) SetSetting(key, value string) error {
	_, err := b.tx.ExecContext(b.ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("db: set setting %q: %w", key, err)
	}
	return nil
}

// AddCommentUncounted inserts a comment without recounting its article's approved
// comments; call RecountComments after the bulk write.
func (b *Bulk) AddCommentUncounted(c Comment) (int64, error) {
	res, err := b.tx.ExecContext(b.ctx, `INSERT INTO comments (article_id, parent_id, name, phone, title, body,
		status, ip, user_agent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ArticleID, nullID(c.ParentID), c.Name, c.Phone, c.Title, c.Body, c.Status, c.IP, c.UserAgent, unix(c.CreatedAt))
	if err != nil {
		return 0, fmt.Errorf("db: insert comment on %d: %w", c.ArticleID, err)
	}
	return res.LastInsertId()
}

// RecountComments sets every article's approved comment count from the comments table.
func (d *DB) RecountComments(ctx context.Context) error {
	_, err := d.w.ExecContext(ctx, `UPDATE articles SET comment_count = coalesce(
		(SELECT count(*) FROM comments c WHERE c.article_id = articles.id AND c.status = 'approved'), 0),
		comments_version = comments_version + 1`)
	if err != nil {
		return fmt.Errorf("db: recount comments: %w", err)
	}
	d.changedAll()
	return nil
}
