package db

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	return openAt(t, t.TempDir())
}

// openAt opens the database in dir, closed when the test ends: a second handle on the
// same directory stands for another process (the command line).
func openAt(t *testing.T, dir string) *DB {
	t.Helper()
	d, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	for range 2 {
		d, err := Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		var v int
		if err := d.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != SchemaVersion() || v == 0 {
			t.Fatalf("user_version %d, want %d", v, SchemaVersion())
		}
		for _, table := range []string{"users", "sessions", "categories", "articles", "article_revisions", "comments",
			"media", "audit_log", "settings", "articles_fts"} {
			var n int
			if err := d.r.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = ?", table).Scan(&n); err != nil || n != 1 {
				t.Errorf("table %s missing", table)
			}
		}
		d.Close()
	}
}

func TestPragmas(t *testing.T) {
	t.Parallel()
	d := openTest(t)
	ctx := context.Background()
	var mode string
	var fk, timeout int
	for q, dst := range map[string]any{"PRAGMA journal_mode": &mode, "PRAGMA foreign_keys": &fk, "PRAGMA busy_timeout": &timeout} {
		if err := d.w.QueryRowContext(ctx, q).Scan(dst); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if mode != "wal" || fk != 1 || timeout != 5000 {
		t.Fatalf("writer pragmas: %s %d %d", mode, fk, timeout)
	}
	// The reader pool must refuse writes.
	if _, err := d.r.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES ('x', 'y')"); err == nil {
		t.Fatal("reader pool accepted a write")
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("corrupt file", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, FileName), []byte(strings.Repeat("this is not sqlite ", 400)), 0o600)
		_, err := Open(ctx, dir)
		if err == nil || !strings.Contains(err.Error(), "corrupt or not a SQLite file") {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Error("error is more than one line")
		}
	})
	t.Run("data dir is a file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "plain-file")
		os.WriteFile(file, []byte("x"), 0o600)
		_, err := Open(ctx, file)
		if err == nil || !strings.Contains(err.Error(), "data directory") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("newer schema", func(t *testing.T) {
		dir := t.TempDir()
		d, err := Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		d.w.ExecContext(ctx, "PRAGMA user_version = 999")
		d.Close()
		if _, err := Open(ctx, dir); err == nil || !strings.Contains(err.Error(), "newer than this binary") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestArticleVisibilityAndSlugs(t *testing.T) {
	t.Parallel()
	d := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cat, err := d.CreateCategory(ctx, Category{Slug: "thoi-su", Name: "Thời sự"})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(status string, at time.Time) int64 {
		id, err := d.CreateArticle(ctx, Article{Slug: "cung-ten", Title: "Cùng tên", CategoryID: cat, Status: status, PublishAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	pub := mk(StatusPublished, now.Add(-time.Hour))
	draft := mk(StatusDraft, time.Time{})
	later := mk(StatusPublished, now.Add(time.Hour))
	archived := mk(StatusArchived, now.Add(-time.Hour))
	if _, err := d.PublicArticle(ctx, pub, now); err != nil {
		t.Errorf("published: %v", err)
	}
	for _, id := range []int64{draft, later, archived} {
		if _, err := d.PublicArticle(ctx, id, now); err != ErrNotFound && !strings.Contains(err.Error(), ErrNotFound.Error()) {
			t.Errorf("article %d visible: %v", id, err)
		}
	}
	slugs := map[string]bool{}
	for _, id := range []int64{pub, draft, later, archived} {
		a := must(d.ArticleByID(ctx, id))
		slugs[a.Slug] = true
	}
	if len(slugs) != 4 || !slugs["cung-ten"] || !slugs["cung-ten-2"] {
		t.Errorf("slugs not made unique: %v", slugs)
	}
	if n := must(d.CountPublicArticles(ctx, 0, now)); n != 1 {
		t.Errorf("count %d", n)
	}
}

func TestSearchIndexHoldsFoldedText(t *testing.T) {
	t.Parallel()
	d := openTest(t)
	ctx := context.Background()
	cat := must(d.CreateCategory(ctx, Category{Slug: "a", Name: "A"}))
	id, err := d.CreateArticle(ctx, Article{Slug: "da-nang", Title: "Đoàn công tác tới Đà Nẵng", Lead: "Học tập",
		BodyHTML: "<p>Chất độc <b>da cam</b> &amp; hậu quả</p>", CategoryID: cat, Status: StatusPublished, PublishAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	var got int64
	if err := d.r.QueryRowContext(ctx, `SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'da nang'`).Scan(&got); err != nil || got != id {
		t.Fatalf("folded search for 'da nang' found %d: %v", got, err)
	}
	if err := d.r.QueryRowContext(ctx, `SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'chat doc'`).Scan(&got); err != nil || got != id {
		t.Fatalf("body not indexed without tags: %v", err)
	}
}

func TestAddViewsConcurrent(t *testing.T) {
	t.Parallel()
	d := openTest(t)
	ctx := context.Background()
	cat := must(d.CreateCategory(ctx, Category{Slug: "a", Name: "A"}))
	id := must(d.CreateArticle(ctx, Article{Slug: "x", Title: "X", CategoryID: cat, Status: StatusPublished, PublishAt: time.Now()}))
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if err := d.AddViews(ctx, "2026-11-28", map[int64]int64{id: 5}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	a := must(d.ArticleByID(ctx, id))
	var daily int64
	if err := d.r.QueryRowContext(ctx, `SELECT views FROM article_views_daily WHERE article_id = ?`, id).Scan(&daily); err != nil {
		t.Fatal(err)
	}
	if a.Views != 100 || daily != 100 {
		t.Fatalf("views %d daily %d, want 100", a.Views, daily)
	}
	// A deleted article's pending views must not fail the batch.
	if err := d.AddViews(ctx, "2026-11-28", map[int64]int64{id: 1, 424242: 3}); err != nil {
		t.Fatalf("batch with a vanished article: %v", err)
	}
}

func TestWriteUnavailableWhenFull(t *testing.T) {
	t.Parallel()
	d := openTest(t)
	ctx := context.Background()
	cat, err := d.CreateCategory(ctx, Category{Slug: "a", Name: "A"})
	if err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := d.w.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	// A page limit at the current size is what a full disk looks like to SQLite.
	if _, err := d.w.ExecContext(ctx, "PRAGMA max_page_count = "+strconv.Itoa(pages)); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("Nội dung rất dài. ", 5000)
	_, err = d.CreateArticle(ctx, Article{Slug: "x", Title: "X", BodyHTML: big, CategoryID: cat, Status: StatusDraft})
	if err == nil || !WriteUnavailable(err) {
		t.Fatalf("err = %v, want a write-unavailable error", err)
	}
	// Reads still work, and nothing was half-written.
	if n, err := d.CountPublicArticles(ctx, 0, time.Now()); err != nil || n != 0 {
		t.Fatalf("read while full: %d %v", n, err)
	}
	var revisions int
	if err := d.r.QueryRowContext(ctx, "SELECT count(*) FROM article_revisions").Scan(&revisions); err != nil {
		t.Fatal(err)
	}
	if revisions != 0 {
		t.Errorf("%d revisions left by a failed write", revisions)
	}
	// Space returns: writes work again.
	d.w.ExecContext(ctx, "PRAGMA max_page_count = 1073741823")
	if _, err := d.CreateArticle(ctx, Article{Slug: "x", Title: "X", BodyHTML: big, CategoryID: cat, Status: StatusDraft}); err != nil {
		t.Fatalf("after space returned: %v", err)
	}
	if WriteUnavailable(errors.New("other")) || WriteUnavailable(nil) {
		t.Error("plain errors classified as unavailable")
	}
}

func TestFirstRunesMatchesSQLiteSubstr(t *testing.T) {
	t.Parallel()
	d := openTest(t)
	for _, s := range []string{"", "ngắn", strings.Repeat("Đường ", 30), strings.Repeat("a", 64), strings.Repeat("ệ", 65)} {
		var want string
		if err := d.r.QueryRow(`SELECT substr(?, 1, 64)`, s).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if got := firstRunes(s, 64); got != want {
			t.Errorf("firstRunes(%q) = %q, SQLite says %q", s, got, want)
		}
	}
}

func TestWriteUnavailableWhenReadOnly(t *testing.T) {
	t.Parallel()
	d := openTest(t)
	// The reader pool is query_only: a write there fails as a read-only file does.
	_, err := d.r.ExecContext(context.Background(), "INSERT INTO settings (key, value) VALUES ('x', 'y')")
	if err == nil || !WriteUnavailable(err) {
		t.Fatalf("write on a read-only connection: %v (unavailable %v)", err, WriteUnavailable(err))
	}
}
