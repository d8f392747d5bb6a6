package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
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
	UploadedBy string
	CreatedAt  time.Time
	Widths     []int // the resized copies
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
// upload is already stored it returns that image's id and created false.
func (d *DB) StoreMedia(ctx context.Context, by Actor, now time.Time, m NewMedia) (id int64, created bool, err error) {
	err = d.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM media WHERE sha256 = ?`, m.SHA256).Scan(&id)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("db: media %s: %w", m.SHA256, err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO media (sha256, mime, size, width, height, data, uploaded_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.SHA256, m.MIME, len(m.Data), m.Width, m.Height, m.Data, nullID(by.UserID), unix(now))
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
		return writeAudit(ctx, tx, by, now, "media.upload", ObjectMedia, id, fmt.Sprintf("%s %d×%d", m.MIME, m.Width, m.Height))
	})
	return id, created, err
}

// MediaInfo returns an image's description, with its variant widths.
func (d *DB) MediaInfo(ctx context.Context, id int64) (Media, error) {
	var m Media
	var at int64
	err := d.r.QueryRowContext(ctx, `SELECT m.id, m.sha256, m.mime, m.size, m.width, m.height, m.alt,
		coalesce(u.name, ''), m.created_at FROM media m LEFT JOIN users u ON u.id = m.uploaded_by WHERE m.id = ?`, id).
		Scan(&m.ID, &m.SHA256, &m.MIME, &m.Size, &m.Width, &m.Height, &m.Alt, &m.UploadedBy, &at)
	if err != nil {
		return m, fmt.Errorf("db: media %d: %w", id, notFound(err))
	}
	m.CreatedAt = fromUnix(at)
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

// MediaList lists images newest first and counts them all.
func (d *DB) MediaList(ctx context.Context, limit, offset int) ([]Media, int, error) {
	var total int
	if err := d.r.QueryRowContext(ctx, `SELECT count(*) FROM media`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("db: count media: %w", err)
	}
	rows, err := d.r.QueryContext(ctx, `SELECT m.id, m.sha256, m.mime, m.size, m.width, m.height, m.alt,
		coalesce(u.name, ''), m.created_at FROM media m LEFT JOIN users u ON u.id = m.uploaded_by
		ORDER BY m.id DESC LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("db: media list: %w", err)
	}
	defer rows.Close()
	var out []Media
	for rows.Next() {
		var m Media
		var at int64
		if err := rows.Scan(&m.ID, &m.SHA256, &m.MIME, &m.Size, &m.Width, &m.Height, &m.Alt, &m.UploadedBy, &at); err != nil {
			return nil, 0, err
		}
		m.CreatedAt = fromUnix(at)
		out = append(out, m)
	}
	return out, total, rows.Err()
}
