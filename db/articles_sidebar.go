package db

import (
	"context"
	"fmt"
	"time"
)

// MostReadArticles lists the n published articles with the most views, in sections shown
// in the menu: the "Tin đọc nhiều" block.
func (d *DB) MostReadArticles(ctx context.Context, n int, now time.Time) ([]Article, error) {
	rows, err := d.rKept.QueryContext(ctx, `SELECT `+articleListColumns+`
		FROM articles a INDEXED BY articles_views_idx JOIN categories c ON c.id = a.category_id
		WHERE a.status = 'published' AND a.publish_at <= ? AND c.hidden = 0
		ORDER BY a.views DESC, a.id DESC LIMIT ?`, unix(now), n)
	if err != nil {
		return nil, fmt.Errorf("db: most read articles: %w", err)
	}
	out, err := scanArticles(rows)
	if err != nil {
		return nil, fmt.Errorf("db: most read articles: %w", err)
	}
	return out, nil
}
