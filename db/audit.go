package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Actor is who makes a change, as the audit log records it.
type Actor struct {
	UserID   int64 // 0 for the system or an anonymous visitor
	UserName string
	IP       string
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID         int64
	At         time.Time
	UserID     int64
	UserName   string
	Action     string
	ObjectType string
	ObjectID   int64
	Detail     string
	IP         string
}

// Audit object types.
const (
	ObjectUser     = "user"
	ObjectArticle  = "article"
	ObjectComment  = "comment"
	ObjectCategory = "category"
	ObjectMedia    = "media"
	ObjectSetting  = "setting"
	ObjectBlock    = "block"
	ObjectTag      = "tag"
	ObjectPage     = "page"
)

// maxAuditDetail bounds one entry's detail text: a log line, not a copy of the article.
const maxAuditDetail = 2000

// writeAudit appends an entry inside the caller's transaction, so the log line exists
// exactly when the change does.
func writeAudit(ctx context.Context, tx *sql.Tx, by Actor, now time.Time, action, objType string, objID int64, detail string) error {
	if len(detail) > maxAuditDetail {
		detail = cutUTF8(detail, maxAuditDetail) + "…"
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, user_id, user_name, action, object_type, object_id, detail, ip)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		unix(now), nullID(by.UserID), by.UserName, action, objType, nullID(objID), detail, by.IP)
	if err != nil {
		return fmt.Errorf("db: audit %s: %w", action, err)
	}
	return nil
}

// Audit records an event that changes nothing else (a failed login, a refused request).
func (d *DB) Audit(ctx context.Context, by Actor, now time.Time, action, objType string, objID int64, detail string) error {
	// Quiet: an audit line changes no public page, and anyone can cause one (a refused
	// login): were it to retire the page cache, a login flood would defeat it.
	return d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		return writeAudit(ctx, tx, by, now, action, objType, objID, detail)
	})
}

// cutUTF8 cuts s to at most n bytes without splitting a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isUTF8Start(s[n]) {
		n--
	}
	return s[:n]
}

func isUTF8Start(b byte) bool { return b&0xC0 != 0x80 }

// AuditQuery filters the audit log.
type AuditQuery struct {
	UserName   string // exact login name; "" for everyone
	Action     string // prefix, e.g. "article." ; "" for all
	ObjectType string
	ObjectID   int64
	Since      time.Time // zero for no bound
	Until      time.Time // zero for no bound (exclusive)
	Limit      int
	Offset     int
}

func (q AuditQuery) where() (string, []any) {
	var conds []string
	var args []any
	if q.UserName != "" {
		conds, args = append(conds, "user_name = ?"), append(args, q.UserName)
	}
	if q.Action != "" {
		// substr comparison instead of LIKE: the value may contain % or _.
		conds, args = append(conds, "substr(action, 1, ?) = ?"), append(args, len(q.Action), q.Action)
	}
	if q.ObjectType != "" {
		conds, args = append(conds, "object_type = ?"), append(args, q.ObjectType)
	}
	if q.ObjectID != 0 {
		conds, args = append(conds, "object_id = ?"), append(args, q.ObjectID)
	}
	if !q.Since.IsZero() {
		conds, args = append(conds, "at >= ?"), append(args, unix(q.Since))
	}
	if !q.Until.IsZero() {
		conds, args = append(conds, "at < ?"), append(args, unix(q.Until))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// AuditLog lists entries newest first and counts all that match.
func (d *DB) AuditLog(ctx context.Context, q AuditQuery) ([]AuditEntry, int, error) {
	where, args := q.where()
	var total int
	if err := d.r.QueryRowContext(ctx, `SELECT count(*) FROM audit_log`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("db: count audit log: %w", err)
	}
	rows, err := d.r.QueryContext(ctx, `SELECT id, at, coalesce(user_id, 0), user_name, action, object_type,
		coalesce(object_id, 0), detail, ip FROM audit_log`+where+` ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("db: audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.UserID, &e.UserName, &e.Action, &e.ObjectType, &e.ObjectID, &e.Detail, &e.IP); err != nil {
			return nil, 0, fmt.Errorf("db: audit log: %w", err)
		}
		e.At = fromUnix(at)
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// AuditActions lists the distinct actions in the log, for the filter's choices.
func (d *DB) AuditActions(ctx context.Context) ([]string, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT DISTINCT action FROM audit_log ORDER BY action`)
	if err != nil {
		return nil, fmt.Errorf("db: audit actions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
