package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"toasoan/db"
	"toasoan/views"
)

// TestCacheNeverServesStalePages walks every write that changes a public page through the
// real back-office routes, with the pages warm in the cache before each one, and checks
// that the next reader sees the change.
func TestCacheNeverServesStalePages(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	ctx := context.Background()
	editor, admin := s.loginAs(t, db.RoleEditor), s.loginAs(t, db.RoleAdmin)
	// shows reads a page as a reader sees it: search hits have their words marked, so the
	// text is compared, not the markup.
	shows := func(body, title string) bool {
		return strings.Contains(text(parse(t, body)), title)
	}
	warm := func(paths ...string) {
		t.Helper()
		for _, p := range paths {
			for range 2 { // the second read is a cache hit
				if r, _ := s.get(t, p); r.StatusCode != http.StatusOK {
					t.Fatalf("warm %s: %d", p, r.StatusCode)
				}
			}
		}
	}
	_, misses0 := s.app.Pages.Stats()
	warm("/")
	if hits, misses := s.app.Pages.Stats(); hits == 0 || misses-misses0 != 1 {
		t.Fatalf("home page not served from the cache: %d hits, %d misses", hits, misses-misses0)
	}

	// Publish: a new article leads the home page and its section.
	title := "Khánh thành cầu treo bản Khe Rạn sau mùa mưa lũ"
	id := createArticle(t, editor, newArticleForm(title))
	art := s.article(t, id)
	section := views.SectionPath(art.CategorySlug)
	// Searches are cached too (a cache of their own): the same writes retire them.
	search, searchPlain := searchPath("q", "cầu treo Khe Rạn"), searchPath("q", "cau treo khe ran")
	warm("/", section, search, searchPlain)
	if hits, _ := s.app.Searches.Stats(); hits == 0 {
		t.Fatal("searches are not served from the search cache")
	}
	if r, _ := postTransition(editor, id, art.Version, db.StatusPublished, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.StatusCode)
	}
	art = s.article(t, id)
	for _, p := range []string{"/", section, search, searchPlain} {
		if _, body := s.get(t, p); !shows(body, title) {
			t.Errorf("publish: %s still shows the page from before", p)
		}
	}

	// Edit: the new title everywhere.
	warm("/", section, views.ArticlePath(art), search, searchPlain)
	edited := "Khánh thành cầu treo bản Khe Rạn trước mùa mưa lũ"
	f := newArticleForm(edited)
	f.Set("version", strconv.Itoa(art.Version))
	f.Set("slug", art.Slug)
	if r, body := editor.post("/admin/bai-viet/"+strconv.FormatInt(id, 10), f); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %.300s", r.StatusCode, body)
	}
	art = s.article(t, id)
	for _, p := range []string{"/", section, views.ArticlePath(art), search, searchPlain} {
		if _, body := s.get(t, p); !shows(body, edited) {
			t.Errorf("edit: %s still shows the old title", p)
		}
	}

	// Comment approved, then deleted: the article's list and count follow.
	cid, err := s.app.DB.InsertComment(ctx, db.Comment{ArticleID: id, Name: "Trần Văn Bình", Title: "Cảm ơn",
		Body: "Cây cầu mới giúp bà con đi lại an toàn.", Status: db.CommentPending, CreatedAt: testNow})
	if err != nil {
		t.Fatal(err)
	}
	warm(views.ArticlePath(art))
	if r, _ := editor.htmx("/admin/binh-luan/"+strconv.FormatInt(cid, 10)+"/duyet", url.Values{}); r.StatusCode != http.StatusOK {
		t.Fatalf("approve: %d", r.StatusCode)
	}
	if _, body := s.get(t, views.ArticlePath(art)); !strings.Contains(body, "Cây cầu mới giúp bà con") {
		t.Error("approved comment missing from the cached article")
	}
	warm(views.ArticlePath(art))
	if r, _ := editor.htmx("/admin/binh-luan/"+strconv.FormatInt(cid, 10)+"/xoa", url.Values{}); r.StatusCode != http.StatusOK {
		t.Fatalf("delete: %d", r.StatusCode)
	}
	if _, body := s.get(t, views.ArticlePath(art)); strings.Contains(body, "Cây cầu mới giúp bà con") {
		t.Error("deleted comment still on the cached article")
	}

	// Section renamed: the menu on every page.
	warm("/", views.ArticlePath(art), search)
	cat, _ := s.app.DB.CategoryByID(ctx, art.CategoryID)
	if r, _ := admin.post("/admin/chuyen-muc/"+strconv.FormatInt(cat.ID, 10), url.Values{"name": {"Thời sự - Chính trị"}, "slug": {cat.Slug}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("rename section: %d", r.StatusCode)
	}
	for _, p := range []string{"/", views.ArticlePath(art), search} {
		if _, body := s.get(t, p); !shows(body, "Thời sự - Chính trị") {
			t.Errorf("rename: %s shows the old section name", p)
		}
	}

	// Unpublish (archive): the article leaves the lists and answers 404.
	art = s.article(t, id)
	warm("/", section, views.ArticlePath(art), search, searchPlain)
	if r, _ := postTransition(editor, id, art.Version, db.StatusArchived, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("archive: %d", r.StatusCode)
	}
	if r, _ := s.get(t, views.ArticlePath(art)); r.StatusCode != http.StatusNotFound {
		t.Errorf("archived article still served: %d", r.StatusCode)
	}
	for _, p := range []string{"/", section, search, searchPlain} {
		if _, body := s.get(t, p); shows(body, edited) {
			t.Errorf("archive: %s still lists the article", p)
		}
	}

	// A scheduled article appears when its time comes, with no write at that moment.
	later := "Lễ ra quân tổng vệ sinh môi trường toàn huyện"
	sid := createArticle(t, editor, newArticleForm(later))
	sa := s.article(t, sid)
	at := testNow.Add(20 * time.Minute).In(s.loc).Format("2006-01-02T15:04")
	if r, body := postTransition(editor, sid, sa.Version, db.StatusPublished, url.Values{"publish_at": {at}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("schedule: %d %.300s", r.StatusCode, body)
	}
	laterSearch := searchPath("q", "tổng vệ sinh môi trường")
	warm("/", laterSearch)
	for _, p := range []string{"/", laterSearch} {
		if _, body := s.get(t, p); shows(body, later) {
			t.Fatalf("scheduled article shown early on %s", p)
		}
	}
	s.clock.Advance(21 * time.Minute)
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { s.app.WatchSchedule(wctx, 10*time.Millisecond); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, home := s.get(t, "/")
		_, found := s.get(t, laterSearch)
		if shows(home, later) && shows(found, later) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("scheduled article not on the home page and in search after its time")
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	<-done
}

// TestCachedPageRenderedOnce sends 64 concurrent readers to a cold article: one render,
// every reader counted, and the ETag/304 and gzip copies come from the cache.
func TestCachedPageRenderedOnce(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	a := latestArticle(t, s)
	path := views.ArticlePath(a)
	var renders atomic.Int32
	inner := s.app.article
	h := s.app.handle(s.app.cached(func(w http.ResponseWriter, r *http.Request) error {
		renders.Add(1)
		time.Sleep(20 * time.Millisecond) // a slow render, so the readers pile up
		return inner(w, r)
	}))
	mux := http.NewServeMux()
	mux.Handle("GET /bai-viet/{ref}", h)
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			rec := httptestRecorder()
			req, _ := http.NewRequest("GET", path, nil)
			mux.ServeHTTP(rec, req)
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), a.Title) {
				t.Errorf("reader got %d", rec.Code)
			}
		})
	}
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Errorf("cold page rendered %d times for 64 readers", n)
	}
	if got := s.app.Counts.Pending(a.ID); got != 64 {
		t.Errorf("%d views counted for 64 readers", got)
	}
	// Junk queries are not cached (they cannot push popular pages out).
	before := s.app.Pages.Len()
	for i := range 20 {
		s.get(t, path+"?utm="+strconv.Itoa(i))
	}
	if s.app.Pages.Len() != before {
		t.Errorf("junk queries filled the cache: %d → %d entries", before, s.app.Pages.Len())
	}
}
