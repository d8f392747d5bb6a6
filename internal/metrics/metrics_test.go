package metrics

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	_ "modernc.org/sqlite"
)

func scrape(t *testing.T, h http.Handler, auth string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

func TestMetrics(t *testing.T) {
	pool, err := sql.Open("sqlite", "file:"+t.TempDir()+"/m.db")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	pool.SetMaxOpenConns(1)
	last := time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC)
	now := last.Add(90 * time.Minute)
	m := New(prometheus.NewRegistry(), Sources{Pools: map[string]*sql.DB{"writer": pool},
		LastBackup: func() time.Time { return last }, Now: func() time.Time { return now }})

	// A connection held by one caller makes the next wait: the wait time must show.
	conn, _ := pool.Conn(context.Background())
	go func() { time.Sleep(30 * time.Millisecond); conn.Close() }()
	pool.Exec("SELECT 1")

	mux := http.NewServeMux()
	mux.HandleFunc("GET /bai-viet/{ref}", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	mux.HandleFunc("POST /binh-luan", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(422) })
	h := m.Instrument(mux)
	for _, p := range []string{"/bai-viet/a-1", "/bai-viet/b-2", "/khong-co"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/binh-luan", nil))
	m.CommentPosted()
	m.CommentPosted()
	m.CommentModerated("approved")
	m.CommentModerated("rejected")
	m.CommentModerated("bogus")
	m.CacheHit(CachePages)
	m.CacheMiss(CacheSearch)
	m.BackupDone(nil)
	m.BackupDone(errors.New("disk full"))

	code, body := scrape(t, m.Handler(""), "")
	if code != 200 {
		t.Fatalf("scrape %d", code)
	}
	for _, want := range []string{
		`toasoan_http_requests_total{method="GET",route="GET /bai-viet/{ref}",status="200"} 2`,
		`toasoan_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`toasoan_http_requests_total{method="POST",route="POST /binh-luan",status="422"} 1`,
		`toasoan_http_request_duration_seconds_count{route="GET /bai-viet/{ref}",status="200"} 2`,
		`toasoan_comments_total{event="posted"} 2`,
		`toasoan_comments_total{event="approved"} 1`,
		`toasoan_comments_total{event="rejected"} 1`,
		`toasoan_comments_total{event="spam"} 0`,
		`toasoan_page_cache_requests_total{cache="pages",result="hit"} 1`,
		`toasoan_page_cache_requests_total{cache="search",result="miss"} 1`,
		`toasoan_page_cache_requests_total{cache="search",result="hit"} 0`,
		`toasoan_backups_total{result="error"} 1`,
		`toasoan_backup_age_seconds 5400`,
		`toasoan_backup_last_success_timestamp_seconds 1.7958276e+09`,
		`go_sql_wait_count_total{db_name="writer"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s", want)
		}
	}
	if strings.Contains(body, "/bai-viet/a-1") {
		t.Error("raw paths leak into labels")
	}
	if !strings.Contains(body, `go_sql_wait_duration_seconds_total{db_name="writer"} 0.0`) {
		t.Errorf("wait duration missing or zero:\n%s", grep(body, "go_sql_wait"))
	}

	// Token protection.
	th := m.Handler("0123456789abcdef-token")
	for _, auth := range []string{"", "Bearer wrong", "0123456789abcdef-token", "Bearer 0123456789abcdef-token "} {
		if code, _ := scrape(t, th, auth); code != http.StatusUnauthorized {
			t.Errorf("auth %q: %d, want 401", auth, code)
		}
	}
	if code, body := scrape(t, th, "Bearer 0123456789abcdef-token"); code != 200 || !strings.Contains(body, "toasoan_comments_total") {
		t.Errorf("right token: %d", code)
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestNilMetricsAreSafe(t *testing.T) {
	var m *Metrics
	m.CommentPosted()
	m.CommentModerated("approved")
	m.CacheHit(CachePages)
	m.CacheMiss(CacheSearch)
	m.BackupDone(nil)
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	if got := m.Instrument(h); got == nil {
		t.Fatal("nil Instrument")
	}
}

func TestNoBackupYet(t *testing.T) {
	m := New(prometheus.NewRegistry(), Sources{LastBackup: func() time.Time { return time.Time{} }})
	_, body := scrape(t, m.Handler(""), "")
	if !strings.Contains(body, "toasoan_backup_last_success_timestamp_seconds 0") || strings.Contains(body, "toasoan_backup_age_seconds ") {
		t.Errorf("no backup yet:\n%s", grep(body, "backup"))
	}
}
