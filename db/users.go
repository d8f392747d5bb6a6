package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/unicode/norm"
)

// Roles, from most to least powerful.
const (
	RoleAdmin  = "admin"
	RoleEditor = "editor"
	RoleAuthor = "author"
)

// Roles lists the roles in order of power.
var Roles = []string{RoleAdmin, RoleEditor, RoleAuthor}

// ValidRole reports whether s is a role.
func ValidRole(s string) bool { return s == RoleAdmin || s == RoleEditor || s == RoleAuthor }

// Password limits: bcrypt reads at most 72 bytes, so longer passwords are refused rather
// than silently cut.
const (
	MinPasswordLength = 12 // characters
	MaxPasswordBytes  = 72
)

// bcryptCost is bcrypt's work factor: about 50–100 ms a check on a small server.
const bcryptCost = 11

// SetPasswordCost sets bcrypt's work factor for passwords hashed from now on, and for the
// stand-in hash an unknown name is checked against (so both still take the same time).
// Only tests lower it (bcrypt.MinCost): at the real cost, hashing and checking the
// accounts of a few hundred test sites was half the CPU time of the handler tests.
// Hashes already stored keep their own cost.
func (d *DB) SetPasswordCost(cost int) {
	d.passwordCost.Store(int32(cost))
	if h, err := bcrypt.GenerateFromPassword([]byte("not a password of anyone"), cost); err == nil {
		d.dummyHash.Store(&h)
	}
}

// hashPassword hashes a password at the database's work factor.
func (d *DB) hashPassword(password string) ([]byte, error) {
	cost := int(d.passwordCost.Load())
	if cost == 0 {
		cost = bcryptCost
	}
	return bcrypt.GenerateFromPassword([]byte(norm.NFC.String(password)), cost)
}

// comparePassword checks a typed password against a stored hash. Passwords are hashed in
// NFC: the same Vietnamese password arrives precomposed from one keyboard and decomposed
// from another (Unikey's "tổ hợp", some macOS input), and must match either way. A hash
// made before passwords were normalized holds the bytes as typed, so those are tried too
// when they differ.
func comparePassword(hash []byte, password string) error {
	nfc := norm.NFC.String(password)
	err := bcrypt.CompareHashAndPassword(hash, []byte(truncatePassword(nfc)))
	if err != nil && nfc != password {
		err = bcrypt.CompareHashAndPassword(hash, []byte(truncatePassword(password)))
	}
	return err
}

// truncatePassword cuts a password to bcrypt's limit (a longer one is refused when set,
// and wrong when typed; the comparison still spends bcrypt's time).
func truncatePassword(p string) string {
	if len(p) > MaxPasswordBytes {
		return p[:MaxPasswordBytes]
	}
	return p
}

// Errors of user writes, each with a meaning a handler can explain.
var (
	ErrDuplicateName   = errors.New("db: user name taken")
	ErrWeakPassword    = errors.New("db: password too short")
	ErrLongPassword    = errors.New("db: password too long")
	ErrBadCredentials  = errors.New("db: wrong name or password")
	ErrLastAdmin       = errors.New("db: the last active admin cannot be removed")
	ErrInvalidUserName = errors.New("db: invalid user name")
)

// User is a newsroom account.
type User struct {
	ID          int64
	Name        string
	DisplayName string
	Role        string
	Disabled    bool
	SessionGen  int64 // changes when sessions of this user must end
	CreatedAt   time.Time
	UpdatedAt   time.Time
	hash        string
}

// Label is the name to show: the display name, or the login name.
func (u User) Label() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Name
}

const userColumns = `id, name, display_name, password_hash, role, disabled, session_gen, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var created, updated int64
	err := row.Scan(&u.ID, &u.Name, &u.DisplayName, &u.hash, &u.Role, &u.Disabled, &u.SessionGen, &created, &updated)
	u.CreatedAt, u.UpdatedAt = fromUnix(created), fromUnix(updated)
	return u, err
}

// CheckPasswordStrength says why a password is refused, or nil.
func CheckPasswordStrength(pw string) error {
	pw = norm.NFC.String(pw) // what is hashed
	if len([]rune(pw)) < MinPasswordLength {
		return ErrWeakPassword
	}
	if len(pw) > MaxPasswordBytes {
		return ErrLongPassword
	}
	return nil
}

// ValidUserName reports whether a login name is 2–40 characters of lower-case ASCII
// letters, digits, dots, hyphens and underscores: names are typed at a login prompt.
func ValidUserName(s string) bool {
	if len(s) < 2 || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// reservedNames are names that would pass for the site itself or its staff in a byline
// or at a login prompt, compared lower-case without accents or separators.
var reservedNames = map[string]bool{
	"admin": true, "administrator": true, "root": true, "system": true, "sysadmin": true,
	"superuser": true, "webmaster": true, "moderator": true, "toasoan": true,
	"quantri": true, "quantrivien": true, "bantoasoan": true, "banbientap": true,
}

// ReservedUserName reports whether a login or display name, once folded (lower case, no
// accents, letters and digits only), is one of the names kept for the site's staff.
// folded is the name so folded by the caller (package vntext).
func ReservedUserName(folded string) bool {
	var b strings.Builder
	for _, c := range folded {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return reservedNames[b.String()]
}

// NewUser is what creating an account needs.
type NewUser struct {
	Name        string
	DisplayName string
	Role        string
	Password    string
}

// CreateUser hashes the password and inserts the account, with an audit entry.
func (d *DB) CreateUser(ctx context.Context, by Actor, now time.Time, nu NewUser) (int64, error) {
	return d.createUser(ctx, by, now, nu, false)
}

// ErrNotFirstUser is CreateFirstAdmin's answer once any account exists.
var ErrNotFirstUser = errors.New("db: an account exists already")

// CreateFirstAdmin creates an account only while there is none, checked in the same
// transaction as the insert: of many first-start setups at once, one wins.
func (d *DB) CreateFirstAdmin(ctx context.Context, by Actor, now time.Time, nu NewUser) (int64, error) {
	nu.Role = RoleAdmin
	return d.createUser(ctx, by, now, nu, true)
}

func (d *DB) createUser(ctx context.Context, by Actor, now time.Time, nu NewUser, onlyFirst bool) (int64, error) {
	if !ValidUserName(nu.Name) {
		return 0, ErrInvalidUserName
	}
	if !ValidRole(nu.Role) {
		return 0, fmt.Errorf("db: unknown role %q", nu.Role)
	}
	if err := CheckPasswordStrength(nu.Password); err != nil {
		return 0, err
	}
	hash, err := d.hashPassword(nu.Password)
	if err != nil {
		return 0, fmt.Errorf("db: hash password: %w", err)
	}
	var id int64
	err = d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		var taken int
		if onlyFirst {
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&taken); err != nil {
				return err
			}
			if taken > 0 {
				return ErrNotFirstUser
			}
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE name = ?`, nu.Name).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return ErrDuplicateName
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO users (name, display_name, password_hash, role, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, nu.Name, nu.DisplayName, string(hash), nu.Role, unix(now), unix(now))
		if err != nil {
			return fmt.Errorf("db: create user %q: %w", nu.Name, err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return writeAudit(ctx, tx, by, now, "user.create", ObjectUser, id, nu.Name+" ("+nu.Role+")")
	})
	return id, err
}

// CountUsers counts accounts, to know whether the first-start setup is needed.
func (d *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := d.r.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: count users: %w", err)
	}
	return n, nil
}

// UserByID returns an account.
func (d *DB) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(d.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return u, fmt.Errorf("db: user %d: %w", id, notFound(err))
	}
	return u, nil
}

// UserByName returns an account by login name.
func (d *DB) UserByName(ctx context.Context, name string) (User, error) {
	u, err := scanUser(d.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE name = ?`, name))
	if err != nil {
		return u, fmt.Errorf("db: user %q: %w", name, notFound(err))
	}
	return u, nil
}

// Users lists every account by name.
func (d *DB) Users(ctx context.Context) ([]User, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("db: list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("db: list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// dummyHash is compared against when the name is unknown, so a wrong name costs the same
// time as a wrong password and timing does not reveal which names exist.
var dummyHash = []byte("$2a$11$KUswbeFwOjCqCu5F50O7Hu8CKYq97aXMY7hRT1AnZTeczCIv6IViS")

// Authenticate checks a name and password; any failure (unknown name, wrong password,
// disabled account) is ErrBadCredentials.
func (d *DB) Authenticate(ctx context.Context, name, password string) (User, error) {
	u, err := d.UserByName(ctx, name)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return User{}, err
	}
	hash := dummyHash
	if h := d.dummyHash.Load(); h != nil {
		hash = *h
	}
	if err == nil {
		hash = []byte(u.hash)
	}
	cmpErr := comparePassword(hash, password)
	if err != nil || cmpErr != nil || u.Disabled {
		return User{}, ErrBadCredentials
	}
	return u, nil
}

// SetPassword replaces a password and ends the user's sessions.
func (d *DB) SetPassword(ctx context.Context, by Actor, now time.Time, id int64, password string) error {
	if err := CheckPasswordStrength(password); err != nil {
		return err
	}
	hash, err := d.hashPassword(password)
	if err != nil {
		return fmt.Errorf("db: hash password: %w", err)
	}
	return d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, session_gen = session_gen + 1, updated_at = ?
			WHERE id = ?`, string(hash), unix(now), id)
		if err != nil {
			return fmt.Errorf("db: set password of %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return writeAudit(ctx, tx, by, now, "user.password", ObjectUser, id, "")
	})
}

// activeAdmins counts enabled admins other than exceptID.
func activeAdmins(ctx context.Context, tx *sql.Tx, exceptID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?`, exceptID).Scan(&n)
	return n, err
}

// UpdateUser changes an account's display name, role and disabled flag. Disabling ends
// the user's sessions; the last enabled admin can be neither demoted nor disabled.
func (d *DB) UpdateUser(ctx context.Context, by Actor, now time.Time, id int64, displayName, role string, disabled bool) error {
	if !ValidRole(role) {
		return fmt.Errorf("db: unknown role %q", role)
	}
	return d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
		if err != nil {
			return fmt.Errorf("db: user %d: %w", id, notFound(err))
		}
		if u.Role == RoleAdmin && !u.Disabled && (role != RoleAdmin || disabled) {
			n, err := activeAdmins(ctx, tx, id)
			if err != nil {
				return err
			}
			if n == 0 {
				return ErrLastAdmin
			}
		}
		gen := u.SessionGen
		if disabled && !u.Disabled || role != u.Role {
			gen++ // a disabled user's or a demoted user's sessions end now
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET display_name = ?, role = ?, disabled = ?, session_gen = ?, updated_at = ?
			WHERE id = ?`, displayName, role, boolInt(disabled), gen, unix(now), id)
		if err != nil {
			return fmt.Errorf("db: update user %d: %w", id, err)
		}
		var changes []string
		if displayName != u.DisplayName {
			changes = append(changes, "tên hiển thị: "+displayName)
		}
		if role != u.Role {
			changes = append(changes, "vai trò: "+u.Role+" → "+role)
		}
		if disabled != u.Disabled {
			if disabled {
				changes = append(changes, "khóa tài khoản")
			} else {
				changes = append(changes, "mở khóa tài khoản")
			}
		}
		if len(changes) == 0 {
			return nil
		}
		return writeAudit(ctx, tx, by, now, "user.update", ObjectUser, id, u.Name+": "+strings.Join(changes, "; "))
	})
}

// Throttle kinds.
const (
	ThrottleUser = "user"
	ThrottleIP   = "ip"
)

// LoginFailures returns how many login attempts a key has had counted and when the last was.
func (d *DB) LoginFailures(ctx context.Context, kind, key string) (int, time.Time, error) {
	var n int
	var last int64
	err := d.r.QueryRowContext(ctx, `SELECT failures, last_at FROM login_attempts WHERE kind = ? AND key = ?`, kind, key).Scan(&n, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("db: login failures: %w", err)
	}
	return n, fromUnix(last), nil
}

// Users, passwords and logins change no public page (bylines are the articles' own
// text), so their writes are quiet.

// ThrottleKey is one counter a login attempt is checked against: an account name or an
// address.
type ThrottleKey struct{ Kind, Key string }

// ClaimLoginAttempt counts a login attempt against every key before the password is
// checked, in one write transaction: concurrent attempts are serialized by the one
// writer, so no two of them pass a check made before the other was counted. retryAt
// says, from a key's count and its last attempt, when that key may try again. When a key
// must still wait, nothing is counted and the latest such time is returned; otherwise
// every key's count grows by one (a success gives back what it must: RecordLogin) and
// the zero time is returned. Keys idle for a day are forgotten on the way.
func (d *DB) ClaimLoginAttempt(ctx context.Context, now time.Time, keys []ThrottleKey, retryAt func(kind string, n int, last time.Time) time.Time) (time.Time, error) {
	var until time.Time
	err := d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE last_at < ?`, unix(now.Add(-24*time.Hour))); err != nil {
			return fmt.Errorf("prune: %w", err)
		}
		for _, k := range keys {
			var n int
			var last int64
			err := tx.QueryRowContext(ctx, `SELECT failures, last_at FROM login_attempts WHERE kind = ? AND key = ?`, k.Kind, k.Key).Scan(&n, &last)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if t := retryAt(k.Kind, n, fromUnix(last)); t.After(now) && t.After(until) {
				until = t
			}
		}
		if !until.IsZero() {
			return nil
		}
		for _, k := range keys {
			_, err := tx.ExecContext(ctx, `INSERT INTO login_attempts (kind, key, failures, last_at) VALUES (?, ?, 1, ?)
				ON CONFLICT (kind, key) DO UPDATE SET failures = failures + 1, last_at = excluded.last_at`, k.Kind, k.Key, unix(now))
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("db: claim login attempt: %w", err)
	}
	return until, nil
}

// RecordLoginFailure writes a failed login (already counted by ClaimLoginAttempt) to the
// audit log.
func (d *DB) RecordLoginFailure(ctx context.Context, by Actor, now time.Time, name string) error {
	// Quiet: see Audit.
	return d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		return writeAudit(ctx, tx, by, now, "login.failed", ObjectUser, 0, name)
	})
}

// RecordLogin logs a login. The account's count is cleared (its owner proved the
// password); the address only gets back the one attempt this login claimed: its
// earlier failures stay until time forgets them, so an account of one's own cannot be
// used to reset the count between guesses at others.
func (d *DB) RecordLogin(ctx context.Context, by Actor, now time.Time) error {
	return d.inTxQuiet(ctx, func(tx *sql.Tx) error { // changes no public page
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE kind = 'user' AND key = ?`, by.UserName); err != nil {
			return fmt.Errorf("db: clear login failures: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE login_attempts SET failures = failures - 1 WHERE kind = 'ip' AND key = ?`, by.IP); err != nil {
			return fmt.Errorf("db: give back login attempt: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE kind = 'ip' AND key = ? AND failures <= 0`, by.IP); err != nil {
			return fmt.Errorf("db: give back login attempt: %w", err)
		}
		return writeAudit(ctx, tx, by, now, "login", ObjectUser, by.UserID, "")
	})
}
