package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrCaptchaFull is CreateCaptcha's answer when keep live challenges exist already.
var ErrCaptchaFull = errors.New("db: captcha store full")

// CreateCaptcha stores a captcha's answer, issued to owner (a client address), until
// expires. In the same transaction it drops expired rows and, beyond perOwner live rows
// of this owner, the owner's oldest: a flood from one address replaces only its own
// challenges. When keep live rows exist anyway (a flood from many addresses) it refuses
// with ErrCaptchaFull rather than drop a challenge some reader is answering.
func (d *DB) CreateCaptcha(ctx context.Context, id, digits, owner string, now, expires time.Time, keep, perOwner int) error {
	err := d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM captchas WHERE expires_at <= ?`, unix(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM captchas WHERE seq IN (
			SELECT seq FROM captchas WHERE owner = ? ORDER BY seq DESC LIMIT -1 OFFSET ?)`, owner, max(0, perOwner-1))
		if err != nil {
			return err
		}
		var live int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM captchas`).Scan(&live); err != nil {
			return err
		}
		if live >= keep {
			return ErrCaptchaFull
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO captchas (id, digits, owner, expires_at) VALUES (?, ?, ?, ?)`,
			id, digits, owner, unix(expires))
		return err
	})
	if errors.Is(err, ErrCaptchaFull) {
		return err
	}
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
