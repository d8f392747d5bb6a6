package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"toasoan/views"

	"toasoan/internal/httpcache"
	"toasoan/static"
)

// Cache-Control values in one place.
const (
	// publicCacheControl lets browsers and shared caches (nginx, a CDN) keep a public page
	// for a minute and serve it stale for five more while they revalidate in the background.
	publicCacheControl = "public, max-age=60, stale-while-revalidate=300"
	// privateCacheControl is for public URLs whose response sets a cookie: no shared cache
	// may keep it, and the browser revalidates every time.
	privateCacheControl = "private, no-cache"
	noStore             = "no-store"
)

// isAdminPath reports whether a path belongs to the back office.
func isAdminPath(p string) bool {
	return p == views.AdminRoot || strings.HasPrefix(p, views.AdminDashboard)
}

// isCaptchaPath reports whether a path serves a captcha image: a reload keeps the
// challenge's URL but changes its digits, so no cache may keep one.
func isCaptchaPath(p string) bool { return strings.HasPrefix(p, captchaImagePrefix) }

// cacheAndCompress buffers each response of the public site, then, once per response:
//   - on a 200 to GET/HEAD that set no Cache-Control of its own, adds an ETag (a hash of
//     the body, so whatever changes the page changes its ETag), Cache-Control and Vary,
//     and answers If-None-Match / If-Modified-Since (against a Last-Modified the handler
//     set) with 304;
//   - marks error responses no-store;
//   - gzips text bodies when the client accepts gzip.
//
// /static is left alone (hashed, immutable, precompressed by package static). /admin is
// never buffered, cached or compressed: its pages are no-store, and compressing pages
// that carry secrets next to reflected input invites BREACH. Captcha images (/ma-bao-mat/) are no-store too.
func (a *App) cacheAndCompress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, static.Prefix):
			next.ServeHTTP(w, r)
			return
		case isAdminPath(r.URL.Path), isCaptchaPath(r.URL.Path):
			w.Header().Set("Cache-Control", noStore) // a handler may still override it
			next.ServeHTTP(w, r)
			return
		}
		buf := buffers.Get().(*bufferedResponse)
		buf.HeaderMap, buf.w = w.Header(), w
		next.ServeHTTP(buf, r)
		buf.finish(r)
		buf.reset()
	})
}

// buffers recycles response buffers: a page is tens of kilobytes, and growing a fresh
// buffer for every response was most of what a small response cost in allocation.
var buffers = sync.Pool{New: func() any { return &bufferedResponse{} }}

// maxPooledBuffer is the largest buffer kept for reuse; bigger ones (a huge page) go to
// the garbage collector rather than stay pinned in the pool.
const maxPooledBuffer = 256 << 10

// bufferedResponse holds a response until the handler returns. Headers go straight to
// the real writer's map (the middleware outside already set the security headers there);
// the status line and body wait.
type bufferedResponse struct {
	httpcache.Recorder
	w      http.ResponseWriter
	direct bool // the handler wrote to w itself (see unbuffered)
}

func (b *bufferedResponse) reset() {
	b.w, b.HeaderMap, b.Status, b.direct = nil, nil, 0, false
	if b.Body.Cap() > maxPooledBuffer {
		return // dropped: not put back
	}
	b.Body.Reset()
	buffers.Put(b)
}

// unbuffered returns the writer under the caching middleware's buffer when nothing has
// been buffered yet: for a response whose headers, validators and compression are already
// final (a cached page), buffering it again would only copy it.
func unbuffered(w http.ResponseWriter) http.ResponseWriter {
	if b, ok := w.(*bufferedResponse); ok && b.Status == 0 && b.Body.Len() == 0 {
		b.direct = true
		return b.w
	}
	return w
}

// Unwrap lets http.ResponseController reach the real writer (deadlines).
func (b *bufferedResponse) Unwrap() http.ResponseWriter { return b.w }

func (b *bufferedResponse) finish(r *http.Request) {
	if b.direct {
		return
	}
	status := b.Code()
	h := b.w.Header()
	body := b.Body.Bytes()
	if status >= 400 && h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", noStore)
	}
	if status == http.StatusNotModified || status == http.StatusNoContent || status < 200 ||
		(r.Method == http.MethodHead && len(body) == 0) {
		// Bodiless answers (a handler's own 304, or a HEAD answered without writing the
		// body) keep the headers the handler chose: a hash or length of nothing would lie.
		b.w.WriteHeader(status)
		b.w.Write(body)
		return
	}
	getOrHead := r.Method == http.MethodGet || r.Method == http.MethodHead
	compressible := httpcache.Compressible(h.Get("Content-Type")) && h.Get("Content-Encoding") == ""
	if compressible {
		httpcache.AddVary(h, "Accept-Encoding")
	}
	if getOrHead && status == http.StatusOK && h.Get("Cache-Control") == "" {
		if h.Get("Set-Cookie") != "" {
			h.Set("Cache-Control", privateCacheControl)
		} else {
			h.Set("Cache-Control", publicCacheControl)
		}
		if strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			// The same URL answers htmx with a fragment and browsers with a whole page.
			httpcache.AddVary(h, hxRequest)
		}
		etag := h.Get("ETag")
		if etag == "" {
			// Weak: the same page goes out plain and gzipped.
			etag = httpcache.Weak(httpcache.ETag(body))
			h.Set("ETag", etag)
		}
		if httpcache.NotModified(r, etag, h.Get("Last-Modified")) {
			for _, k := range []string{"Content-Type", "Content-Length", "Content-Encoding"} {
				h.Del(k)
			}
			b.w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if compressible && static.AcceptsGzip(r) {
		if gz := httpcache.Gzip(body); gz != nil {
			body = gz
			h.Set("Content-Encoding", "gzip")
			// A strong validator names one exact byte sequence; the gzip bytes are another.
			if etag := h.Get("ETag"); etag != "" {
				h.Set("ETag", httpcache.Weak(etag))
			}
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	b.w.WriteHeader(status)
	if r.Method != http.MethodHead {
		b.w.Write(body)
	}
}

// setLastModified sets Last-Modified, the time HTTP can express (whole seconds, GMT).
func setLastModified(w http.ResponseWriter, t time.Time) {
	if !t.IsZero() {
		w.Header().Set("Last-Modified", t.UTC().Format(http.TimeFormat))
	}
}
