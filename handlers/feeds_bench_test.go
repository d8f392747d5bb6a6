package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"toasoan/db"
	"toasoan/internal/seed"
	"toasoan/views"
)

// BenchmarkBigSite serves, on one site of 100,000 seeded articles: a sitemap file (50,000
// URLs) from the feeds cache, the same file rendered on every request (caches off: what
// each request cost before sitemaps were cached), and a cached article page to compare
// the first with.
func BenchmarkBigSite(b *testing.B) {
	if testing.Short() {
		b.Skip("100,000 articles: not under -short")
	}
	dir := b.TempDir()
	ctx := context.Background()
	d, err := db.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	_, err = seed.Run(ctx, d, seed.Options{Articles: 100_000, Seed: 42, Now: testNow}, nil)
	d.Close()
	if err != nil {
		b.Fatal(err)
	}
	s := openTestSite(b, dir, Config{}, false, func() time.Time { return testNow })
	s.app.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	h := s.app.Routes()
	article := views.ArticlePath(latestArticle(b, s))
	// The first render, timed once: what every request cost before sitemaps were cached.
	start := time.Now()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/sitemap.xml?page=1", nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("sitemap: %d", rec.Code)
	}
	b.Logf("first render of a 50,000-URL sitemap file: %s, %d bytes", time.Since(start).Round(time.Millisecond), rec.Body.Len())
	// Warm both pages: a hit is what is compared, not the first render.
	for _, p := range []string{article, "/sitemap.xml?page=1"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	b.Run("SitemapCacheHit", func(b *testing.B) { benchServe(b, h, "/sitemap.xml?page=1") })
	b.Run("ArticleCacheHit", func(b *testing.B) { benchServe(b, h, article) })
	b.Run("SitemapRender", func(b *testing.B) {
		feeds := s.app.Feeds
		s.app.Feeds = nil
		defer func() { s.app.Feeds = feeds }()
		benchServe(b, h, "/sitemap.xml?page=1")
	})
}
