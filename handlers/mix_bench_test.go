package handlers

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"toasoan/db"
	"toasoan/views"
)

// BenchmarkMix8510 serves the mix a newsroom sees — 85% article pages of the 20 newest
// articles, 10% searches (five popular ones), 5% comment posts on those articles — from
// parallel readers through the whole handler chain, with moderation on and off. With
// moderation off every post is published and retires its article's page and list (once
// they are the cache's grace old), so the ratio of the two is what publishing at once costs.
func BenchmarkMix8510(b *testing.B) {
	for _, mode := range []string{ModerationAll, ModerationOff} {
		b.Run("moderation="+mode, func(b *testing.B) {
			// A clock that runs: the page cache's grace for published comments is real time.
			start := time.Now()
			clock := func() time.Time { return testNow.Add(time.Since(start)) }
			s := openTestSite(b, b.TempDir(), Config{CaptchaOff: true, CommentRate: 0, CommentMinFill: time.Millisecond, Moderation: mode}, true, clock)
			s.app.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
			h := s.app.Routes()
			list, err := s.app.DB.PublicArticles(context.Background(), db.PublicListQuery{Limit: 20}, testNow)
			if err != nil || len(list) == 0 {
				b.Fatal(err)
			}
			var pages []string
			for _, a := range list {
				pages = append(pages, views.ArticlePath(a))
			}
			searches := []string{"n%C3%B4ng+th%C3%B4n", "chuyen+doi", "ti%C3%AAm+ch%E1%BB%A7ng", "nguoi+ngheo", "%C4%91%C6%B0%E1%BB%9Dng+giao"}
			var seq atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewPCG(uint64(seq.Add(1)), 7))
				for pb.Next() {
					var req *http.Request
					switch n := r.IntN(100); {
					case n < 85:
						req = httptest.NewRequest("GET", pages[r.IntN(len(pages))], nil)
					case n < 95:
						req = httptest.NewRequest("GET", "/tim-kiem?q="+searches[r.IntN(len(searches))], nil)
					default:
						i := r.IntN(len(list))
						// A fill-time token is good for one accepted post.
						token := s.app.comments.token.Issue(list[i].ID, clock().Add(-time.Minute))
						form := url.Values{"name": {"Bạn đọc"}, "title": {"Bench"}, "started": {token},
							"content": {fmt.Sprintf("Ý kiến số %d về đường liên xã.", seq.Add(1))}}
						req = httptest.NewRequest("POST", commentPath(list[i].ID), strings.NewReader(form.Encode()))
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					}
					req.Header.Set("Accept-Encoding", "gzip")
					w := &discardResponse{h: http.Header{}}
					h.ServeHTTP(w, req)
					if w.status != http.StatusOK && w.status != http.StatusSeeOther {
						b.Fatalf("%s %s: %d", req.Method, req.URL, w.status)
					}
				}
			})
			_, misses := s.app.Pages.Stats()
			b.ReportMetric(float64(misses)/float64(b.N), "renders/op")
		})
	}
}
