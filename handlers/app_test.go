package handlers

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/net/html"

	"toasoan/db"
	"toasoan/internal/demo"
	"toasoan/internal/viewcount"
	"toasoan/static"
	"toasoan/views"
)

// testNow is the fixed clock of the handler tests.
var testNow = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

// testClock is the tests' clock for App.Now: tests move it forward instead of sleeping.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

// newTestClock is a clock standing at testNow.
func newTestClock() *testClock { return &testClock{now: testNow} }

// Now is the clock's time.
func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Advance moves the clock forward by d.
func (c *testClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

type testSite struct {
	app    *App
	srv    *httptest.Server
	client *http.Client
	loc    *time.Location
}

// newTestSite starts the real routes over a real SQLite file in a temp dir, with the demo
// content loaded.
func newTestSite(t testing.TB) *testSite {
	t.Helper()
	return newTestSiteWith(t, Config{})
}

// newTestSiteWith is newTestSite with a configuration.
func newTestSiteWith(t testing.TB, cfg Config) *testSite {
	t.Helper()
	return openTestSite(t, t.TempDir(), cfg, true, func() time.Time { return testNow })
}

// sharedAssets builds the static assets (hashing and gzipping every file) once for all
// test sites: they are immutable, and building them per site cost 7% of this package's CPU.
// Renderers are not shared by live sites (see renderers).
var sharedAssets = sync.OnceValues(static.New)

// renderers hands each test site a renderer of its own. Parsing every template for each
// site was an eighth of this package's CPU time, so a closed site's renderer goes to the
// next site instead. Never to two sites at once: a site's settings
// change its renderer's time zone. The one other state, the field limits, New sets.
var renderers rendererPool

// rendererPool keeps the renderers of closed test sites.
type rendererPool struct {
	mu   sync.Mutex
	free []*views.Renderer
}

// get returns a free renderer, or a new one, showing dates in loc.
func (p *rendererPool) get(assets *static.Assets, loc *time.Location) (*views.Renderer, error) {
	p.mu.Lock()
	var v *views.Renderer
	if n := len(p.free); n > 0 {
		v, p.free = p.free[n-1], p.free[:n-1]
	}
	p.mu.Unlock()
	if v == nil {
		return views.New(views.Options{AssetURL: assets.URL, Location: loc})
	}
	v.SetLocation(loc)
	return v, nil
}

// put gives back the renderer of a site that has stopped serving.
func (p *rendererPool) put(v *views.Renderer) {
	p.mu.Lock()
	p.free = append(p.free, v)
	p.mu.Unlock()
}

// templateDBs are the database files every new test site starts from, built once: one
// migrated and empty, one with the demo content loaded as openTestSite loads it. Running
// the migrations and loading the demo for each site was a seventh of this package's CPU
// time (and the garbage it left, more); a site now gets its own copy, a real SQLite file in its TempDir.
// The db package's tests still migrate from scratch.
var templateDBs = sync.OnceValues(func() (map[bool][]byte, error) {
	files := map[bool][]byte{}
	for _, withDemo := range []bool{false, true} {
		b, err := buildTemplateDB(withDemo)
		if err != nil {
			return nil, err
		}
		files[withDemo] = b
	}
	return files, nil
})

// buildTemplateDB migrates a fresh database (and loads the demo content into it) and
// returns the file's bytes, its write-ahead log folded in.
func buildTemplateDB(withDemo bool) ([]byte, error) {
	dir, err := os.MkdirTemp("", "toasoan-handlers-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	d, err := db.Open(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	d.SetPasswordCost(bcrypt.MinCost)
	if withDemo {
		loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
		if err != nil {
			return nil, err
		}
		if _, err := demo.Load(ctx, d, testNow, loc); err != nil {
			return nil, err
		}
	}
	if _, err := d.Writer().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return nil, err
	}
	if err := d.Close(); err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(dir, db.FileName))
}

// seedDataDir gives a data directory without a database a copy of the template; a
// directory that has one (a restart test, a benchmark's seeded site) is left as it is.
func seedDataDir(dir string, withDemo bool) error {
	path := filepath.Join(dir, db.FileName)
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	files, err := templateDBs()
	if err != nil {
		return err
	}
	return os.WriteFile(path, files[withDemo], 0o644)
}

// openTestSite wires the real App over the database in dir — as main does — with the given
// clock, and serves its routes through httptest. Every test site is made here.
func openTestSite(t testing.TB, dir string, cfg Config, withDemo bool, now func() time.Time) *testSite {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	if err := seedDataDir(dir, withDemo); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	// Real bcrypt at its cheapest: at the production cost, hashing the test accounts was
	// half the CPU time of this package's tests.
	d.SetPasswordCost(bcrypt.MinCost)
	if withDemo {
		if _, err := demo.Load(ctx, d, testNow, loc); err != nil {
			t.Fatal(err)
		}
	}
	assets, err := sharedAssets()
	if err != nil {
		t.Fatal(err)
	}
	v, err := renderers.get(assets, loc)
	if err != nil {
		t.Fatal(err)
	}
	// Registered before the server's Close, so it runs after it: no request of this site
	// is still rendering when the next site takes the renderer.
	t.Cleanup(func() { renderers.put(v) })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	counts := viewcount.New(d.AddViews, func(t time.Time) string { return t.In(loc).Format(time.DateOnly) }, log)
	// As the serve command does without -base-url: absolute links use the listen address.
	srv := httptest.NewUnstartedServer(nil)
	t.Cleanup(srv.Close)
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + srv.Listener.Addr().String()
	}
	app, err := New(ctx, d, v, assets, log, counts, cfg)
	if err != nil {
		t.Fatal(err)
	}
	app.Now = now
	srv.Config.Handler = app.Routes()
	srv.Start()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &testSite{app: app, srv: srv, client: client, loc: loc}
}

// must returns v, or panics with err: a failed read of the database must fail the test,
// never pass as an empty result.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// queryInt runs a query that returns one number, failing the test when it cannot: a
// broken query must not pass as "0 rows".
func (s *testSite) queryInt(t testing.TB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := s.app.DB.Reader().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// get fetches a path and returns the response with its body read.
func (s *testSite) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	return s.do(t, http.MethodGet, path, nil)
}

func (s *testSite) do(t *testing.T, method, path string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	return s.send(t, req)
}

// send sends a request without following redirects and returns the response with its
// body read.
func (s *testSite) send(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// parse parses an HTML page.
func parse(t *testing.T, body string) *html.Node {
	t.Helper()
	n, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// find returns every element for which match is true, in document order.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

// byTag matches elements by tag name.
func byTag(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag }
}

// byClass matches elements having a class.
func byClass(class string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		for _, f := range strings.Fields(attr(n, "class")) {
			if f == class {
				return true
			}
		}
		return false
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// text is the concatenated text inside a node, whitespace collapsed.
func text(n *html.Node) string {
	var sb strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			sb.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(sb.String()), " ")
}

func httptestRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
