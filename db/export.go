package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// ExportVisitor receives everything public, in order: sections, then articles, then
// comments. Returning an error stops the export.
type ExportVisitor struct {
	Section func(Category) error
	Article func(Article) error
	Comment func(PublicComment) error
}

// PublicComment is an approved comment as readers see it: no phone, IP or user agent.
type PublicComment struct {
	ID        int64
	ArticleID int64
	ParentID  int64 // 0 when none
	Name      string
	Title     string
	Body      string
	CreatedAt time.Time
}

// Export walks everything public at time now inside one read transaction, so sections,
// articles and comments come from one consistent snapshot even while the server writes.
// Public means: sections not hidden, articles published with a publish time that has
// come (with their bodies), and approved comments of those articles.
func (d *DB) Export(ctx context.Context, now time.Time, v ExportVisitor) error {
	tx, err := d.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("db: export: %w", err)
	}
	defer tx.Rollback()
	if err := exportSections(ctx, tx, v.Section); err != nil {
		return err
	}
	if err := exportArticles(ctx, tx, now, v.Article); err != nil {
		return err
	}
	return exportComments(ctx, tx, now, v.Comment)
}

func exportSections(ctx context.Context, tx *sql.Tx, fn func(Category) error) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+categoryColumns+` FROM categories WHERE hidden = 0 ORDER BY position, id`)
	if err != nil {
		return fmt.Errorf("db: export sections: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCategory(rows)
		if err != nil {
			return fmt.Errorf("db: export sections: %w", err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

func exportArticles(ctx context.Context, tx *sql.Tx, now time.Time, fn func(Article) error) error {
	// One row at a time: an archive of years of articles never sits in memory whole.
	rows, err := tx.QueryContext(ctx, `SELECT `+articleFullColumns+`
		FROM articles a JOIN categories c ON c.id = a.category_id
		WHERE a.status = 'published' AND a.publish_at <= ? ORDER BY a.publish_at, a.id`, unix(now))
	if err != nil {
		return fmt.Errorf("db: export articles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return fmt.Errorf("db: export articles: %w", err)
		}
		a.ReviewNote = "" // editors' notes are not public
		if err := fn(a); err != nil {
			return err
		}
	}
	return rows.Err()
}

func exportComments(ctx context.Context, tx *sql.Tx, now time.Time, fn func(PublicComment) error) error {
	rows, err := tx.QueryContext(ctx, `SELECT m.id, m.article_id, coalesce(m.parent_id, 0), m.name, m.title, m.body, m.created_at
		FROM comments m JOIN articles a ON a.id = m.article_id
		WHERE m.status = 'approved' AND a.status = 'published' AND a.publish_at <= ?
		ORDER BY m.article_id, m.created_at, m.id`, unix(now))
	if err != nil {
		return fmt.Errorf("db: export comments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c PublicComment
		var created int64
		if err := rows.Scan(&c.ID, &c.ArticleID, &c.ParentID, &c.Name, &c.Title, &c.Body, &created); err != nil {
			return fmt.Errorf("db: export comments: %w", err)
		}
		c.CreatedAt = fromUnix(created)
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}
