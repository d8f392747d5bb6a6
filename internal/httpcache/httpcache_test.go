package httpcache

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestETagAndMatch(t *testing.T) {
	a, b := ETag([]byte("trang một")), ETag([]byte("trang hai"))
	if a == b || !strings.HasPrefix(a, `"`) || !strings.HasSuffix(a, `"`) || len(a) != 26 {
		t.Fatalf("ETag: %q %q", a, b)
	}
	if a != ETag([]byte("trang một")) {
		t.Error("same body, different ETag")
	}
	if Weak(a) != "W/"+a || Weak(Weak(a)) != "W/"+a {
		t.Errorf("Weak: %q", Weak(Weak(a)))
	}
	for _, tc := range []struct {
		list, etag string
		want       bool
	}{
		{a, a, true},
		{"W/" + a, a, true},
		{a, "W/" + a, true},
		{`"x", ` + a, "W/" + a, true},
		{"*", a, true},
		{b, a, false},
		{"", a, false},
		{a, "", false},
		{`<script>`, a, false},
	} {
		if got := Match(tc.list, tc.etag); got != tc.want {
			t.Errorf("Match(%q, %q) = %v", tc.list, tc.etag, got)
		}
	}
}

func TestNotModified(t *testing.T) {
	mod := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	lm := mod.Format(http.TimeFormat)
	req := func(h, v string) *http.Request {
		r := httptest.NewRequest("GET", "/", nil)
		if h != "" {
			r.Header.Set(h, v)
		}
		return r
	}
	if !NotModified(req("If-Modified-Since", lm), `"a"`, lm) {
		t.Error("same date: want not modified")
	}
	if NotModified(req("If-Modified-Since", mod.Add(-time.Hour).Format(http.TimeFormat)), `"a"`, lm) {
		t.Error("older date: want modified")
	}
	// If-None-Match wins over the date when both are sent.
	r := req("If-Modified-Since", lm)
	r.Header.Set("If-None-Match", `"b"`)
	if NotModified(r, `"a"`, lm) {
		t.Error("a stale ETag with a fresh date answered 304")
	}
	if NotModified(req("If-Modified-Since", "not a date"), `"a"`, lm) || NotModified(req("", ""), `"a"`, lm) {
		t.Error("no usable precondition answered 304")
	}
}

func TestGzip(t *testing.T) {
	if Gzip([]byte("ngắn")) != nil {
		t.Error("tiny body compressed")
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			body := []byte(strings.Repeat("Bản tin nông nghiệp "+string(rune('a'+i))+". ", 200))
			zr, err := gzip.NewReader(bytes.NewReader(Gzip(body)))
			if err != nil {
				t.Error(err)
				return
			}
			if got, _ := io.ReadAll(zr); !bytes.Equal(got, body) {
				t.Error("round trip changed the body")
			}
		})
	}
	wg.Wait()
}

func TestRecorder(t *testing.T) {
	c := NewRecorder()
	if c.Code() != http.StatusOK {
		t.Error("no status written: want 200")
	}
	c.WriteHeader(http.StatusNotFound)
	c.WriteHeader(http.StatusOK)
	c.Write([]byte("không có"))
	if c.Code() != http.StatusNotFound || c.Body.String() != "không có" {
		t.Errorf("got %d %q", c.Code(), c.Body.String())
	}
	h := http.Header{}
	v := &Recorder{HeaderMap: h}
	v.Header().Set("X-A", "1")
	if h.Get("X-A") != "1" {
		t.Error("headers not written through to the given map")
	}
}

func TestAddVaryAndCompressible(t *testing.T) {
	h := http.Header{"Vary": {"accept-encoding, Cookie"}}
	AddVary(h, "Accept-Encoding")
	AddVary(h, "HX-Request")
	if got := strings.Join(h.Values("Vary"), "|"); got != "accept-encoding, Cookie, HX-Request" {
		t.Errorf("Vary = %q", got)
	}
	for ct, want := range map[string]bool{"text/html; charset=utf-8": true, "application/rss+xml": true,
		"application/json": true, "image/png": false, "image/svg+xml": true, "": false} {
		if Compressible(ct) != want {
			t.Errorf("Compressible(%q) != %v", ct, want)
		}
	}
}
