package db

import (
	"context"
	"fmt"
	"time"
)

// SitemapArticle is one article's entry in the sitemap.
type SitemapArticle struct {
	ID       int64
	Slug     string
	Modified time.Time // the later of its publish and update times
}

// SitemapArticles lists a page of the public articles (sections not hidden) by id, for
// the sitemap: only what a <url> needs, so 50,000 of them stay cheap.
func (d *DB) SitemapArticles(ctx context.Context, now time.Time, limit, offset int) ([]SitemapArticle, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT a.id, a.slug, max(a.publish_at, a.updated_at)
		FROM articles a JOIN categories c ON c.id = a.category_id
		WHERE a.status = 'published' AND a.publish_at <= ? AND c.hidden = 0
		ORDER BY a.id LIMIT ? OFFSET ?`, unix(now), limit, offset)
	if err != nil {
		return nil, fmt.Errorf("db: sitemap articles: %w", err)
	}
	defer rows.Close()
	var out []SitemapArticle
	for rows.Next() {
		var s SitemapArticle
		var modified int64
		if err := rows.Scan(&s.ID, &s.Slug, &modified); err != nil {
			return nil, fmt.Errorf("db: sitemap articles: %w", err)
		}
		s.Modified = fromUnix(modified)
		out = append(out, s)
	}
	return out, rows.Err()
}

// SectionsLastPublished maps each section's id to the newest change among its public
// articles (publish or update time), for the sitemap's lastmod of section pages; the
// zero key holds the newest over all sections.
func (d *DB) SectionsLastPublished(ctx context.Context, now time.Time) (map[int64]time.Time, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT a.category_id, max(max(a.publish_at, a.updated_at))
		FROM articles a JOIN categories c ON c.id = a.category_id
		WHERE a.status = 'published' AND a.publish_at <= ? AND c.hidden = 0
		GROUP BY a.category_id`, unix(now))
	if err != nil {
		return nil, fmt.Errorf("db: sections last published: %w", err)
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		var id, last int64
		if err := rows.Scan(&id, &last); err != nil {
			return nil, fmt.Errorf("db: sections last published: %w", err)
		}
		t := fromUnix(last)
		out[id] = t
		if t.After(out[0]) {
			out[0] = t
		}
	}
	return out, rows.Err()
}

// CommentsChangedAt is the latest time a comment of an article was published or
// moderated (zero when it has none): a comment approved, hidden or deleted changes the
// article page, so its Last-Modified must move too; a comment waiting for moderation does
// not. Both halves are index searches (comments_article_idx, comments_moderated_idx):
// reading every comment of the article made each render of a page cost as much as its
// moderation queue was long.
func (d *DB) CommentsChangedAt(ctx context.Context, articleID int64) (time.Time, error) {
	var last int64
	err := d.rKept.QueryRowContext(ctx, `SELECT max(
		coalesce((SELECT max(created_at) FROM comments WHERE article_id = ?1 AND status = 'approved'), 0),
		coalesce((SELECT max(moderated_at) FROM comments WHERE article_id = ?1 AND moderated_at IS NOT NULL), 0))`,
		articleID).Scan(&last)
	if err != nil {
		return time.Time{}, fmt.Errorf("db: comments changed at %d: %w", articleID, err)
	}
	if last == 0 {
		return time.Time{}, nil
	}
	return fromUnix(last), nil
}
