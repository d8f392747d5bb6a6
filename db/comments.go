package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Comment statuses.
const (
	CommentPending  = "pending"
	CommentApproved = "approved"
	CommentRejected = "rejected"
	CommentSpam     = "spam"
	CommentDeleted  = "deleted"
)

// Comment is a reader's comment. Phone, IP and UserAgent are for moderators only.
type Comment struct {
	ID          int64
	ArticleID   int64
	ParentID    int64
	Name        string
	Phone       string
	Title       string
	Body        string
	Status      string
	IP          string
	UserAgent   string
	CreatedAt   time.Time
	ModeratedBy int64
	ModeratedAt time.Time
}

// ApprovedComments lists an article's approved comments, oldest first.
func (d *DB) ApprovedComments(ctx context.Context, articleID int64) ([]Comment, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT id, article_id, name, title, body, created_at
		FROM comments WHERE article_id = ? AND status = 'approved' ORDER BY created_at, id`, articleID)
	if err != nil {
		return nil, fmt.Errorf("db: comments of %d: %w", articleID, err)
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		var c Comment
		var created int64
		if err := rows.Scan(&c.ID, &c.ArticleID, &c.Name, &c.Title, &c.Body, &created); err != nil {
			return nil, fmt.Errorf("db: comments of %d: %w", articleID, err)
		}
		c.CreatedAt = fromUnix(created)
		c.Status = CommentApproved
		out = append(out, c)
	}
	return out, rows.Err()
}

func insertComment(ctx context.Context, tx *sql.Tx, c Comment) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO comments (article_id, parent_id, name, phone, title, body, status,
		ip, user_agent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ArticleID, nullID(c.ParentID), c.Name, c.Phone, c.Title, c.Body, c.Status, c.IP, c.UserAgent, unix(c.CreatedAt))
	if err != nil {
		return 0, fmt.Errorf("db: insert comment on %d: %w", c.ArticleID, err)
	}
	if c.Status == CommentApproved {
		if err := refreshCommentCount(ctx, tx, c.ArticleID); err != nil {
			return 0, err
		}
	}
	return res.LastInsertId()
}

// refreshCommentCount recounts instead of incrementing, so the count cannot drift.
func refreshCommentCount(ctx context.Context, tx *sql.Tx, articleID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE articles SET comment_count =
		(SELECT count(*) FROM comments WHERE article_id = ? AND status = 'approved') WHERE id = ?`, articleID, articleID)
	if err != nil {
		return fmt.Errorf("db: count comments of %d: %w", articleID, err)
	}
	return nil
}

// InsertComment stores a comment and returns its id.
func (d *DB) InsertComment(ctx context.Context, c Comment) (int64, error) {
	var id int64
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = insertComment(ctx, tx, c)
		return err
	})
	return id, err
}
