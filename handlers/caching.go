package handlers

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

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

// gzipMinSize is the smallest body worth compressing: below about one TCP packet the
// gzip header and the CPU cost buy nothing.
const gzipMinSize = 1024

// isAdminPath reports whether a path belongs to the back office.
func isAdminPath(p string) bool { return p == "/admin" || strings.HasPrefix(p, "/admin/") }

// isCaptchaPath reports whether a path serves captcha images or audio: a reload keeps the
// challenge's URL but changes its digits, so no cache may keep one.
func isCaptchaPath(p string) bool { return strings.HasPrefix(p, "/captcha/") }

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
// that carry secrets next to reflected input invites BREACH. /captcha/ is no-store too.
func (a *App) cacheAndCompress(next http.Handler) http.Handler {
	zippers := &sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression); return w }}
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
		buf.w = w
		next.ServeHTTP(buf, r)
		buf.finish(r, zippers)
		buf.reset()
	})
}

// buffers recycles response buffers: a page is tens of kilobytes, and growing a fresh
// buffer for every response was most of what a small response cost in allocation.
var buffers = sync.Pool{New: func() any { return &bufferedResponse{} }}

// bufferedResponse holds a response until the handler returns. Headers go straight to
// the real writer's map (the middleware outside already set the security headers there);
// the status line and body wait.
type bufferedResponse struct {
	w      http.ResponseWriter
	status int
	body   bytes.Buffer
	direct bool // the handler wrote to w itself (see unbuffered)
}

// maxPooledBuffer is the largest buffer kept for reuse; bigger ones (a huge page) go to
// the garbage collector rather than stay pinned in the pool.
const maxPooledBuffer = 256 << 10

func (b *bufferedResponse) reset() {
	b.w, b.status, b.direct = nil, 0, false
	if b.body.Cap() > maxPooledBuffer {
		return // dropped: not put back
	}
	b.body.Reset()
	buffers.Put(b)
}

// unbuffered returns the writer under the caching middleware's buffer when nothing has
// been buffered yet: for a response whose headers, validators and compression are already
// final (a cached page), buffering it again would only copy it.
func unbuffered(w http.ResponseWriter) http.ResponseWriter {
	if b, ok := w.(*bufferedResponse); ok && b.status == 0 && b.body.Len() == 0 {
		b.direct = true
		return b.w
	}
	return w
}

func (b *bufferedResponse) Header() http.Header { return b.w.Header() }

func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// Unwrap lets http.ResponseController reach the real writer (deadlines).
func (b *bufferedResponse) Unwrap() http.ResponseWriter { return b.w }

func (b *bufferedResponse) finish(r *http.Request, zippers *sync.Pool) {
	if b.direct {
		return
	}
	status := b.status
	if status == 0 {
		status = http.StatusOK
	}
	h := b.w.Header()
	body := b.body.Bytes()
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
	compressible := compressibleType(h.Get("Content-Type")) && h.Get("Content-Encoding") == ""
	if compressible {
		addVary(h, "Accept-Encoding")
	}
	if getOrHead && status == http.StatusOK && h.Get("Cache-Control") == "" {
		if h.Get("Set-Cookie") != "" {
			h.Set("Cache-Control", privateCacheControl)
		} else {
			h.Set("Cache-Control", publicCacheControl)
		}
		if strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			// The same URL answers htmx with a fragment and browsers with a whole page.
			addVary(h, "HX-Request")
		}
		etag := h.Get("ETag")
		if etag == "" {
			etag = bodyETag(body)
			h.Set("ETag", etag)
		}
		if notModified(r, etag, h.Get("Last-Modified")) {
			for _, k := range []string{"Content-Type", "Content-Length", "Content-Encoding"} {
				h.Del(k)
			}
			b.w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if compressible && len(body) >= gzipMinSize && static.AcceptsGzip(r) {
		var out bytes.Buffer
		zw := zippers.Get().(*gzip.Writer)
		zw.Reset(&out)
		zw.Write(body)
		if err := zw.Close(); err == nil {
			body = out.Bytes()
			h.Set("Content-Encoding", "gzip")
			// A strong validator names one exact byte sequence; the gzip bytes are another.
			if etag := h.Get("ETag"); etag != "" && !strings.HasPrefix(etag, "W/") {
				h.Set("ETag", "W/"+etag)
			}
		}
		zippers.Put(zw)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	b.w.WriteHeader(status)
	if r.Method != http.MethodHead {
		b.w.Write(body)
	}
}

// bodyETag is a weak validator from a hash of the body: weak because the same page is
// sent both plain and gzipped, and both are the same representation to a reader.
func bodyETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `W/"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

// notModified evaluates a GET's preconditions as RFC 9110 §13.2.2 orders them:
// If-None-Match (weak comparison) when present, otherwise If-Modified-Since against the
// Last-Modified the handler set.
func notModified(r *http.Request, etag, lastModified string) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagListMatches(inm, etag)
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || lastModified == "" {
		return false
	}
	since, err := http.ParseTime(ims)
	if err != nil {
		return false
	}
	modified, err := http.ParseTime(lastModified)
	if err != nil {
		return false
	}
	return !modified.Truncate(time.Second).After(since)
}

// etagListMatches compares an If-None-Match list with an ETag, ignoring weakness.
func etagListMatches(list, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	for _, candidate := range strings.Split(list, ",") {
		c := strings.TrimSpace(candidate)
		if c == "*" || strings.TrimPrefix(c, "W/") == want {
			return true
		}
	}
	return false
}

// addVary adds a header name to Vary unless it is already listed.
func addVary(h http.Header, name string) {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return
			}
		}
	}
	h.Add("Vary", name)
}

// compressibleType reports whether a Content-Type is text that gzip shrinks.
func compressibleType(ctype string) bool {
	ct, _, _ := strings.Cut(ctype, ";")
	ct = strings.TrimSpace(strings.ToLower(ct))
	return strings.HasPrefix(ct, "text/") || strings.HasSuffix(ct, "+xml") || ct == "application/xml" ||
		strings.Contains(ct, "json") || strings.Contains(ct, "javascript") || ct == "image/svg+xml"
}

// setLastModified sets Last-Modified, the time HTTP can express (whole seconds, GMT).
func setLastModified(w http.ResponseWriter, t time.Time) {
	if !t.IsZero() {
		w.Header().Set("Last-Modified", t.UTC().Format(http.TimeFormat))
	}
}
