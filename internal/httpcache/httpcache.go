// Package httpcache owns the HTTP caching mechanics every response path shares: ETags
// (one maker, one If-None-Match matcher, the RFC 9110 precondition order), gzip (one
// pool of writers) and the ResponseWriter that captures a response to finish later.
// The policies — which response is cached for how long — stay with the handlers.
package httpcache

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// ETag returns a strong validator for body: a quoted hash of it, so whatever changes the
// bytes changes the tag. 18 bytes of SHA-256 (24 characters) make a collision between two
// versions of one URL out of reach.
func ETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

// Weak returns the weak form of an ETag. A page sent both plain and gzipped is one
// representation to a reader but two byte sequences, which only a weak tag may cover.
func Weak(etag string) string {
	if strings.HasPrefix(etag, "W/") {
		return etag
	}
	return "W/" + etag
}

// Match reports whether an If-None-Match list names etag, comparing weakly (RFC 9110
// §8.8.3.2: W/ is ignored on both sides); "*" matches any tag.
func Match(list, etag string) bool {
	if list == "" || etag == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for c := range strings.SplitSeq(list, ",") {
		c = strings.TrimSpace(c)
		if c == "*" || strings.TrimPrefix(c, "W/") == want {
			return true
		}
	}
	return false
}

// NotModified evaluates a GET's preconditions in the order RFC 9110 §13.2.2 gives:
// If-None-Match when present, otherwise If-Modified-Since against lastModified (the
// Last-Modified the response carries, or "").
func NotModified(r *http.Request, etag, lastModified string) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return Match(inm, etag)
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

// AddVary adds a header name to Vary unless it is already listed. It joins the list
// into one line (the same to HTTP, RFC 9110 §5.3): a header line less on every cached
// page, where each line costs about a microsecond to send.
func AddVary(h http.Header, name string) {
	vs := h.Values("Vary")
	for _, v := range vs {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return
			}
		}
	}
	if len(vs) == 0 {
		h.Set("Vary", name)
		return
	}
	h.Set("Vary", strings.Join(vs, ", ")+", "+name)
}

// Compressible reports whether a Content-Type is text that gzip shrinks.
func Compressible(ctype string) bool {
	ct, _, _ := strings.Cut(ctype, ";")
	ct = strings.TrimSpace(strings.ToLower(ct))
	return strings.HasPrefix(ct, "text/") || strings.HasSuffix(ct, "+xml") || ct == "application/xml" ||
		strings.Contains(ct, "json") || strings.Contains(ct, "javascript") || ct == "image/svg+xml"
}

// GzipMinSize is the smallest body worth compressing: below about one TCP packet the
// gzip header and the CPU cost buy nothing.
const GzipMinSize = 1024

// zippers reuses gzip writers: each allocates about 1 MB of tables, so a fresh one per
// response would cost more than the compressing. BestSpeed: pages are small and are
// compressed on the request path (or once per cache fill); the last few percent of size
// are not worth three times the CPU.
var zippers = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return zw
}}

// Gzip compresses body, or returns nil when that does not pay: a body under GzipMinSize,
// or one that does not get smaller.
func Gzip(body []byte) []byte {
	if len(body) < GzipMinSize {
		return nil
	}
	var out bytes.Buffer
	zw := zippers.Get().(*gzip.Writer)
	zw.Reset(&out)
	zw.Write(body)
	err := zw.Close()
	zippers.Put(zw)
	if err != nil || out.Len() >= len(body) {
		return nil
	}
	return out.Bytes()
}

// Recorder is a ResponseWriter that holds a response — status and body — for its owner
// to finish later (hash it, compress it, cache it, or replace it). The first status
// written wins, as on a real connection; a Write without one means 200.
type Recorder struct {
	// HeaderMap is what Header returns: a fresh map to capture headers too, or the real
	// writer's map to let headers through while status and body wait.
	HeaderMap http.Header
	// Status is the status written, 0 until one is.
	Status int
	// Body is what was written.
	Body bytes.Buffer
}

// NewRecorder returns a Recorder with headers of its own.
func NewRecorder() *Recorder { return &Recorder{HeaderMap: http.Header{}} }

// Header returns the headers the response will carry.
func (c *Recorder) Header() http.Header { return c.HeaderMap }

// WriteHeader records the status unless one was already written.
func (c *Recorder) WriteHeader(code int) {
	if c.Status == 0 {
		c.Status = code
	}
}

// Write records body bytes; the status becomes 200 if none was written.
func (c *Recorder) Write(p []byte) (int, error) {
	if c.Status == 0 {
		c.Status = http.StatusOK
	}
	return c.Body.Write(p)
}

// Code is the status to send: the one written, or 200 when the handler wrote nothing.
func (c *Recorder) Code() int {
	if c.Status == 0 {
		return http.StatusOK
	}
	return c.Status
}
