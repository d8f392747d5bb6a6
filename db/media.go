package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"toasoan/internal/vntext"
)

// Media is a stored image (without its bytes).
type Media struct {
	ID         int64
	SHA256     string
	MIME       string
	Size       int64 // bytes of the stored full-size image
	Width      int
	Height     int
	Alt        string
	Filename   string // as uploaded (base name, NFC); empty for images from before migration 007
	Caption    string
	Credit     string
	UploadedBy string
	CreatedAt  time.Time
	DeletedAt  time.Time // when it went to the trash; zero while in the library
	Widths     []int     // the resized copies
	Uses       []MediaUse
}

// DisplayName is the image's name in lists: its file name, or its number.
func (m Media) DisplayName() string {
	if m.Filename != "" {
		return m.Filename
	}
	return fmt.Sprintf("Ảnh số %d", m.ID)
}

// InTrash says whether the image is in the trash.
func (m Media) InTrash() bool { return !m.DeletedAt.IsZero() }

// MediaUse is an article that shows an image, as its cover or in its body.
type MediaUse struct {
	ArticleID int64
	Title     string
	Status    string
	Cover     bool
}

// MediaVariant is a resized copy to store with an image.
type MediaVariant struct {
	Width int
	MIME  string
	Data  []byte
}

// NewMedia is a processed upload ready to store.
type NewMedia struct {
	SHA256   string // of the original upload
	Filename string
	MIME     string
	Width    int
	Height   int
	Data     []byte // re-encoded full size
	Variants []MediaVariant
}

// MediaBySHA returns the id of an image already stored with this hash.
func (d *DB) MediaBySHA(ctx context.Context, sum string) (int64, error) {
	var id int64
	err := d.r.QueryRowContext(ctx, `SELECT id FROM media WHERE sha256 = ?`, sum).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("db: media %s: %w", sum, notFound(err))
	}
	return id, nil
}

// StoreMedia inserts an image with its variants and an audit entry; when the same
// upload is already stored it returns that image's id and created false (and takes it
// out of the trash: whoever uploads it again wants it).
func (d *DB) StoreMedia(ctx context.Context, by Actor, now time.Time, m NewMedia) (id int64, created bool, err error) {
	err = d.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM media WHERE sha256 = ?`, m.SHA256).Scan(&id)
		if err == nil {
			_, err = tx.ExecContext(ctx, `UPDATE media SET deleted_at = NULL,
				filename = CASE filename WHEN '' THEN ? ELSE filename END WHERE id = ?`, m.Filename, id)
			if err == nil {
				err = refreshMediaSearch(ctx, tx, id)
			}
			return err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("db: media %s: %w", m.SHA256, err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO media (sha256, filename, search_text, mime, size, width, height, data, uploaded_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.SHA256, m.Filename, mediaSearchText(m.Filename, "", "", ""), m.MIME, len(m.Data),
			m.Width, m.Height, m.Data, nullID(by.UserID), unix(now))
		if err != nil {
			return fmt.Errorf("db: store media: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, v := range m.Variants {
			if _, err := tx.ExecContext(ctx, `INSERT INTO media_variants (media_id, width, mime, data) VALUES (?, ?, ?, ?)`,
				id, v.Width, v.MIME, v.Data); err != nil {
				return fmt.Errorf("db: store media variant: %w", err)
			}
		}
		created = true
		return writeAudit(ctx, tx, by, now, "media.upload", ObjectMedia, id, fmt.Sprintf("%s %s %d×%d", m.Filename, m.MIME, m.Width, m.Height))
	})
	return id, created, err
}

// MediaInfo returns an image's description, with its variant widths.
func (d *DB) MediaInfo(ctx context.Context, id int64) (Media, error) {
	m, err := scanMedia(d.r.QueryRowContext(ctx, `SELECT `+mediaColumns+` FROM media m LEFT JOIN users u ON u.id = m.uploaded_by WHERE m.id = ?`, id))
	if err != nil {
		return m, fmt.Errorf("db: media %d: %w", id, notFound(err))
	}
	rows, err := d.r.QueryContext(ctx, `SELECT width FROM media_variants WHERE media_id = ? ORDER BY width`, id)
	if err != nil {
		return m, fmt.Errorf("db: media %d variants: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var w int
		if err := rows.Scan(&w); err != nil {
			return m, err
		}
		m.Widths = append(m.Widths, w)
	}
	return m, rows.Err()
}

// MediaData returns the bytes to serve for an image at a wanted width: the smallest
// stored copy at least that wide, or the full size. width 0 asks for the full size.
func (d *DB) MediaData(ctx context.Context, id int64, width int) (mime string, data []byte, sum string, err error) {
	if width > 0 {
		err = d.r.QueryRowContext(ctx, `SELECT v.mime, v.data, m.sha256 FROM media_variants v JOIN media m ON m.id = v.media_id
			WHERE v.media_id = ? AND v.width >= ? ORDER BY v.width LIMIT 1`, id, width).Scan(&mime, &data, &sum)
		if err == nil {
			return mime, data, sum + "-" + fmt.Sprint(width), nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", nil, "", fmt.Errorf("db: media %d at %d: %w", id, width, err)
		}
	}
	err = d.r.QueryRowContext(ctx, `SELECT mime, data, sha256 FROM media WHERE id = ?`, id).Scan(&mime, &data, &sum)
	if err != nil {
		return "", nil, "", fmt.Errorf("db: media %d: %w", id, notFound(err))
	}
	return mime, data, sum, nil
}

// mediaColumns are the columns scanMedia reads, from media m joined to users u.
const mediaColumns = `m.id, m.sha256, m.mime, m.size, m.width, m.height, m.alt, m.filename, m.caption, m.credit,
	coalesce(u.name, ''), m.created_at, m.deleted_at`

type scanner interface{ Scan(dest ...any) error }

func scanMedia(row scanner) (Media, error) {
	var m Media
	var at int64
	var del sql.NullInt64
	err := row.Scan(&m.ID, &m.SHA256, &m.MIME, &m.Size, &m.Width, &m.Height, &m.Alt, &m.Filename, &m.Caption, &m.Credit,
		&m.UploadedBy, &at, &del)
	m.CreatedAt = fromUnix(at)
	if del.Valid {
		m.DeletedAt = fromUnix(del.Int64)
	}
	return m, err
}

// MediaQuery selects images for the library and the picker.
type MediaQuery struct {
	Text   string // words of the file name, alt text, caption or credit; accents optional
	Trash  bool   // the trash instead of the library
	Limit  int
	Offset int
}

// MediaList lists images (in the library or in the trash) newest first, with how many
// match in all.
func (d *DB) MediaList(ctx context.Context, q MediaQuery) ([]Media, int, error) {
	where := `m.deleted_at IS NULL`
	if q.Trash {
		where = `m.deleted_at IS NOT NULL`
	}
	args := []any{}
	for _, w := range strings.Fields(vntext.Fold(q.Text)) {
		where += ` AND instr(m.search_text, ?) > 0`
		args = append(args, w)
	}
	var total int
	if err := d.r.QueryRowContext(ctx, `SELECT count(*) FROM media m WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("db: count media: %w", err)
	}
	rows, err := d.r.QueryContext(ctx, `SELECT `+mediaColumns+` FROM media m LEFT JOIN users u ON u.id = m.uploaded_by
		WHERE `+where+` ORDER BY m.id DESC LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("db: media list: %w", err)
	}
	defer rows.Close()
	var out []Media
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, m)
	}
	return out, total, rows.Err()
}

// MediaTrashCount is how many images are in the trash.
func (d *DB) MediaTrashCount(ctx context.Context) (int, error) {
	var n int
	err := d.r.QueryRowContext(ctx, `SELECT count(*) FROM media WHERE deleted_at IS NOT NULL`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("db: count media trash: %w", err)
	}
	return n, nil
}

// mediaRef finds the stored images an article body shows (the sanitizer allows no others).
var mediaRef = regexp.MustCompile(`/media/([0-9]{1,18})\b`)

// MediaUses fills in, for each image, the articles that show it as their cover or in their
// body. Bodies are not indexed by image, so this reads every body that shows any stored
// image once (a library page asks for all its images in one call).
func (d *DB) MediaUses(ctx context.Context, items []Media) error {
	if len(items) == 0 {
		return nil
	}
	byID := map[int64]*Media{}
	for i := range items {
		items[i].Uses = nil
		byID[items[i].ID] = &items[i]
	}
	rows, err := d.r.QueryContext(ctx, `SELECT id, title, status, coalesce(cover_media_id, 0), body_html FROM articles
		WHERE cover_media_id IS NOT NULL OR instr(body_html, '/media/') > 0 ORDER BY id DESC`)
	if err != nil {
		return fmt.Errorf("db: media uses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u MediaUse
		var cover int64
		var body string
		if err := rows.Scan(&u.ArticleID, &u.Title, &u.Status, &cover, &body); err != nil {
			return fmt.Errorf("db: media uses: %w", err)
		}
		seen := map[int64]bool{}
		if m := byID[cover]; m != nil {
			seen[cover] = true
			c := u
			c.Cover = true
			m.Uses = append(m.Uses, c)
		}
		for _, sm := range mediaRef.FindAllStringSubmatch(body, -1) {
			id, _ := strconv.ParseInt(sm[1], 10, 64)
			if m := byID[id]; m != nil && !seen[id] {
				seen[id] = true
				m.Uses = append(m.Uses, u)
			}
		}
	}
	return rows.Err()
}

// MediaMeta is what an editor may change about an image.
type MediaMeta struct {
	Alt, Caption, Credit string
}

// UpdateMediaMeta saves an image's alt text, caption and credit, with an audit entry.
func (d *DB) UpdateMediaMeta(ctx context.Context, by Actor, now time.Time, id int64, meta MediaMeta) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE media SET alt = ?, caption = ?, credit = ? WHERE id = ?`, meta.Alt, meta.Caption, meta.Credit, id)
		if err != nil {
			return fmt.Errorf("db: update media %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("db: update media %d: %w", id, ErrNotFound)
		}
		if err := refreshMediaSearch(ctx, tx, id); err != nil {
			return err
		}
		return writeAudit(ctx, tx, by, now, "media.update", ObjectMedia, id, meta.Alt)
	})
}

// ErrMediaInUse refuses to trash or delete an image an article shows.
var ErrMediaInUse = errors.New("db: media in use")

// TrashMedia moves an image to the trash; an image an article shows is refused with
// ErrMediaInUse (the caller lists where, from MediaUses).
func (d *DB) TrashMedia(ctx context.Context, by Actor, now time.Time, id int64) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		if used, err := mediaUsed(ctx, tx, id); err != nil || used {
			if err == nil {
				err = ErrMediaInUse
			}
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE media SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL`, unix(now), id)
		if err != nil {
			return fmt.Errorf("db: trash media %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("db: trash media %d: %w", id, ErrNotFound)
		}
		return writeAudit(ctx, tx, by, now, "media.trash", ObjectMedia, id, "")
	})
}

// RestoreMedia takes an image out of the trash.
func (d *DB) RestoreMedia(ctx context.Context, by Actor, now time.Time, id int64) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE media SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL`, id)
		if err != nil {
			return fmt.Errorf("db: restore media %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("db: restore media %d: %w", id, ErrNotFound)
		}
		return writeAudit(ctx, tx, by, now, "media.restore", ObjectMedia, id, "")
	})
}

// DeleteMedia deletes an image from the trash for good (with its copies); one an article
// shows is refused with ErrMediaInUse, one not in the trash with ErrNotFound.
func (d *DB) DeleteMedia(ctx context.Context, by Actor, now time.Time, id int64) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		return deleteMedia(ctx, tx, by, now, id, "media.delete")
	})
}

func deleteMedia(ctx context.Context, tx *sql.Tx, by Actor, now time.Time, id int64, action string) error {
	if used, err := mediaUsed(ctx, tx, id); err != nil || used {
		if err == nil {
			err = ErrMediaInUse
		}
		return err
	}
	var name string
	err := tx.QueryRowContext(ctx, `DELETE FROM media WHERE id = ? AND deleted_at IS NOT NULL RETURNING filename`, id).Scan(&name)
	if err != nil {
		return fmt.Errorf("db: delete media %d: %w", id, notFound(err))
	}
	return writeAudit(ctx, tx, by, now, action, ObjectMedia, id, name)
}

// MediaTrashDays is how long an image stays restorable in the trash.
const MediaTrashDays = 30

// PurgeMediaTrash deletes for good the images trashed more than MediaTrashDays ago that
// no article shows (one put back into an article meanwhile stays in the trash).
func (d *DB) PurgeMediaTrash(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM media WHERE deleted_at IS NOT NULL AND deleted_at < ?`,
			unix(now.AddDate(0, 0, -MediaTrashDays)))
		if err != nil {
			return fmt.Errorf("db: media trash: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			err := deleteMedia(ctx, tx, Actor{}, now, id, "media.purge")
			if errors.Is(err, ErrMediaInUse) {
				continue
			}
			if err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// mediaUsed says whether an article shows the image, as cover or in its body.
func mediaUsed(ctx context.Context, tx *sql.Tx, id int64) (bool, error) {
	ref := MediaPathPrefix + strconv.FormatInt(id, 10)
	var used bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM articles WHERE cover_media_id = ?
		OR instr(body_html, ? || '"') > 0 OR instr(body_html, ? || '?') > 0 OR instr(body_html, ? || ' ') > 0)`,
		id, ref, ref, ref).Scan(&used)
	if err != nil {
		return false, fmt.Errorf("db: media %d in use: %w", id, err)
	}
	return used, nil
}

// mediaSearchText is what the library's search looks in: folded (no accents, lower case).
func mediaSearchText(parts ...string) string {
	return vntext.Fold(strings.Join(parts, " "))
}

func refreshMediaSearch(ctx context.Context, tx *sql.Tx, id int64) error {
	var name, alt, caption, credit string
	if err := tx.QueryRowContext(ctx, `SELECT filename, alt, caption, credit FROM media WHERE id = ?`, id).Scan(&name, &alt, &caption, &credit); err != nil {
		return fmt.Errorf("db: media %d: %w", id, notFound(err))
	}
	_, err := tx.ExecContext(ctx, `UPDATE media SET search_text = ? WHERE id = ?`, mediaSearchText(name, alt, caption, credit), id)
	return err
}
