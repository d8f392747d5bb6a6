package handlers

import (
	"encoding/json"
	"fmt"
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

// TestXSSSweepEveryField sends the whole payload corpus through every field that reaches a
// page — reader comments (name, title, text), article title, lead, body and byline, section
// names, user names, site settings, the search box — through the real routes, then parses
// every page that shows them: no script the app did not write, no on* handler, no
// javascript: URL, no htmx attribute from a payload.
func TestXSSSweepEveryField(t *testing.T) {
	t.Parallel()
	payloads := readCorpus(t)
	if len(payloads) < 200 {
		t.Fatalf("corpus has %d payloads, want at least 200", len(payloads))
	}
	s := newAdminSite(t, Config{CaptchaOff: true, Moderation: ModerationOff, CommentMinFill: time.Millisecond})
	admin := s.loginAs(t, db.RoleAdmin)
	editor := s.loginAs(t, db.RoleEditor)

	// Articles: every payload as title, lead, byline and body of its own article, published.
	var articles []int64
	for i, p := range payloads {
		f := url.Values{"title": {p + " " + strconv.Itoa(i)}, "lead": {p}, "body": {p}, "byline": {p},
			"category_id": {"1"}, "form_token": {"xss-" + strconv.Itoa(i)}}
		r, body := editor.post("/admin/bai-viet", f)
		if r.StatusCode >= 500 {
			t.Fatalf("create article with %q: %d", p, r.StatusCode)
		}
		assertAppMarkupOnly(t, "article form answer for "+p, body)
		m := articleLocation.FindStringSubmatch(r.Header.Get("Location"))
		if m == nil {
			continue // refused with a Vietnamese error: fine
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		if r, _ := postTransition(editor, id, s.article(t, id).Version, db.StatusPublished, nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish %d: %d", id, r.StatusCode)
		}
		articles = append(articles, id)
	}
	if len(articles) < len(payloads)*3/4 {
		t.Fatalf("only %d of %d payload articles accepted: the sweep would prove little", len(articles), len(payloads))
	}

	// Reader comments on one article, published at once (moderation off).
	target := s.article(t, articles[0])
	req, _ := http.NewRequest("GET", s.srv.URL+commentPath(target.ID)+"/bieu-mau", nil)
	req.Header.Set("HX-Request", "true")
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	secrets := parseResp(t, resp)
	token := attr(find(secrets, func(n *html.Node) bool { return attr(n, "name") == "started" })[0], "value")
	s.clock.Advance(5 * time.Second)
	posted := 0
	for i, p := range payloads {
		if i > 0 { // a token is good for one post: the next comes from another form
			token = s.app.comments.token.Issue(target.ID, s.clock.Now().Add(-5*time.Second))
		}
		form := url.Values{"name": {p}, "title": {p}, "content": {p + " — ý kiến số " + strconv.Itoa(i)}, "website": {""}, "started": {token}}
		r, body := s.postForm(t, commentPath(target.ID), form)
		if r.StatusCode >= 500 {
			t.Fatalf("comment with %q: %d", p, r.StatusCode)
		}
		if r.StatusCode == http.StatusSeeOther {
			posted++
		}
		assertAppMarkupOnly(t, "comment answer for "+p, body)
	}
	// Payloads that are nothing but markup strip to an empty name and are refused (422).
	if posted < len(payloads)/3 {
		t.Fatalf("only %d of %d payload comments accepted", posted, len(payloads))
	}

	// Section names and user names: a slice of the corpus each.
	for i, p := range payloads[:40] {
		if r, _ := admin.post("/admin/chuyen-muc", url.Values{"name": {p}, "slug": {"xss-" + strconv.Itoa(i)}, "description": {p}}); r.StatusCode >= 500 {
			t.Fatalf("section %q: %d", p, r.StatusCode)
		}
		if r, _ := admin.post("/admin/nguoi-dung", url.Values{"name": {fmt.Sprintf("xss%d", i)}, "display_name": {p},
			"role": {db.RoleAuthor}, "password": {adminTestPassword}, "password2": {adminTestPassword}}); r.StatusCode >= 500 {
			t.Fatalf("user %q: %d", p, r.StatusCode)
		}
	}
	// Site settings: the name shows on every page, the English text on its page.
	for _, p := range payloads[40:60] {
		if r, _ := admin.post("/admin/cai-dat", url.Values{"site_name": {p}, "site_description": {p}, "time_zone": {"Asia/Ho_Chi_Minh"},
			"comment_moderation": {"false"}, "about_en": {p}}); r.StatusCode >= 500 {
			t.Fatalf("settings %q: %d", p, r.StatusCode)
		}
		for _, page := range []string{"/", views.AboutENPath} {
			_, body := s.get(t, page)
			assertAppMarkupOnly(t, page+" with site name "+p, body)
		}
	}

	// Every page that shows what was stored.
	pages := []string{"/", views.SectionPath(target.CategorySlug), "/rss.xml", "/sitemap.xml"}
	for _, id := range articles {
		pages = append(pages, views.ArticlePath(s.article(t, id)))
	}
	cats, err := s.app.DB.Categories(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cats {
		pages = append(pages, views.SectionPath(c.Slug))
	}
	for _, p := range pages {
		r, body := s.get(t, p)
		if r.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", p, r.StatusCode)
			continue
		}
		if strings.HasSuffix(p, ".xml") {
			continue // feeds are XML, checked for escaping in feeds_test.go
		}
		assertAppMarkupOnly(t, p, body)
	}
	for _, p := range []string{"/admin/", "/admin/bai-viet", "/admin/binh-luan?status=approved", "/admin/chuyen-muc",
		"/admin/nguoi-dung", "/admin/cai-dat", "/admin/nhat-ky", fmt.Sprintf("/admin/bai-viet/%d", articles[1])} {
		r, body := admin.get(p)
		if r.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", p, r.StatusCode)
		}
		assertAppMarkupOnly(t, p, body)
	}
	// The search box reflects the query.
	for _, p := range payloads {
		r, body := s.get(t, "/tim-kiem?q="+url.QueryEscape(p))
		if r.StatusCode >= 500 {
			t.Fatalf("search %q: %d", p, r.StatusCode)
		}
		assertAppMarkupOnly(t, "search for "+p, body)
	}
}

// postForm posts a urlencoded form without following redirects.
func (s *testSite) postForm(t *testing.T, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.send(t, req)
}

func parseResp(t *testing.T, resp *http.Response) *html.Node {
	t.Helper()
	defer resp.Body.Close()
	n, err := html.Parse(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// assertAppMarkupOnly fails on markup only a payload could have produced.
func assertAppMarkupOnly(t *testing.T, what, body string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range find(doc, func(*html.Node) bool { return true }) {
		switch n.Data {
		case "script":
			src, typ := attr(n, "src"), attr(n, "type")
			switch {
			case strings.HasPrefix(src, "/static/"):
			case typ == "application/ld+json":
				var v any
				if err := json.Unmarshal([]byte(text(n)), &v); err != nil {
					t.Errorf("%s: JSON-LD broken by input: %v", what, err)
				}
			default:
				t.Errorf("%s: <script src=%q type=%q> not from the app", what, src, typ)
			}
		case "iframe", "object", "embed", "base", "applet", "frame", "frameset":
			t.Errorf("%s: <%s> in the page", what, n.Data)
		case "meta":
			if strings.EqualFold(attr(n, "http-equiv"), "refresh") {
				t.Errorf("%s: meta refresh", what)
			}
		}
		for _, a := range n.Attr {
			key := strings.ToLower(a.Key)
			val := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
			if strings.HasPrefix(key, "on") || strings.HasPrefix(key, "hx-on") || strings.HasPrefix(key, "data-hx-on") {
				t.Errorf("%s: <%s %s=%q>", what, n.Data, a.Key, a.Val)
			}
			urlAttr := map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "xlink:href": true,
				"data": true, "poster": true, "background": true, "cite": true, "srcset": true, "hx-get": true, "hx-post": true, "data-hx-get": true, "data-hx-post": true}[key]
			if urlAttr && (strings.HasPrefix(val, "javascript:") || strings.HasPrefix(val, "vbscript:") || strings.HasPrefix(val, "data:text/html")) {
				t.Errorf("%s: <%s %s=%q>", what, n.Data, a.Key, a.Val)
			}
			if key == "style" {
				t.Errorf("%s: style attribute on <%s>", what, n.Data)
			}
		}
	}
	// Inside what readers and editors wrote, no htmx attribute may survive: it would make
	// the reader's browser send requests with their session. (The comment list's own like
	// forms and reply links carry htmx attributes; what readers wrote sits in the name,
	// title and body of each comment.)
	for _, cls := range []string{"article-body", "comment-name", "comment-title", "comment-body", "item-lead", "article-lead"} {
		for _, box := range find(doc, byClass(cls)) {
			for _, n := range find(box, func(*html.Node) bool { return true }) {
				for _, a := range n.Attr {
					if strings.HasPrefix(a.Key, "hx-") || strings.HasPrefix(a.Key, "data-hx") {
						t.Errorf("%s: htmx attribute %s=%q inside .%s", what, a.Key, a.Val, cls)
					}
				}
			}
		}
	}
}
