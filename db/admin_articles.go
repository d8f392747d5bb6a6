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

// Errors of the editorial workflow.
var (
	ErrStale          = errors.New("db: the article changed since the form was opened")
	ErrBadTransition  = errors.New("db: this status change is not allowed")
	ErrUnknownSection = errors.New("db: unknown section")
	ErrTrashed        = errors.New("db: the article is in the trash")
)

// ArticleInput is what the editor form writes.
type ArticleInput struct {
	Title        string
	Lead         string
	BodyHTML     string // already sanitized
	Byline       string
	CategoryID   int64
	Slug         string
	CoverMediaID int64
	CoverAlt     string
	PublishAt    time.Time // zero: not set
	// CommentsClosed: readers may not post new comments (existing ones stay).
	CommentsClosed bool
	// Tags by name, in the order given; new names become tags. Applied only when SetTags
	// (a restored revision leaves the tags alone).
	Tags    []string
	SetTags bool
}

// AdminArticle is a row of the back office's article list.
type AdminArticle struct {
	Article
	AuthorName string
}

// ListScheduled names, in lists and counts, the published articles whose publish time is
// still to come ("Hẹn giờ"). It is not a stored status: publishing with a future time
// keeps status published, and the public queries compare the time.
const ListScheduled = "scheduled"

// AdminArticleQuery filters the back office's article list.
type AdminArticleQuery struct {
	Status     string // a status, or ListScheduled (published, time to come); published then means on the site
	Now        time.Time
	CategoryID int64
	AuthorID   int64
	Text       string // words of the title, lead or body, accents optional
	Trash      bool   // list the trash instead of the articles outside it
	Limit      int
	Offset     int
}

// adminFTSMatch turns user words into an FTS5 query of quoted prefix terms: folded like the
// index, and quoted so no word is read as FTS syntax.
func adminFTSMatch(text string) string {
	var terms []string
	for _, w := range strings.Fields(vntext.Fold(text)) {
		w = strings.Trim(w, `"'.,;:!?()[]{}*^-+`)
		if w == "" {
			continue
		}
		terms = append(terms, `"`+strings.ReplaceAll(w, `"`, `""`)+`"*`)
		if len(terms) == 10 {
			break
		}
	}
	return strings.Join(terms, " ")
}

func (q AdminArticleQuery) where() (string, []any) {
	conds := []string{"a.trashed_at IS NULL"}
	if q.Trash {
		conds[0] = "a.trashed_at IS NOT NULL"
	}
	var args []any
	switch q.Status {
	case "":
	case ListScheduled:
		conds, args = append(conds, "a.status = 'published' AND a.publish_at > ?"), append(args, unix(q.Now))
	case StatusPublished:
		conds, args = append(conds, "a.status = 'published' AND (a.publish_at IS NULL OR a.publish_at <= ?)"), append(args, unix(q.Now))
	default:
		conds, args = append(conds, "a.status = ?"), append(args, q.Status)
	}
	if q.CategoryID != 0 {
		conds, args = append(conds, "a.category_id = ?"), append(args, q.CategoryID)
	}
	if q.AuthorID != 0 {
		conds, args = append(conds, "a.author_id = ?"), append(args, q.AuthorID)
	}
	if m := adminFTSMatch(q.Text); m != "" {
		conds, args = append(conds, "a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"), append(args, m)
	} else if strings.TrimSpace(q.Text) != "" {
		conds = append(conds, "0") // only punctuation: nothing matches
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// AdminArticles lists articles for the back office, most recently changed first, and
// counts all that match.
func (d *DB) AdminArticles(ctx context.Context, q AdminArticleQuery) ([]AdminArticle, int, error) {
	where, args := q.where()
	var total int
	if err := d.r.QueryRowContext(ctx, `SELECT count(*) FROM articles a`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("db: count admin articles: %w", err)
	}
	rows, err := d.r.QueryContext(ctx, `SELECT `+articleListColumns+`, coalesce(u.display_name, ''), coalesce(u.name, '')
		FROM articles a JOIN categories c ON c.id = a.category_id LEFT JOIN users u ON u.id = a.author_id`+where+`
		ORDER BY a.updated_at DESC, a.id DESC LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("db: admin articles: %w", err)
	}
	defer rows.Close()
	var out []AdminArticle
	for rows.Next() {
		var aa AdminArticle
		var display, login string
		var err error
		if aa.Article, err = scanArticle(rows, &display, &login); err != nil {
			return nil, 0, fmt.Errorf("db: admin articles: %w", err)
		}
		aa.AuthorName = display
		if aa.AuthorName == "" {
			aa.AuthorName = login
		}
		out = append(out, aa)
	}
	return out, total, rows.Err()
}

func checkSection(ctx context.Context, tx *sql.Tx, id int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM categories WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return ErrUnknownSection
	}
	return nil
}

// CreateDraft inserts a new draft with its search row, first revision and audit entry.
// formToken makes a repeated submit of the same form return the first article's id
// (created false) instead of a twin.
func (d *DB) CreateDraft(ctx context.Context, by Actor, now time.Time, in ArticleInput, formToken string) (id int64, created bool, err error) {
	err = d.inTx(ctx, func(tx *sql.Tx) error {
		if formToken != "" {
			err := tx.QueryRowContext(ctx, `SELECT article_id FROM form_tokens WHERE token = ?`, formToken).Scan(&id)
			if err == nil {
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("db: form token: %w", err)
			}
		}
		if err := checkSection(ctx, tx, in.CategoryID); err != nil {
			return err
		}
		var err error
		id, err = insertArticle(ctx, tx, Article{Slug: in.Slug, Title: in.Title, Lead: in.Lead, BodyHTML: in.BodyHTML,
			Byline: in.Byline, CategoryID: in.CategoryID, AuthorID: by.UserID, Status: StatusDraft, PublishAt: in.PublishAt,
			CoverMediaID: in.CoverMediaID, CoverAlt: in.CoverAlt, CommentsClosed: in.CommentsClosed, CreatedAt: now, UpdatedAt: now}, now)
		if err != nil {
			return err
		}
		if in.SetTags {
			if _, err := setArticleTags(ctx, tx, id, in.Tags, now); err != nil {
				return err
			}
		}
		if formToken != "" {
			// A form is not submitted twice days apart: old tokens only take space.
			if _, err := tx.ExecContext(ctx, `DELETE FROM form_tokens WHERE created_at < ?`, unix(now.Add(-48*time.Hour))); err != nil {
				return fmt.Errorf("db: prune form tokens: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO form_tokens (token, article_id, created_at) VALUES (?, ?, ?)`,
				formToken, id, unix(now)); err != nil {
				return fmt.Errorf("db: form token: %w", err)
			}
		}
		created = true
		detail := in.Title
		if in.SetTags && len(in.Tags) > 0 {
			detail += " (chủ đề: " + strings.Join(in.Tags, ", ") + ")"
		}
		return writeAudit(ctx, tx, by, now, "article.create", ObjectArticle, id, detail)
	})
	return id, created, err
}

// sameContent reports whether the stored article already holds in (a repeated submit).
func sameContent(a Article, tags []string, in ArticleInput) bool {
	return a.Title == in.Title && a.Lead == in.Lead && a.BodyHTML == in.BodyHTML && a.Byline == in.Byline &&
		a.CategoryID == in.CategoryID && a.Slug == in.Slug && a.CoverMediaID == in.CoverMediaID &&
		a.CoverAlt == in.CoverAlt && a.PublishAt.Equal(in.PublishAt) && a.CommentsClosed == in.CommentsClosed &&
		(!in.SetTags || sameTagNames(tags, in.Tags))
}

// sameTagNames compares tag lists by slug, in order.
func sameTagNames(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if vntext.Slug(a[i]) != vntext.Slug(b[i]) {
			return false
		}
	}
	return true
}

// tagNamesTx lists an article's tag names in order, inside a transaction.
func tagNamesTx(ctx context.Context, tx *sql.Tx, id int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id
		WHERE x.article_id = ? ORDER BY x.position, t.id`, id)
	if err != nil {
		return nil, fmt.Errorf("db: tags of %d: %w", id, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func articleTx(ctx context.Context, tx *sql.Tx, id int64) (Article, error) {
	a, err := scanArticle(tx.QueryRowContext(ctx, `SELECT `+articleFullColumns+`
		FROM articles a JOIN categories c ON c.id = a.category_id WHERE a.id = ?`, id))
	if err != nil {
		return a, fmt.Errorf("db: article %d: %w", id, notFound(err))
	}
	return a, nil
}

// UpdateArticle saves an edit made on version `version` of the article: the row, a new
// revision, the search index and the audit entry in one transaction. When someone saved
// in between it returns ErrStale and changes nothing — unless the stored article already
// equals the input (the same form submitted twice), which is a success. It returns the
// new version.
func (d *DB) UpdateArticle(ctx context.Context, by Actor, now time.Time, id int64, version int, in ArticleInput, note string) (int, error) {
	var newVersion int
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := articleTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if !cur.TrashedAt.IsZero() {
			return ErrTrashed
		}
		if in.PublishAt.IsZero() && cur.Status == StatusPublished {
			in.PublishAt = cur.PublishAt // a published article always has its time
		}
		tags, err := tagNamesTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Version != version {
			if sameContent(cur, tags, in) {
				newVersion = cur.Version
				return nil
			}
			return ErrStale
		}
		if sameContent(cur, tags, in) {
			newVersion = cur.Version // nothing changed: no revision, no audit noise
			return nil
		}
		if err := checkSection(ctx, tx, in.CategoryID); err != nil {
			return err
		}
		slug, err := uniqueSlug(ctx, tx, in.Slug, id)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE articles SET slug = ?, title = ?, lead = ?, body_html = ?, byline = ?,
			category_id = ?, cover_media_id = ?, cover_alt = ?, publish_at = ?, comments_closed = ?, version = version + 1,
			updated_at = ? WHERE id = ?`, slug, in.Title, in.Lead, in.BodyHTML, in.Byline, in.CategoryID, nullID(in.CoverMediaID),
			in.CoverAlt, nullTime(in.PublishAt), boolInt(in.CommentsClosed), unix(now), id)
		if err != nil {
			return fmt.Errorf("db: update article %d: %w", id, err)
		}
		var tagChange string
		if in.SetTags {
			if tagChange, err = setArticleTags(ctx, tx, id, in.Tags, now); err != nil {
				return err
			}
		}
		if err := indexArticle(ctx, tx, id, in.Title, in.Lead, in.BodyHTML); err != nil {
			return err
		}
		if err := insertRevision(ctx, tx, id, in, by.UserID, note, now); err != nil {
			return err
		}
		newVersion = cur.Version + 1
		detail := in.Title
		if slug != cur.Slug {
			detail += " (đường dẫn: " + cur.Slug + " → " + slug + ")"
		}
		if tagChange != "" {
			detail += " (" + tagChange + ")"
		}
		if cur.CommentsClosed != in.CommentsClosed {
			if in.CommentsClosed {
				detail += " (đóng bình luận)"
			} else {
				detail += " (mở bình luận)"
			}
		}
		return writeAudit(ctx, tx, by, now, "article.update", ObjectArticle, id, detail)
	})
	return newVersion, err
}

func insertRevision(ctx context.Context, tx *sql.Tx, id int64, in ArticleInput, editorID int64, note string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO article_revisions (article_id, title, lead, body_html, byline,
		category_id, editor_id, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, in.Title, in.Lead, in.BodyHTML, in.Byline, in.CategoryID, nullID(editorID), note, unix(now))
	if err != nil {
		return fmt.Errorf("db: revision of %d: %w", id, err)
	}
	return nil
}

// Transition is a workflow step.
type Transition struct {
	To        string
	Note      string    // the reason when sending back
	PublishAt time.Time // for publishing: when (zero: now)
}

// allowedTransitions is the workflow: draft → review → published, sent back to draft,
// archived from anywhere and brought back as a draft.
var allowedTransitions = map[string][]string{
	StatusDraft:     {StatusReview, StatusPublished, StatusArchived},
	StatusReview:    {StatusDraft, StatusPublished, StatusArchived},
	StatusPublished: {StatusDraft, StatusArchived},
	StatusArchived:  {StatusDraft},
}

// CanTransition reports whether the workflow allows from → to.
func CanTransition(from, to string) bool {
	for _, s := range allowedTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// TransitionArticle moves an article through the workflow. Publishing with a future time
// schedules it: public queries show it once publish_at has passed, with nobody acting and
// across restarts. A repeated request for a step already taken is a success.
func (d *DB) TransitionArticle(ctx context.Context, by Actor, now time.Time, id int64, version int, t Transition) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := articleTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if !cur.TrashedAt.IsZero() {
			return ErrTrashed
		}
		if cur.Version != version {
			if cur.Status == t.To {
				return nil // a double click
			}
			return ErrStale
		}
		if !CanTransition(cur.Status, t.To) {
			return ErrBadTransition
		}
		publishAt := cur.PublishAt
		note := ""
		switch t.To {
		case StatusPublished:
			publishAt = t.PublishAt
			if publishAt.IsZero() {
				publishAt = now
			}
		case StatusDraft:
			note = t.Note
		}
		_, err = tx.ExecContext(ctx, `UPDATE articles SET status = ?, publish_at = ?, review_note = ?, version = version + 1,
			updated_at = ? WHERE id = ?`, t.To, nullTime(publishAt), note, unix(now), id)
		if err != nil {
			return fmt.Errorf("db: transition article %d: %w", id, err)
		}
		detail := cur.Status + " → " + t.To
		if t.To == StatusPublished && publishAt.After(now) {
			detail += " (hẹn giờ " + publishAt.UTC().Format(time.RFC3339) + ")"
		}
		if note != "" {
			detail += ": " + note
		}
		return writeAudit(ctx, tx, by, now, "article."+t.To, ObjectArticle, id, detail)
	})
}

// Revision is a saved version of an article's text.
type Revision struct {
	ID         int64
	ArticleID  int64
	Title      string
	Lead       string
	BodyHTML   string
	Byline     string
	CategoryID int64
	EditorName string
	Note       string
	CreatedAt  time.Time
}

// Revisions lists an article's revisions, newest first (without bodies).
func (d *DB) Revisions(ctx context.Context, articleID int64) ([]Revision, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT r.id, r.article_id, r.title, r.lead, '', r.byline, r.category_id,
		coalesce(nullif(u.display_name, ''), u.name, ''), r.note, r.created_at
		FROM article_revisions r LEFT JOIN users u ON u.id = r.editor_id WHERE r.article_id = ? ORDER BY r.id DESC`, articleID)
	if err != nil {
		return nil, fmt.Errorf("db: revisions of %d: %w", articleID, err)
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, fmt.Errorf("db: revisions of %d: %w", articleID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanRevision(row interface{ Scan(...any) error }) (Revision, error) {
	var r Revision
	var at int64
	err := row.Scan(&r.ID, &r.ArticleID, &r.Title, &r.Lead, &r.BodyHTML, &r.Byline, &r.CategoryID, &r.EditorName, &r.Note, &at)
	r.CreatedAt = fromUnix(at)
	return r, err
}

// RevisionByID returns one revision of an article.
func (d *DB) RevisionByID(ctx context.Context, articleID, id int64) (Revision, error) {
	r, err := scanRevision(d.r.QueryRowContext(ctx, `SELECT r.id, r.article_id, r.title, r.lead, r.body_html, r.byline,
		r.category_id, coalesce(nullif(u.display_name, ''), u.name, ''), r.note, r.created_at
		FROM article_revisions r LEFT JOIN users u ON u.id = r.editor_id WHERE r.article_id = ? AND r.id = ?`, articleID, id))
	if err != nil {
		return r, fmt.Errorf("db: revision %d of %d: %w", id, articleID, notFound(err))
	}
	return r, nil
}

// EditedAfterPublish reports whether the article was changed after it went out (a minute
// of grace), so readers see an "updated" time.
func (a Article) EditedAfterPublish() bool {
	return a.Status == StatusPublished && !a.PublishAt.IsZero() && a.UpdatedAt.After(a.PublishAt.Add(time.Minute))
}
