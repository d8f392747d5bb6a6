package handlers

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"toasoan/db"
	"toasoan/internal/seed"
	"toasoan/views"
)

// benchArticle gives the newest article 30 approved comments, like the bench command's
// hot article, and returns its path.
func benchArticle(b *testing.B, s *testSite) string {
	b.Helper()
	a := latestArticle(b, s)
	err := s.app.DB.InBulk(context.Background(), func(bk *db.Bulk) error {
		for i := range 30 {
			if _, err := bk.AddComment(db.Comment{ArticleID: a.ID, Name: fmt.Sprintf("Bạn đọc %d", i), Title: "Ý kiến",
				Body: "Bài viết rất hữu ích cho bà con trong xã.\nCảm ơn tòa soạn.", Status: db.CommentApproved,
				CreatedAt: testNow.Add(-time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return views.ArticlePath(a)
}

func benchServe(b *testing.B, h http.Handler, path string) {
	b.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkArticleRender renders the article page with 30 comments on every request (the
// page cache off): what each cache miss costs.
func BenchmarkArticleRender(b *testing.B) {
	s := newTestSiteWith(b, Config{NoPageCache: true})
	benchServe(b, s.app.Routes(), benchArticle(b, s))
}

// BenchmarkArticleCacheHit serves the same page from the page cache.
func BenchmarkArticleCacheHit(b *testing.B) {
	s := newTestSiteWith(b, Config{})
	benchServe(b, s.app.Routes(), benchArticle(b, s))
}

// BenchmarkHomeCacheHit serves the home page from the page cache.
func BenchmarkHomeCacheHit(b *testing.B) {
	s := newTestSiteWith(b, Config{})
	benchServe(b, s.app.Routes(), "/")
}

// BenchmarkCommentInsert stores a reader's comment with the duplicate check, as a post does.
func BenchmarkCommentInsert(b *testing.B) {
	s := newTestSiteWith(b, Config{})
	a := latestArticle(b, s)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		_, err := s.app.DB.PostReaderComment(ctx, db.Comment{ArticleID: a.ID, Name: "Bạn đọc", Title: "Ý kiến",
			Body: fmt.Sprintf("Ý kiến số %d về đường liên xã.", i), Status: db.CommentPending, CreatedAt: testNow},
			db.ReaderCommentOptions{DuplicateSince: testNow.Add(-24 * time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchPage serves five two-word searches over and over through the real
// handler on the demo site: after the first round, search-cache hits.
func BenchmarkSearchPage(b *testing.B) {
	s := newTestSiteWith(b, Config{})
	h := s.app.Routes()
	qs := []string{"n%C3%B4ng+th%C3%B4n", "chuyen+doi", "ti%C3%AAm+ch%E1%BB%A7ng", "nguoi+ngheo", "%C4%91%C6%B0%E1%BB%9Dng+giao"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		req := httptest.NewRequest("GET", "/tim-kiem?q="+qs[i%len(qs)], nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
		i++
	}
}

// BenchmarkSearchPageNewQueries serves searches that are each new (two words of the
// vocabulary at random) over 1,000 seeded articles: what every search-cache miss costs,
// suggestions for the pairs that find nothing included.
func BenchmarkSearchPageNewQueries(b *testing.B) {
	dir := b.TempDir()
	ctx := context.Background()
	d, err := db.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	_, err = seed.Run(ctx, d, seed.Options{Articles: 1000, Seed: 42, Now: testNow}, nil)
	d.Close()
	if err != nil {
		b.Fatal(err)
	}
	s := openTestSite(b, dir, Config{}, false, func() time.Time { return testNow })
	h := s.app.Routes()
	words := seed.Words()
	r := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	for b.Loop() {
		q := url.QueryEscape(strings.ToLower(words[r.IntN(len(words))] + " " + words[r.IntN(len(words))]))
		req := httptest.NewRequest("GET", "/tim-kiem?q="+q, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: status %d", q, rec.Code)
		}
	}
}

// BenchmarkCommentPostWithPending posts readers' comments through the whole handler chain
// (moderation on, captcha and rate limit off, as the bench command runs) while 0 or
// 100,000 comments wait in the moderation queue, most on the same article.
func BenchmarkCommentPostWithPending(b *testing.B) {
	for _, pending := range []int{0, 100_000} {
		b.Run(fmt.Sprintf("pending=%d", pending), func(b *testing.B) {
			s := newTestSiteWith(b, Config{CaptchaOff: true, CommentRate: 0, CommentMinFill: time.Millisecond, Moderation: ModerationAll})
			h := s.app.Routes()
			a := latestArticle(b, s)
			err := s.app.DB.InBulk(context.Background(), func(bk *db.Bulk) error {
				for i := range pending {
					if _, err := bk.AddCommentUncounted(db.Comment{ArticleID: a.ID, Name: "Bạn đọc", Title: "Ý kiến",
						Body: fmt.Sprintf("Ý kiến đang chờ duyệt số %d.", i), Status: db.CommentPending,
						CreatedAt: testNow.Add(-time.Duration(i) * time.Second)}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				// A form token is good for one accepted post: each post has its own.
				token := s.app.comments.token.Issue(a.ID, testNow.Add(-time.Minute))
				form := url.Values{"name": {"Bạn đọc"}, "title": {"Bench"}, "phone": {""}, "website": {""}, "started": {token},
					"content": {fmt.Sprintf("Nội dung bình luận số %d.", i)}}
				req := httptest.NewRequest("POST", commentPath(a.ID), strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusSeeOther {
					b.Fatalf("status %d: %.300s", rec.Code, rec.Body.String())
				}
			}
		})
	}
}

// BenchmarkArticleRenderWithPending renders the article page (page cache off) while 0 or
// 100,000 comments on that article wait for moderation: what a cache miss costs must not
// grow with the queue.
func BenchmarkArticleRenderWithPending(b *testing.B) {
	for _, pending := range []int{0, 100_000} {
		b.Run(fmt.Sprintf("pending=%d", pending), func(b *testing.B) {
			s := newTestSiteWith(b, Config{NoPageCache: true})
			path := benchArticle(b, s)
			a := latestArticle(b, s)
			err := s.app.DB.InBulk(context.Background(), func(bk *db.Bulk) error {
				for i := range pending {
					if _, err := bk.AddCommentUncounted(db.Comment{ArticleID: a.ID, Name: "Bạn đọc", Title: "Ý kiến",
						Body: fmt.Sprintf("Ý kiến đang chờ duyệt số %d.", i), Status: db.CommentPending,
						CreatedAt: testNow.Add(-time.Duration(i) * time.Second)}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			benchServe(b, s.app.Routes(), path)
		})
	}
}
