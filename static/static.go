// Package static owns the embedded stylesheets, images and vendored scripts, and serves
// them under content-hashed URLs with long-term caching and precompressed gzip copies.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"toasoan/internal/httpcache"
)

//go:embed css vendor img js
var files embed.FS

// Prefix is the URL path under which assets are served.
const Prefix = "/static/"

type asset struct {
	body  []byte
	gz    []byte // nil when compression does not pay
	ctype string
	etag  string
}

// Assets maps logical names ("css/site.css") to hashed URLs and serves them.
type Assets struct {
	urls   map[string]string // logical name → URL path
	byPath map[string]*asset // URL path below Prefix → asset
}

// New reads every embedded file once, hashing and compressing it.
func New() (*Assets, error) {
	a := &Assets{urls: map[string]string{}, byPath: map[string]*asset{}}
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:12]
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hash + ext
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		as := &asset{body: body, ctype: ctype, etag: `"` + hash + `"`}
		if compressible(ctype) {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(body)
			zw.Close()
			if buf.Len() < len(body) {
				as.gz = buf.Bytes()
			}
		}
		a.urls[name] = Prefix + hashed
		a.byPath[hashed] = as
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static: %w", err)
	}
	return a, nil
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") ||
		strings.Contains(ctype, "json") || strings.Contains(ctype, "svg")
}

// URL returns the hashed URL of a logical asset name; it panics on an unknown name so a
// typo in a template fails at start-up, where every page is rendered once by the tests.
func (a *Assets) URL(name string) string {
	u, ok := a.urls[name]
	if !ok {
		panic("static: unknown asset " + name)
	}
	return u
}

// Serve serves a hashed asset; names are looked up in a fixed map, so no request
// path can reach the filesystem. It reports false when the asset does not exist.
func (a *Assets) Serve(w http.ResponseWriter, r *http.Request, hashedPath string) bool {
	as, ok := a.byPath[hashedPath]
	if !ok {
		return false
	}
	h := w.Header()
	h.Set("Content-Type", as.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", as.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	if as.gz != nil {
		h.Add("Vary", "Accept-Encoding")
	}
	if httpcache.Match(r.Header.Get("If-None-Match"), as.etag) {
		w.WriteHeader(http.StatusNotModified)
		return true
	}
	body := as.body
	if as.gz != nil && AcceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = as.gz
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
	return true
}

// AcceptsGzip reports whether the request's Accept-Encoding allows gzip (q=0 refuses it).
func AcceptsGzip(r *http.Request) bool {
	// SplitSeq: every cached hit asks, and a slice per request was a third of its garbage.
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") || strings.TrimSpace(name) == "*" {
			params = strings.ReplaceAll(params, " ", "")
			return params != "q=0" && params != "q=0.0" && params != "q=0.00" && params != "q=0.000"
		}
	}
	return false
}
