package handlers

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"toasoan/db"
	"toasoan/internal/httpcache"
	"toasoan/views"
)

// publicPaths are routes of the public site answering 200, for checks over all of them.
func publicPaths(t *testing.T, s *testSite) []string {
	t.Helper()
	a := latestArticle(t, s)
	cats, err := s.app.DB.Categories(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	return []string{"/", views.SectionPath(cats[0].Slug), views.ArticlePath(a), views.ArticlePath(a) + "?in=1",
		views.AboutENPath, "/rss.xml", "/atom.xml", views.SectionRSSPath(cats[0].Slug), views.SectionAtomPath(cats[0].Slug),
		"/sitemap.xml", "/robots.txt"}
}

func TestConditionalRequests(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	for _, path := range publicPaths(t, s) {
		t.Run(path, func(t *testing.T) {
			resp, body := s.get(t, path)
			etag := resp.Header.Get("ETag")
			if resp.StatusCode != 200 || etag == "" {
				t.Fatalf("status %d, ETag %q", resp.StatusCode, etag)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != publicCacheControl {
				t.Errorf("Cache-Control %q", cc)
			}
			// Same request, same bytes, same ETag: article pages too, since the page cache
			// serves the view count as it was rendered (refreshed with the cache's lifetime).
			resp2, body2 := s.get(t, path)
			if resp2.Header.Get("ETag") != etag || body2 != body {
				t.Errorf("unchanged page changed its ETag or body")
			}
			// If-None-Match with the ETag, alone or in a list, weak or not: 304 without a body.
			for _, inm := range []string{etag, `"other", ` + etag, strings.TrimPrefix(etag, "W/"), "*"} {
				resp, body := s.do(t, "GET", path, http.Header{"If-None-Match": {inm}})
				if resp.StatusCode != 304 || body != "" {
					t.Errorf("If-None-Match %s: status %d, %d bytes", inm, resp.StatusCode, len(body))
				}
				if resp.Header.Get("ETag") == "" || resp.Header.Get("Cache-Control") != publicCacheControl {
					t.Errorf("304 without validators: %v", resp.Header)
				}
			}
			if resp, _ := s.do(t, "GET", path, http.Header{"If-None-Match": {`"nope"`}}); resp.StatusCode != 200 {
				t.Errorf("wrong ETag: %d", resp.StatusCode)
			}
			// HEAD answers like GET without a body.
			if resp, body := s.do(t, "HEAD", path, nil); resp.StatusCode != 200 || body != "" || resp.Header.Get("ETag") == "" {
				t.Errorf("HEAD: %d, %d bytes, ETag %q", resp.StatusCode, len(body), resp.Header.Get("ETag"))
			}
		})
	}
}

func TestArticleETagFollowsChanges(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	ctx := context.Background()
	a := latestArticle(t, s)
	path := views.ArticlePath(a)
	s.app.Counts.Flush(ctx)
	// The print view shows no view count, so its ETag is stable until the article changes.
	p := path + "?in=1"
	first, _ := s.get(t, p)
	again, _ := s.get(t, p)
	lm := first.Header.Get("Last-Modified")
	if first.Header.Get("ETag") != again.Header.Get("ETag") || lm == "" {
		t.Fatalf("print view ETag unstable or no Last-Modified: %q %q %q", first.Header.Get("ETag"), again.Header.Get("ETag"), lm)
	}
	// If-Modified-Since: 304 at or after Last-Modified, 200 before it.
	lmTime, _ := http.ParseTime(lm)
	for _, c := range []struct {
		ims    string
		status int
	}{
		{lm, 304},
		{lmTime.Add(time.Hour).Format(http.TimeFormat), 304},
		{lmTime.Add(-time.Second).Format(http.TimeFormat), 200},
		{"not a date", 200},
		{"Thứ Hai, 01 Tháng 12 2026", 200},
	} {
		if resp, _ := s.do(t, "GET", p, http.Header{"If-Modified-Since": {c.ims}}); resp.StatusCode != c.status {
			t.Errorf("If-Modified-Since %q: %d, want %d", c.ims, resp.StatusCode, c.status)
		}
	}
	// If-None-Match wins over If-Modified-Since (RFC 9110).
	if resp, _ := s.do(t, "GET", p, http.Header{"If-None-Match": {`"old"`}, "If-Modified-Since": {lm}}); resp.StatusCode != 200 {
		t.Errorf("a stale ETag with a fresh date: %d", resp.StatusCode)
	}

	// An approved comment changes the page: new ETag, later Last-Modified, no 304.
	later := time.Now().Add(2 * time.Second)
	if _, err := s.app.DB.InsertComment(ctx, db.Comment{ArticleID: a.ID, Name: "Bạn đọc", Title: "Ý kiến",
		Body: "Bình luận mới được duyệt", Status: db.CommentApproved, CreatedAt: later}); err != nil {
		t.Fatal(err)
	}
	resp, body := s.do(t, "GET", p, http.Header{"If-None-Match": {first.Header.Get("ETag")}})
	if resp.StatusCode != 200 || !strings.Contains(body, "Bình luận mới được duyệt") {
		t.Fatalf("after a new comment: status %d", resp.StatusCode)
	}
	if resp.Header.Get("ETag") == first.Header.Get("ETag") {
		t.Error("ETag did not change with the page")
	}
	if resp, _ := s.do(t, "GET", p, http.Header{"If-Modified-Since": {lm}}); resp.StatusCode != 200 {
		t.Errorf("If-Modified-Since before the comment: %d", resp.StatusCode)
	}
	// An edit changes it as well.
	before := resp.Header.Get("ETag")
	if _, err := s.app.DB.Writer().ExecContext(ctx, `UPDATE articles SET title = 'Tiêu đề đã sửa', updated_at = ? WHERE id = ?`,
		later.Add(time.Second).Unix(), a.ID); err != nil {
		t.Fatal(err)
	}
	s.app.invalidateCaches() // as every write through db does
	resp, body = s.do(t, "GET", p, http.Header{"If-None-Match": {before}})
	if resp.StatusCode != 200 || !strings.Contains(body, "Tiêu đề đã sửa") || resp.Header.Get("ETag") == before {
		t.Errorf("after an edit: status %d", resp.StatusCode)
	}
}

func TestGzip(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	for _, path := range publicPaths(t, s) {
		t.Run(path, func(t *testing.T) {
			plain, plainBody := s.do(t, "GET", path, http.Header{"Accept-Encoding": {"identity"}})
			if plain.Header.Get("Content-Encoding") != "" {
				t.Fatalf("compressed without being asked")
			}
			resp, raw := s.do(t, "GET", path, http.Header{"Accept-Encoding": {"br;q=1, gzip;q=0.8"}})
			if !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept-Encoding") {
				t.Errorf("Vary %v", resp.Header.Values("Vary"))
			}
			if len(plainBody) < httpcache.GzipMinSize {
				if resp.Header.Get("Content-Encoding") != "" {
					t.Errorf("small body compressed")
				}
				return
			}
			if resp.Header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("not gzipped: %v", resp.Header)
			}
			zr, err := gzip.NewReader(strings.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			unzipped, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(path, "/bai-viet/") && !strings.Contains(path, "?") {
				unzipped = regexp.MustCompile(`[\d.]+ lượt xem`).ReplaceAll(unzipped, nil)
				plainBody = regexp.MustCompile(`[\d.]+ lượt xem`).ReplaceAllString(plainBody, "")
			}
			if string(unzipped) != plainBody {
				t.Error("gzip round trip changed the body")
			}
			if len(raw) >= len(plainBody) || resp.Header.Get("Content-Length") != strconv.Itoa(len(raw)) {
				t.Errorf("gzip %d bytes (Content-Length %s) for %d plain", len(raw), resp.Header.Get("Content-Length"), len(plainBody))
			}
			// A conditional request with the gzip response's ETag still gets 304.
			if !strings.HasPrefix(path, "/bai-viet/") || strings.Contains(path, "?") {
				r304, _ := s.do(t, "GET", path, http.Header{"Accept-Encoding": {"gzip"}, "If-None-Match": {resp.Header.Get("ETag")}})
				if r304.StatusCode != 304 || r304.Header.Get("Content-Encoding") != "" {
					t.Errorf("gzip revalidation: %d %v", r304.StatusCode, r304.Header)
				}
			}
		})
	}
	// Refusals and odd values.
	for _, ae := range []string{"gzip;q=0", "deflate", "", "GZIP;q=0.000", "<script>"} {
		resp, _ := s.do(t, "GET", "/", http.Header{"Accept-Encoding": {ae}})
		if resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("Accept-Encoding %q got %q", ae, resp.Header.Get("Content-Encoding"))
		}
	}
	// Error pages are compressed too, and never cached.
	resp, _ := s.do(t, "GET", "/khong-co", http.Header{"Accept-Encoding": {"gzip"}})
	if resp.StatusCode != 404 || resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("ETag") != "" {
		t.Errorf("404: %d, Cache-Control %q, ETag %q", resp.StatusCode, resp.Header.Get("Cache-Control"), resp.Header.Get("ETag"))
	}
}

// TestMiddlewareLeavesAdminAndOwnHeadersAlone drives the middleware with stand-in
// handlers: /admin is never buffered or cached, a handler's own Cache-Control wins,
// a response that sets a cookie is private, and POST answers carry no ETag.
func TestMiddlewareLeavesAdminAndOwnHeadersAlone(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	page := bytes.Repeat([]byte("<p>Trang quản trị có mã bí mật</p>\n"), 100)
	h := s.app.cacheAndCompress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/admin/bai-viet":
		case "/co-cache-rieng":
			w.Header().Set("Cache-Control", "public, max-age=5")
		case "/dat-cookie":
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "x"})
		case "/tu-tra-304":
			w.Header().Set("ETag", `"own"`)
			w.WriteHeader(http.StatusNotModified)
			return
		case "/head-khong-than":
			w.Header().Set("Content-Length", "12345")
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusOK)
				return
			}
		}
		w.Write(page)
	}))
	serve := func(method, path string, hdr http.Header) *http.Response {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, path, nil)
		req.Header = hdr
		h.ServeHTTP(rec, req)
		return rec.Result()
	}
	gz := http.Header{"Accept-Encoding": {"gzip"}}
	resp := serve("GET", "/admin/bai-viet", gz)
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("ETag") != "" || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("admin: %v", resp.Header)
	}
	resp = serve("GET", "/ma-bao-mat/ABC123", gz)
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("ETag") != "" {
		t.Errorf("captcha: %v", resp.Header)
	}
	if resp := serve("GET", "/administration", gz); resp.Header.Get("ETag") == "" {
		t.Error("/administration is not /admin")
	}
	resp = serve("GET", "/co-cache-rieng", gz)
	if resp.Header.Get("Cache-Control") != "public, max-age=5" || resp.Header.Get("ETag") != "" || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("own Cache-Control: %v", resp.Header)
	}
	resp = serve("GET", "/dat-cookie", nil)
	if resp.Header.Get("Cache-Control") != privateCacheControl {
		t.Errorf("cookie response: %q", resp.Header.Get("Cache-Control"))
	}
	resp = serve("GET", "/tu-tra-304", gz)
	if resp.StatusCode != 304 || resp.Header.Get("ETag") != `"own"` || resp.Header.Get("Content-Length") != "" {
		t.Errorf("handler's own 304: %d %v", resp.StatusCode, resp.Header)
	}
	resp = serve("HEAD", "/head-khong-than", gz)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Length") != "12345" || resp.Header.Get("ETag") != "" {
		t.Errorf("bodiless HEAD: %d %v", resp.StatusCode, resp.Header)
	}
	resp = serve("POST", "/bai-viet/x-1/binh-luan", gz)
	if resp.Header.Get("ETag") != "" || strings.HasPrefix(resp.Header.Get("Cache-Control"), "public") || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("POST: %v", resp.Header)
	}
	body, _ := io.ReadAll(resp.Body)
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(zr); !bytes.Equal(got, page) {
		t.Error("POST body changed by compression")
	}
}

// TestHeadersOnEveryRoute checks the security headers on every kind of answer, errors
// included, and HSTS and frame-ancestors under their settings.
func TestHeadersOnEveryRoute(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	paths := append(publicPaths(t, s), "/khong-co", "/bai-viet/abc", "/chuyen-muc/khong-co/rss.xml", "/sitemap.xml?page=x",
		"/static/"+strings.TrimPrefix(s.app.Assets.URL("css/site.css"), "/static/"), "/healthz", "/"+strings.Repeat("a", 3000))
	check := func(t *testing.T, resp *http.Response, label string) {
		t.Helper()
		want := map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "strict-origin-when-cross-origin",
		}
		for k, v := range want {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s: %s = %q", label, k, got)
			}
		}
		// The CSP's frame-ancestors alone says who may frame (e2e's
		// TestOtherSitesCannotFrameThePortal shows Chromium refusing on it).
		if xfo := resp.Header.Values("X-Frame-Options"); len(xfo) > 0 {
			t.Errorf("%s: X-Frame-Options %q beside the CSP's frame-ancestors", label, xfo)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		for _, d := range []string{"script-src 'self'", "style-src 'self'", "object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("%s: CSP lacks %q: %q", label, d, csp)
			}
		}
		if strings.Contains(csp, "unsafe-") {
			t.Errorf("%s: CSP allows unsafe-*: %q", label, csp)
		}
		if !strings.Contains(resp.Header.Get("Permissions-Policy"), "camera=()") {
			t.Errorf("%s: Permissions-Policy %q", label, resp.Header.Get("Permissions-Policy"))
		}
		if resp.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain HTTP without an https base URL", label)
		}
		if resp.StatusCode >= 400 && resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: error %d with Cache-Control %q", label, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
	for _, p := range paths {
		resp, _ := s.get(t, p)
		check(t, resp, "GET "+p[:min(len(p), 60)])
	}
	for _, m := range []string{"POST", "PUT", "DELETE"} {
		resp, _ := s.do(t, m, "/rss.xml", nil)
		if resp.StatusCode != 405 {
			t.Errorf("%s /rss.xml: %d", m, resp.StatusCode)
		}
		check(t, resp, m+" /rss.xml")
	}

	// An https base URL turns HSTS on; frame-ancestors follows the setting.
	s.app.Config.BaseURL = "https://tin.example.vn"
	s.app.Config.FrameAncestors = "'self' https://*.gov.vn"
	srv := httptest.NewServer(s.app.Routes())
	defer srv.Close()
	for _, p := range []string{"/", "/khong-co"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Strict-Transport-Security"); got != hstsValue {
			t.Errorf("%s: HSTS %q", p, got)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors 'self' https://*.gov.vn") {
			t.Errorf("%s: CSP %q", p, csp)
		}
		if xfo := resp.Header.Values("X-Frame-Options"); len(xfo) > 0 {
			t.Errorf("%s: X-Frame-Options %q beside the CSP list", p, xfo)
		}
	}
}

func TestValidFrameAncestors(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"'none'", "'self'", "'self' https://tinhuyen.gov.vn", "https://*.example.vn http://localhost:8080"} {
		if err := ValidFrameAncestors(v); err != nil {
			t.Errorf("%q refused: %v", v, err)
		}
	}
	for _, v := range []string{"", "  ", "'none' 'self'", "*", "https://", "https://a.vn; script-src *", "https://a.vn/'", "javascript:alert(1)",
		"'unsafe-inline'", "https://a.vn\r\nX-Evil: 1", "https://đà-nẵng.vn", "data:", "https://a.vn/path"} {
		if err := ValidFrameAncestors(v); err == nil {
			t.Errorf("%q accepted", v)
		}
	}
}

// inlineHandler matches on* event-handler attributes, hx-on and javascript: URLs.
var inlineHandler = regexp.MustCompile(`(?i)\s(on[a-z]+|hx-on[:a-z-]*)\s*=|javascript:|\sstyle\s*=`)

// TestNoInlineScriptsInTemplates reads every template file: the strict CSP would block
// an inline <script>, an on*= attribute or a style attribute, so none may exist.
func TestNoInlineScriptsInTemplates(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "views")
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".html" {
			return err
		}
		n++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src := string(b)
		if m := inlineHandler.FindString(src); m != "" {
			t.Errorf("%s: inline handler or style %q", path, m)
		}
		for _, m := range regexp.MustCompile(`(?is)<script\b[^>]*>`).FindAllString(src, -1) {
			if !strings.Contains(m, "src=") && !strings.Contains(m, `type="application/ld+json"`) {
				t.Errorf("%s: inline script %q", path, m)
			}
		}
		return nil
	})
	if err != nil || n < 5 {
		t.Fatalf("walked %d templates: %v", n, err)
	}
}

// TestNoInlineScriptsInPages parses every rendered page the same way.
func TestNoInlineScriptsInPages(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	addPublished(t, s, "tin-xss", xssTitle, xssLead, 7)
	for _, p := range append(publicPaths(t, s), "/khong-co", "/bai-viet/tin-xss-999999") {
		resp, body := s.get(t, p)
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			continue
		}
		doc := parse(t, body)
		for _, n := range find(doc, func(*html.Node) bool { return true }) {
			for _, a := range n.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") || strings.HasPrefix(a.Key, "hx-on") || a.Key == "style" {
					t.Errorf("%s: <%s %s=%q>", p, n.Data, a.Key, a.Val)
				}
				if strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
					t.Errorf("%s: javascript: URL in <%s %s>", p, n.Data, a.Key)
				}
			}
			if n.Data == "script" && attr(n, "src") == "" && attr(n, "type") != "application/ld+json" {
				t.Errorf("%s: inline script %q", p, text(n))
			}
		}
	}
}

// BenchmarkCacheAndCompress measures what the middleware adds to rendering the home
// page: compare "with-etag" and "with-gzip" against "baseline" from the same run.
func BenchmarkCacheAndCompress(b *testing.B) {
	s := newTestSite(b)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.app.handle(s.app.home))
	for _, c := range []struct {
		name string
		h    http.Handler
		ae   string
	}{
		{"baseline", mux, ""},
		{"with-etag", s.app.cacheAndCompress(mux), ""},
		{"with-gzip", s.app.cacheAndCompress(mux), "gzip"},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/", nil)
			if c.ae != "" {
				req.Header.Set("Accept-Encoding", c.ae)
			}
			for b.Loop() {
				rec := httptest.NewRecorder()
				c.h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatal(rec.Code)
				}
			}
		})
	}
}
