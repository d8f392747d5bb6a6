package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"golang.org/x/text/unicode/norm"

	"toasoan/internal/vntext"
)

// Page statuses and placements.
const (
	PageDraft     = "draft"
	PagePublished = "published"

	PlaceNone   = "none"   // reachable by its URL only
	PlaceFooter = "footer" // linked in the footer
	PlaceMenu   = "menu"   // linked in the main menu, after the sections
)

// ValidPlacement reports whether s is a page placement.
func ValidPlacement(s string) bool { return s == PlaceNone || s == PlaceFooter || s == PlaceMenu }

// ErrDuplicatePage is a page slug another page already uses.
var ErrDuplicatePage = errors.New("db: page slug taken")

// Page is a static page (Giới thiệu, Liên hệ, Sơ đồ cổng…) at /trang/{slug}.
type Page struct {
	ID        int64
	Slug      string
	Title     string
	BodyHTML  string // sanitized; empty in lists
	Status    string
	Placement string
	Position  int
	Version   int
	AuthorID  int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// PageInput is what the page form writes.
type PageInput struct {
	Slug      string // empty: from the title
	Title     string
	BodyHTML  string // already sanitized
	Status    string
	Placement string
	Position  int
}

func normalizePage(in PageInput) PageInput {
	in.Title = vntext.Normalize(in.Title)
	in.BodyHTML = norm.NFC.String(in.BodyHTML)
	in.Slug = vntext.SlugOr(in.Slug, vntext.SlugOr(in.Title, "trang"))
	if in.Status != PagePublished {
		in.Status = PageDraft
	}
	if !ValidPlacement(in.Placement) {
		in.Placement = PlaceNone
	}
	return in
}

const pageColumns = `id, slug, title, body_html, status, placement, position, version, coalesce(author_id, 0), created_at, updated_at`
const pageListColumns = `id, slug, title, '', status, placement, position, version, coalesce(author_id, 0), created_at, updated_at`

func scanPage(row interface{ Scan(...any) error }) (Page, error) {
	var p Page
	var created, updated int64
	err := row.Scan(&p.ID, &p.Slug, &p.Title, &p.BodyHTML, &p.Status, &p.Placement, &p.Position, &p.Version,
		&p.AuthorID, &created, &updated)
	p.CreatedAt, p.UpdatedAt = fromUnix(created), fromUnix(updated)
	return p, err
}

func scanPages(rows *sql.Rows) ([]Page, error) {
	defer rows.Close()
	var out []Page
	for rows.Next() {
		p, err := scanPage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PublicPage returns a published page by slug; drafts are ErrNotFound.
func (d *DB) PublicPage(ctx context.Context, slug string) (Page, error) {
	p, err := scanPage(d.r.QueryRowContext(ctx, `SELECT `+pageColumns+` FROM pages WHERE slug = ? AND status = 'published'`, slug))
	if err != nil {
		return p, fmt.Errorf("db: page %q: %w", slug, notFound(err))
	}
	return p, nil
}

// PageByID returns any page (for the back office).
func (d *DB) PageByID(ctx context.Context, id int64) (Page, error) {
	p, err := scanPage(d.r.QueryRowContext(ctx, `SELECT `+pageColumns+` FROM pages WHERE id = ?`, id))
	if err != nil {
		return p, fmt.Errorf("db: page %d: %w", id, notFound(err))
	}
	return p, nil
}

// Pages lists every page (without bodies) by placement, then position, then title.
func (d *DB) Pages(ctx context.Context) ([]Page, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT `+pageListColumns+` FROM pages ORDER BY placement, position, id`)
	if err != nil {
		return nil, fmt.Errorf("db: pages: %w", err)
	}
	out, err := scanPages(rows)
	if err != nil {
		return nil, fmt.Errorf("db: pages: %w", err)
	}
	return out, nil
}

// LinkedPages lists the published pages linked from the footer or the menu (see
// Placement), in order: one query for every public page's layout.
func (d *DB) LinkedPages(ctx context.Context) ([]Page, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT `+pageListColumns+` FROM pages
		WHERE placement != 'none' AND status = 'published' ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("db: linked pages: %w", err)
	}
	out, err := scanPages(rows)
	if err != nil {
		return nil, fmt.Errorf("db: linked pages: %w", err)
	}
	return out, nil
}

func pageSlugTaken(ctx context.Context, tx *sql.Tx, slug string, selfID int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pages WHERE slug = ? AND id != ?`, slug, selfID).Scan(&n)
	return n > 0, err
}

func insertPage(ctx context.Context, tx *sql.Tx, authorID int64, in PageInput, now time.Time) (int64, error) {
	in = normalizePage(in)
	taken, err := pageSlugTaken(ctx, tx, in.Slug, 0)
	if err != nil {
		return 0, err
	}
	if taken {
		return 0, ErrDuplicatePage
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO pages (slug, title, body_html, status, placement, position, author_id,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.Slug, in.Title, in.BodyHTML, in.Status, in.Placement, in.Position, nullID(authorID), unix(now), unix(now))
	if err != nil {
		return 0, fmt.Errorf("db: create page %q: %w", in.Slug, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	return id, insertPageRevision(ctx, tx, id, in, authorID, "", now)
}

func insertPageRevision(ctx context.Context, tx *sql.Tx, id int64, in PageInput, editorID int64, note string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO page_revisions (page_id, title, body_html, editor_id, note, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, id, in.Title, in.BodyHTML, nullID(editorID), note, unix(now))
	if err != nil {
		return fmt.Errorf("db: revision of page %d: %w", id, err)
	}
	return nil
}

// CreatePage inserts a page with its first revision and an audit entry.
func (d *DB) CreatePage(ctx context.Context, by Actor, now time.Time, in PageInput) (int64, error) {
	var id int64
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if id, err = insertPage(ctx, tx, by.UserID, in, now); err != nil {
			return err
		}
		return writeAudit(ctx, tx, by, now, "page.create", ObjectPage, id, vntext.Normalize(in.Title))
	})
	return id, err
}

// UpdatePage saves an edit made on version `version`: ErrStale when someone saved in
// between (unless the stored page already equals the input). A new revision is written
// when the title or text changed. It returns the new version.
func (d *DB) UpdatePage(ctx context.Context, by Actor, now time.Time, id int64, version int, in PageInput, note string) (int, error) {
	in = normalizePage(in)
	var newVersion int
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := scanPage(tx.QueryRowContext(ctx, `SELECT `+pageColumns+` FROM pages WHERE id = ?`, id))
		if err != nil {
			return fmt.Errorf("db: page %d: %w", id, notFound(err))
		}
		same := cur.Slug == in.Slug && cur.Title == in.Title && cur.BodyHTML == in.BodyHTML && cur.Status == in.Status &&
			cur.Placement == in.Placement && cur.Position == in.Position
		if same {
			newVersion = cur.Version
			return nil
		}
		if cur.Version != version {
			return ErrStale
		}
		taken, err := pageSlugTaken(ctx, tx, in.Slug, id)
		if err != nil {
			return err
		}
		if taken {
			return ErrDuplicatePage
		}
		if _, err := tx.ExecContext(ctx, `UPDATE pages SET slug = ?, title = ?, body_html = ?, status = ?, placement = ?,
			position = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			in.Slug, in.Title, in.BodyHTML, in.Status, in.Placement, in.Position, unix(now), id); err != nil {
			return fmt.Errorf("db: update page %d: %w", id, err)
		}
		if cur.Title != in.Title || cur.BodyHTML != in.BodyHTML {
			if err := insertPageRevision(ctx, tx, id, in, by.UserID, note, now); err != nil {
				return err
			}
		}
		newVersion = cur.Version + 1
		detail := in.Title
		if cur.Slug != in.Slug {
			detail += " (đường dẫn: " + cur.Slug + " → " + in.Slug + ")"
		}
		if cur.Status != in.Status {
			detail += " (" + cur.Status + " → " + in.Status + ")"
		}
		return writeAudit(ctx, tx, by, now, "page.update", ObjectPage, id, detail)
	})
	return newVersion, err
}

// DeletePage deletes a page with its revisions.
func (d *DB) DeletePage(ctx context.Context, by Actor, now time.Time, id int64) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		var title string
		if err := tx.QueryRowContext(ctx, `SELECT title FROM pages WHERE id = ?`, id).Scan(&title); err != nil {
			return fmt.Errorf("db: page %d: %w", id, notFound(err))
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM pages WHERE id = ?`, id); err != nil {
			return fmt.Errorf("db: delete page %d: %w", id, err)
		}
		return writeAudit(ctx, tx, by, now, "page.delete", ObjectPage, id, title)
	})
}

// PageRevision is a saved version of a page's text.
type PageRevision struct {
	ID         int64
	PageID     int64
	Title      string
	BodyHTML   string // empty in lists
	EditorName string
	Note       string
	CreatedAt  time.Time
}

func scanPageRevision(row interface{ Scan(...any) error }) (PageRevision, error) {
	var r PageRevision
	var at int64
	err := row.Scan(&r.ID, &r.PageID, &r.Title, &r.BodyHTML, &r.EditorName, &r.Note, &at)
	r.CreatedAt = fromUnix(at)
	return r, err
}

// PageRevisions lists a page's revisions, newest first (without bodies).
func (d *DB) PageRevisions(ctx context.Context, pageID int64) ([]PageRevision, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT r.id, r.page_id, r.title, '', coalesce(nullif(u.display_name, ''), u.name, ''),
		r.note, r.created_at FROM page_revisions r LEFT JOIN users u ON u.id = r.editor_id
		WHERE r.page_id = ? ORDER BY r.id DESC`, pageID)
	if err != nil {
		return nil, fmt.Errorf("db: revisions of page %d: %w", pageID, err)
	}
	defer rows.Close()
	var out []PageRevision
	for rows.Next() {
		r, err := scanPageRevision(rows)
		if err != nil {
			return nil, fmt.Errorf("db: revisions of page %d: %w", pageID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// PageRevisionByID returns one revision of a page, with its text.
func (d *DB) PageRevisionByID(ctx context.Context, pageID, id int64) (PageRevision, error) {
	r, err := scanPageRevision(d.r.QueryRowContext(ctx, `SELECT r.id, r.page_id, r.title, r.body_html,
		coalesce(nullif(u.display_name, ''), u.name, ''), r.note, r.created_at
		FROM page_revisions r LEFT JOIN users u ON u.id = r.editor_id WHERE r.page_id = ? AND r.id = ?`, pageID, id))
	if err != nil {
		return r, fmt.Errorf("db: revision %d of page %d: %w", id, pageID, notFound(err))
	}
	return r, nil
}

// AddPage inserts a page with its first revision (imports, demo content); a taken slug
// is ErrDuplicatePage.
func (b *Bulk) AddPage(authorID int64, in PageInput) (int64, error) {
	return insertPage(b.ctx, b.tx, authorID, in, b.now)
}
