package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// TrashRetention is how long a trashed article can be restored before it is purged.
const TrashRetention = 30 * 24 * time.Hour

// ErrNotTrashed is a permanent delete of an article outside the trash: articles are
// trashed first, so one click never destroys a story.
var ErrNotTrashed = errors.New("db: the article is not in the trash")

// TrashArticle moves an article to the trash: it leaves every public page, feed, search
// and the sitemap (its status becomes archived, the status it had is kept for a
// restore) and the featured list. Trashing a trashed article is a success.
func (d *DB) TrashArticle(ctx context.Context, by Actor, now time.Time, id int64) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		return trashArticle(ctx, tx, by, now, id, "")
	})
}

func trashArticle(ctx context.Context, tx *sql.Tx, by Actor, now time.Time, id int64, note string) error {
	cur, err := articleTx(ctx, tx, id)
	if err != nil {
		return err
	}
	if !cur.TrashedAt.IsZero() {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE articles SET trashed_status = status, status = 'archived', trashed_at = ?,
		version = version + 1, updated_at = ? WHERE id = ?`, unix(now), unix(now), id); err != nil {
		return fmt.Errorf("db: trash article %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM featured WHERE article_id = ?`, id); err != nil {
		return fmt.Errorf("db: unfeature %d: %w", id, err)
	}
	return writeAudit(ctx, tx, by, now, "article.trash", ObjectArticle, id, cur.Title+note)
}

// RestoreArticle takes an article out of the trash with the status it had; a published
// article is public again. Restoring one not in the trash is a success.
func (d *DB) RestoreArticle(ctx context.Context, by Actor, now time.Time, id int64) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := articleTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.TrashedAt.IsZero() {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET status = CASE WHEN trashed_status = '' THEN 'draft'
			ELSE trashed_status END, trashed_status = '', trashed_at = NULL, version = version + 1, updated_at = ?
			WHERE id = ?`, unix(now), id); err != nil {
			return fmt.Errorf("db: restore article %d: %w", id, err)
		}
		return writeAudit(ctx, tx, by, now, "article.restore", ObjectArticle, id, cur.Title)
	})
}

// deleteArticle removes an article with everything hanging from it (revisions,
// comments, tags, views: cascades) and its search row and import mappings.
func deleteArticle(ctx context.Context, tx *sql.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM articles_fts WHERE rowid = ?`, id); err != nil {
		return fmt.Errorf("db: unindex article %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM wordpress_ids WHERE kind = 'comment'
		AND local_id IN (SELECT id FROM comments WHERE article_id = ?)`, id); err != nil {
		return fmt.Errorf("db: forget imported comments of %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM wordpress_ids WHERE kind = 'post' AND local_id = ?`, id); err != nil {
		return fmt.Errorf("db: forget imported post %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, id); err != nil {
		return fmt.Errorf("db: delete article %d: %w", id, err)
	}
	return nil
}

// DeleteArticle deletes a trashed article for good (admins only: the handler checks).
func (d *DB) DeleteArticle(ctx context.Context, by Actor, now time.Time, id int64) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := articleTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.TrashedAt.IsZero() {
			return ErrNotTrashed
		}
		if err := deleteArticle(ctx, tx, id); err != nil {
			return err
		}
		return writeAudit(ctx, tx, by, now, "article.delete", ObjectArticle, id, cur.Title)
	})
}

// PurgeTrash deletes the articles trashed more than TrashRetention before now, each
// with an audit entry by `by` (the system), and returns how many went.
func (d *DB) PurgeTrash(ctx context.Context, by Actor, now time.Time) (int, error) {
	var n int
	var purged bool
	// Quiet unless something went: the purge runs on a timer, and an empty purge must
	// not retire the page cache.
	err := d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, title FROM articles WHERE trashed_at IS NOT NULL AND trashed_at <= ?`,
			unix(now.Add(-TrashRetention)))
		if err != nil {
			return fmt.Errorf("db: expired trash: %w", err)
		}
		type victim struct {
			id    int64
			title string
		}
		var vs []victim
		for rows.Next() {
			var v victim
			if err := rows.Scan(&v.id, &v.title); err != nil {
				rows.Close()
				return err
			}
			vs = append(vs, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, v := range vs {
			if err := deleteArticle(ctx, tx, v.id); err != nil {
				return err
			}
			if err := writeAudit(ctx, tx, by, now, "article.purge", ObjectArticle, v.id, v.title); err != nil {
				return err
			}
		}
		n, purged = len(vs), len(vs) > 0
		return nil
	})
	if err != nil {
		return 0, err
	}
	if purged {
		d.changedAll()
	}
	return n, nil
}

// SetCommentsClosed opens or closes an article's comments; existing comments stay.
func (d *DB) SetCommentsClosed(ctx context.Context, by Actor, now time.Time, id int64, closed bool) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := articleTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.CommentsClosed == closed {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET comments_closed = ?, updated_at = ? WHERE id = ?`,
			boolInt(closed), unix(now), id); err != nil {
			return fmt.Errorf("db: close comments of %d: %w", id, err)
		}
		action := "article.comments_open"
		if closed {
			action = "article.comments_close"
		}
		return writeAudit(ctx, tx, by, now, action, ObjectArticle, id, cur.Title)
	})
}

// BulkAction is one action applied to many articles from the article list.
type BulkAction string

// Bulk actions.
const (
	BulkPublish   BulkAction = "publish"
	BulkUnpublish BulkAction = "unpublish"
	BulkMove      BulkAction = "move"
	BulkTrash     BulkAction = "trash"
)

// ValidBulkAction reports whether s names a bulk action.
func ValidBulkAction(s string) bool {
	switch BulkAction(s) {
	case BulkPublish, BulkUnpublish, BulkMove, BulkTrash:
		return true
	}
	return false
}

// BulkResult says how many articles a bulk action changed and which it left alone
// (trashed, gone, or a step the workflow does not allow from their status).
type BulkResult struct {
	Done    int
	Skipped int
}

// BulkArticles applies action to the articles ids in one transaction, each with its own
// audit entry; sectionID is the target of BulkMove. Publishing keeps a future publish
// time (the article stays scheduled) and otherwise publishes now.
func (d *DB) BulkArticles(ctx context.Context, by Actor, now time.Time, ids []int64, action BulkAction, sectionID int64) (BulkResult, error) {
	var res BulkResult
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		res = BulkResult{}
		var sectionName string
		if action == BulkMove {
			if err := tx.QueryRowContext(ctx, `SELECT name FROM categories WHERE id = ?`, sectionID).Scan(&sectionName); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return ErrUnknownSection
				}
				return err
			}
		}
		seen := map[int64]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			cur, err := articleTx(ctx, tx, id)
			if errors.Is(err, ErrNotFound) {
				res.Skipped++
				continue
			}
			if err != nil {
				return err
			}
			if !cur.TrashedAt.IsZero() {
				res.Skipped++
				continue
			}
			changed, err := bulkOne(ctx, tx, by, now, cur, action, sectionID, sectionName)
			if err != nil {
				return err
			}
			if changed {
				res.Done++
			} else {
				res.Skipped++
			}
		}
		return nil
	})
	return res, err
}

func bulkOne(ctx context.Context, tx *sql.Tx, by Actor, now time.Time, cur Article, action BulkAction, sectionID int64, sectionName string) (bool, error) {
	const note = " (hàng loạt)"
	switch action {
	case BulkPublish, BulkUnpublish:
		to := StatusPublished
		if action == BulkUnpublish {
			to = StatusDraft
		}
		if cur.Status == to || !CanTransition(cur.Status, to) {
			return false, nil
		}
		publishAt := cur.PublishAt
		if to == StatusPublished && !publishAt.After(now) {
			publishAt = now
		}
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET status = ?, publish_at = ?, review_note = '',
			version = version + 1, updated_at = ? WHERE id = ?`, to, nullTime(publishAt), unix(now), cur.ID); err != nil {
			return false, fmt.Errorf("db: bulk %s %d: %w", action, cur.ID, err)
		}
		return true, writeAudit(ctx, tx, by, now, "article."+to, ObjectArticle, cur.ID, cur.Status+" → "+to+note)
	case BulkMove:
		if cur.CategoryID == sectionID {
			return false, nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET category_id = ?, version = version + 1, updated_at = ?
			WHERE id = ?`, sectionID, unix(now), cur.ID); err != nil {
			return false, fmt.Errorf("db: bulk move %d: %w", cur.ID, err)
		}
		return true, writeAudit(ctx, tx, by, now, "article.move", ObjectArticle, cur.ID,
			cur.CategoryName+" → "+sectionName+note)
	case BulkTrash:
		return true, trashArticle(ctx, tx, by, now, cur.ID, note)
	}
	return false, fmt.Errorf("db: unknown bulk action %q", action)
}
