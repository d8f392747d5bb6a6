package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// MaxFeatured bounds the featured list: the lead and a short "Tin nổi bật" block.
const MaxFeatured = 12

// ErrTooManyFeatured is a pin beyond MaxFeatured.
var ErrTooManyFeatured = fmt.Errorf("db: at most %d featured articles", MaxFeatured)

// featuredQuery reads the featured list from its own few rows: the CROSS JOIN keeps
// SQLite from walking every published article (the sidebar of every article page, 77 % of
// a render on 100,000 articles) to meet a list of at most MaxFeatured, often none.
const featuredQuery = `SELECT ` + articleListColumns + `
		FROM featured f CROSS JOIN articles a ON a.id = f.article_id JOIN categories c ON c.id = a.category_id
		WHERE a.status = 'published' AND a.publish_at <= ? AND c.hidden = 0
		ORDER BY f.position, f.article_id`

// FeaturedArticles lists the pinned articles readers may see, in the editors' order:
// the first is the home page's lead, the rest fill "Tin nổi bật".
func (d *DB) FeaturedArticles(ctx context.Context, now time.Time) ([]Article, error) {
	rows, err := d.rKept.QueryContext(ctx, featuredQuery, unix(now))
	if err != nil {
		return nil, fmt.Errorf("db: featured: %w", err)
	}
	out, err := scanArticles(rows)
	if err != nil {
		return nil, fmt.Errorf("db: featured: %w", err)
	}
	return out, nil
}

// FeaturedForAdmin lists every pinned article, whatever its status (a scheduled one
// waits in its place), in order.
func (d *DB) FeaturedForAdmin(ctx context.Context) ([]Article, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT `+articleListColumns+`
		FROM featured f CROSS JOIN articles a ON a.id = f.article_id JOIN categories c ON c.id = a.category_id
		ORDER BY f.position, f.article_id`)
	if err != nil {
		return nil, fmt.Errorf("db: featured: %w", err)
	}
	out, err := scanArticles(rows)
	if err != nil {
		return nil, fmt.Errorf("db: featured: %w", err)
	}
	return out, nil
}

func featuredIDs(ctx context.Context, tx *sql.Tx) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT article_id FROM featured ORDER BY position, article_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// renumberFeatured stores ids as the featured order, positions 1..n.
func renumberFeatured(ctx context.Context, tx *sql.Tx, ids []int64) error {
	for i, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE featured SET position = ? WHERE article_id = ?`, i+1, id); err != nil {
			return fmt.Errorf("db: order featured: %w", err)
		}
	}
	return nil
}

// FeatureArticle pins an article: first (the lead) when lead, else last. Pinning a
// pinned article moves it. Trashed articles cannot be pinned.
func (d *DB) FeatureArticle(ctx context.Context, by Actor, now time.Time, id int64, lead bool) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := articleTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if !cur.TrashedAt.IsZero() {
			return ErrTrashed
		}
		ids, err := featuredIDs(ctx, tx)
		if err != nil {
			return err
		}
		rest := ids[:0:0]
		for _, x := range ids {
			if x != id {
				rest = append(rest, x)
			}
		}
		if len(rest) >= MaxFeatured {
			return ErrTooManyFeatured
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO featured (article_id, position, created_by, created_at)
			VALUES (?, 0, ?, ?) ON CONFLICT (article_id) DO NOTHING`, id, nullID(by.UserID), unix(now)); err != nil {
			return fmt.Errorf("db: feature %d: %w", id, err)
		}
		order := append(rest, id)
		detail := "tin nổi bật"
		if lead {
			order = append([]int64{id}, rest...)
			detail = "tin chính trang chủ"
		}
		if err := renumberFeatured(ctx, tx, order); err != nil {
			return err
		}
		return writeAudit(ctx, tx, by, now, "article.feature", ObjectArticle, id, cur.Title+" ("+detail+")")
	})
}

// UnfeatureArticle unpins an article; unpinning one not pinned is a success.
func (d *DB) UnfeatureArticle(ctx context.Context, by Actor, now time.Time, id int64) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM featured WHERE article_id = ?`, id)
		if err != nil {
			return fmt.Errorf("db: unfeature %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		ids, err := featuredIDs(ctx, tx)
		if err != nil {
			return err
		}
		if err := renumberFeatured(ctx, tx, ids); err != nil {
			return err
		}
		return writeAudit(ctx, tx, by, now, "article.unfeature", ObjectArticle, id, "")
	})
}

// MoveFeatured swaps a pinned article with its neighbour above (up) or below.
func (d *DB) MoveFeatured(ctx context.Context, by Actor, now time.Time, id int64, up bool) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := featuredIDs(ctx, tx)
		if err != nil {
			return err
		}
		i := -1
		for k, x := range ids {
			if x == id {
				i = k
			}
		}
		if i < 0 {
			return ErrNotFound
		}
		j := i + 1
		if up {
			j = i - 1
		}
		if j < 0 || j >= len(ids) {
			return nil
		}
		ids[i], ids[j] = ids[j], ids[i]
		if err := renumberFeatured(ctx, tx, ids); err != nil {
			return err
		}
		dir := "xuống"
		if up {
			dir = "lên"
		}
		return writeAudit(ctx, tx, by, now, "article.feature_move", ObjectArticle, id, fmt.Sprintf("%s, vị trí %d", dir, j+1))
	})
}

// IsFeatured reports whether an article is pinned.
func (d *DB) IsFeatured(ctx context.Context, id int64) (bool, error) {
	var n int
	if err := d.r.QueryRowContext(ctx, `SELECT count(*) FROM featured WHERE article_id = ?`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("db: is featured %d: %w", id, err)
	}
	return n > 0, nil
}

// FeatureArticle pins an article after the others (imports: WordPress's sticky posts);
// pinning a pinned article or pinning beyond MaxFeatured changes nothing.
func (b *Bulk) FeatureArticle(id int64) error {
	var n int
	if err := b.tx.QueryRowContext(b.ctx, `SELECT count(*) FROM featured`).Scan(&n); err != nil {
		return fmt.Errorf("db: count featured: %w", err)
	}
	if n >= MaxFeatured {
		return nil
	}
	_, err := b.tx.ExecContext(b.ctx, `INSERT INTO featured (article_id, position, created_at)
		VALUES (?, (SELECT coalesce(max(position), 0) + 1 FROM featured), ?) ON CONFLICT (article_id) DO NOTHING`, id, unix(b.now))
	if err != nil {
		return fmt.Errorf("db: feature %d: %w", id, err)
	}
	return nil
}
