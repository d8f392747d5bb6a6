package handlers

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"toasoan/db"
	"toasoan/views"
)

type commentSite struct {
	*testSite
	clock *testClock
	art   db.Article // a published demo article
}

// newCommentSite is newTestSite with a comment configuration and a movable clock.
func newCommentSite(t *testing.T, cfg Config) *commentSite {
	t.Helper()
	clock := newTestClock()
	site := openTestSite(t, t.TempDir(), cfg, true, clock.Now)
	list, err := site.app.DB.PublicArticles(context.Background(), db.PublicListQuery{Limit: 1}, testNow)
	if err != nil || len(list) == 0 {
		t.Fatalf("no demo article: %v", err)
	}
	return &commentSite{testSite: site, clock: clock, art: list[0]}
}

// openForm loads the article page, fetches the deferred form's one-time values the way
// htmx does when the form scrolls into view, finds the captcha answer in the store (as a
// moderator's database would), and lets 5 s pass.
func (s *commentSite) openForm(t *testing.T) url.Values {
	t.Helper()
	return s.openForms(t, 1)[0]
}

// openForms is openForm for n forms of one reader who keeps the article page open: the
// page is loaded once, then each form's one-time values are fetched as htmx fetches
// them, 5 s apart.
func (s *commentSite) openForms(t *testing.T, n int) []url.Values {
	t.Helper()
	resp, body := s.get(t, views.ArticlePath(s.art))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("article: %d", resp.StatusCode)
	}
	slot := find(parse(t, body), byID("form-secrets"))
	if len(slot) != 1 || attr(slot[0], "data-hx-get") == "" {
		t.Fatalf("article page has no deferred form slot")
	}
	forms := make([]url.Values, n)
	for i := range forms {
		resp, body = s.do(t, http.MethodGet, attr(slot[0], "data-hx-get"), http.Header{"Hx-Request": {"true"}})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("form secrets: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
		forms[i] = s.formSecrets(t, parse(t, body))
		s.clock.Advance(5 * time.Second)
	}
	return forms
}

// formSecrets reads the hidden values of a rendered form and the captcha's answer.
func (s *commentSite) formSecrets(t *testing.T, doc *html.Node) url.Values {
	t.Helper()
	v := url.Values{}
	v.Set("started", inputValue(t, doc, "started"))
	hasCaptcha := len(find(doc, func(n *html.Node) bool { return attr(n, "name") == "captcha_id" })) > 0
	if !s.app.Config.CaptchaOff && hasCaptcha {
		id := inputValue(t, doc, "captcha_id")
		answer, err := s.app.DB.CaptchaDigits(context.Background(), id, s.clock.Now())
		if err != nil {
			t.Fatalf("captcha %q not in the store: %v", id, err)
		}
		v.Set("captcha_id", id)
		v.Set("captcha", answer)
	}
	return v
}

// validComment fills a form's secrets with a valid comment.
func validComment(secrets url.Values) url.Values {
	v := url.Values{}
	for k, vs := range secrets {
		v[k] = vs
	}
	v.Set("name", "Nguyễn Thị Hoa")
	v.Set("phone", "0912 345 678")
	v.Set("title", "Góp ý về đường liên xã")
	v.Set("content", "Đường qua cầu Khe Đá\nmùa mưa rất trơn, mong huyện sớm sửa.")
	v.Set("website", "")
	return v
}

// post sends the form; htmx adds the headers htmx sends.
func (s *commentSite) post(t *testing.T, articleID int64, v url.Values, htmx bool, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+commentPath(articleID), strings.NewReader(v.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "Mozilla/5.0 (test) Trình duyệt")
	if htmx {
		req.Header.Set("HX-Request", "true")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", s.srv.URL)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	return s.send(t, req)
}

// storedComments lists every comment of an article, any status, with moderator fields.
func (s *commentSite) storedComments(t *testing.T, articleID int64) []db.Comment {
	t.Helper()
	rows, err := s.app.DB.Reader().Query(`SELECT id, name, phone, title, body, status, ip, user_agent, created_at
		FROM comments WHERE article_id = ? ORDER BY id`, articleID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []db.Comment
	for rows.Next() {
		var c db.Comment
		var created int64
		if err := rows.Scan(&c.ID, &c.Name, &c.Phone, &c.Title, &c.Body, &c.Status, &c.IP, &c.UserAgent, &created); err != nil {
			t.Fatal(err)
		}
		c.CreatedAt = time.Unix(created, 0)
		out = append(out, c)
	}
	return out
}

func (s *commentSite) countComments(t *testing.T) int {
	t.Helper()
	var n int
	if err := s.app.DB.Reader().QueryRow(`SELECT count(*) FROM comments`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func inputValue(t *testing.T, doc *html.Node, name string) string {
	t.Helper()
	in := find(doc, func(n *html.Node) bool { return attr(n, "name") == name })
	if len(in) != 1 {
		t.Fatalf("%d inputs named %q", len(in), name)
	}
	if in[0].Data == "textarea" {
		if in[0].FirstChild == nil {
			return ""
		}
		return in[0].FirstChild.Data
	}
	return attr(in[0], "value")
}

// fieldError is the error shown inside the field block of the input with that name.
func fieldError(doc *html.Node, name string) string {
	for _, f := range find(doc, byClass("field")) {
		if len(find(f, func(n *html.Node) bool { return attr(n, "name") == name })) == 0 {
			continue
		}
		if errs := find(f, byClass("field-error")); len(errs) > 0 {
			return text(errs[0])
		}
	}
	return ""
}

func byID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { return attr(n, "id") == id }
}

// assertNoInjectedMarkup parses a page or fragment and fails on any element or attribute
// that only a payload could have put there: inside the comment list only the template's
// own elements may appear, and nowhere a script, an inline handler or a javascript: URL.
func assertNoInjectedMarkup(t *testing.T, what, body string) {
	t.Helper()
	doc := parse(t, body)
	allowed := map[string]bool{"div": true, "h2": true, "ol": true, "li": true, "p": true, "strong": true, "span": true, "time": true,
		"form": true, "button": true, "a": true} // the list's own like forms, reply and paging links
	for _, list := range find(doc, byID("comment-list")) {
		for _, n := range find(list, func(*html.Node) bool { return true }) {
			if !allowed[n.Data] {
				t.Errorf("%s: <%s> inside the comment list", what, n.Data)
			}
			// Links and forms of the list lead only to the site's own comment routes.
			for _, k := range []string{"href", "action", "data-hx-get", "data-hx-post"} {
				if v := attr(n, k); v != "" && !strings.HasPrefix(v, "/bai-viet/") && !strings.HasPrefix(v, "/binh-luan/") {
					t.Errorf("%s: <%s %s=%q> inside the comment list", what, n.Data, k, v)
				}
			}
		}
	}
	for _, n := range find(doc, func(*html.Node) bool { return true }) {
		if n.Data == "script" && attr(n, "src") == "" && attr(n, "type") != "application/ld+json" {
			t.Errorf("%s: inline script", what)
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") || strings.HasPrefix(a.Key, "hx-on") ||
				strings.Contains(strings.ToLower(a.Val), "javascript:") {
				t.Errorf("%s: <%s %s=%q>", what, n.Data, a.Key, a.Val)
			}
		}
		if n.Data == "img" && !strings.HasPrefix(attr(n, "src"), "/") {
			t.Errorf("%s: foreign image %q", what, attr(n, "src"))
		}
	}
}

func readCorpus(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("testdata/xss.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}
