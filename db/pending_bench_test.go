package db

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkPostWithPending posts a reader's comment (duplicate check, first-time check,
// insert) on an article while the moderation queue holds 0 or 100,000 comments, most of
// them on that same article: a post's cost must not grow with the queue.
func BenchmarkPostWithPending(b *testing.B) {
	for _, pending := range []int{0, 100_000} {
		b.Run(fmt.Sprintf("pending=%d", pending), func(b *testing.B) {
			ctx := context.Background()
			d, art, now := benchArticle(b, pending)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				_, err := d.PostReaderComment(ctx, Comment{ArticleID: art, Name: "Bạn đọc", Phone: "0912345678", Title: "Ý kiến",
					Body: fmt.Sprintf("Bình luận mới số %d về đường liên xã.", i), Status: CommentPending, CreatedAt: now},
					ReaderCommentOptions{DuplicateSince: now.Add(-24 * time.Hour), ApproveKnown: true})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestCommentsChangedAt: a comment waiting for moderation leaves an article's
// Last-Modified alone; publishing one and moderating one move it.
func TestCommentsChangedAt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	base := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	var art int64
	err = d.InBulk(ctx, func(bk *Bulk) error {
		cat, err := bk.AddCategory(Category{Slug: "thoi-su", Name: "Thời sự"})
		if err != nil {
			return err
		}
		art, err = bk.AddArticle(Article{Slug: "bai", Title: "Bài", Lead: "Tóm tắt", BodyHTML: "<p>Nội dung</p>",
			CategoryID: cat, Status: StatusPublished, PublishAt: base.Add(-time.Hour)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	at := func(want time.Time, what string) {
		t.Helper()
		got, err := d.CommentsChangedAt(ctx, art)
		if err != nil || !got.Equal(want) {
			t.Fatalf("%s: %v %v, want %v", what, got, err, want)
		}
	}
	at(time.Time{}, "no comments")
	if _, err := d.InsertComment(ctx, Comment{ArticleID: art, Name: "A", Title: "T", Body: "Đã đăng", Status: CommentApproved, CreatedAt: base}); err != nil {
		t.Fatal(err)
	}
	at(base, "published")
	pending, err := d.InsertComment(ctx, Comment{ArticleID: art, Name: "B", Title: "T", Body: "Chờ duyệt", Status: CommentPending, CreatedAt: base.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	at(base, "pending")
	if _, err := d.ModerateComments(ctx, Actor{UserName: "test"}, base.Add(2*time.Minute), []int64{pending}, CommentDeleted); err != nil {
		t.Fatal(err)
	}
	at(base.Add(2*time.Minute), "a moderation")
}

// BenchmarkPostsTogether posts readers' comments from 64 goroutines at once, each with
// its own fill-time token (as the handlers do): what the single writer sustains when
// posts queue behind it, so what committing them together buys.
func BenchmarkPostsTogether(b *testing.B) {
	ctx := context.Background()
	d, art, now := benchArticle(b, 0)
	var seq atomic.Int64
	b.SetParallelism(32) // 64 posters on 2 cores, as wrk's connections
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := seq.Add(1)
			token := make([]byte, 16)
			binary.BigEndian.PutUint64(token, uint64(i))
			_, err := d.PostReaderComment(ctx, Comment{ArticleID: art, Name: "Bạn đọc", Title: "Ý kiến",
				Body: fmt.Sprintf("Bình luận mới số %d về đường liên xã.", i), Status: CommentPending, CreatedAt: now},
				ReaderCommentOptions{DuplicateSince: now.Add(-24 * time.Hour), FormToken: token, FormTokenExpires: now.Add(time.Hour)})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// benchArticle opens a database in a temporary directory with two published articles and
// pending comments waiting, most on the second (the one returned); it closes with b.
func benchArticle(b *testing.B, pending int) (*DB, int64, time.Time) {
	b.Helper()
	ctx := context.Background()
	d, err := Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	now := time.Now()
	var art int64
	err = d.InBulk(ctx, func(bk *Bulk) error {
		cat, err := bk.AddCategory(Category{Slug: "thoi-su", Name: "Thời sự"})
		if err != nil {
			return err
		}
		for i := range 2 {
			id, err := bk.AddArticle(Article{Slug: fmt.Sprintf("bai-%d", i), Title: "Bài", Lead: "Tóm tắt", BodyHTML: "<p>Nội dung</p>",
				CategoryID: cat, Status: StatusPublished, PublishAt: now.Add(-time.Hour)})
			if err != nil {
				return err
			}
			art = id
		}
		for i := range pending {
			if _, err := bk.AddCommentUncounted(Comment{ArticleID: art - int64(i%4/3), Name: "Bạn đọc", Phone: "0912345678",
				Title: "Ý kiến", Body: fmt.Sprintf("Ý kiến đang chờ duyệt số %d về đường liên xã.", i),
				Status: CommentPending, CreatedAt: now.Add(-time.Duration(i) * time.Second)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return d, art, now
}
