package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"toasoan/internal/vntext"
)

// MaxDisplayName bounds a display name (characters): it shows in bylines and lists.
const MaxDisplayName = 100

// ErrBadDisplayName is a display name too long to show.
var ErrBadDisplayName = fmt.Errorf("db: display name longer than %d characters", MaxDisplayName)

// UpdateDisplayName changes a user's own display name (empty: the login name shows).
func (d *DB) UpdateDisplayName(ctx context.Context, by Actor, now time.Time, id int64, name string) error {
	name = vntext.Normalize(name)
	if vntext.CharCount(name) > MaxDisplayName {
		return ErrBadDisplayName
	}
	return d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		var old string
		if err := tx.QueryRowContext(ctx, `SELECT display_name FROM users WHERE id = ?`, id).Scan(&old); err != nil {
			return fmt.Errorf("db: user %d: %w", id, notFound(err))
		}
		if old == name {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET display_name = ?, updated_at = ? WHERE id = ?`,
			name, unix(now), id); err != nil {
			return fmt.Errorf("db: display name of %d: %w", id, err)
		}
		return writeAudit(ctx, tx, by, now, "user.profile", ObjectUser, id, "tên hiển thị: "+old+" → "+name)
	})
}

// ChangeOwnPassword replaces a user's password after checking the current one
// (ErrBadCredentials when wrong). Every session of the user ends (the generation moves);
// it returns the new generation so the caller can keep the session it is answering.
func (d *DB) ChangeOwnPassword(ctx context.Context, by Actor, now time.Time, id int64, current, next string) (int64, error) {
	u, err := d.UserByID(ctx, id)
	if err != nil {
		return 0, err
	}
	if comparePassword([]byte(u.hash), current) != nil {
		return 0, ErrBadCredentials
	}
	if err := CheckPasswordStrength(next); err != nil {
		return 0, err
	}
	hash, err := d.hashPassword(next)
	if err != nil {
		return 0, fmt.Errorf("db: hash password: %w", err)
	}
	var gen int64
	err = d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		// The hash compared above must still be the stored one: two changes at once
		// cannot both pass with the same old password.
		err := tx.QueryRowContext(ctx, `UPDATE users SET password_hash = ?, session_gen = session_gen + 1, updated_at = ?
			WHERE id = ? AND password_hash = ? RETURNING session_gen`, string(hash), unix(now), id, u.hash).Scan(&gen)
		if err != nil {
			if notFound(err) == ErrNotFound {
				return ErrBadCredentials
			}
			return fmt.Errorf("db: change password of %d: %w", id, err)
		}
		return writeAudit(ctx, tx, by, now, "user.password_own", ObjectUser, id, u.Name)
	})
	return gen, err
}
