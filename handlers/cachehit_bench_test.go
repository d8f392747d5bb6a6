package handlers

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// discardResponse is a ResponseWriter that keeps nothing, so a benchmark measures the
// handler chain rather than a recorder's copying.
type discardResponse struct {
	h      http.Header
	status int
	n      int
}

func (d *discardResponse) Header() http.Header { return d.h }
func (d *discardResponse) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}
func (d *discardResponse) Write(b []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	d.n += len(b)
	return len(b), nil
}

// serveLoop serves path through h over and over, as a keep-alive connection would.
func serveLoop(b *testing.B, h http.Handler, path string, acceptGzip bool, header ...string) {
	b.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if acceptGzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := &discardResponse{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		w.status, w.n = 0, 0
		h.ServeHTTP(w, req)
		if w.status != http.StatusOK || w.n == 0 {
			b.Fatalf("status %d, %d bytes", w.status, w.n)
		}
	}
}

// BenchmarkCachedPageVsBare serves the cached article page (30 comments, identity
// encoding, the request log written as JSON as in production) through the whole
// middleware chain, and a bare handler writing the same bytes with the same headers:
// the ratio is what toasoan spends on a hit beyond sending the page.
func BenchmarkCachedPageVsBare(b *testing.B) {
	s := newTestSiteWith(b, Config{})
	s.app.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	h := s.app.Routes()
	path := benchArticle(b, s)
	// The page's bytes, as the bare handler will send them.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.Bytes()
	ctype := rec.Header().Get("Content-Type")
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})
	b.Run("toasoan", func(b *testing.B) { serveLoop(b, h, path, false) })
	b.Run("bare", func(b *testing.B) { serveLoop(b, bare, path, false) })
	b.Run("toasoan-gzip", func(b *testing.B) { serveLoop(b, h, path, true) })
}

// BenchmarkCommentListVsArticle serves the article page and the comment list its readers
// poll (htmx, the same 30 comments) from the page cache, gzipped as browsers ask: the
// list must cost no more than the page.
func BenchmarkCommentListVsArticle(b *testing.B) {
	s := newTestSiteWith(b, Config{})
	s.app.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	h := s.app.Routes()
	path := benchArticle(b, s)
	list := commentPath(latestArticle(b, s).ID)
	b.Run("article", func(b *testing.B) { serveLoop(b, h, path, true) })
	b.Run("comment-list", func(b *testing.B) { serveLoop(b, h, list, true, "HX-Request", "true") })
}
