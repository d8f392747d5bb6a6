package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
)

// maxURLLength bounds request URIs; longer ones get 414 before any routing.
const maxURLLength = 2048

// contentSecurityPolicy allows only the site's own scripts and styles: htmx is configured
// (meta htmx-config) to need neither inline styles nor eval.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// recoverPanics turns a panic into a logged 500 page instead of a dropped connection.
func (a *App) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.Log.Error("panic", "method", r.Method, "uri", r.URL.RequestURI(), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				a.renderError(w, r, http.StatusInternalServerError, "")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status and size of a response for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests writes one line per request with a request id, which is also sent back in
// X-Request-Id so a reader's report can be matched with the log.
func (a *App) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		var id [8]byte
		rand.Read(id[:])
		reqID := hex.EncodeToString(id[:])
		w.Header().Set("X-Request-Id", reqID)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		a.Log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("id", reqID), slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Int("bytes", sw.bytes), slog.Duration("duration", time.Since(start)))
	})
}

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		next.ServeHTTP(w, r)
	})
}

// Request body limits: forms are small; only uploads get more.
const (
	maxFormBody   = 1 << 20  // 1 MiB: a 5,000-character comment is ~20 KB even in NFD
	maxUploadBody = 32 << 20 // 32 MiB: one image upload
)

// bodyLimit is the largest body a request may send; upload routes say so with a path
// under /admin/media.
func bodyLimit(r *http.Request) int64 {
	if strings.HasPrefix(r.URL.Path, "/admin/media") || strings.HasPrefix(r.URL.Path, "/admin/upload") {
		return maxUploadBody
	}
	return maxFormBody
}

// limitBodies caps every request body, so a 1 GB post is refused at once (by its
// Content-Length) or cut off at the limit (when it is chunked) instead of being read.
func (a *App) limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := bodyLimit(r)
		if r.ContentLength > limit {
			// Reading nothing of it: tell the client to stop sending.
			w.Header().Set("Connection", "close")
			a.renderError(w, r, http.StatusRequestEntityTooLarge, "")
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// limitURL refuses over-long request URIs with 414.
func (a *App) limitURL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.RequestURI) > maxURLLength {
			a.renderError(w, r, http.StatusRequestURITooLong, "")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// headerRecorder captures what the mux's own 404/405 handlers would answer, so the
// answer can be given as a Vietnamese page instead of the mux's plain text.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header         { return h.header }
func (h *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (h *headerRecorder) WriteHeader(code int)        { h.status = code }

// routeOrError dispatches to the mux, and renders unmatched paths (404) and wrong methods
// (405, with Allow) as the site's error page.
func (a *App) routeOrError(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		rec := &headerRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		switch rec.status {
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", rec.header.Get("Allow"))
			a.renderError(w, r, http.StatusMethodNotAllowed, "")
		case http.StatusMovedPermanently, http.StatusPermanentRedirect, http.StatusTemporaryRedirect:
			// The mux cleans paths (/a//b, trailing slashes) with a redirect: keep it.
			mux.ServeHTTP(w, r)
		default:
			a.renderError(w, r, http.StatusNotFound, "")
		}
	})
}
