package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrDuplicateSlug is a section slug another section already uses (now or as an old slug).
var ErrDuplicateSlug = errors.New("db: section slug taken")

func sectionSlugTaken(ctx context.Context, tx *sql.Tx, slug string, selfID int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM categories WHERE slug = ? AND id != ?)
		+ (SELECT count(*) FROM category_redirects WHERE old_slug = ? AND category_id != ?)`, slug, selfID, slug, selfID).Scan(&n)
	return n > 0, err
}

// CreateSection adds a section at the end of the menu, with an audit entry.
func (d *DB) CreateSection(ctx context.Context, by Actor, now time.Time, c Category) (int64, error) {
	var id int64
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		taken, err := sectionSlugTaken(ctx, tx, c.Slug, 0)
		if err != nil {
			return err
		}
		if taken {
			return ErrDuplicateSlug
		}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(position), 0) + 1 FROM categories`).Scan(&c.Position); err != nil {
			return err
		}
		if id, err = insertCategory(ctx, tx, c, now); err != nil {
			return err
		}
		return writeAudit(ctx, tx, by, now, "section.create", ObjectCategory, id, c.Name)
	})
	return id, err
}

// UpdateSection renames a section, changes its slug (the old one keeps redirecting),
// description and visibility.
func (d *DB) UpdateSection(ctx context.Context, by Actor, now time.Time, c Category) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		old, err := scanCategory(tx.QueryRowContext(ctx, `SELECT `+categoryColumns+` FROM categories WHERE id = ?`, c.ID))
		if err != nil {
			return fmt.Errorf("db: section %d: %w", c.ID, notFound(err))
		}
		if c.Slug != old.Slug {
			taken, err := sectionSlugTaken(ctx, tx, c.Slug, c.ID)
			if err != nil {
				return err
			}
			if taken {
				return ErrDuplicateSlug
			}
			// Its own old slug may come back: drop that redirect, and keep the one just left.
			if _, err := tx.ExecContext(ctx, `DELETE FROM category_redirects WHERE old_slug = ?`, c.Slug); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO category_redirects (old_slug, category_id) VALUES (?, ?)
				ON CONFLICT (old_slug) DO UPDATE SET category_id = excluded.category_id`, old.Slug, c.ID); err != nil {
				return fmt.Errorf("db: section redirect: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE categories SET slug = ?, name = ?, description = ?, hidden = ?, updated_at = ?
			WHERE id = ?`, c.Slug, c.Name, c.Description, boolInt(c.Hidden), unix(now), c.ID); err != nil {
			return fmt.Errorf("db: update section %d: %w", c.ID, err)
		}
		detail := old.Name + " → " + c.Name
		if c.Slug != old.Slug {
			detail += " (" + old.Slug + " → " + c.Slug + ")"
		}
		if c.Hidden != old.Hidden {
			if c.Hidden {
				detail += ", ẩn"
			} else {
				detail += ", hiện"
			}
		}
		return writeAudit(ctx, tx, by, now, "section.update", ObjectCategory, c.ID, detail)
	})
}

// MoveSection swaps a section with its neighbour above (up) or below in the menu.
func (d *DB) MoveSection(ctx context.Context, by Actor, now time.Time, id int64, up bool) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM categories ORDER BY position, id`)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var x int64
			if err := rows.Scan(&x); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, x)
		}
		rows.Close()
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
			return nil // already first or last
		}
		ids[i], ids[j] = ids[j], ids[i]
		for pos, x := range ids { // renumber: positions stay dense and unique
			if _, err := tx.ExecContext(ctx, `UPDATE categories SET position = ? WHERE id = ?`, pos+1, x); err != nil {
				return err
			}
		}
		dir := "xuống"
		if up {
			dir = "lên"
		}
		return writeAudit(ctx, tx, by, now, "section.move", ObjectCategory, id, dir)
	})
}

// SaveSettings writes several settings in one transaction, auditing each change.
func (d *DB) SaveSettings(ctx context.Context, by Actor, now time.Time, values map[string]string) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		for k, v := range values {
			var old string
			err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, k).Scan(&old)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if err == nil && old == v {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
				return fmt.Errorf("db: set setting %q: %w", k, err)
			}
			if err := writeAudit(ctx, tx, by, now, "setting.update", ObjectSetting, 0, k+" = "+v); err != nil {
				return err
			}
		}
		return nil
	})
}
