package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"toasoan/internal/vntext"
)

// Article statuses.
const (
	StatusDraft     = "draft"
	StatusReview    = "review"
	StatusPublished = "published"
	StatusArchived  = "archived"
)

// Article is a news article with its section's slug and name joined in.
type Article struct {
	ID             int64
	Slug           string
	Title          string
	Lead           string
	BodyHTML       string // sanitized HTML; empty in list queries
	Byline         string
	CategoryID     int64
	CategorySlug   string
	CategoryName   string
	AuthorID       int64 // 0 when none
	Status         string
	PublishAt      time.Time // zero when unset
	CoverMediaID   int64     // 0 when none
	CoverAlt       string
	ReviewNote     string
	Views          int64
	CommentCount   int
	Version        int
	CommentsClosed bool      // readers may not post new comments
	TrashedAt      time.Time // zero unless the article is in the trash
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// articleListColumns leave the body out, but for an article without a lead they load its
// start, from which its description is made (views.Description).
const articleListColumns = `a.id, a.slug, a.title, a.lead, CASE a.lead WHEN '' THEN substr(a.body_html, 1, 4000) ELSE '' END, a.byline, a.category_id, c.slug, c.name,
	coalesce(a.author_id, 0), a.status, coalesce(a.publish_at, 0), coalesce(a.cover_media_id, 0), a.cover_alt,
	a.review_note, a.views, a.comment_count, a.version, a.comments_closed, coalesce(a.trashed_at, 0),
	a.created_at, a.updated_at`

const articleFullColumns = `a.id, a.slug, a.title, a.lead, a.body_html, a.byline, a.category_id, c.slug, c.name,
	coalesce(a.author_id, 0), a.status, coalesce(a.publish_at, 0), coalesce(a.cover_media_id, 0), a.cover_alt,
	a.review_note, a.views, a.comment_count, a.version, a.comments_closed, coalesce(a.trashed_at, 0),
	a.created_at, a.updated_at`

// scanArticle reads the article columns, then any extra columns a query adds after them
// (one scanner for every list, so a new column is added in one place).
func scanArticle(row interface{ Scan(...any) error }, extra ...any) (Article, error) {
	var a Article
	var publish, trashed, created, updated int64
	err := row.Scan(append([]any{&a.ID, &a.Slug, &a.Title, &a.Lead, &a.BodyHTML, &a.Byline, &a.CategoryID, &a.CategorySlug,
		&a.CategoryName, &a.AuthorID, &a.Status, &publish, &a.CoverMediaID, &a.CoverAlt, &a.ReviewNote,
		&a.Views, &a.CommentCount, &a.Version, &a.CommentsClosed, &trashed, &created, &updated}, extra...)...)
	if publish != 0 {
		a.PublishAt = fromUnix(publish)
	}
	if trashed != 0 {
		a.TrashedAt = fromUnix(trashed)
	}
	a.CreatedAt, a.UpdatedAt = fromUnix(created), fromUnix(updated)
	return a, err
}

func scanArticles(rows *sql.Rows) ([]Article, error) {
	defer rows.Close()
	var out []Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// IsPublic reports whether readers may see the article at time now.
func (a Article) IsPublic(now time.Time) bool {
	return a.Status == StatusPublished && !a.PublishAt.IsZero() && !a.PublishAt.After(now)
}

// PublicArticle returns a published article whose publish time has come; drafts,
// scheduled and archived articles are ErrNotFound.
func (d *DB) PublicArticle(ctx context.Context, id int64, now time.Time) (Article, error) {
	return d.publicArticle(ctx, articleFullColumns, id, now)
}

// publicArticle reads columns (articleFullColumns or articleHeadColumns) of a public article.
func (d *DB) publicArticle(ctx context.Context, columns string, id int64, now time.Time) (Article, error) {
	a, err := scanArticle(d.rKept.QueryRowContext(ctx, `SELECT `+columns+`
		FROM articles a JOIN categories c ON c.id = a.category_id
		WHERE a.id = ? AND a.status = 'published' AND a.publish_at <= ?`, id, unix(now)))
	if err != nil {
		return a, fmt.Errorf("db: public article %d: %w", id, notFound(err))
	}
	return a, nil
}

// articleHeadColumns are articleListColumns without the body excerpt: what the comment
// routes need of their article.
const articleHeadColumns = `a.id, a.slug, a.title, a.lead, '', a.byline, a.category_id, c.slug, c.name,
	coalesce(a.author_id, 0), a.status, coalesce(a.publish_at, 0), coalesce(a.cover_media_id, 0), a.cover_alt,
	a.review_note, a.views, a.comment_count, a.version, a.comments_closed, coalesce(a.trashed_at, 0),
	a.created_at, a.updated_at`

// PublicArticleHead is PublicArticle without the body: a comment post, a like or a form
// needs to know the article is public, its address and whether comments are open, and
// reading the body (tens of KB) on every post was a third of posting's CPU.
func (d *DB) PublicArticleHead(ctx context.Context, id int64, now time.Time) (Article, error) {
	return d.publicArticle(ctx, articleHeadColumns, id, now)
}

// ArticleByID returns any article, whatever its status (for the back office).
func (d *DB) ArticleByID(ctx context.Context, id int64) (Article, error) {
	a, err := scanArticle(d.r.QueryRowContext(ctx, `SELECT `+articleFullColumns+`
		FROM articles a JOIN categories c ON c.id = a.category_id WHERE a.id = ?`, id))
	if err != nil {
		return a, fmt.Errorf("db: article %d: %w", id, notFound(err))
	}
	return a, nil
}

// PublicListQuery selects a page of published articles, newest first.
type PublicListQuery struct {
	CategoryID int64 // 0 for all sections
	Limit      int
	Offset     int
}

// PublicArticles lists published articles (without bodies), newest first.
func (d *DB) PublicArticles(ctx context.Context, q PublicListQuery, now time.Time) ([]Article, error) {
	// Two statements rather than "(? = 0 OR category_id = ?)": that OR keeps SQLite from
	// using the per-section index, which made section pages 100× slower at 100,000 articles.
	var rows *sql.Rows
	var err error
	if q.CategoryID != 0 {
		rows, err = d.rKept.QueryContext(ctx, `SELECT `+articleListColumns+`
			FROM articles a JOIN categories c ON c.id = a.category_id
			WHERE a.category_id = ? AND a.status = 'published' AND a.publish_at <= ?
			ORDER BY a.publish_at DESC, a.id DESC LIMIT ? OFFSET ?`,
			q.CategoryID, unix(now), q.Limit, q.Offset)
	} else {
		rows, err = d.rKept.QueryContext(ctx, `SELECT `+articleListColumns+`
			FROM articles a JOIN categories c ON c.id = a.category_id
			WHERE a.status = 'published' AND a.publish_at <= ? AND c.hidden = 0
			ORDER BY a.publish_at DESC, a.id DESC LIMIT ? OFFSET ?`,
			unix(now), q.Limit, q.Offset)
	}
	if err != nil {
		return nil, fmt.Errorf("db: public articles: %w", err)
	}
	out, err := scanArticles(rows)
	if err != nil {
		return nil, fmt.Errorf("db: public articles: %w", err)
	}
	return out, nil
}

// CountPublicArticles counts what PublicArticles pages through.
func (d *DB) CountPublicArticles(ctx context.Context, categoryID int64, now time.Time) (int, error) {
	var n int
	var err error
	if categoryID != 0 {
		err = d.rKept.QueryRowContext(ctx, `SELECT count(*) FROM articles
			WHERE category_id = ? AND status = 'published' AND publish_at <= ?`, categoryID, unix(now)).Scan(&n)
	} else {
		err = d.rKept.QueryRowContext(ctx, `SELECT count(*) FROM articles a JOIN categories c ON c.id = a.category_id
			WHERE a.status = 'published' AND a.publish_at <= ? AND c.hidden = 0`, unix(now)).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("db: count public articles: %w", err)
	}
	return n, nil
}

// NeighbourArticles lists up to n published articles of a's section published after a
// (newer, oldest first so the nearest is first) or before it (older, newest first).
func (d *DB) NeighbourArticles(ctx context.Context, a Article, newer bool, n int, now time.Time) ([]Article, error) {
	cmp, order := "<", "DESC"
	if newer {
		cmp, order = ">", "ASC"
	}
	// (publish_at, id) ordering breaks ties between articles published in the same second.
	rows, err := d.rKept.QueryContext(ctx, `SELECT `+articleListColumns+`
		FROM articles a JOIN categories c ON c.id = a.category_id
		WHERE a.category_id = ? AND a.status = 'published' AND a.publish_at <= ?
		  AND (a.publish_at, a.id) `+cmp+` (?, ?)
		ORDER BY a.publish_at `+order+`, a.id `+order+` LIMIT ?`,
		a.CategoryID, unix(now), unix(a.PublishAt), a.ID, n)
	if err != nil {
		return nil, fmt.Errorf("db: neighbours of %d: %w", a.ID, err)
	}
	out, err := scanArticles(rows)
	if err != nil {
		return nil, fmt.Errorf("db: neighbours of %d: %w", a.ID, err)
	}
	if newer { // show newest first, like every other list
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}

// CreateArticle inserts an article with its search-index row and first revision, and
// returns its id. The slug is made unique by appending a number when taken.
func (d *DB) CreateArticle(ctx context.Context, a Article) (int64, error) {
	var id int64
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = insertArticle(ctx, tx, a, time.Now())
		return err
	})
	return id, err
}

func insertArticle(ctx context.Context, tx *sql.Tx, a Article, now time.Time) (int64, error) {
	a = normalizeArticle(a)
	slug, err := uniqueSlug(ctx, tx, a.Slug, 0)
	if err != nil {
		return 0, err
	}
	created := a.CreatedAt
	if created.IsZero() {
		created = now
	}
	updated := a.UpdatedAt
	if updated.IsZero() {
		updated = created
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO articles (slug, title, lead, body_html, byline, category_id,
		author_id, status, publish_at, cover_media_id, cover_alt, views, comments_closed, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		slug, a.Title, a.Lead, a.BodyHTML, a.Byline, a.CategoryID, nullID(a.AuthorID), a.Status,
		nullTime(a.PublishAt), nullID(a.CoverMediaID), a.CoverAlt, a.Views, boolInt(a.CommentsClosed), unix(created), unix(updated))
	if err != nil {
		return 0, fmt.Errorf("db: create article %q: %w", a.Title, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if err := indexArticle(ctx, tx, id, a.Title, a.Lead, a.BodyHTML); err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO article_revisions (article_id, title, lead, body_html, byline,
		category_id, editor_id, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?)`,
		id, a.Title, a.Lead, a.BodyHTML, a.Byline, a.CategoryID, nullID(a.AuthorID), unix(now))
	if err != nil {
		return 0, fmt.Errorf("db: first revision of %d: %w", id, err)
	}
	return id, nil
}

// uniqueSlug returns slug, or slug-2, slug-3, ... when another article holds it.
func uniqueSlug(ctx context.Context, tx *sql.Tx, slug string, selfID int64) (string, error) {
	base := slug
	for i := 2; ; i++ {
		var taken int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM articles WHERE slug = ? AND id != ?`, slug, selfID).Scan(&taken)
		if err != nil {
			return "", fmt.Errorf("db: check slug %q: %w", slug, err)
		}
		if taken == 0 {
			return slug, nil
		}
		slug = fmt.Sprintf("%s-%d", base, i)
	}
}

// indexArticle replaces the article's search row with accent-folded text: FTS5 folds
// neither đ nor NFD spellings, so the index holds vntext.Fold output.
func indexArticle(ctx context.Context, tx *sql.Tx, id int64, title, lead, bodyHTML string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM articles_fts WHERE rowid = ?`, id); err != nil {
		return fmt.Errorf("db: unindex article %d: %w", id, err)
	}
	// plainText decodes every entity (bluemonday writes &#34; and &#39;), exactly as the
	// snippets shown with the results do.
	_, err := tx.ExecContext(ctx, `INSERT INTO articles_fts (rowid, title, lead, body) VALUES (?, ?, ?, ?)`,
		id, vntext.Fold(title), vntext.Fold(lead), vntext.Fold(plainText(bodyHTML)))
	if err != nil {
		return fmt.Errorf("db: index article %d: %w", id, err)
	}
	return nil
}

// AddViews adds buffered view counts to the articles' totals and to the day's tally, in
// one transaction: a burst of views costs one write.
func (d *DB) AddViews(ctx context.Context, day string, counts map[int64]int64) error {
	if len(counts) == 0 {
		return nil
	}
	// Quiet: view counts on cached pages may lag by the cache's lifetime rather than
	// retiring every cached page every few seconds.
	return d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		total, err := tx.PrepareContext(ctx, `UPDATE articles SET views = views + ? WHERE id = ?`)
		if err != nil {
			return err
		}
		defer total.Close()
		daily, err := tx.PrepareContext(ctx, `INSERT INTO article_views_daily (day, article_id, views)
			SELECT ?, id, ? FROM articles WHERE id = ?
			ON CONFLICT (day, article_id) DO UPDATE SET views = views + excluded.views`)
		if err != nil {
			return err
		}
		defer daily.Close()
		for id, n := range counts {
			if _, err := total.ExecContext(ctx, n, id); err != nil {
				return fmt.Errorf("db: add views to %d: %w", id, err)
			}
			if _, err := daily.ExecContext(ctx, day, n, id); err != nil {
				return fmt.Errorf("db: add daily views to %d: %w", id, err)
			}
		}
		return nil
	})
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return unix(t)
}

// PublishedBetween reports whether an article's publish time falls in (from, to]: a
// scheduled article became visible, which changes public pages without any write.
func (d *DB) PublishedBetween(ctx context.Context, from, to time.Time) (bool, error) {
	var n int
	err := d.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM articles
		WHERE status = 'published' AND publish_at > ? AND publish_at <= ? LIMIT 1)`, unix(from), unix(to)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("db: published between: %w", err)
	}
	return n > 0, nil
}
