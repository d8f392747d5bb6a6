package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Orders of a comment thread, as the public URLs spell them (?sap-xep=).
const (
	SortNewest = "moi"   // newest top-level comment first
	SortLiked  = "thich" // most liked first, newest among equals
)

// ValidCommentSort reports whether s is a thread order.
func ValidCommentSort(s string) bool { return s == SortNewest || s == SortLiked }

// Thread is an approved top-level comment with its approved replies, oldest first
// (newsroom replies among them, marked by StaffID).
type Thread struct {
	Comment
	Replies []Comment
}

// ThreadPage is one page of an article's comment thread.
type ThreadPage struct {
	Threads []Thread
	More    bool // a next page exists
}

// ErrNotReplyable is returned for a reply to a comment that is not an approved comment of
// the article.
var ErrNotReplyable = errors.New("db: comment cannot be replied to")

// CommentThreads loads a page of an article's approved top-level comments in the given
// order (offset and limit count top-level comments) with the replies of each.
func (d *DB) CommentThreads(ctx context.Context, articleID int64, sort string, offset, limit int) (ThreadPage, error) {
	order := `created_at DESC, id DESC`
	if sort == SortLiked {
		order = `like_count DESC, created_at DESC, id DESC`
	}
	// order is one of two constants above, never reader input.
	rows, err := d.rKept.QueryContext(ctx, `SELECT id, article_id, name, title, body, created_at,
		coalesce(moderated_at, 0), like_count, coalesce(staff_id, 0)
		FROM comments WHERE article_id = ? AND status = 'approved' AND parent_id IS NULL
		ORDER BY `+order+` LIMIT ? OFFSET ?`, articleID, limit+1, offset)
	if err != nil {
		return ThreadPage{}, fmt.Errorf("db: threads of %d: %w", articleID, err)
	}
	var page ThreadPage
	byID := map[int64]int{}
	for rows.Next() {
		c, err := scanPublicComment(rows)
		if err != nil {
			rows.Close()
			return ThreadPage{}, fmt.Errorf("db: threads of %d: %w", articleID, err)
		}
		if len(page.Threads) == limit {
			page.More = true
			break
		}
		byID[c.ID] = len(page.Threads)
		page.Threads = append(page.Threads, Thread{Comment: c})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return ThreadPage{}, fmt.Errorf("db: threads of %d: %w", articleID, err)
	}
	if len(page.Threads) == 0 {
		return page, nil
	}
	args := make([]any, 0, len(page.Threads))
	for _, t := range page.Threads {
		args = append(args, t.ID)
	}
	marks := strings.Repeat(",?", len(args))[1:]
	rows, err = d.r.QueryContext(ctx, repliesQuery(marks), args...)
	if err != nil {
		return ThreadPage{}, fmt.Errorf("db: replies on %d: %w", articleID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Comment
		var created, moderated int64
		if err := rows.Scan(&c.ID, &c.ArticleID, &c.Name, &c.Title, &c.Body, &created, &moderated,
			&c.LikeCount, &c.StaffID, &c.ParentID); err != nil {
			return ThreadPage{}, fmt.Errorf("db: replies on %d: %w", articleID, err)
		}
		c.CreatedAt, c.Status = fromUnix(created), CommentApproved
		if moderated != 0 {
			c.ModeratedAt = fromUnix(moderated)
		}
		if i, ok := byID[c.ParentID]; ok {
			page.Threads[i].Replies = append(page.Threads[i].Replies, c)
		}
	}
	return page, rows.Err()
}

// repliesQuery selects the approved replies to the threads whose ids fill marks ("?,?").
// "+status": the replies are found through comments_parent_idx. Without the plus, SQLite
// took comments_status_idx and walked every approved comment of the site for each article
// page it rendered (every render, with moderation off, slower as the site's comments grew).
func repliesQuery(marks string) string {
	return `SELECT id, article_id, name, title, body, created_at,
		coalesce(moderated_at, 0), like_count, coalesce(staff_id, 0), parent_id
		FROM comments WHERE parent_id IN (` + marks + `) AND +status = 'approved'
		ORDER BY created_at, id`
}

func scanPublicComment(row interface{ Scan(...any) error }) (Comment, error) {
	var c Comment
	var created, moderated int64
	if err := row.Scan(&c.ID, &c.ArticleID, &c.Name, &c.Title, &c.Body, &created, &moderated, &c.LikeCount, &c.StaffID); err != nil {
		return Comment{}, err
	}
	c.CreatedAt, c.Status = fromUnix(created), CommentApproved
	if moderated != 0 {
		c.ModeratedAt = fromUnix(moderated)
	}
	return c, nil
}

// ReplyTarget is the comment a reply to id hangs under: the approved comment itself when
// it is top-level, else its own parent (threads are one level deep). A comment of another
// article, or one not approved, is ErrNotReplyable.
func (d *DB) ReplyTarget(ctx context.Context, articleID, id int64) (Comment, error) {
	var parent sql.NullInt64
	c := Comment{ID: id}
	err := d.rKept.QueryRowContext(ctx, `SELECT name, title, parent_id FROM comments
		WHERE id = ? AND article_id = ? AND status = 'approved'`, id, articleID).Scan(&c.Name, &c.Title, &parent)
	if errors.Is(err, sql.ErrNoRows) {
		return Comment{}, ErrNotReplyable
	}
	if err != nil {
		return Comment{}, fmt.Errorf("db: reply target %d: %w", id, err)
	}
	if parent.Valid {
		return d.ReplyTarget(ctx, articleID, parent.Int64)
	}
	c.ArticleID = articleID
	return c, nil
}

// LikeResult is what LikeComment did.
type LikeResult struct {
	ArticleID int64
	Count     int  // the comment's likes after this one
	Added     bool // this like counted
}

// LikeComment records one reader's like of an approved comment: nothing happens when this
// reader already liked it, or when perAddress likes of it came from the address already. The write is quiet:
// a like does not empty the page cache (the count on cached pages catches up with the
// next change), so likes cannot be used to defeat the cache.
func (d *DB) LikeComment(ctx context.Context, commentID int64, reader, ip string, perAddress int, now time.Time) (LikeResult, error) {
	var res LikeResult
	err := d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT article_id, like_count FROM comments WHERE id = ? AND status = 'approved'`,
			commentID).Scan(&res.ArticleID, &res.Count); err != nil {
			return notFound(err)
		}
		var mine, fromAddress int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE reader = ?), count(*) FILTER (WHERE ip = ?)
			FROM comment_likes WHERE comment_id = ?`, reader, ip, commentID).Scan(&mine, &fromAddress); err != nil {
			return err
		}
		if mine > 0 || fromAddress >= perAddress {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO comment_likes (comment_id, reader, ip, created_at) VALUES (?, ?, ?, ?)`,
			commentID, reader, ip, unix(now)); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `UPDATE comments SET like_count =
			(SELECT count(*) FROM comment_likes WHERE comment_id = ?) WHERE id = ? RETURNING like_count`,
			commentID, commentID).Scan(&res.Count); err != nil {
			return err
		}
		res.Added = true
		return nil
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		err = fmt.Errorf("db: like comment %d: %w", commentID, err)
	}
	return res, err
}

// PostStaffReply stores a newsroom reply under a reader's comment, published at once and
// attached to the top-level comment of the thread. name is what readers see as the author.
func (d *DB) PostStaffReply(ctx context.Context, by Actor, parentID int64, name, body string, now time.Time) (Comment, error) {
	var c Comment
	err := d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		var parent sql.NullInt64
		var status, title string
		if err := tx.QueryRowContext(ctx, `SELECT article_id, parent_id, status, title FROM comments WHERE id = ?`,
			parentID).Scan(&c.ArticleID, &parent, &status, &title); err != nil {
			return notFound(err)
		}
		c.ParentID = parentID
		if parent.Valid {
			c.ParentID = parent.Int64
		}
		c.Name, c.Title, c.Body, c.Status, c.CreatedAt, c.StaffID = name, "Trả lời: "+title, body, CommentApproved, now, by.UserID
		res, err := tx.ExecContext(ctx, `INSERT INTO comments (article_id, parent_id, name, title, body, status,
			created_at, staff_id, moderated_by, moderated_at) VALUES (?, ?, ?, ?, ?, 'approved', ?, ?, ?, ?)`,
			c.ArticleID, c.ParentID, c.Name, c.Title, c.Body, unix(now), nullID(by.UserID), nullID(by.UserID), unix(now))
		if err != nil {
			return err
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := refreshCommentCount(ctx, tx, c.ArticleID); err != nil {
			return err
		}
		return writeAudit(ctx, tx, by, now, "comment.reply", ObjectComment, parentID, firstRunes(body, 200))
	})
	if err == nil {
		d.changed(Change{CommentsOf: []int64{c.ArticleID}})
	} else if !errors.Is(err, ErrNotFound) {
		err = fmt.Errorf("db: newsroom reply to %d: %w", parentID, err)
	}
	return c, err
}
