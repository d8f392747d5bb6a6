package handlers

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"toasoan/db"
	"toasoan/internal/vntext"
)

// newArticleForm is a valid editor form.
func newArticleForm(title string) url.Values {
	return url.Values{"title": {title}, "lead": {"Sapo của bài."}, "body": {"<p>Nội dung <strong>chính</strong>.</p>"},
		"byline": {"Phóng viên"}, "category_id": {"1"}, "form_token": {"tok-" + vntext.Slug(title)}}
}

var articleLocation = regexp.MustCompile(`^/admin/bai-viet/([0-9]+)$`)

// createArticle creates an article through the form and returns its id.
func createArticle(t *testing.T, b *adminBrowser, form url.Values) int64 {
	t.Helper()
	resp, body := b.post("/admin/bai-viet", form)
	m := articleLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("create article: %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

func (s *adminSite) article(t *testing.T, id int64) db.Article {
	t.Helper()
	a, err := s.app.DB.ArticleByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func postTransition(b *adminBrowser, id int64, version int, to string, extra url.Values) (*http.Response, string) {
	f := url.Values{"to": {to}, "version": {strconv.Itoa(version)}}
	for k, v := range extra {
		f[k] = v
	}
	return b.post("/admin/bai-viet/"+strconv.FormatInt(id, 10)+"/trang-thai", f)
}

func TestWorkflowFromDraftToPublished(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	author, editor := s.loginAs(t, db.RoleAuthor), s.loginAs(t, db.RoleEditor)
	title := "Hội thi nấu bánh chưng ở xã Đồng Tâm"
	id := createArticle(t, author, newArticleForm(title))
	a := s.article(t, id)
	if a.Status != db.StatusDraft || a.AuthorID != s.users[db.RoleAuthor].ID || a.Slug != "hoi-thi-nau-banh-chung-o-xa-dong-tam" {
		t.Fatalf("new article %+v", a)
	}
	// Not public yet.
	if r, _ := s.get(t, "/bai-viet/"+strconv.FormatInt(id, 10)); r.StatusCode != http.StatusNotFound {
		t.Errorf("draft is public: %d", r.StatusCode)
	}
	// The author may submit but not publish.
	if r, _ := postTransition(author, id, a.Version, db.StatusPublished, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("author publishes: %d", r.StatusCode)
	}
	if r, _ := postTransition(author, id, a.Version, db.StatusReview, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit for review: %d", r.StatusCode)
	}
	a = s.article(t, id)
	if a.Status != db.StatusReview {
		t.Fatalf("status %q", a.Status)
	}
	// In review the author can no longer edit it.
	f := newArticleForm(title)
	f.Set("version", strconv.Itoa(a.Version))
	if r, _ := author.post("/admin/bai-viet/"+strconv.FormatInt(id, 10), f); r.StatusCode != http.StatusForbidden {
		t.Errorf("author edits in review: %d", r.StatusCode)
	}
	// Sending back needs a note.
	if r, body := postTransition(editor, id, a.Version, db.StatusDraft, nil); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "lý do trả lại") {
		t.Errorf("send back without a note: %d", r.StatusCode)
	}
	if r, _ := postTransition(editor, id, a.Version, db.StatusDraft, url.Values{"note": {"Bổ sung ảnh và nguồn tin."}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("send back: %d", r.StatusCode)
	}
	a = s.article(t, id)
	if a.Status != db.StatusDraft || a.ReviewNote != "Bổ sung ảnh và nguồn tin." {
		t.Fatalf("after send back: %q %q", a.Status, a.ReviewNote)
	}
	_, body := author.get("/admin/bai-viet/" + strconv.FormatInt(id, 10))
	if !strings.Contains(body, "Bổ sung ảnh và nguồn tin.") {
		t.Error("the author does not see the editor's note")
	}
	if r, _ := postTransition(author, id, a.Version, db.StatusReview, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatal("resubmit")
	}
	a = s.article(t, id)
	if r, _ := postTransition(editor, id, a.Version, db.StatusPublished, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatal("publish")
	}
	a = s.article(t, id)
	if a.Status != db.StatusPublished || !a.PublishAt.Equal(testNow) {
		t.Fatalf("published %q at %v", a.Status, a.PublishAt)
	}
	r, page := s.get(t, "/bai-viet/"+a.Slug+"-"+strconv.FormatInt(id, 10))
	if r.StatusCode != http.StatusOK || !strings.Contains(page, title) {
		t.Fatalf("public page: %d", r.StatusCode)
	}
	if strings.Contains(page, "Cập nhật lúc") {
		t.Error("a fresh article shows an update time")
	}
	// A double click on publish is harmless; an impossible step is refused.
	if r, _ := postTransition(editor, id, a.Version-1, db.StatusPublished, nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("repeated publish: %d", r.StatusCode)
	}
	if r, _ := postTransition(editor, id, a.Version, db.StatusReview, nil); r.StatusCode != http.StatusConflict {
		t.Errorf("published → review: %d", r.StatusCode)
	}
	// Editing a published article shows the update time to readers.
	s.clock.Advance(2 * time.Hour)
	f = newArticleForm(title)
	f.Set("version", strconv.Itoa(a.Version))
	f.Set("body", "<p>Nội dung đã sửa.</p>")
	f.Set("slug", a.Slug)
	f.Set("publish_at", a.PublishAt.In(s.loc).Format(dateTimeLocal))
	if r, body := editor.post("/admin/bai-viet/"+strconv.FormatInt(id, 10), f); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit published: %d %s", r.StatusCode, body)
	}
	_, page = s.get(t, "/bai-viet/"+a.Slug+"-"+strconv.FormatInt(id, 10))
	if !strings.Contains(page, "Cập nhật lúc") || !strings.Contains(page, "Nội dung đã sửa.") {
		t.Error("the edit or its time is not shown")
	}
	// Archive takes it off the site.
	a = s.article(t, id)
	if r, _ := postTransition(editor, id, a.Version, db.StatusArchived, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatal("archive")
	}
	if r, _ := s.get(t, "/bai-viet/"+strconv.FormatInt(id, 10)); r.StatusCode != http.StatusNotFound {
		t.Errorf("archived article: %d", r.StatusCode)
	}
	actions := strings.Join(s.auditActions(t), " ")
	for _, want := range []string{"article.create", "article.review", "article.draft", "article.published", "article.update", "article.archived"} {
		if !strings.Contains(actions, want) {
			t.Errorf("audit lacks %s: %s", want, actions)
		}
	}
}

func TestScheduledPublishAppearsOnTimeAndSurvivesRestart(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor := s.loginAs(t, db.RoleEditor)
	title := "Lịch cắt điện tuần tới tại thị trấn Sông Lam"
	id := createArticle(t, editor, newArticleForm(title))
	a := s.article(t, id)
	at := testNow.Add(3 * time.Hour).In(s.loc)
	if r, _ := postTransition(editor, id, a.Version, db.StatusPublished, url.Values{"publish_at": {at.Format(dateTimeLocal)}}); r.StatusCode != http.StatusSeeOther {
		t.Fatal("schedule")
	}
	_, list := editor.get("/admin/bai-viet?status=published")
	if !strings.Contains(list, "Hẹn giờ") {
		t.Error("the list does not mark the scheduled article")
	}
	path := "/bai-viet/" + strconv.FormatInt(id, 10)
	if r, _ := s.get(t, path); r.StatusCode != http.StatusNotFound {
		t.Errorf("scheduled article visible early: %d", r.StatusCode)
	}
	// Restart: a new process over the same file, with the clock past the time.
	s.srv.Close()
	s.app.DB.Close()
	s2 := openAdminSite(t, s.dataDir, Config{}, false)
	s2.clock.Advance(3*time.Hour + time.Minute)
	r, _ := s2.get(t, path)
	if r.StatusCode != http.StatusMovedPermanently {
		t.Fatalf("after the time, across a restart: %d", r.StatusCode)
	}
	_, home := s2.get(t, "/")
	if !strings.Contains(home, title) {
		t.Error("the scheduled article is not on the home page once its time came")
	}
}

func TestArticleFormBadInput(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor := s.loginAs(t, db.RoleEditor)
	count := func() int64 { return s.queryInt(t, `SELECT count(*) FROM articles`) }
	before := count()
	cases := []struct {
		name  string
		edit  func(url.Values)
		field string
		code  int
	}{
		{"missing title", func(f url.Values) { f.Del("title") }, "title", 422},
		{"blank title", func(f url.Values) { f.Set("title", " \u200b ") }, "title", 422},
		{"oversized title", func(f url.Values) { f.Set("title", strings.Repeat("Ầ", 301)) }, "title", 422},
		{"oversized lead", func(f url.Values) { f.Set("lead", strings.Repeat("a", 1001)) }, "lead", 422},
		{"missing section", func(f url.Values) { f.Del("category_id") }, "category_id", 422},
		{"unknown section", func(f url.Values) { f.Set("category_id", "9999") }, "category_id", 422},
		{"section not a number", func(f url.Values) { f.Set("category_id", "1 OR 1=1") }, "category_id", 422},
		{"bad publish time", func(f url.Values) { f.Set("publish_at", "ngày mai") }, "publish_at", 422},
		{"slug of punctuation", func(f url.Values) { f.Set("slug", "!!!???") }, "slug", 422},
		{"oversized body", func(f url.Values) { f.Set("body", strings.Repeat("x", maxArticleBodyBytes+1)) }, "body", 422},
		{"bad cover id", func(f url.Values) { f.Set("cover_media_id", "../etc/passwd") }, "cover", 422},
		{"missing cover", func(f url.Values) { f.Set("cover_media_id", "424242") }, "cover", 422},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newArticleForm("Tiêu đề " + c.name)
			c.edit(f)
			r, body := editor.post("/admin/bai-viet", f)
			if r.StatusCode != c.code {
				t.Fatalf("%d, want %d", r.StatusCode, c.code)
			}
			doc := parse(t, body)
			errs := find(doc, byClass("field-error"))
			if len(errs) == 0 {
				t.Fatal("no field error shown")
			}
			// The typed lead is kept.
			if c.field != "lead" && !strings.Contains(body, "Sapo của bài.") {
				t.Error("input not kept")
			}
		})
	}
	if count() != before {
		t.Errorf("bad input wrote articles: %d → %d", before, count())
	}
	// Too large a request body altogether.
	big := newArticleForm("Quá lớn")
	big.Set("body", strings.Repeat("x", maxArticleForm+maxUploadBytes))
	if r, _ := editor.post("/admin/bai-viet", big); r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("huge form: %d", r.StatusCode)
	}
}

func TestArticleSanitizingNFCAndSearchIndex(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor := s.loginAs(t, db.RoleEditor)
	nfd := "Kho\u0302ng co\u0301 ga\u0300 Đà Nẵng" // decomposed
	f := newArticleForm(nfd)
	f.Set("body", `<h2>Tiêu đề mục</h2><p onclick="x()" style="color:red" class="c">Đoạn <a href="javascript:alert(1)">xấu</a>
		<a href="https://vnexpress.net/">nguồn</a></p><script>alert(1)</script><img src="https://evil.example/t.gif">
		<figure data-trix-content-type="image/svg+xml" data-trix-attributes='{"caption":"Chú thích"}' class="attachment" onclick="x()"><img src="/media/5?w=960" srcset="https://evil.example/a.jpg 2x" width="960" height="640" onerror="x()"><figcaption>Chú thích</figcaption></figure>
		<iframe src="https://evil.example"></iframe><table><tr><td colspan="2">ô</td></tr></table><svg><script>alert(2)</script></svg>
		<a href="/bai-viet/x-1" target="_top">nội bộ</a>'; DROP TABLE articles; --`)
	f.Set("lead", "Sapo <b>đậm</b> \u0111")
	id := createArticle(t, editor, f)
	a := s.article(t, id)
	if a.Title != vntext.Normalize(nfd) || a.Title == nfd {
		t.Errorf("title not NFC: %q", a.Title)
	}
	body := a.BodyHTML
	for _, bad := range []string{"onclick", "style=", "class=", "javascript:", "<script", "evil.example", "<iframe", "onerror", "<svg", "target=\"_top\"", "svg+xml", "data-trix"} {
		if strings.Contains(body, bad) {
			t.Errorf("body keeps %q: %s", bad, body)
		}
	}
	for _, good := range []string{"<h2>Tiêu đề mục</h2>", `src="/media/5?w=960" srcset="/media/5?w=320 320w, /media/5?w=640 640w`, "<figcaption>Chú thích</figcaption>",
		`rel="nofollow noopener"`, `colspan="2"`, "DROP TABLE articles"} {
		if !strings.Contains(body, good) {
			t.Errorf("body lost %q: %s", good, body)
		}
	}
	// The search index was written in the same transaction: accent-free words find it.
	var n int
	if err := s.app.DB.Reader().QueryRow(`SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ? AND rowid = ?`,
		`"khong" "ga" "da" "nang"`, id).Scan(&n); err != nil || n != 1 {
		t.Errorf("search index: %d %v", n, err)
	}
	r, list := editor.get("/admin/bai-viet?q=" + url.QueryEscape("KHONG CO GA da nang"))
	if r.StatusCode != http.StatusOK || !strings.Contains(list, "/admin/bai-viet/"+strconv.FormatInt(id, 10)) {
		t.Errorf("admin text filter does not find it")
	}
	// A revision edit re-indexes.
	f2 := newArticleForm("Tiêu đề hoàn toàn mới")
	f2.Set("version", strconv.Itoa(a.Version))
	if r, _ := editor.post("/admin/bai-viet/"+strconv.FormatInt(id, 10), f2); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", r.StatusCode)
	}
	if s.queryInt(t, `SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '"khong"' AND rowid = ?`, id) != 0 {
		t.Error("old words still indexed after the edit")
	}
	// Filters with hostile values are refused or harmless.
	for _, q := range []string{"?status=bogus", "?section=abc", "?author=-1", "?page=0", "?q=" + strings.Repeat("x", 300)} {
		if r, _ := editor.get("/admin/bai-viet" + q); r.StatusCode != http.StatusBadRequest {
			t.Errorf("list %s: %d", q, r.StatusCode)
		}
	}
	for _, q := range []string{"?q=%22%29+OR+1%3D1--", "?q=*", "?q=NEAR(", "?q=%3Cscript%3E"} {
		if r, body := editor.get("/admin/bai-viet" + q); r.StatusCode != http.StatusOK || strings.Contains(body, "<script>") {
			t.Errorf("list %s: %d", q, r.StatusCode)
		}
	}
}

func TestStaleFormAndDoubleSubmit(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor, admin := s.loginAs(t, db.RoleEditor), s.loginAs(t, db.RoleAdmin)
	f := newArticleForm("Bài viết hai người cùng sửa")
	id := createArticle(t, editor, f)
	// Double submit of the new-article form: one article.
	createArticle(t, editor, f)
	if n := s.queryInt(t, `SELECT count(*) FROM articles WHERE title = ?`, "Bài viết hai người cùng sửa"); n != 1 {
		t.Fatalf("double submit made %d articles", n)
	}
	v := s.article(t, id).Version
	path := "/admin/bai-viet/" + strconv.FormatInt(id, 10)
	mine := newArticleForm("Bài viết hai người cùng sửa")
	mine.Set("version", strconv.Itoa(v))
	mine.Set("body", "<p>Bản của biên tập viên.</p>")
	theirs := newArticleForm("Bài viết hai người cùng sửa")
	theirs.Set("version", strconv.Itoa(v))
	theirs.Set("body", "<p>Bản của quản trị.</p>")
	if r, _ := admin.post(path, theirs); r.StatusCode != http.StatusSeeOther {
		t.Fatal("first save")
	}
	r, body := editor.post(path, mine)
	if r.StatusCode != http.StatusConflict || !strings.Contains(body, "đã được người khác sửa") || !strings.Contains(body, "Bản của biên tập viên.") {
		t.Fatalf("stale save: %d", r.StatusCode)
	}
	if d := find(parse(t, body), byClass("diff")); len(d) != 1 || !strings.Contains(text(d[0]), "Bản của quản trị.") {
		t.Error("the stale page does not show what differs")
	}
	if got := s.article(t, id).BodyHTML; got != "<p>Bản của quản trị.</p>" {
		t.Errorf("stale save overwrote: %q", got)
	}
	// The same form submitted twice (double click) is not a conflict.
	if r, _ := admin.post(path, theirs); r.StatusCode != http.StatusSeeOther {
		t.Errorf("repeated identical save: %d", r.StatusCode)
	}
	revs := must(s.app.DB.Revisions(context.Background(), id))
	if len(revs) != 2 {
		t.Errorf("%d revisions, want 2 (create + one save)", len(revs))
	}
	// A missing or broken version is refused.
	mine.Del("version")
	if r, _ := editor.post(path, mine); r.StatusCode != http.StatusBadRequest {
		t.Errorf("no version: %d", r.StatusCode)
	}
	mine.Set("version", "abc")
	if r, _ := editor.post(path, mine); r.StatusCode != http.StatusBadRequest {
		t.Errorf("bad version: %d", r.StatusCode)
	}
}

func TestSlugsRevisionsPreview(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor := s.loginAs(t, db.RoleEditor)
	id1 := createArticle(t, editor, newArticleForm("Tin nhanh: “Tết vì người nghèo” 2027"))
	f := newArticleForm("Tin nhanh: “Tết vì người nghèo” 2027")
	f.Set("form_token", "another")
	id2 := createArticle(t, editor, f)
	a1, a2 := s.article(t, id1), s.article(t, id2)
	if a1.Slug != "tin-nhanh-tet-vi-nguoi-ngheo-2027" || a2.Slug != a1.Slug+"-2" {
		t.Fatalf("slugs %q %q", a1.Slug, a2.Slug)
	}
	// Publish, then change the slug: the old URL redirects to the new one.
	postTransition(editor, id1, a1.Version, db.StatusPublished, nil)
	a1 = s.article(t, id1)
	g := newArticleForm(a1.Title)
	g.Set("version", strconv.Itoa(a1.Version))
	g.Set("slug", "Tết  vì người NGHÈO")
	g.Set("body", "<p>Bản thứ hai.</p>")
	if r, _ := editor.post("/admin/bai-viet/"+strconv.FormatInt(id1, 10), g); r.StatusCode != http.StatusSeeOther {
		t.Fatal("slug edit")
	}
	r, _ := s.get(t, "/bai-viet/"+a1.Slug+"-"+strconv.FormatInt(id1, 10))
	if r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != "/bai-viet/tet-vi-nguoi-ngheo-"+strconv.FormatInt(id1, 10) {
		t.Errorf("old slug: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	// Revisions: compare and restore.
	revs, err := s.app.DB.Revisions(context.Background(), id1)
	if err != nil || len(revs) != 2 {
		t.Fatalf("revisions %d %v", len(revs), err)
	}
	oldRev := revs[1]
	_, page := editor.get("/admin/bai-viet/" + strconv.FormatInt(id1, 10) + "/phien-ban?rev=" + strconv.FormatInt(oldRev.ID, 10))
	doc := parse(t, page)
	if ins := find(doc, byTag("ins")); len(ins) == 0 || !strings.Contains(text(ins[len(ins)-1]), "Bản thứ hai.") {
		t.Error("comparison does not show the added text")
	}
	if del := find(doc, byTag("del")); len(del) < 2 || !strings.Contains(page, "<del>Nội dung chính.</del>") {
		t.Error("comparison does not show the removed text")
	}
	cur := s.article(t, id1)
	r, _ = editor.post("/admin/bai-viet/"+strconv.FormatInt(id1, 10)+"/phien-ban/"+strconv.FormatInt(oldRev.ID, 10)+"/khoi-phuc",
		url.Values{"version": {strconv.Itoa(cur.Version)}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore: %d", r.StatusCode)
	}
	if got := s.article(t, id1).BodyHTML; got != oldRev.BodyHTML && !strings.Contains(got, "chính") {
		t.Errorf("restored body %q", got)
	}
	// A stale restore is refused.
	r, _ = editor.post("/admin/bai-viet/"+strconv.FormatInt(id1, 10)+"/phien-ban/"+strconv.FormatInt(oldRev.ID, 10)+"/khoi-phuc",
		url.Values{"version": {strconv.Itoa(cur.Version)}})
	if r.StatusCode != http.StatusSeeOther && r.StatusCode != http.StatusConflict {
		t.Errorf("stale restore: %d", r.StatusCode)
	}
	if r, _ := editor.get("/admin/bai-viet/" + strconv.FormatInt(id1, 10) + "/phien-ban?rev=abc"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("bad rev: %d", r.StatusCode)
	}
	if r, _ := editor.get("/admin/bai-viet/" + strconv.FormatInt(id2, 10) + "/phien-ban?rev=" + strconv.FormatInt(oldRev.ID, 10)); r.StatusCode != http.StatusNotFound {
		t.Errorf("another article's revision: %d", r.StatusCode)
	}
	// Preview of a draft renders the public article layout.
	r, page = editor.get("/admin/bai-viet/" + strconv.FormatInt(id2, 10) + "/xem-truoc")
	if r.StatusCode != http.StatusOK || len(find(parse(t, page), byClass("article-title"))) != 1 || r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("preview: %d", r.StatusCode)
	}
	if r, _ := s.get(t, "/bai-viet/"+strconv.FormatInt(id2, 10)); r.StatusCode != http.StatusNotFound {
		t.Error("preview made the draft public")
	}
	for _, p := range []string{"/admin/bai-viet/abc", "/admin/bai-viet/0", "/admin/bai-viet/99999", "/admin/bai-viet/-1/xem-truoc"} {
		if r, _ := editor.get(p); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d", p, r.StatusCode)
		}
	}
}

// adminMultipart builds a multipart form with one file.
func adminMultipart(t *testing.T, fields url.Values, field, filename string, data []byte) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	if field != "" {
		fw, err := w.CreateFormFile(field, filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	w.Close()
	return w.FormDataContentType(), &buf
}
