package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// ArticleStatusCounts counts articles per status, those in the trash under "trash", and
// published ones whose time has not come under ListScheduled (not as published); authorID
// limits it to one author (0: all).
func (d *DB) ArticleStatusCounts(ctx context.Context, authorID int64, now time.Time) (map[string]int, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT CASE WHEN trashed_at IS NOT NULL THEN 'trash'
		WHEN status = 'published' AND publish_at > ? THEN 'scheduled' ELSE status END, count(*)
		FROM articles WHERE ? = 0 OR author_id = ? GROUP BY 1`, unix(now), authorID, authorID)
	if err != nil {
		return nil, fmt.Errorf("db: article counts: %w", err)
	}
	return scanStatusCounts(rows)
}

// scanStatusCounts reads (status, count) rows into a map.
func scanStatusCounts(rows *sql.Rows) (map[string]int, error) {
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// ArticleViews is an article with its views over a period.
type ArticleViews struct {
	Article
	PeriodViews int64
}

// MostRead lists the articles with the most views on days fromDay..toDay (YYYY-MM-DD).
func (d *DB) MostRead(ctx context.Context, fromDay, toDay string, limit int) ([]ArticleViews, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT `+articleListColumns+`, v.total
		FROM (SELECT article_id, sum(views) AS total FROM article_views_daily WHERE day BETWEEN ? AND ?
		      GROUP BY article_id ORDER BY total DESC LIMIT ?) v
		JOIN articles a ON a.id = v.article_id JOIN categories c ON c.id = a.category_id
		WHERE a.trashed_at IS NULL
		ORDER BY v.total DESC, a.id`, fromDay, toDay, limit)
	if err != nil {
		return nil, fmt.Errorf("db: most read: %w", err)
	}
	defer rows.Close()
	var out []ArticleViews
	for rows.Next() {
		var av ArticleViews
		var err error
		if av.Article, err = scanArticle(rows, &av.PeriodViews); err != nil {
			return nil, fmt.Errorf("db: most read: %w", err)
		}
		out = append(out, av)
	}
	return out, rows.Err()
}

// DailyViews sums views per day over fromDay..toDay.
func (d *DB) DailyViews(ctx context.Context, fromDay, toDay string) (map[string]int64, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT day, sum(views) FROM article_views_daily WHERE day BETWEEN ? AND ? GROUP BY day`,
		fromDay, toDay)
	if err != nil {
		return nil, fmt.Errorf("db: daily views: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var day string
		var n int64
		if err := rows.Scan(&day, &n); err != nil {
			return nil, err
		}
		out[day] = n
	}
	return out, rows.Err()
}

// CommentTimes lists when comments were posted in [from, to), for per-day counts in the
// site's zone (which SQL does not know).
func (d *DB) CommentTimes(ctx context.Context, from, to time.Time) ([]time.Time, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT created_at FROM comments WHERE created_at >= ? AND created_at < ?`, unix(from), unix(to))
	if err != nil {
		return nil, fmt.Errorf("db: comment times: %w", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			return nil, err
		}
		out = append(out, fromUnix(at))
	}
	return out, rows.Err()
}
