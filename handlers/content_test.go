package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"toasoan/db"
	"toasoan/views"
)

// publicDemoArticles returns n published demo articles, newest first.
func publicDemoArticles(t *testing.T, s *testSite, n int) []db.Article {
	t.Helper()
	list, err := s.app.DB.PublicArticles(context.Background(), db.PublicListQuery{Limit: n}, testNow)
	if err != nil || len(list) < n {
		t.Fatalf("demo articles: %d %v", len(list), err)
	}
	return list
}

// hrefs lists the href of every link matching match.
func hrefs(doc *html.Node, match func(*html.Node) bool) []string {
	var out []string
	for _, a := range find(doc, match) {
		out = append(out, attr(a, "href"))
	}
	return out
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestTagPagesFeedsAndSitemap(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	ctx := context.Background()
	arts := publicDemoArticles(t, s.testSite, 3)
	by := db.Actor{UserName: "test"}
	for _, a := range arts[:2] {
		if err := s.app.DB.SetArticleTags(ctx, by, testNow, a.ID, []string{"Hà Nội", "Giao thông"}); err != nil {
			t.Fatal(err)
		}
	}
	// The article page links its tags and lists the article sharing them first.
	resp, body := s.get(t, views.ArticlePath(arts[0]))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("article %d", resp.StatusCode)
	}
	doc := parse(t, body)
	tagLinks := hrefs(doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "rel") == "tag" })
	if len(tagLinks) != 2 || tagLinks[0] != "/chu-de/ha-noi" || tagLinks[1] != "/chu-de/giao-thong" {
		t.Errorf("tag links %v", tagLinks)
	}
	related := find(doc, byID("bai-lien-quan"))
	if len(related) != 1 {
		t.Fatalf("no related block")
	}
	relLinks := hrefs(related[0].Parent, func(n *html.Node) bool { return n.Data == "a" && n.Parent.Data == "h3" })
	if len(relLinks) == 0 || relLinks[0] != views.ArticlePath(arts[1]) {
		t.Errorf("related starts with %v, want the article sharing tags %s", relLinks, views.ArticlePath(arts[1]))
	}

	resp, body = s.get(t, "/chu-de/ha-noi")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("tag page %d", resp.StatusCode)
	}
	doc = parse(t, body)
	items := hrefs(doc, func(n *html.Node) bool { return n.Data == "a" && n.Parent.Data == "h3" })
	if len(items) != 2 || items[0] != views.ArticlePath(arts[0]) {
		t.Errorf("tag page lists %v", items)
	}
	if h1 := find(doc, byTag("h1")); len(h1) != 1 || text(h1[0]) != "Chủ đề: Hà Nội" {
		t.Errorf("tag page title")
	}
	feeds := hrefs(doc, func(n *html.Node) bool { return n.Data == "link" && attr(n, "rel") == "alternate" })
	if !hasString(feeds, "/chu-de/ha-noi/rss.xml") && !hasString(feeds, s.srv.URL+"/chu-de/ha-noi/rss.xml") {
		t.Errorf("tag page does not advertise its feeds")
	}
	for path, want := range map[string]int{
		"/chu-de/ha-noi?page=2":            http.StatusNotFound,
		"/chu-de/ha-noi?page=abc":          http.StatusBadRequest,
		"/chu-de/ha-noi?page=-1":           http.StatusBadRequest,
		"/chu-de/khong-co":                 http.StatusNotFound,
		"/chu-de/%3Cscript%3E":             http.StatusNotFound,
		"/chu-de/..%2F..%2Fetc%2Fpasswd":   http.StatusNotFound,
		"/chu-de/ha-noi'%20OR%20'1'='1":    http.StatusNotFound,
		"/chu-de/khong-co/rss.xml":         http.StatusNotFound,
		"/chu-de/ha-noi/rss.xml":           http.StatusOK,
		"/chu-de/ha-noi/atom.xml":          http.StatusOK,
		"/chu-de/Ha%CC%80-no%CC%A3%CC%82i": http.StatusNotFound, // slugs are ASCII: no NFD spelling of one
	} {
		if resp, _ := s.get(t, path); resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	resp, body = s.get(t, "/chu-de/ha-noi/rss.xml")
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/rss+xml") || !strings.Contains(body, arts[1].Title) ||
		strings.Contains(body, arts[2].Title) {
		t.Errorf("tag RSS: %q", resp.Header.Get("Content-Type"))
	}
	_, body = s.get(t, "/sitemap.xml")
	if !strings.Contains(body, "/chu-de/ha-noi</loc>") || !strings.Contains(body, "/chu-de/giao-thong</loc>") {
		t.Errorf("tags missing from the sitemap")
	}

	// A renamed tag's old address and feed redirect; the page cache sees the rename.
	hn := must(s.app.DB.TagBySlug(ctx, "ha-noi"))
	editor := s.loginAs(t, db.RoleEditor)
	if resp, body := editor.post("/admin/chu-de/"+idText(hn.ID), url.Values{"name": {"Thủ đô Hà Nội"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("rename %d %s", resp.StatusCode, body)
	}
	for old, want := range map[string]string{
		"/chu-de/ha-noi":          "/chu-de/thu-do-ha-noi",
		"/chu-de/ha-noi?page=2":   "/chu-de/thu-do-ha-noi?page=2",
		"/chu-de/ha-noi/atom.xml": "/chu-de/thu-do-ha-noi/atom.xml",
	} {
		resp, _ := s.get(t, old)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
			t.Errorf("%s: %d → %q", old, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	_, body = s.get(t, views.ArticlePath(arts[0]))
	if !strings.Contains(body, `href="/chu-de/thu-do-ha-noi"`) {
		t.Errorf("article page still shows the old tag")
	}
}

func TestAdminTagsManage(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor, author := s.loginAs(t, db.RoleEditor), s.loginAs(t, db.RoleAuthor)
	if resp, _ := editor.post("/admin/chu-de", url.Values{"name": {"Giao  thông"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create %d", resp.StatusCode)
	}
	cases := []struct {
		name, value, want string
	}{
		{"duplicate, another spelling", "GIAO THÔNG", "Đã có chủ đề trùng tên"},
		{"NFD duplicate", "Giao tho\u0302ng", "Đã có chủ đề trùng tên"},
		{"empty", "   ", "Tên chủ đề cần có chữ cái"},
		{"punctuation only", "!!! ???", "Tên chủ đề cần có chữ cái"},
		{"too long", strings.Repeat("á", db.MaxTagName+1), "tối đa 80 ký tự"},
	}
	for _, c := range cases {
		resp, body := editor.post("/admin/chu-de", url.Values{"name": {c.value}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d, want 422 with %q", c.name, resp.StatusCode, c.want)
		}
	}
	// Markup and SQL are stored as text and shown escaped.
	xss := `<script>alert(1)</script>' OR 1=1 --`
	if resp, _ := editor.post("/admin/chu-de", url.Values{"name": {xss}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("xss name refused: %d", resp.StatusCode)
	}
	_, body := editor.get("/admin/chu-de")
	if strings.Contains(body, "<script>alert(1)") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("tag name not escaped")
	}
	tags := must(s.app.DB.Tags(context.Background()))
	if len(tags) != 2 {
		t.Fatalf("tags %+v", tags)
	}
	var gt db.Tag
	for _, tg := range tags {
		if tg.Slug == "giao-thong" {
			gt = tg
		}
	}
	if gt.Name != "Giao thông" {
		t.Errorf("name not cleaned: %q", gt.Name)
	}
	// Authors may not manage tags; other sites may not post here.
	if resp, _ := author.post("/admin/chu-de", url.Values{"name": {"Của phóng viên"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("author created a tag: %d", resp.StatusCode)
	}
	resp, _ := editor.send(http.MethodPost, "/admin/chu-de/"+idText(gt.ID)+"/xoa", "application/x-www-form-urlencoded",
		strings.NewReader(""), http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site delete: %d", resp.StatusCode)
	}
	for path, want := range map[string]int{
		"/admin/chu-de/0/xoa":                     http.StatusNotFound,
		"/admin/chu-de/abc/xoa":                   http.StatusNotFound,
		"/admin/chu-de/999999/xoa":                http.StatusNotFound,
		"/admin/chu-de/" + idText(gt.ID) + "/xoa": http.StatusSeeOther,
	} {
		if resp, _ := editor.post(path, url.Values{}); resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	if resp, _ := editor.post("/admin/chu-de/"+idText(gt.ID), url.Values{"name": {"x"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("rename deleted tag: %d", resp.StatusCode)
	}
	actions := strings.Join(s.auditActions(t), " ")
	if !strings.Contains(actions, "tag.create") || !strings.Contains(actions, "tag.delete") {
		t.Errorf("audit %s", actions)
	}
}

func TestArticleFormTagsAndSuggestions(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor := s.loginAs(t, db.RoleEditor)
	form := newArticleForm("Sửa đường liên xã")
	form.Set("tags", "Hà Nội, giao thông ,  hà nội,Đô thị")
	id := createArticle(t, editor, form)
	tags, err := s.app.DB.ArticleTags(context.Background(), id)
	if err != nil || len(tags) != 3 || tags[0].Name != "Hà Nội" || tags[1].Name != "giao thông" || tags[2].Slug != "do-thi" {
		t.Fatalf("stored tags %+v %v", tags, err)
	}
	_, body := editor.get("/admin/bai-viet/" + idText(id))
	if in := find(parse(t, body), byID("a-tags")); len(in) != 1 || attr(in[0], "value") != "Hà Nội, giao thông, Đô thị" {
		t.Errorf("form does not show the tags")
	}
	// Suggestions: the word being typed, not what the field already has.
	resp, body := editor.get("/admin/chu-de/goi-y?tags=" + url.QueryEscape("Hà Nội, GIAO"))
	doc := parse(t, body)
	btns := find(doc, func(n *html.Node) bool { return attr(n, "data-tag-add") != "" })
	if resp.StatusCode != http.StatusOK || len(btns) != 1 || attr(btns[0], "data-tag-add") != "giao thông" {
		t.Errorf("suggestions %d %s", resp.StatusCode, body)
	}
	_, body = editor.get("/admin/chu-de/goi-y?tags=" + url.QueryEscape("Hà Nội, "))
	if strings.Contains(body, "data-tag-add") {
		t.Errorf("suggestions for nothing typed")
	}
	if resp, _ := editor.get("/admin/chu-de/goi-y?tags=" + strings.Repeat("a", maxTagField+1)); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("oversized suggestion query: %d", resp.StatusCode)
	}
	// Editing: changed tags, wrong tags, too many.
	art := s.article(t, id)
	edit := newArticleForm("Sửa đường liên xã")
	edit.Del("form_token")
	edit.Set("version", strconv.Itoa(art.Version))
	edit.Set("slug", art.Slug)
	edit.Set("tags", "Đô thị")
	edit.Set("comments_closed", "1")
	if resp, body := editor.post("/admin/bai-viet/"+idText(id), edit); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit %d %s", resp.StatusCode, body)
	}
	if tags := must(s.app.DB.ArticleTags(context.Background(), id)); len(tags) != 1 || !s.article(t, id).CommentsClosed {
		t.Errorf("edit: tags %+v closed %v", tags, s.article(t, id).CommentsClosed)
	}
	many := make([]string, db.MaxTagsOfArticle+1)
	for i := range many {
		many[i] = "chủ đề " + strconv.Itoa(i)
	}
	for name, c := range map[string]struct{ tags, want string }{
		"too many":  {strings.Join(many, ","), "tối đa 20 chủ đề"},
		"bad name":  {"Hà Nội, !!!", "Tên chủ đề cần có chữ cái"},
		"too long":  {strings.Repeat("a,", maxTagField), "quá dài"},
		"long name": {strings.Repeat("ư", db.MaxTagName+1), "tối đa 80 ký tự"},
	} {
		edit.Set("version", strconv.Itoa(s.article(t, id).Version))
		edit.Set("tags", c.tags)
		resp, body := editor.post("/admin/bai-viet/"+idText(id), edit)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d, want 422 with %q", name, resp.StatusCode, c.want)
		}
	}
	if tags := must(s.app.DB.ArticleTags(context.Background(), id)); len(tags) != 1 {
		t.Errorf("refused edit changed the tags: %+v", tags)
	}
}

func TestStaticPages(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	admin, editor, author := s.loginAs(t, db.RoleAdmin), s.loginAs(t, db.RoleEditor), s.loginAs(t, db.RoleAuthor)
	page := url.Values{"title": {"Giới thiệu"}, "status": {"published"}, "placement": {"menu"},
		"body": {`<p onclick="alert(1)">Tòa soạn <strong>xã</strong></p><script>alert(2)</script><h2>Liên hệ</h2>`}}
	if resp, _ := author.post("/admin/trang", page); resp.StatusCode != http.StatusForbidden {
		t.Errorf("author created a page: %d", resp.StatusCode)
	}
	resp, body := editor.post("/admin/trang", page)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create %d %s", resp.StatusCode, body)
	}
	pid, _ := strconv.ParseInt(strings.TrimPrefix(resp.Header.Get("Location"), "/admin/trang/"), 10, 64)
	pg, err := s.app.DB.PageByID(context.Background(), pid)
	if err != nil || pg.Placement != db.PlaceNone {
		t.Errorf("an editor chose the placement: %+v %v", pg, err)
	}
	resp, body = s.get(t, "/trang/gioi-thieu")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("public page %d", resp.StatusCode)
	}
	doc := parse(t, body)
	if strings.Contains(body, "alert(") || len(find(doc, byTag("h2"))) == 0 ||
		len(find(doc, func(n *html.Node) bool { return n.Data == "strong" && text(n) == "xã" })) != 1 {
		t.Errorf("page body not sanitized as articles are")
	}
	// The admin links it from the footer; every public page shows the link.
	form := url.Values{"title": {"Giới thiệu"}, "slug": {"gioi-thieu"}, "status": {"published"}, "placement": {"footer"},
		"position": {"2"}, "body": {pg.BodyHTML}, "version": {strconv.Itoa(pg.Version)}}
	if resp, body := admin.post("/admin/trang/"+idText(pid), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin update %d %s", resp.StatusCode, body)
	}
	_, body = s.get(t, "/")
	footer := find(parse(t, body), byClass("site-footer"))
	if len(footer) != 1 || !hasString(hrefs(footer[0], byTag("a")), "/trang/gioi-thieu") {
		t.Errorf("footer has no link to the page")
	}
	// Revisions: a text change makes one; an old one can be restored.
	form.Set("body", "<p>Bản mới</p>")
	form.Set("version", strconv.Itoa(pg.Version+1))
	if resp, _ := editor.post("/admin/trang/"+idText(pid), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit %d", resp.StatusCode)
	}
	pg2 := must(s.app.DB.PageByID(context.Background(), pid))
	if pg2.Placement != db.PlaceFooter || pg2.Position != 2 {
		t.Errorf("an editor's save moved the page: %+v", pg2)
	}
	revs := must(s.app.DB.PageRevisions(context.Background(), pid))
	if len(revs) != 2 {
		t.Fatalf("revisions %d", len(revs))
	}
	_, body = editor.get("/admin/trang/" + idText(pid) + "?rev=" + idText(revs[1].ID))
	if !strings.Contains(body, "Tòa soạn <strong>xã</strong>") {
		t.Errorf("old revision not shown")
	}
	if resp, _ := editor.get("/admin/trang/" + idText(pid) + "?rev=abc"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad rev: %d", resp.StatusCode)
	}
	resp, _ = editor.post("/admin/trang/"+idText(pid)+"/phien-ban/"+idText(revs[1].ID)+"/khoi-phuc",
		url.Values{"version": {strconv.Itoa(pg2.Version)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore %d", resp.StatusCode)
	}
	if _, body = s.get(t, "/trang/gioi-thieu"); !strings.Contains(body, "Tòa soạn <strong>xã</strong>") {
		t.Errorf("restored text not public")
	}
	// Stale edit, wrong input.
	form.Set("version", "1")
	form.Set("body", "<p>Bản cũ của người khác</p>")
	if resp, _ := editor.post("/admin/trang/"+idText(pid), form); resp.StatusCode != http.StatusConflict {
		t.Errorf("stale edit: %d", resp.StatusCode)
	}
	for name, c := range map[string]struct {
		field, value string
		status       int
	}{
		"no title":      {"title", "", http.StatusUnprocessableEntity},
		"long title":    {"title", strings.Repeat("ơ", maxPageTitle+1), http.StatusUnprocessableEntity},
		"bad status":    {"status", "deleted", http.StatusUnprocessableEntity},
		"bad placement": {"placement", "sidebar", http.StatusUnprocessableEntity},
		"bad position":  {"position", "-3", http.StatusUnprocessableEntity},
		"bad version":   {"version", "x", http.StatusBadRequest},
		"long body":     {"body", strings.Repeat("<p>ơ</p>", maxArticleBodyBytes/8), http.StatusUnprocessableEntity},
		"long slug":     {"slug", strings.Repeat("a", maxPageSlug*4+1), http.StatusUnprocessableEntity},
	} {
		f := url.Values{"title": {"Liên hệ"}, "status": {"draft"}, "placement": {"none"}, "body": {"<p>x</p>"}, "version": {"1"}}
		f.Set(c.field, c.value)
		if resp, _ := admin.post("/admin/trang/"+idText(pid), f); resp.StatusCode != c.status {
			t.Errorf("%s: %d, want %d", name, resp.StatusCode, c.status)
		}
	}
	// A duplicate slug, a draft that is not public, NFD titles.
	dup := url.Values{"title": {"Gio\u031bi thie\u0323\u0302u"}, "status": {"draft"}}
	resp, body = editor.post("/admin/trang", dup)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "đã được trang khác dùng") {
		t.Errorf("duplicate slug from an NFD title: %d", resp.StatusCode)
	}
	resp, _ = editor.post("/admin/trang", url.Values{"title": {"Sơ đồ cổng"}, "status": {"draft"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("draft %d", resp.StatusCode)
	}
	if resp, _ := s.get(t, "/trang/so-do-cong"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("draft page public: %d", resp.StatusCode)
	}
	if resp, _ := s.get(t, "/en/about"); resp.StatusCode != http.StatusOK {
		t.Errorf("/en/about: %d", resp.StatusCode)
	}
	if _, body := s.get(t, "/sitemap.xml"); !strings.Contains(body, "/trang/gioi-thieu</loc>") || strings.Contains(body, "so-do-cong") {
		t.Errorf("sitemap pages wrong")
	}
	// Deleting is for admins.
	if resp, _ := editor.post("/admin/trang/"+idText(pid)+"/xoa", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("editor deleted a page: %d", resp.StatusCode)
	}
	if resp, _ := admin.post("/admin/trang/"+idText(pid)+"/xoa", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("admin delete: %d", resp.StatusCode)
	}
	if resp, _ := s.get(t, "/trang/gioi-thieu"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("deleted page still served (cache?): %d", resp.StatusCode)
	}
	actions := strings.Join(s.auditActions(t), " ")
	for _, a := range []string{"page.create", "page.update", "page.delete"} {
		if !strings.Contains(actions, a) {
			t.Errorf("%s not audited", a)
		}
	}
}

func TestFeaturedOnHomePage(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor, author := s.loginAs(t, db.RoleEditor), s.loginAs(t, db.RoleAuthor)
	arts := publicDemoArticles(t, s.testSite, 12)
	lead, second := arts[10], arts[11]
	if resp, _ := author.post("/admin/noi-bat", url.Values{"id": {idText(lead.ID)}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("author pinned: %d", resp.StatusCode)
	}
	for _, id := range []int64{second.ID, lead.ID} {
		if resp, _ := editor.post("/admin/noi-bat", url.Values{"id": {idText(id)}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("pin %d", resp.StatusCode)
		}
	}
	// lead=1 puts it first.
	if resp, _ := editor.post("/admin/noi-bat", url.Values{"id": {idText(lead.ID)}, "lead": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("pin lead %d", resp.StatusCode)
	}
	check := func(wantLead, wantBlock string) {
		t.Helper()
		_, body := s.get(t, "/")
		doc := parse(t, body)
		top := find(doc, byClass("top-story"))
		if len(top) != 1 || !hasString(hrefs(top[0], byTag("a")), wantLead) {
			t.Errorf("lead is not %s", wantLead)
		}
		block := find(doc, byClass("featured"))
		if wantBlock == "" {
			if len(block) != 0 {
				t.Errorf("featured block shown")
			}
			return
		}
		if len(block) != 1 || !hasString(hrefs(block[0], byTag("a")), wantBlock) {
			t.Errorf("featured block lacks %s", wantBlock)
		}
	}
	check(views.ArticlePath(lead), views.ArticlePath(second))
	if resp, _ := editor.post("/admin/noi-bat/"+idText(second.ID)+"/di-chuyen", url.Values{"dir": {"up"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("move %d", resp.StatusCode)
	}
	check(views.ArticlePath(second), views.ArticlePath(lead))
	for name, c := range map[string]struct {
		path string
		form url.Values
		want int
	}{
		"bad dir":     {"/admin/noi-bat/" + idText(lead.ID) + "/di-chuyen", url.Values{"dir": {"sideways"}}, http.StatusBadRequest},
		"not pinned":  {"/admin/noi-bat/" + idText(arts[0].ID) + "/di-chuyen", url.Values{"dir": {"up"}}, http.StatusNotFound},
		"bad id":      {"/admin/noi-bat", url.Values{"id": {"1 OR 1=1"}}, http.StatusBadRequest},
		"missing id":  {"/admin/noi-bat", url.Values{}, http.StatusBadRequest},
		"unknown id":  {"/admin/noi-bat", url.Values{"id": {"999999"}}, http.StatusNotFound},
		"bad path id": {"/admin/noi-bat/x/bo", url.Values{}, http.StatusNotFound},
	} {
		if resp, _ := editor.post(c.path, c.form); resp.StatusCode != c.want {
			t.Errorf("%s: %d, want %d", name, resp.StatusCode, c.want)
		}
	}
	_, body := editor.get("/admin/noi-bat")
	if !strings.Contains(body, "Tin chính") || !strings.Contains(body, second.Title) {
		t.Errorf("featured admin list")
	}
	for _, id := range []int64{lead.ID, second.ID} {
		if resp, _ := editor.post("/admin/noi-bat/"+idText(id)+"/bo", url.Values{}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("unpin %d", resp.StatusCode)
		}
	}
	check(views.ArticlePath(arts[0]), "") // back to the newest article
	actions := strings.Join(s.auditActions(t), " ")
	if !strings.Contains(actions, "article.feature") || !strings.Contains(actions, "article.unfeature") {
		t.Errorf("audit %s", actions)
	}
}

func TestCommentsClosedPerArticle(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{CaptchaOff: true})
	ctx := context.Background()
	if _, err := s.app.DB.InsertComment(ctx, db.Comment{ArticleID: s.art.ID, Name: "Bạn đọc cũ", Title: "Đã có",
		Body: "Bình luận trước khi đóng", Status: db.CommentApproved, CreatedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	secrets := s.openForm(t) // opened before the editor closes comments
	if err := s.app.DB.SetCommentsClosed(ctx, db.Actor{UserName: "test"}, testNow, s.art.ID, true); err != nil {
		t.Fatal(err)
	}
	resp, body := s.get(t, views.ArticlePath(s.art))
	doc := parse(t, body)
	if resp.StatusCode != http.StatusOK || len(find(doc, byID("comment-form"))) != 0 {
		t.Errorf("closed article shows a comment form")
	}
	if !strings.Contains(body, "Bài viết này đã đóng bình luận.") || !strings.Contains(body, "Bình luận trước khi đóng") {
		t.Errorf("closed notice or old comments missing")
	}
	for _, htmx := range []bool{true, false} {
		resp, body := s.post(t, s.art.ID, validComment(secrets), htmx, nil)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "đã đóng bình luận") {
			t.Errorf("htmx=%v: %d %s", htmx, resp.StatusCode, body)
		}
	}
	for _, p := range []string{"/bai-viet/" + idText(s.art.ID) + "/binh-luan/bieu-mau", "/bai-viet/" + idText(s.art.ID) + "/binh-luan/ma-bao-mat"} {
		if resp, _ := s.do(t, http.MethodGet, p, http.Header{"Hx-Request": {"true"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s on a closed article: %d", p, resp.StatusCode)
		}
	}
	if list := must(s.app.DB.ApprovedComments(ctx, s.art.ID)); len(list) != 1 {
		t.Errorf("a comment got through: %d", len(list))
	}
	var n int
	if err := s.app.DB.Reader().QueryRow(`SELECT count(*) FROM comments WHERE article_id = ?`, s.art.ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("stored comments %d %v", n, err)
	}
}

func TestArticleTrashAndRestore(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	admin, editor, author := s.loginAs(t, db.RoleAdmin), s.loginAs(t, db.RoleEditor), s.loginAs(t, db.RoleAuthor)
	art := publicDemoArticles(t, s.testSite, 1)[0]
	path := views.ArticlePath(art)
	if resp, _ := s.get(t, path); resp.StatusCode != http.StatusOK { // warm the page cache
		t.Fatal(resp.StatusCode)
	}
	if resp, _ := author.post("/admin/bai-viet/"+idText(art.ID)+"/thung-rac", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("author trashed someone's article: %d", resp.StatusCode)
	}
	if resp, _ := admin.post("/admin/bai-viet/"+idText(art.ID)+"/xoa-vinh-vien", url.Values{}); resp.StatusCode != http.StatusConflict {
		t.Errorf("permanent delete outside the trash: %d", resp.StatusCode)
	}
	if resp, _ := editor.post("/admin/bai-viet/"+idText(art.ID)+"/thung-rac", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("trash %d", resp.StatusCode)
	}
	if resp, _ := s.get(t, path); resp.StatusCode != http.StatusNotFound {
		t.Errorf("trashed article still public: %d", resp.StatusCode)
	}
	for _, p := range []string{"/rss.xml", "/sitemap.xml", views.SectionPath(art.CategorySlug), "/"} {
		if _, body := s.get(t, p); strings.Contains(body, path) {
			t.Errorf("trashed article listed on %s", p)
		}
	}
	// An author's own draft: trashable by them; the editor form of a trashed article sends
	// to the trash list.
	own := createArticle(t, author, newArticleForm("Bản nháp bỏ đi"))
	if resp, _ := author.post("/admin/bai-viet/"+idText(own)+"/thung-rac", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("author trashing own draft: %d", resp.StatusCode)
	}
	if resp, _ := author.get("/admin/bai-viet/thung-rac"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("author sees the trash: %d", resp.StatusCode)
	}
	resp, _ := editor.get("/admin/bai-viet/" + idText(art.ID))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/bai-viet/thung-rac" {
		t.Errorf("edit page of a trashed article: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := editor.get("/admin/bai-viet/thung-rac")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, art.Title) || strings.Contains(body, "Xóa vĩnh viễn</button>") {
		t.Errorf("trash list for an editor: %d", resp.StatusCode)
	}
	_, body = editor.get("/admin/bai-viet")
	if strings.Contains(body, ">"+art.Title+"<") {
		t.Errorf("trashed article in the article list")
	}
	if resp, _ := author.post("/admin/bai-viet/"+idText(own)+"/khoi-phuc", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("author restored: %d", resp.StatusCode)
	}
	if resp, _ := editor.post("/admin/bai-viet/"+idText(art.ID)+"/khoi-phuc", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore %d", resp.StatusCode)
	}
	if resp, _ := s.get(t, path); resp.StatusCode != http.StatusOK {
		t.Errorf("restored article not public: %d", resp.StatusCode)
	}
	// Permanent delete: admins only, from the trash.
	if resp, _ := editor.post("/admin/bai-viet/"+idText(own)+"/xoa-vinh-vien", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("editor deleted for good: %d", resp.StatusCode)
	}
	if resp, _ := admin.post("/admin/bai-viet/"+idText(own)+"/xoa-vinh-vien", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("admin delete: %d", resp.StatusCode)
	}
	if resp, _ := admin.get("/admin/bai-viet/" + idText(own)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("deleted article: %d", resp.StatusCode)
	}
	for _, p := range []string{"/admin/bai-viet/abc/thung-rac", "/admin/bai-viet/0/khoi-phuc", "/admin/bai-viet/999999/xoa-vinh-vien"} {
		if resp, _ := admin.post(p, url.Values{}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
	actions := strings.Join(s.auditActions(t), " ")
	for _, a := range []string{"article.trash", "article.restore", "article.delete"} {
		if !strings.Contains(actions, a) {
			t.Errorf("%s not audited", a)
		}
	}
	// The purge after 30 days, by the timer's function.
	if resp, _ := editor.post("/admin/bai-viet/"+idText(art.ID)+"/thung-rac", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatal(resp.StatusCode)
	}
	s.clock.Advance(db.TrashRetention + time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.app.PurgeTrash(ctx, time.Hour); close(done) }() // purges at once, then hourly
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := s.app.DB.ArticleByID(context.Background(), art.ID); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("trash not purged after 30 days")
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
}

func TestBulkArticleActions(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor, author := s.loginAs(t, db.RoleEditor), s.loginAs(t, db.RoleAuthor)
	d1 := createArticle(t, author, newArticleForm("Nháp một"))
	d2 := createArticle(t, author, newArticleForm("Nháp hai"))
	pub := publicDemoArticles(t, s.testSite, 1)[0]
	form := url.Values{"action": {"publish"}, "id": {idText(d1), idText(d2), idText(pub.ID)}, "back": {"status=draft&page=1"}}
	if resp, _ := author.post("/admin/bai-viet/hang-loat", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("author bulk: %d", resp.StatusCode)
	}
	resp, _ := editor.post("/admin/bai-viet/hang-loat", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/bai-viet?page=1&status=draft" {
		t.Fatalf("bulk publish %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body := editor.get("/admin/bai-viet")
	if !strings.Contains(body, "Đã đăng 2 bài. Bỏ qua 1 bài") {
		t.Errorf("flash missing")
	}
	for _, id := range []int64{d1, d2} {
		if !s.article(t, id).IsPublic(testNow) {
			t.Errorf("article %d not published", id)
		}
	}
	// Move, unpublish, trash.
	if resp, _ := editor.post("/admin/bai-viet/hang-loat", url.Values{"action": {"move"}, "section": {"2"}, "id": {idText(d1)}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("move %d", resp.StatusCode)
	}
	if s.article(t, d1).CategoryID != 2 {
		t.Errorf("not moved")
	}
	if resp, _ := editor.post("/admin/bai-viet/hang-loat", url.Values{"action": {"unpublish"}, "id": {idText(d1)}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("unpublish %d", resp.StatusCode)
	}
	if s.article(t, d1).Status != db.StatusDraft {
		t.Errorf("not unpublished")
	}
	if resp, _ := editor.post("/admin/bai-viet/hang-loat", url.Values{"action": {"trash"}, "id": {idText(d1), idText(d2)}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("trash %d", resp.StatusCode)
	}
	if s.article(t, d2).TrashedAt.IsZero() {
		t.Errorf("not trashed")
	}
	// Wrong input.
	for name, c := range map[string]struct {
		form url.Values
		want int
	}{
		"no action":       {url.Values{"id": {idText(d1)}}, http.StatusBadRequest},
		"unknown action":  {url.Values{"action": {"delete"}, "id": {idText(d1)}}, http.StatusBadRequest},
		"sql in id":       {url.Values{"action": {"trash"}, "id": {"1 OR 1=1"}}, http.StatusBadRequest},
		"negative id":     {url.Values{"action": {"trash"}, "id": {"-5"}}, http.StatusBadRequest},
		"move no section": {url.Values{"action": {"move"}, "id": {idText(pub.ID)}}, http.StatusBadRequest},
		"move unknown":    {url.Values{"action": {"move"}, "section": {"999"}, "id": {idText(pub.ID)}}, http.StatusBadRequest},
		"too many":        {url.Values{"action": {"trash"}, "id": strings.Split(strings.Repeat("1,", maxBulkArticles+1), ",")}, http.StatusBadRequest},
		"none ticked":     {url.Values{"action": {"trash"}}, http.StatusSeeOther},
	} {
		if resp, _ := editor.post("/admin/bai-viet/hang-loat", c.form); resp.StatusCode != c.want {
			t.Errorf("%s: %d, want %d", name, resp.StatusCode, c.want)
		}
	}
	// back= only carries the list's filters: never another site.
	resp, _ = editor.post("/admin/bai-viet/hang-loat", url.Values{"action": {"trash"}, "back": {"//evil.example/"}})
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/admin/bai-viet") || strings.Contains(loc, "//evil") && !strings.Contains(loc, "%2F%2Fevil") {
		t.Errorf("back redirect %q", loc)
	}
	// Cross-site bulk requests are refused.
	resp, _ = editor.send(http.MethodPost, "/admin/bai-viet/hang-loat", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"action": {"trash"}, "id": {idText(pub.ID)}}.Encode()),
		http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}})
	if resp.StatusCode != http.StatusForbidden || !s.article(t, pub.ID).TrashedAt.IsZero() {
		t.Errorf("cross-site bulk: %d", resp.StatusCode)
	}
	entries, _, err := s.app.DB.AuditLog(context.Background(), db.AuditQuery{Action: "article.", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	bulk := 0
	for _, e := range entries {
		if strings.Contains(e.Detail, "(hàng loạt)") {
			bulk++
		}
	}
	if bulk != 6 { // 2 published, 1 moved, 1 unpublished, 2 trashed
		t.Errorf("%d bulk audit entries, want 6", bulk)
	}
	// The list shows checkboxes to editors only, inside the bulk form.
	_, body = editor.get("/admin/bai-viet")
	boxes := find(parse(t, body), func(n *html.Node) bool { return attr(n, "name") == "id" && attr(n, "form") == "bulk-form" })
	if len(boxes) == 0 {
		t.Errorf("no bulk checkboxes for an editor")
	}
	_, body = author.get("/admin/bai-viet")
	if strings.Contains(body, "bulk-form") {
		t.Errorf("an author sees bulk actions")
	}
}

func TestOwnProfile(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	me, other := s.loginAs(t, db.RoleAuthor), s.loginAs(t, db.RoleAuthor) // two devices
	resp, body := me.post("/admin/ho-so", url.Values{"display_name": {"Tra\u0302\u0300n Thi\u0323 Bi\u0300nh"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("name %d %s", resp.StatusCode, body)
	}
	u := must(s.app.DB.UserByID(context.Background(), s.users[db.RoleAuthor].ID))
	if u.DisplayName != "Trần Thị Bình" {
		t.Errorf("display name %q", u.DisplayName)
	}
	if resp, _ := me.post("/admin/ho-so", url.Values{"display_name": {strings.Repeat("ấ", db.MaxDisplayName+1)}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("long name: %d", resp.StatusCode)
	}
	resp, _ = me.post("/admin/ho-so", url.Values{"display_name": {"<img src=x onerror=alert(1)>"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("markup name: %d", resp.StatusCode)
	}
	if _, body := me.get("/admin/ho-so"); strings.Contains(body, "<img src=x") {
		t.Errorf("display name not escaped")
	}
	newPW := "mật-khẩu-mới-đủ-dài-456"
	for name, c := range map[string]struct {
		form url.Values
		want string
	}{
		"no current":    {url.Values{"password": {newPW}, "password2": {newPW}}, "Vui lòng nhập mật khẩu hiện tại."},
		"wrong current": {url.Values{"current": {"sai-mat-khau-roi-nhe"}, "password": {newPW}, "password2": {newPW}}, "Mật khẩu hiện tại không đúng."},
		"short":         {url.Values{"current": {adminTestPassword}, "password": {"ngắn"}, "password2": {"ngắn"}}, "ít nhất 12 ký tự"},
		"too long":      {url.Values{"current": {adminTestPassword}, "password": {strings.Repeat("ư", 40)}, "password2": {strings.Repeat("ư", 40)}}, "tối đa 72 byte"},
		"mismatch":      {url.Values{"current": {adminTestPassword}, "password": {newPW}, "password2": {newPW + "x"}}, "không khớp"},
	} {
		resp, body := me.post("/admin/ho-so/mat-khau", c.form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d, want 422 with %q", name, resp.StatusCode, c.want)
		}
	}
	if resp, _ := other.get("/admin/ho-so"); resp.StatusCode != http.StatusOK {
		t.Fatalf("other session ended by a refused change: %d", resp.StatusCode)
	}
	resp, body = me.post("/admin/ho-so/mat-khau", url.Values{"current": {adminTestPassword}, "password": {newPW}, "password2": {newPW}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change %d %s", resp.StatusCode, body)
	}
	if resp, _ := me.get("/admin/ho-so"); resp.StatusCode != http.StatusOK {
		t.Errorf("this session ended: %d", resp.StatusCode)
	}
	if resp, _ := other.get("/admin/ho-so"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login") {
		t.Errorf("other session still open: %d", resp.StatusCode)
	}
	fresh := s.newBrowser(t)
	if resp, _ := fresh.post("/admin/login", url.Values{"name": {"author1"}, "password": {newPW}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("login with the new password: %d", resp.StatusCode)
	}
	actions := strings.Join(s.auditActions(t), " ")
	if !strings.Contains(actions, "user.password_own") || !strings.Contains(actions, "user.profile") {
		t.Errorf("audit %s", actions)
	}
}
