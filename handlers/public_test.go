package handlers

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"toasoan/db"
	"toasoan/internal/demo"
	"toasoan/internal/vntext"
	"toasoan/views"
)

// latestArticle is the newest published demo article.
func latestArticle(t testing.TB, s *testSite) db.Article {
	t.Helper()
	list, err := s.app.DB.PublicArticles(context.Background(), db.PublicListQuery{Limit: 1}, testNow)
	if err != nil || len(list) == 0 {
		t.Fatalf("no articles: %v", err)
	}
	a, err := s.app.DB.PublicArticle(context.Background(), list[0].ID, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestHomePage(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	resp, body := s.get(t, "/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	doc := parse(t, body)
	lead := find(doc, byClass("top-story"))
	if len(lead) != 1 {
		t.Fatalf("want one lead story, got %d", len(lead))
	}
	newest := latestArticle(t, s)
	if !strings.Contains(text(lead[0]), newest.Title) {
		t.Errorf("lead story %q does not show the newest article %q", text(lead[0]), newest.Title)
	}
	// The lead picture is what a phone paints first: it must be fetched first and at the
	// width shown (Lighthouse: LCP discovery, properly sized images), not always at 960 px.
	addPublished(t, s, "tin-co-anh", "Tin chính có ảnh bìa", "Mở đầu", 900)
	_, body = s.get(t, "/")
	if top := find(parse(t, body), byClass("top-story")); len(top) != 1 {
		t.Fatal("no lead story after publishing one with a cover")
	} else if imgs := find(top[0], byTag("img")); len(imgs) != 1 {
		t.Errorf("lead story with a cover has %d images", len(imgs))
	} else {
		if attr(imgs[0], "fetchpriority") != "high" || !strings.Contains(attr(imgs[0], "srcset"), "?w=640 640w") || !strings.Contains(attr(imgs[0], "sizes"), "100vw") {
			t.Errorf("lead image neither prioritised nor responsive: fetchpriority=%q srcset=%q sizes=%q",
				attr(imgs[0], "fetchpriority"), attr(imgs[0], "srcset"), attr(imgs[0], "sizes"))
		}
	}
	blocks := find(doc, byClass("section-block"))
	if len(blocks) != len(demo.Sections) {
		t.Errorf("want a block per section (%d), got %d", len(demo.Sections), len(blocks))
	}
	for _, b := range blocks {
		items := find(b, byClass("item"))
		if len(items) == 0 {
			t.Errorf("section block %q is empty", text(b))
		}
		for _, it := range items {
			times := find(it, byTag("time"))
			if len(times) != 1 || !regexp.MustCompile(`^\d\d:\d\d \d\d/\d\d/\d{4}$`).MatchString(text(times[0])) {
				t.Errorf("item has no time in 10:57 04/12/2019 form: %q", text(it))
			}
		}
	}
	if len(find(doc, byClass("item-grid"))) == 0 {
		t.Error("no latest list")
	}
	if got := resp.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("content type %q", got)
	}
	if !strings.Contains(body, `<html lang="vi">`) {
		t.Error("page is not marked lang=vi")
	}
	if !strings.Contains(body, vntext.FormatLongDate(testNow.In(s.loc))) {
		t.Error("header does not show today's date")
	}
	// Scripts: the vendored htmx, the site's own file, and JSON-LD data (never executed).
	var htmx bool
	for _, sc := range find(doc, byTag("script")) {
		src := attr(sc, "src")
		switch {
		case strings.Contains(src, "/static/vendor/htmx-2.0.11.min."):
			htmx = true
		case strings.HasPrefix(src, "/static/js/"), attr(sc, "type") == "application/ld+json":
		default:
			t.Errorf("unexpected script src=%q type=%q", src, attr(sc, "type"))
		}
	}
	if !htmx {
		t.Error("the vendored htmx script is missing")
	}
}

func TestArticlePage(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	ctx := context.Background()
	// An article in the middle of its section has both newer and older neighbours.
	list, err := s.app.DB.PublicArticles(ctx, db.PublicListQuery{CategoryID: 1, Limit: 100}, testNow)
	if err != nil || len(list) < 3 {
		t.Fatalf("need 3 articles in section 1: %v", err)
	}
	mid, err := s.app.DB.PublicArticle(ctx, list[len(list)/2].ID, testNow)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := s.get(t, views.ArticlePath(mid))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	doc := parse(t, body)
	h1 := find(doc, byTag("h1"))
	if len(h1) != 1 || text(h1[0]) != mid.Title {
		t.Fatalf("h1 = %v, want %q", h1, mid.Title)
	}
	wantTime := "(" + mid.PublishAt.In(s.loc).Format("15:04 02/01/2006") + ")"
	if got := text(find(doc, byClass("article-time"))[0]); got != wantTime {
		t.Errorf("time %q, want %q", got, wantTime)
	}
	leads := find(doc, byClass("article-lead"))
	if len(leads) != 1 || len(find(leads[0], byTag("strong"))) != 1 || text(leads[0]) != mid.Lead {
		t.Errorf("lead not shown in bold: %v", leads)
	}
	if got := len(find(find(doc, byClass("article-body"))[0], byTag("p"))); got < 3 {
		t.Errorf("body has %d paragraphs", got)
	}
	if got := text(find(doc, byClass("byline"))[0]); got != mid.Byline {
		t.Errorf("byline %q, want %q", got, mid.Byline)
	}
	// The count as it stood when the page was rendered: this read is counted as it is served.
	wantViews := vntext.FormatInt(mid.Views) + " lượt xem"
	if got := text(find(doc, byClass("views"))[0]); got != wantViews {
		t.Errorf("views %q, want %q", got, wantViews)
	}
	headings := map[string]bool{}
	for _, h := range find(doc, byTag("h2")) {
		headings[text(h)] = true
	}
	for _, want := range []string{"Các bài mới đăng", "Các bài đã đăng"} {
		if !headings[want] {
			t.Errorf("missing %q section; headings %v", want, headings)
		}
	}
	newer, err := s.app.DB.NeighbourArticles(ctx, mid, true, 5, testNow)
	if err != nil || len(newer) == 0 {
		t.Fatalf("no newer: %v", err)
	}
	if !strings.Contains(body, views.ArticlePath(newer[0])) {
		t.Error("newer article not linked")
	}
	for _, n := range newer {
		if !n.PublishAt.After(mid.PublishAt) && !(n.PublishAt.Equal(mid.PublishAt) && n.ID > mid.ID) {
			t.Errorf("newer list holds an older article %d", n.ID)
		}
	}
}

func TestArticleComments(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	ctx := context.Background()
	var withComments db.Article
	list, err := s.app.DB.PublicArticles(ctx, db.PublicListQuery{Limit: 1000}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.CommentCount > 0 {
			withComments = a
			break
		}
	}
	if withComments.ID == 0 {
		t.Fatal("demo content has no approved comments")
	}
	// A pending comment with a phone number must not show.
	_, err = s.app.DB.InsertComment(ctx, db.Comment{ArticleID: withComments.ID, Name: "Người Chờ Duyệt",
		Phone: "0912345678", Title: "Chờ", Body: "Nội dung chờ duyệt", Status: db.CommentPending, CreatedAt: testNow})
	if err != nil {
		t.Fatal(err)
	}
	_, body := s.get(t, views.ArticlePath(withComments))
	doc := parse(t, body)
	items := find(doc, byClass("comment"))
	if len(items) != withComments.CommentCount {
		t.Errorf("shows %d comments, want %d approved", len(items), withComments.CommentCount)
	}
	if strings.Contains(body, "Người Chờ Duyệt") || strings.Contains(body, "0912345678") {
		t.Error("pending comment or phone number shown")
	}
	if want := fmt.Sprintf("Bình luận (%d)", withComments.CommentCount); !strings.Contains(body, want) {
		t.Errorf("missing %q", want)
	}
}

func TestArticleURLs(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	ctx := context.Background()
	a := latestArticle(t, s)
	canonical := views.ArticlePath(a)
	draftID, err := s.app.DB.CreateArticle(ctx, db.Article{Slug: "ban-nhap", Title: "Bản nháp", CategoryID: a.CategoryID, Status: db.StatusDraft})
	if err != nil {
		t.Fatal(err)
	}
	laterID, err := s.app.DB.CreateArticle(ctx, db.Article{Slug: "hen-gio", Title: "Hẹn giờ", CategoryID: a.CategoryID,
		Status: db.StatusPublished, PublishAt: testNow.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		path     string
		status   int
		location string
	}{
		{"canonical", canonical, http.StatusOK, ""},
		{"wrong slug", fmt.Sprintf("/bai-viet/sai-ten-%d", a.ID), http.StatusMovedPermanently, canonical},
		{"bare id", fmt.Sprintf("/bai-viet/%d", a.ID), http.StatusMovedPermanently, canonical},
		{"draft", fmt.Sprintf("/bai-viet/ban-nhap-%d", draftID), http.StatusNotFound, ""},
		{"scheduled", fmt.Sprintf("/bai-viet/hen-gio-%d", laterID), http.StatusNotFound, ""},
		{"non-numeric id", "/bai-viet/abc", http.StatusNotFound, ""},
		{"huge id", "/bai-viet/x-99999999999999999999999", http.StatusNotFound, ""},
		{"zero id", "/bai-viet/x-0", http.StatusNotFound, ""},
		{"id with letters", "/bai-viet/x-5a", http.StatusNotFound, ""},
		{"signed id", "/bai-viet/x-+5", http.StatusNotFound, ""},
		{"missing id", "/bai-viet/999999", http.StatusNotFound, ""},
		{"sql in ref", "/bai-viet/1%27%20OR%201=1--", http.StatusNotFound, ""},
		{"script in ref", "/bai-viet/%3Cscript%3Ealert(1)%3C%2Fscript%3E", http.StatusNotFound, ""},
		{"nfd slug", "/bai-viet/" + strings.ReplaceAll("Việt", "ệ", "e\u0323\u0302") + fmt.Sprintf("-%d", a.ID), http.StatusMovedPermanently, canonical},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := s.get(t, c.path)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
			}
			if c.location != "" && resp.Header.Get("Location") != c.location {
				t.Errorf("Location %q, want %q", resp.Header.Get("Location"), c.location)
			}
			if c.status == http.StatusNotFound && !strings.Contains(body, "Không tìm thấy trang") {
				t.Error("404 page is not the Vietnamese one")
			}
			if strings.Contains(body, "<script>alert") {
				t.Error("path reflected unescaped")
			}
		})
	}
}

func TestSectionPages(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	ctx := context.Background()
	c, err := s.app.DB.CategoryBySlug(ctx, demo.Sections[0].Slug)
	if err != nil {
		t.Fatal(err)
	}
	// Enough articles for three pages.
	err = s.app.DB.InBulk(ctx, func(b *db.Bulk) error {
		for i := range 2 * sectionPageSize {
			_, err := b.AddArticle(db.Article{Slug: fmt.Sprintf("them-%d", i), Title: fmt.Sprintf("Bài thêm số %d", i),
				CategoryID: c.ID, Status: db.StatusPublished, PublishAt: testNow.Add(-time.Duration(1000+i) * time.Hour)})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	total, err := s.app.DB.CountPublicArticles(ctx, c.ID, testNow)
	if err != nil {
		t.Fatal(err)
	}
	pages := (total + sectionPageSize - 1) / sectionPageSize
	path := views.SectionPath(c.Slug)
	cases := []struct {
		query  string
		status int
		items  int
		want   string
	}{
		{"", 200, sectionPageSize, c.Name},
		{"?page=2", 200, sectionPageSize, "Trang trước"},
		{fmt.Sprintf("?page=%d", pages), 200, total - (pages-1)*sectionPageSize, "Trang trước"},
		{"?page=-1", 400, 0, "Số trang không hợp lệ"},
		{"?page=0", 400, 0, "Số trang không hợp lệ"},
		{"?page=abc", 400, 0, "Số trang không hợp lệ"},
		{"?page=1.5", 400, 0, "Số trang không hợp lệ"},
		{"?page=99999999999999999999", 400, 0, "Số trang không hợp lệ"},
		{"?page=999999", 404, 0, "Chuyên mục không có trang này"},
		{"?page=%27%20OR%201=1", 400, 0, "Số trang không hợp lệ"},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			resp, body := s.get(t, path+tc.query)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if !strings.Contains(body, tc.want) {
				t.Errorf("page lacks %q", tc.want)
			}
			if tc.status == 200 {
				if got := len(find(parse(t, body), byClass("item"))); got != tc.items {
					t.Errorf("%d items, want %d", got, tc.items)
				}
			}
		})
	}
	if resp, _ := s.get(t, "/chuyen-muc/khong-co"); resp.StatusCode != 404 {
		t.Errorf("unknown section: %d", resp.StatusCode)
	}
}

func TestErrorsAndMethods(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	cases := []struct {
		name, method, path string
		status             int
		want               string
	}{
		{"unknown path", "GET", "/khong-ton-tai", 404, "Không tìm thấy trang"},
		{"unknown nested", "GET", "/a/b/c/d", 404, "Không tìm thấy trang"},
		{"post to home", "POST", "/", 405, "Phương thức không được hỗ trợ"},
		{"delete article", "DELETE", "/bai-viet/x-1", 405, "Phương thức không được hỗ trợ"},
		{"odd method", "BREW", "/", 405, "Phương thức không được hỗ trợ"},
		{"long url", "GET", "/" + strings.Repeat("a", 3000), 414, "Địa chỉ quá dài"},
		{"long query", "GET", "/?q=" + strings.Repeat("đ", 1500), 414, "Địa chỉ quá dài"},
		{"traversal in static", "GET", "/static/..%2f..%2fgo.mod", 404, "Không tìm thấy trang"},
		{"unknown static", "GET", "/static/css/site.css", 404, "Không tìm thấy trang"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := s.do(t, c.method, c.path, nil)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
			}
			if !strings.Contains(body, c.want) || !strings.Contains(body, `class="site-header"`) {
				t.Errorf("not the Vietnamese error page in the site layout: %.200s", body)
			}
			if strings.Contains(body, "goroutine") || strings.Contains(body, "panic") {
				t.Error("stack trace leaked")
			}
		})
	}
	resp, _ := s.do(t, "POST", "/", nil)
	if allow := resp.Header.Get("Allow"); !strings.Contains(allow, "GET") {
		t.Errorf("405 without Allow: %q", allow)
	}
}

func TestTemplateErrorIsClean500(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	rec := httptestRecorder()
	req, _ := http.NewRequest("GET", "/", nil)
	s.app.handle(func(w http.ResponseWriter, r *http.Request) error {
		return s.app.render(w, http.StatusOK, "no-such-page", s.app.newPage(r, "x"))
	})(rec, req)
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), "Đã có lỗi xảy ra") {
		t.Fatalf("status %d body %.200s", rec.Code, rec.Body.String())
	}
	if strings.Contains(rec.Body.String(), "no-such-page") {
		t.Error("internal error text shown to the reader")
	}
}

func TestStaticAssets(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	url := s.app.Assets.URL("css/site.css")
	resp, body := s.do(t, "GET", url, http.Header{"Accept-Encoding": {"identity"}})
	if resp.StatusCode != 200 || !strings.Contains(body, ".site-header") {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if got := resp.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control %q", got)
	}
	if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, "text/css") {
		t.Errorf("Content-Type %q", got)
	}
	resp, _ = s.do(t, "GET", url, http.Header{"If-None-Match": {resp.Header.Get("ETag")}})
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional request: %d", resp.StatusCode)
	}
	js := s.app.Assets.URL("vendor/htmx-2.0.11.min.js")
	req, _ := http.NewRequest("GET", s.srv.URL+js, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	r2, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.Header.Get("Content-Encoding") != "gzip" {
		t.Error("htmx not served gzipped to a client that accepts it")
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	resp, body := s.get(t, "/healthz")
	if resp.StatusCode != 200 || body != "ok\n" {
		t.Fatalf("healthy: %d %q", resp.StatusCode, body)
	}
	s.app.DB.Close()
	resp, _ = s.get(t, "/healthz")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("closed database: %d", resp.StatusCode)
	}
}

func TestViewsAreBatched(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	a := latestArticle(t, s)
	for range 30 {
		if resp, _ := s.get(t, views.ArticlePath(a)); resp.StatusCode != 200 {
			t.Fatal(resp.StatusCode)
		}
	}
	// Not written yet: counted in memory.
	stored, err := s.app.DB.PublicArticle(context.Background(), a.ID, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Views != a.Views {
		t.Errorf("views written per request: %d → %d", a.Views, stored.Views)
	}
	// The cached page keeps the count it was rendered with for the cache's lifetime…
	_, body := s.get(t, views.ArticlePath(a))
	if want := vntext.FormatInt(a.Views) + " lượt xem"; !strings.Contains(body, want) {
		t.Errorf("cached page re-rendered within its lifetime: want %q", want)
	}
	// …then shows the stored count plus the views not yet written.
	s.app.Now = func() time.Time { return testNow.Add(pageCacheTTL + time.Second) }
	_, body = s.get(t, views.ArticlePath(a))
	if want := vntext.FormatInt(a.Views+31) + " lượt xem"; !strings.Contains(body, want) {
		t.Errorf("page does not count pending views: want %q", want)
	}
	s.app.Now = func() time.Time { return testNow }
	if err := s.app.Counts.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	stored, err = s.app.DB.PublicArticle(context.Background(), a.ID, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Views != a.Views+32 {
		t.Errorf("after flush views = %d, want %d", stored.Views, a.Views+32)
	}
}

func TestWriteUnavailableIs503(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	rec := httptestRecorder()
	req, _ := http.NewRequest("POST", "/", nil)
	full := fmt.Errorf("db: insert: %w", sqliteFullError(t, s))
	s.app.handle(func(w http.ResponseWriter, r *http.Request) error { return full })(rec, req)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "chưa được lưu") {
		t.Fatalf("status %d body %.300s", rec.Code, rec.Body.String())
	}
	if rec.Header().Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
}

// sqliteFullError produces a real SQLITE_FULL error from a database capped at its size.
func sqliteFullError(t *testing.T, s *testSite) error {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var pages int
	if err := d.Writer().QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	d.Writer().ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages))
	_, err = d.CreateCategory(ctx, db.Category{Slug: "x", Name: "x", Description: strings.Repeat("x", 20000)})
	if !db.WriteUnavailable(err) {
		t.Fatalf("could not provoke SQLITE_FULL: %v", err)
	}
	return err
}

func TestBodyLimits(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	// Declared too large: refused before reading.
	req, _ := http.NewRequest("POST", s.srv.URL+"/", strings.NewReader("x"))
	req.ContentLength = 1 << 30
	req.Body = io.NopCloser(io.LimitReader(zeroReader{}, 1<<30))
	resp, err := s.client.Do(req)
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "Dữ liệu gửi lên quá lớn") {
			t.Fatalf("1 GB body: %d", resp.StatusCode)
		}
	} // else: the server closed the connection while the client was still sending: also a refusal.
	// The server still answers.
	if r, _ := s.get(t, "/"); r.StatusCode != 200 {
		t.Fatalf("after a huge body: %d", r.StatusCode)
	}
	// A handler reading a chunked body past the limit gets a 413 through the error path.
	rec := httptestRecorder()
	big := io.LimitReader(zeroReader{}, maxFormBody+10)
	r2 := httptest.NewRequest("POST", "/x", big)
	r2.ContentLength = -1
	r2.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	s.app.limitBodies(s.app.handle(func(w http.ResponseWriter, r *http.Request) error {
		return r.ParseForm()
	})).ServeHTTP(rec, r2)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked oversize body: %d", rec.Code)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}
