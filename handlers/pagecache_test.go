package handlers

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
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

	// Comment writes retire the article's page and its comment list, and nothing else:
	// the home page, the section, another article and searches stay cached (the comment
	// counts they show may lag by the cache's lifetime, like view counts).
	hx := http.Header{"Hx-Request": {"true"}}
	list := commentPath(id)
	warmList := func() {
		t.Helper()
		for range 2 {
			if r, _ := s.do(t, http.MethodGet, list, hx); r.StatusCode != http.StatusOK {
				t.Fatalf("warm %s: %d", list, r.StatusCode)
			}
		}
	}
	other := s.article(t, 1)
	if other.ID == id {
		t.Fatal("need another article")
	}
	unrelated := []string{"/", section, views.ArticlePath(other), search}
	// stillCached reads pages that a comment write must leave alone: no render at all.
	stillCached := func(write string) {
		t.Helper()
		_, misses := s.app.Pages.Stats()
		_, searchMisses := s.app.Searches.Stats()
		for _, p := range unrelated {
			if r, _ := s.get(t, p); r.StatusCode != http.StatusOK {
				t.Fatalf("%s: %s %d", write, p, r.StatusCode)
			}
		}
		_, after := s.app.Pages.Stats()
		_, searchAfter := s.app.Searches.Stats()
		if after != misses || searchAfter != searchMisses {
			t.Errorf("%s re-rendered %d unrelated pages and %d searches", write, after-misses, searchAfter-searchMisses)
		}
	}
	// fresh checks the article page and its comment list both show (or no longer show) text.
	fresh := func(write, body string, want bool) {
		t.Helper()
		_, page := s.get(t, views.ArticlePath(art))
		_, frag := s.do(t, http.MethodGet, list, hx)
		for name, got := range map[string]string{"article page": page, "comment list": frag} {
			if strings.Contains(got, body) != want {
				t.Errorf("%s: the cached %s is stale (shows %q: %v)", write, name, body, !want)
			}
		}
	}
	comment := func(articleID int64, body string) int64 {
		t.Helper()
		cid, err := s.app.DB.InsertComment(ctx, db.Comment{ArticleID: articleID, Name: "Trần Văn Bình", Title: "Cảm ơn",
			Body: body, Status: db.CommentPending, CreatedAt: testNow})
		if err != nil {
			t.Fatal(err)
		}
		return cid
	}
	warmAll := func() {
		t.Helper()
		warm(append([]string{views.ArticlePath(art)}, unrelated...)...)
		warmList()
	}

	// A pending comment changes no page: everything stays cached.
	warmAll()
	cid := comment(id, "Cây cầu mới giúp bà con đi lại an toàn.")
	unrelated = append(unrelated, views.ArticlePath(art))
	stillCached("a pending comment")
	unrelated = unrelated[:len(unrelated)-1]

	// Approved by a moderator.
	warmAll()
	if r, _ := editor.htmx("/admin/binh-luan/"+strconv.FormatInt(cid, 10)+"/duyet", url.Values{}); r.StatusCode != http.StatusOK {
		t.Fatalf("approve: %d", r.StatusCode)
	}
	fresh("approve", "Cây cầu mới giúp bà con", true)
	stillCached("approve")

	// Edited by a moderator.
	warmAll()
	if r, body := editor.post("/admin/binh-luan/"+strconv.FormatInt(cid, 10)+"/sua", url.Values{"title": {"Cảm ơn"},
		"body": {"Cây cầu mới, bà con đi chợ gần hơn."}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit comment: %d %.300s", r.StatusCode, body)
	}
	fresh("edit comment", "bà con đi chợ gần hơn", true)
	stillCached("edit comment")

	// Published at once by the site (moderation off, or a known reader in first-time
	// mode): the reader's post stores it approved. Pages rendered less than commentGrace
	// before may still be served without it — readers posting fast must not make every
	// next reader render the article — and show it once they are that old.
	warmAll()
	post := func(body string) {
		t.Helper()
		if _, err := s.app.DB.PostReaderComment(ctx, db.Comment{ArticleID: id, Name: "Lê Thị Cúc", Title: "Tốt",
			Body: body, Status: db.CommentApproved, CreatedAt: s.clock.Now()}, db.ReaderCommentOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	post("Mong huyện làm thêm cầu ở bản bên.")
	_, rendersBefore := s.app.Pages.Stats()
	s.clock.Advance(commentGrace / 2)
	post("Cầu xong thì mở thêm tuyến xe buýt.")
	fresh("published posts within the grace", "Mong huyện làm thêm cầu", false)
	if _, renders := s.app.Pages.Stats(); renders != rendersBefore {
		t.Errorf("published posts within the grace re-rendered %d pages", renders-rendersBefore)
	}
	s.clock.Advance(commentGrace / 2)
	fresh("published posts after the grace", "Mong huyện làm thêm cầu", true)
	fresh("published posts after the grace", "Cầu xong thì mở thêm tuyến xe buýt", true)
	stillCached("published post")

	// Bulk moderation: every touched article is retired.
	warmAll()
	warm(views.ArticlePath(other))
	c2 := comment(other.ID, "Bài viết bên cạnh cũng có ý kiến.")
	if r, body := editor.post("/admin/binh-luan", url.Values{"action": {"duyet"}, "ids": {strconv.FormatInt(c2, 10)},
		"back": {"/admin/binh-luan"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("bulk approve: %d %.300s", r.StatusCode, body)
	}
	if _, body := s.get(t, views.ArticlePath(other)); !strings.Contains(body, "Bài viết bên cạnh cũng có ý kiến") {
		t.Error("bulk approve: the other article's cached page is stale")
	}
	warmAll()
	if r, body := editor.post("/admin/binh-luan", url.Values{"action": {"xoa"}, "ids": {strconv.FormatInt(cid, 10)},
		"back": {"/admin/binh-luan"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("bulk delete: %d %.300s", r.StatusCode, body)
	}
	fresh("bulk delete", "bà con đi chợ gần hơn", false)
	stillCached("bulk delete")

	// Deleted one by one.
	warmAll()
	c3 := comment(id, "Ý kiến sẽ bị xoá ngay.")
	if r, _ := editor.htmx("/admin/binh-luan/"+strconv.FormatInt(c3, 10)+"/duyet", url.Values{}); r.StatusCode != http.StatusOK {
		t.Fatalf("approve: %d", r.StatusCode)
	}
	fresh("approve", "Ý kiến sẽ bị xoá ngay", true)
	warmAll()
	if r, _ := editor.htmx("/admin/binh-luan/"+strconv.FormatInt(c3, 10)+"/xoa", url.Values{}); r.StatusCode != http.StatusOK {
		t.Fatalf("delete: %d", r.StatusCode)
	}
	fresh("delete", "Ý kiến sẽ bị xoá ngay", false)
	stillCached("delete")

	// Blocking a reader changes no page.
	warmAll()
	if r, body := editor.post("/admin/chan", url.Values{"kind": {"ip"}, "value": {"203.0.113.9"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("block: %d %.300s", r.StatusCode, body)
	}
	unrelated = append(unrelated, views.ArticlePath(art))
	stillCached("block")
	unrelated = unrelated[:len(unrelated)-1]

	// Section renamed: the menu on every page.
	warm("/", views.ArticlePath(art), search)
	cat := must(s.app.DB.CategoryByID(ctx, art.CategoryID))
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

// TestPagesBeforeRoutingAnswerAsRouting: a cached page is served before the router, and
// must answer exactly as the routed request that stored it (status, body, every header but
// the date and the request id) — and only for a request the router would have sent to
// that same lookup: a query, another method, an unclean or escaped path still go the
// usual way.
func TestPagesBeforeRoutingAnswerAsRouting(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	art := latestArticle(t, s)
	articlePath := views.ArticlePath(art)
	for _, path := range []string{"/", articlePath, "/chuyen-muc/" + art.CategorySlug, "/en/about"} {
		first, firstBody := s.get(t, path) // rendered through the route, stored
		hitsBefore, _ := s.app.Pages.Stats()
		again, againBody := s.get(t, path)
		if hits, _ := s.app.Pages.Stats(); hits != hitsBefore+1 {
			t.Errorf("%s: the second request was not a cache hit (%d → %d)", path, hitsBefore, hits)
		}
		if first.StatusCode != http.StatusOK || again.StatusCode != http.StatusOK || firstBody != againBody {
			t.Errorf("%s: %d then %d, bodies equal %v", path, first.StatusCode, again.StatusCode, firstBody == againBody)
		}
		for _, h := range []http.Header{first.Header, again.Header} {
			h.Del("Date")
			h.Del("X-Request-Id")
		}
		if !reflect.DeepEqual(first.Header, again.Header) {
			t.Errorf("%s: headers differ:\nrouted %v\ncached %v", path, first.Header, again.Header)
		}
		head, headBody := s.do(t, http.MethodHead, path, nil)
		if head.StatusCode != http.StatusOK || headBody != "" || head.Header.Get("Etag") != first.Header.Get("Etag") {
			t.Errorf("%s: HEAD %d, %d bytes, ETag %q", path, head.StatusCode, len(headBody), head.Header.Get("Etag"))
		}
		cond, _ := s.do(t, http.MethodGet, path, http.Header{"If-None-Match": {first.Header.Get("Etag")}})
		if cond.StatusCode != http.StatusNotModified {
			t.Errorf("%s: If-None-Match: %d, want 304", path, cond.StatusCode)
		}
	}

	// The article's page is cached now; these requests for it must still be routed.
	for _, c := range []struct {
		method, path string
		status       int
		location     string
	}{
		{http.MethodGet, articlePath + "?utm_source=zalo", http.StatusMovedPermanently, articlePath},
		{http.MethodPost, articlePath, http.StatusMethodNotAllowed, ""},
		{http.MethodDelete, "/", http.StatusMethodNotAllowed, ""},
		{http.MethodGet, "/en/../" + strings.TrimPrefix(articlePath, "/"), http.StatusTemporaryRedirect, articlePath}, // the router cleans it
		{http.MethodGet, "//" + strings.TrimPrefix(articlePath, "/"), http.StatusTemporaryRedirect, articlePath},
		{http.MethodGet, strings.Replace(articlePath, "-", "%2D", 1), http.StatusOK, ""}, // the router unescapes it
		{http.MethodGet, articlePath + "%2Fx", http.StatusNotFound, ""},
	} {
		req, err := http.NewRequest(c.method, s.srv.URL+c.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, _ := s.send(t, req)
		if resp.StatusCode != c.status || (c.location != "" && resp.Header.Get("Location") != c.location) {
			t.Errorf("%s %s: %d (Location %q), want %d %q", c.method, c.path, resp.StatusCode, resp.Header.Get("Location"), c.status, c.location)
		}
	}
}
