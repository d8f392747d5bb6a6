package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// CreateCaptcha stores a captcha's answer until expires. In the same transaction it drops
// expired rows and, beyond keep rows, the oldest ones: a flood of page views cannot grow
// the table without bound (the oldest challenges then fail as expired).
func (d *DB) CreateCaptcha(ctx context.Context, id, digits string, now, expires time.Time, keep int) error {
	err := d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM captchas WHERE expires_at <= ?`, unix(now)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO captchas (id, digits, expires_at) VALUES (?, ?, ?)`,
			id, digits, unix(expires))
		if err != nil {
			return err
		}
		seq, err := res.LastInsertId()
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM captchas WHERE seq <= ?`, seq-int64(keep))
		return err
	})
	if err != nil {
		return fmt.Errorf("db: create captcha: %w", err)
	}
	return nil
}

// CaptchaDigits returns a live captcha's answer without using it up, to draw its image.
func (d *DB) CaptchaDigits(ctx context.Context, id string, now time.Time) (string, error) {
	var digits string
	err := d.r.QueryRowContext(ctx, `SELECT digits FROM captchas WHERE id = ? AND expires_at > ?`,
		id, unix(now)).Scan(&digits)
	if err != nil {
		return "", fmt.Errorf("db: captcha: %w", notFound(err))
	}
	return digits, nil
}

// TakeCaptcha deletes a captcha and returns its answer: a challenge can be checked once,
// whatever the answer. An unknown or expired id is ErrNotFound.
func (d *DB) TakeCaptcha(ctx context.Context, id string, now time.Time) (string, error) {
	var digits string
	var expires int64
	err := d.w.QueryRowContext(ctx, `DELETE FROM captchas WHERE id = ? RETURNING digits, expires_at`, id).
		Scan(&digits, &expires)
	if err != nil {
		return "", fmt.Errorf("db: take captcha: %w", notFound(err))
	}
	if expires <= unix(now) {
		return "", fmt.Errorf("db: take captcha: expired: %w", ErrNotFound)
	}
	return digits, nil
}

// DeleteCaptcha drops a captcha the reader replaced with a new one.
func (d *DB) DeleteCaptcha(ctx context.Context, id string) error {
	if _, err := d.w.ExecContext(ctx, `DELETE FROM captchas WHERE id = ?`, id); err != nil {
		return fmt.Errorf("db: delete captcha: %w", err)
	}
	return nil
}
