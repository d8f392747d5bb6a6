package db

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestPostsCommittedTogether: posts that queue behind a busy writer are committed in one
// transaction, and inside it each stands alone: the duplicates and the second use of a
// token are refused, the comment on an article whose comments are closed too, and every
// other post is stored and acknowledged exactly once.
func TestPostsCommittedTogether(t *testing.T) {
	t.Parallel()
	f := newContentFixture(t)
	art := f.article(t, "Đường liên xã", StatusPublished, time.Hour)
	closed := f.article(t, "Thông báo", StatusPublished, time.Hour)
	if _, err := f.d.w.Exec(`UPDATE articles SET comments_closed = 1 WHERE id = ?`, closed); err != nil {
		t.Fatal(err)
	}
	token := []byte("0123456789abcdef")
	type post struct {
		c    Comment
		o    ReaderCommentOptions
		kind string
	}
	var posts []post
	since := f.now.Add(-time.Hour)
	for i := range 20 {
		posts = append(posts, post{Comment{ArticleID: art, Name: "Bạn đọc", Title: "Ý kiến",
			Body: fmt.Sprintf("Ý kiến riêng số %d.", i), Status: CommentApproved, CreatedAt: f.now},
			ReaderCommentOptions{DuplicateSince: since}, "distinct"})
	}
	for range 10 {
		posts = append(posts, post{Comment{ArticleID: art, Name: "Bạn đọc", Title: "Ý kiến", Body: "Cùng một câu.",
			Status: CommentPending, CreatedAt: f.now}, ReaderCommentOptions{DuplicateSince: since}, "duplicate"})
	}
	for i := range 10 {
		posts = append(posts, post{Comment{ArticleID: art, Name: "Bạn đọc", Title: "Ý kiến",
			Body: fmt.Sprintf("Một phiếu dùng lại lần %d.", i), Status: CommentPending, CreatedAt: f.now},
			ReaderCommentOptions{FormToken: token, FormTokenExpires: f.now.Add(time.Hour)}, "token"})
	}
	posts = append(posts, post{Comment{ArticleID: closed, Name: "Bạn đọc", Title: "Ý kiến", Body: "Bài đã đóng.",
		Status: CommentPending, CreatedAt: f.now}, ReaderCommentOptions{}, "closed"})

	// Hold the writer so that every post but the first queues behind it.
	hold, err := f.d.w.BeginTx(f.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]error, len(posts))
	stored := make([]Comment, len(posts))
	for i, p := range posts {
		wg.Go(func() { stored[i], results[i] = f.d.PostReaderComment(f.ctx, p.c, p.o) })
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		f.d.posts.mu.Lock()
		queued := len(f.d.posts.queue)
		f.d.posts.mu.Unlock()
		if queued == len(posts)-1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d posts queued behind the busy writer", queued)
		}
	}
	hold.Rollback()
	wg.Wait()

	ok := map[string]int{}
	for i, p := range posts {
		switch err := results[i]; {
		case err == nil:
			ok[p.kind]++
			var body string
			if err := f.d.r.QueryRow(`SELECT body FROM comments WHERE id = ?`, stored[i].ID).Scan(&body); err != nil || body != p.c.Body {
				t.Errorf("acknowledged post %q stored as %q (%v)", p.c.Body, body, err)
			}
		case p.kind == "duplicate" && errors.Is(err, ErrDuplicateComment),
			p.kind == "token" && errors.Is(err, ErrFormTokenUsed),
			p.kind == "closed" && errors.Is(err, ErrCommentsClosed):
		default:
			t.Errorf("%s post %q: %v", p.kind, p.c.Body, err)
		}
	}
	if ok["distinct"] != 20 || ok["duplicate"] != 1 || ok["token"] != 1 || ok["closed"] != 0 {
		t.Errorf("stored %v, want 20 distinct, 1 duplicate, 1 token, 0 closed", ok)
	}
	var n int
	if err := f.d.r.QueryRow(`SELECT count(*) FROM comments`).Scan(&n); err != nil || n != 22 {
		t.Errorf("%d comments in the database (%v), want 22", n, err)
	}
	if _, count, err := f.d.CommentListState(f.ctx, art); err != nil || count != 20 {
		t.Errorf("approved count %d (%v), want 20", count, err)
	}
}
