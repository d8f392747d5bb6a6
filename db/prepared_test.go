package db

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// keptCount is how many statements a pool keeps prepared.
func keptCount(k *keptStatements) int {
	n := 0
	k.m.Range(func(_, _ any) bool { n++; return true })
	return n
}

func TestKeptStatementsCarryPostsAcrossTransactions(t *testing.T) {
	t.Parallel()
	f := newContentFixture(t)
	art := f.article(t, "Đường liên xã", StatusPublished, time.Hour)
	opts := func(i int) ReaderCommentOptions {
		return ReaderCommentOptions{DuplicateSince: f.now.Add(-time.Hour), FormToken: fmt.Appendf(nil, "token-%04d-xxxxxxx", i),
			FormTokenExpires: f.now.Add(time.Hour)}
	}
	post := func(i int) error {
		_, err := f.d.PostReaderComment(f.ctx, Comment{ArticleID: art, Name: "Bạn đọc", Title: "Ý kiến",
			Body: fmt.Sprintf("Ý kiến số %d.", i), Status: CommentPending, CreatedAt: f.now}, opts(i))
		return err
	}
	if err := post(0); err != nil {
		t.Fatal(err)
	}
	// The post's statements (closed check, duplicate check, token, insert, counters) are
	// kept on the writer once its transaction ended.
	first := keptCount(&f.d.wKept)
	if first < 4 {
		t.Fatalf("%d statements kept after a post, want the post's statements", first)
	}
	// A batch, twice: the kept set grows by the savepoint statements once, then not at
	// all, and every post is stored.
	round := func(from int) {
		// Hold the writer until every post but the first is queued: the round is then
		// committed as one batch, savepoints and all, whatever the scheduler does.
		hold, err := f.d.w.BeginTx(f.ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 40)
		for i := range 40 {
			wg.Go(func() { errs[i] = post(from + i) })
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			f.d.posts.mu.Lock()
			queued := len(f.d.posts.queue)
			f.d.posts.mu.Unlock()
			if queued == 39 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("only %d posts queued behind the busy writer", queued)
			}
		}
		hold.Rollback()
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
	}
	round(1)
	afterOne := keptCount(&f.d.wKept)
	if afterOne != first+2 { // SAVEPOINT and RELEASE (ROLLBACK TO only runs for a refused post)
		t.Errorf("kept %d statements after a batch, %d before: want SAVEPOINT and RELEASE more", afterOne, first)
	}
	round(41)
	if n := keptCount(&f.d.wKept); n != afterOne {
		t.Errorf("kept statements grew from %d to %d on a round of the same posts", afterOne, n)
	}
	var stored int
	if err := f.d.r.QueryRow(`SELECT count(*) FROM comments WHERE article_id = ?`, art).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != 81 {
		t.Errorf("%d comments stored, want 81", stored)
	}
	// A kept statement still refuses what it refused before: a spent token.
	if err := post(5); !errors.Is(err, ErrFormTokenUsed) && !errors.Is(err, ErrDuplicateComment) {
		t.Errorf("post with a spent token: %v", err)
	}
}

func TestKeptStatementsServeConcurrentReaders(t *testing.T) {
	t.Parallel()
	f := newContentFixture(t)
	if err := f.d.SetSetting(f.ctx, "comment_moderation", "first-time"); err != nil {
		t.Fatal(err)
	}
	if err := f.d.BlockCommenter(f.ctx, f.by, f.now, BlockIP, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	// A call whose request was cancelled fails, and leaves the statement usable.
	cancelled, cancel := context.WithCancel(f.ctx)
	cancel()
	if _, err := f.d.Setting(cancelled, "comment_moderation", "all"); err == nil {
		t.Error("a cancelled request read a setting")
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 16 {
		wg.Go(func() {
			for i := range 50 {
				v, err := f.d.Setting(f.ctx, "comment_moderation", "all")
				if err != nil || v != "first-time" {
					errs <- fmt.Errorf("setting: %q %v", v, err)
					return
				}
				ip := "198.51.100.7"
				if (g+i)%2 == 1 {
					ip = "203.0.113.9"
				}
				blocked, err := f.d.CommentBlocked(f.ctx, ip, "", f.now)
				if err != nil || blocked != (ip == "198.51.100.7") {
					errs <- fmt.Errorf("blocked %s: %v %v", ip, blocked, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// A setting changed after its statement was kept is read as changed.
	if err := f.d.SetSetting(f.ctx, "comment_moderation", "none"); err != nil {
		t.Fatal(err)
	}
	if v, err := f.d.Setting(f.ctx, "comment_moderation", "all"); err != nil || v != "none" {
		t.Errorf("setting after a change: %q %v", v, err)
	}
}
