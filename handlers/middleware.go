package handlers

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"toasoan/internal/httpcache"
)

// maxURLLength bounds request URIs; longer ones get 414 before any routing.
const maxURLLength = 2048

// contentSecurityPolicy is the one policy of the site: only its own scripts and styles
// (htmx is configured, meta htmx-config, to need neither inline styles nor eval). The
// public site and the back office differ only in what they add to style-src and img-src
// (see adminCSP) and in who may frame them (Config.FrameAncestors).
func contentSecurityPolicy(styleExtra, imgExtra, ancestors string) string {
	return "default-src 'self'; script-src 'self'; style-src 'self'" + styleExtra + "; img-src 'self' data:" + imgExtra +
		"; font-src 'self'; connect-src 'self'; " + videoFrames + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors " + ancestors
}

// videoFrames lets exactly the two video players an article may embed into a frame. No
// page loads them by itself: an embed is a link until the reader clicks it (site.js).
const videoFrames = "frame-src https://www.youtube-nocookie.com https://www.facebook.com; "

// permissionsPolicy turns off the powerful browser features a news site never uses, so
// an injected or embedded script cannot ask for them either.
const permissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), " +
	"browsing-topics=(), accelerometer=(), gyroscope=(), magnetometer=()"

// hstsValue asks browsers to use HTTPS only for a year. No includeSubDomains: a
// newsroom's other hosts under the same domain are not ours to decide for.
const hstsValue = "max-age=31536000"

// recoverPanics turns a panic into a logged 500 page instead of a dropped connection.
func (a *App) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.Log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
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

// requestState is what logRequests keeps for one request.
type requestState struct {
	statusWriter
	id [1]string // the X-Request-Id header's value
}

// logRequests writes one line per request with a request id, which is also sent back in
// X-Request-Id so a reader's report can be matched with the log.
func (a *App) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// A request id only has to be unique enough to find a line in the log, not
		// unguessable: the runtime's generator, not a system call for crypto/rand.
		var id [8]byte
		binary.LittleEndian.PutUint64(id[:], mrand.Uint64())
		reqID := base64.RawURLEncoding.EncodeToString(id[:])
		// One allocation for the writer and the header's value slice: a cached hit makes
		// few enough that each shows.
		st := &requestState{statusWriter: statusWriter{ResponseWriter: w}}
		st.id[0] = reqID
		w.Header()["X-Request-Id"] = st.id[:]
		sw := &st.statusWriter
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		// The record is built by hand: Logger.LogAttrs would also walk the stack for a
		// source position that no handler prints, on every request.
		if h := a.Log.Handler(); h.Enabled(r.Context(), slog.LevelInfo) {
			end := time.Now()
			rec := slog.NewRecord(end, slog.LevelInfo, "request", 0)
			rec.AddAttrs(slog.String("id", reqID), slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", sw.status), slog.Int("bytes", sw.bytes), slog.Duration("duration", end.Sub(start)))
			h.Handle(r.Context(), rec)
		}
	})
}

// randomToken is a URL-safe random string of n bytes of entropy: request ids, CSP
// nonces, form tokens, generated passwords and keys all come from here.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics rather than return short)
	return base64.RawURLEncoding.EncodeToString(b)
}

// securityHeaders sets the headers every response carries. Who may frame the site comes
// from Config.FrameAncestors ('none' by default); HSTS is sent when the site is served
// over HTTPS (an https -base-url, or TLS on this connection).
func (a *App) securityHeaders(next http.Handler) http.Handler {
	ancestors := a.Config.FrameAncestors
	if ancestors == "" {
		ancestors = "'none'"
	}
	// Who may frame a page is said once, by the CSP's frame-ancestors. No X-Frame-Options:
	// every browser that implements CSP Level 2 (all since 2016; Internet Explorer never
	// did) ignores it when frame-ancestors is present, as the HTML standard says, and
	// each header a cached page carries costs throughput (README, Security).
	csp := contentSecurityPolicy("", "", ancestors)
	httpsBase := strings.HasPrefix(a.Config.BaseURL, "https://")
	// Built once: every response gets the same slices (clipped, so an Add elsewhere
	// copies instead of writing into them), which saves an allocation per header.
	fixed := http.Header{}
	fixed.Set("Content-Security-Policy", csp)
	fixed.Set("X-Content-Type-Options", "nosniff")
	fixed.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	fixed.Set("Permissions-Policy", permissionsPolicy)
	fixed.Set("Cross-Origin-Opener-Policy", "same-origin")
	for k, v := range fixed {
		fixed[k] = slices.Clip(v)
	}
	hsts := []string{hstsValue}[:1:1]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range fixed {
			h[k] = v
		}
		if httpsBase || r.TLS != nil {
			h["Strict-Transport-Security"] = hsts
		}
		next.ServeHTTP(w, r)
	})
}

// Request body limits: public forms are small. The back office's handlers set their own,
// tighter limits per form (an article with a pasted image, an upload) and answer in their
// own words, so the site-wide cap there only stops the absurd.
const (
	maxFormBody  = 1 << 20  // 1 MiB: a 5,000-character comment is ~45 KB even encoded
	maxAdminBody = 64 << 20 // 64 MiB: above any back-office form's own limit
)

// bodyLimit is the largest body a request may send.
func bodyLimit(r *http.Request) int64 {
	if isAdminPath(r.URL.Path) {
		return maxAdminBody
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

// ValidFrameAncestors checks a -frame-ancestors value: 'none', 'self', or a space-separated
// list of 'self' and http(s) origins (a leading *. wildcard allowed), so nothing the operator
// types can break out of the CSP header.
func ValidFrameAncestors(v string) error {
	fields := strings.Fields(v)
	if len(fields) == 0 {
		return fmt.Errorf("frame ancestors: empty")
	}
	for _, f := range fields {
		switch {
		case f == "'self'":
		case f == "'none'":
			if len(fields) > 1 {
				return fmt.Errorf("frame ancestors: 'none' must stand alone")
			}
		case strings.HasPrefix(f, "https://") || strings.HasPrefix(f, "http://"):
			host := f[strings.Index(f, "//")+2:]
			host = strings.TrimPrefix(host, "*.")
			if host == "" || strings.ContainsAny(host, "/;,'\"*?#@ ") {
				return fmt.Errorf("frame ancestors: %q is not an origin", f)
			}
			for _, c := range host {
				if !(c == '.' || c == '-' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
					return fmt.Errorf("frame ancestors: %q is not an origin", f)
				}
			}
		default:
			return fmt.Errorf("frame ancestors: %q is not 'self', 'none' or an http(s) origin", f)
		}
	}
	return nil
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

// routeOrError dispatches to the mux, and renders unmatched paths (404) and wrong methods
// (405, with Allow) as the site's error page.
func (a *App) routeOrError(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		// Capture what the mux's own 404/405 handlers would answer, so the answer can be
		// given as a Vietnamese page instead of the mux's plain text.
		rec := httpcache.NewRecorder()
		h.ServeHTTP(rec, r)
		switch rec.Status {
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", rec.HeaderMap.Get("Allow"))
			a.renderError(w, r, http.StatusMethodNotAllowed, "")
		case http.StatusMovedPermanently, http.StatusPermanentRedirect, http.StatusTemporaryRedirect:
			// The mux cleans paths (/a//b, trailing slashes) with a redirect: keep it.
			mux.ServeHTTP(w, r)
		default:
			a.renderError(w, r, http.StatusNotFound, "")
		}
	})
}
