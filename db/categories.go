package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Category is a section of the site (Thời sự, Kinh tế, ...).
type Category struct {
	ID          int64
	Slug        string
	Name        string
	Description string
	Position    int
	Hidden      bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

const categoryColumns = `id, slug, name, description, position, hidden, created_at, updated_at`

func scanCategory(row interface{ Scan(...any) error }) (Category, error) {
	var c Category
	var created, updated int64
	err := row.Scan(&c.ID, &c.Slug, &c.Name, &c.Description, &c.Position, &c.Hidden, &created, &updated)
	c.CreatedAt, c.UpdatedAt = fromUnix(created), fromUnix(updated)
	return c, err
}

// Categories lists sections in menu order; hidden ones only when includeHidden.
func (d *DB) Categories(ctx context.Context, includeHidden bool) ([]Category, error) {
	rows, err := d.rKept.QueryContext(ctx, `SELECT `+categoryColumns+` FROM categories
		WHERE hidden = 0 OR ? ORDER BY position, id`, includeHidden)
	if err != nil {
		return nil, fmt.Errorf("db: list categories: %w", err)
	}
	defer rows.Close()
	var out []Category
	for rows.Next() {
		c, err := scanCategory(rows)
		if err != nil {
			return nil, fmt.Errorf("db: list categories: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CategoryBySlug finds a section by its current slug.
func (d *DB) CategoryBySlug(ctx context.Context, slug string) (Category, error) {
	c, err := scanCategory(d.rKept.QueryRowContext(ctx, `SELECT `+categoryColumns+` FROM categories WHERE slug = ?`, slug))
	if err != nil {
		return c, fmt.Errorf("db: category %q: %w", slug, notFound(err))
	}
	return c, nil
}

// CategoryByID finds a section by id.
func (d *DB) CategoryByID(ctx context.Context, id int64) (Category, error) {
	c, err := scanCategory(d.rKept.QueryRowContext(ctx, `SELECT `+categoryColumns+` FROM categories WHERE id = ?`, id))
	if err != nil {
		return c, fmt.Errorf("db: category %d: %w", id, notFound(err))
	}
	return c, nil
}

// CategoryRedirect returns the current slug for a section's old slug.
func (d *DB) CategoryRedirect(ctx context.Context, oldSlug string) (string, error) {
	var slug string
	err := d.r.QueryRowContext(ctx, `SELECT c.slug FROM category_redirects r
		JOIN categories c ON c.id = r.category_id WHERE r.old_slug = ?`, oldSlug).Scan(&slug)
	if err != nil {
		return "", fmt.Errorf("db: category redirect %q: %w", oldSlug, notFound(err))
	}
	return slug, nil
}

// CreateCategory inserts a section and returns its id.
func (d *DB) CreateCategory(ctx context.Context, c Category) (int64, error) {
	var id int64
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = insertCategory(ctx, tx, c, time.Now())
		return err
	})
	return id, err
}

func insertCategory(ctx context.Context, tx *sql.Tx, c Category, now time.Time) (int64, error) {
	c = normalizeCategory(c)
	res, err := tx.ExecContext(ctx, `INSERT INTO categories (slug, name, description, position, hidden, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, c.Slug, c.Name, c.Description, c.Position, boolInt(c.Hidden), unix(now), unix(now))
	if err != nil {
		return 0, fmt.Errorf("db: create category %q: %w", c.Slug, err)
	}
	return res.LastInsertId()
}
