package db

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// ModComment is a comment as the moderation queue shows it, with its article.
type ModComment struct {
	Comment
	ArticleTitle string
	ArticleSlug  string
	Blocked      bool // its address or phone is blocked
}

// ArticleLink is the comment's article with what its public URL needs.
func (c ModComment) ArticleLink() Article { return Article{ID: c.ArticleID, Slug: c.ArticleSlug} }

// ModerationQuery filters the moderation queue.
type ModerationQuery struct {
	Status    string // "" for every status, pending first
	ArticleID int64
	Limit     int
	Offset    int
}

// ModerationStatuses lists the statuses in queue order.
var ModerationStatuses = []string{CommentPending, CommentApproved, CommentRejected, CommentSpam, CommentDeleted}

// validModerationStatus reports whether s is a comment status.
func validModerationStatus(s string) bool {
	for _, st := range ModerationStatuses {
		if s == st {
			return true
		}
	}
	return false
}

// ModerationComments lists comments for moderators: pending first, then newest first;
// and counts all that match.
func (d *DB) ModerationComments(ctx context.Context, q ModerationQuery) ([]ModComment, int, error) {
	where := ` WHERE (? = '' OR c.status = ?) AND (? = 0 OR c.article_id = ?)`
	args := []any{q.Status, q.Status, q.ArticleID, q.ArticleID}
	var total int
	if err := d.r.QueryRowContext(ctx, `SELECT count(*) FROM comments c`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("db: count moderation queue: %w", err)
	}
	rows, err := d.r.QueryContext(ctx, `SELECT c.id, c.article_id, coalesce(c.parent_id, 0), c.name, c.phone, c.title,
		c.body, c.status, c.ip, c.user_agent, c.created_at, coalesce(c.moderated_by, 0), coalesce(c.moderated_at, 0),
		a.title, a.slug,
		EXISTS (SELECT 1 FROM comment_blocks b WHERE (b.kind = 'ip' AND b.value = c.ip AND c.ip != '')
			OR (b.kind = 'phone' AND b.value = c.phone AND c.phone != ''))
		FROM comments c JOIN articles a ON a.id = c.article_id`+where+`
		ORDER BY c.status = 'pending' DESC, c.created_at DESC, c.id DESC LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("db: moderation queue: %w", err)
	}
	defer rows.Close()
	var out []ModComment
	for rows.Next() {
		c, err := scanModComment(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("db: moderation queue: %w", err)
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

func scanModComment(row interface{ Scan(...any) error }) (ModComment, error) {
	var c ModComment
	var created, moderated int64
	err := row.Scan(&c.ID, &c.ArticleID, &c.ParentID, &c.Name, &c.Phone, &c.Title, &c.Body, &c.Status, &c.IP,
		&c.UserAgent, &created, &c.ModeratedBy, &moderated, &c.ArticleTitle, &c.ArticleSlug, &c.Blocked)
	c.CreatedAt = fromUnix(created)
	if moderated != 0 {
		c.ModeratedAt = fromUnix(moderated)
	}
	return c, err
}

// ModerationComment returns one comment for the queue.
func (d *DB) ModerationComment(ctx context.Context, id int64) (ModComment, error) {
	c, err := scanModComment(d.r.QueryRowContext(ctx, `SELECT c.id, c.article_id, coalesce(c.parent_id, 0), c.name,
		c.phone, c.title, c.body, c.status, c.ip, c.user_agent, c.created_at, coalesce(c.moderated_by, 0),
		coalesce(c.moderated_at, 0), a.title, a.slug,
		EXISTS (SELECT 1 FROM comment_blocks b WHERE (b.kind = 'ip' AND b.value = c.ip AND c.ip != '')
			OR (b.kind = 'phone' AND b.value = c.phone AND c.phone != ''))
		FROM comments c JOIN articles a ON a.id = c.article_id WHERE c.id = ?`, id))
	if err != nil {
		return c, fmt.Errorf("db: comment %d: %w", id, notFound(err))
	}
	return c, nil
}

// CountCommentsByStatus counts comments of one status (the menu's pending badge).
func (d *DB) CountCommentsByStatus(ctx context.Context, status string) (int, error) {
	var n int
	if err := d.r.QueryRowContext(ctx, `SELECT count(*) FROM comments WHERE status = ?`, status).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: count %s comments: %w", status, err)
	}
	return n, nil
}

// CommentStatusCounts counts comments per status.
func (d *DB) CommentStatusCounts(ctx context.Context) (map[string]int, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT status, count(*) FROM comments GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("db: comment counts: %w", err)
	}
	return scanStatusCounts(rows)
}

// ModerateComments sets the status of the given comments in one transaction, keeps each
// touched article's comment count right and writes one audit entry per comment. It
// returns how many comments changed; unknown ids are skipped.
func (d *DB) ModerateComments(ctx context.Context, by Actor, now time.Time, ids []int64, status string) (int, error) {
	if !validModerationStatus(status) || status == CommentPending {
		return 0, fmt.Errorf("db: cannot moderate to status %q", status)
	}
	changed := 0
	articles := map[int64]bool{}
	err := d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		clear(articles) // a retried transaction starts again
		for _, id := range ids {
			var articleID int64
			var old string
			err := tx.QueryRowContext(ctx, `SELECT article_id, status FROM comments WHERE id = ?`, id).Scan(&articleID, &old)
			if err == sql.ErrNoRows {
				continue
			}
			if err != nil {
				return fmt.Errorf("db: comment %d: %w", id, err)
			}
			if old == status {
				continue // a double click changes nothing and logs nothing
			}
			if _, err := tx.ExecContext(ctx, `UPDATE comments SET status = ?, moderated_by = ?, moderated_at = ? WHERE id = ?`,
				status, nullID(by.UserID), unix(now), id); err != nil {
				return fmt.Errorf("db: moderate comment %d: %w", id, err)
			}
			if err := writeAudit(ctx, tx, by, now, "comment."+status, ObjectComment, id, old+" → "+status); err != nil {
				return err
			}
			articles[articleID] = true
			changed++
		}
		for id := range articles {
			if err := refreshCommentCount(ctx, tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && len(articles) > 0 {
		d.changed(Change{CommentsOf: slices.Sorted(maps.Keys(articles))})
	}
	return changed, err
}

// EditComment replaces a comment's title and body (already cleaned plain text); the
// audit entry keeps the old text.
func (d *DB) EditComment(ctx context.Context, by Actor, now time.Time, id int64, title, body string) error {
	var articleID int64
	edited := false
	err := d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		var oldTitle, oldBody string
		err := tx.QueryRowContext(ctx, `SELECT article_id, title, body FROM comments WHERE id = ?`, id).Scan(&articleID, &oldTitle, &oldBody)
		if err != nil {
			return fmt.Errorf("db: comment %d: %w", id, notFound(err))
		}
		if oldTitle == title && oldBody == body {
			return nil
		}
		edited = true
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET title = ?, body = ? WHERE id = ?`, title, body, id); err != nil {
			return fmt.Errorf("db: edit comment %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET comments_version = comments_version + 1 WHERE id = ?`, articleID); err != nil {
			return fmt.Errorf("db: edit comment %d: %w", id, err)
		}
		return writeAudit(ctx, tx, by, now, "comment.edit", ObjectComment, id,
			"trước: "+oldTitle+" — "+oldBody)
	})
	if err == nil && edited {
		d.changed(Change{CommentsOf: []int64{articleID}})
	}
	return err
}

// CommentBlock is an address or phone number that may not comment.
type CommentBlock struct {
	Kind      string // "ip" or "phone"
	Value     string
	CreatedBy string
	CreatedAt time.Time
}

// BlockCommenter blocks an address or a phone number; blocking twice is harmless.
func (d *DB) BlockCommenter(ctx context.Context, by Actor, now time.Time, kind, value string) error {
	if kind != "ip" && kind != "phone" || strings.TrimSpace(value) == "" {
		return fmt.Errorf("db: bad block %q %q", kind, value)
	}
	// Quiet: a block changes no public page. The kept answers go after the commit (and
	// once before, so that no answer read during the write is kept).
	d.blocks.ForgetAll()
	defer d.blocks.ForgetAll()
	return d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO comment_blocks (kind, value, created_by, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (kind, value) DO NOTHING`, kind, value, nullID(by.UserID), unix(now))
		if err != nil {
			return fmt.Errorf("db: block %s %q: %w", kind, value, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return writeAudit(ctx, tx, by, now, "block.add", ObjectBlock, 0, kind+" "+value)
	})
}

// UnblockCommenter lifts a block.
func (d *DB) UnblockCommenter(ctx context.Context, by Actor, now time.Time, kind, value string) error {
	d.blocks.ForgetAll()
	defer d.blocks.ForgetAll()
	return d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM comment_blocks WHERE kind = ? AND value = ?`, kind, value)
		if err != nil {
			return fmt.Errorf("db: unblock %s %q: %w", kind, value, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return writeAudit(ctx, tx, by, now, "block.remove", ObjectBlock, 0, kind+" "+value)
	})
}

// CommentBlocks lists the blocks, newest first.
func (d *DB) CommentBlocks(ctx context.Context) ([]CommentBlock, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT b.kind, b.value, coalesce(u.name, ''), b.created_at
		FROM comment_blocks b LEFT JOIN users u ON u.id = b.created_by ORDER BY b.created_at DESC`)
	if err != nil {
		return nil, fmt.Errorf("db: comment blocks: %w", err)
	}
	defer rows.Close()
	var out []CommentBlock
	for rows.Next() {
		var b CommentBlock
		var at int64
		if err := rows.Scan(&b.Kind, &b.Value, &b.CreatedBy, &at); err != nil {
			return nil, err
		}
		b.CreatedAt = fromUnix(at)
		out = append(out, b)
	}
	return out, rows.Err()
}
