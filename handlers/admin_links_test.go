package handlers

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"toasoan/views"
)

// adminLink is one back-office URL a rendered page points at, with the method the
// browser (or htmx) will use and the page it was found on.
type adminLink struct{ method, path, from string }

// adminLinksOf collects every /admin href, form action and hx-* URL of a page.
func adminLinksOf(t *testing.T, body, from string) []adminLink {
	var out []adminLink
	for _, n := range find(parse(t, body), func(n *html.Node) bool { return n.Type == html.ElementNode }) {
		add := func(method, raw string) {
			if raw == views.AdminRoot || strings.HasPrefix(raw, views.AdminDashboard) {
				out = append(out, adminLink{method, raw, from})
			}
		}
		switch n.Data {
		case "a":
			add(http.MethodGet, attr(n, "href"))
		case "form":
			method := strings.ToUpper(attr(n, "method"))
			if method == "" {
				method = http.MethodGet
			}
			add(method, attr(n, "action"))
		}
		for _, a := range n.Attr {
			switch strings.TrimPrefix(a.Key, "data-") {
			case "hx-get":
				add(http.MethodGet, a.Val)
			case "hx-post":
				add(http.MethodPost, a.Val)
			}
		}
	}
	return out
}

// TestAdminLinksResolve crawls the back office as an admin (after trashing an article and
// adding a tag so those pages have rows) and checks that every /admin link, form action and hx-*
// URL on every page matches a registered route for its method, and that every GET link
// crawled answers neither 404 nor 405: a path typed wrong anywhere shows up here.
func TestAdminLinksResolve(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	b := s.loginAs(t, "admin")
	id := s.queryInt(t, "SELECT id FROM articles ORDER BY id LIMIT 1")
	if resp, body := b.post(views.AdminURL(views.AdminArticleTrash, id), url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("trash article: %d %s", resp.StatusCode, body)
	}
	if resp, body := b.post(views.AdminTags, url.Values{"name": {"Kinh tế số"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create tag: %d %s", resp.StatusCode, body)
	}

	routes := http.NewServeMux()
	s.app.backOfficeRoutes(routes)
	digits := regexp.MustCompile(`[0-9]+`)
	seen := map[string]bool{}    // path shapes already crawled
	checked := map[string]bool{} // method+path already matched against the routes
	queue := []adminLink{{http.MethodGet, views.AdminDashboard, "start"}}
	for len(queue) > 0 && len(seen) < 150 {
		l := queue[0]
		queue = queue[1:]
		u, err := url.Parse(l.path)
		if err != nil {
			t.Errorf("%s: bad URL %q: %v", l.from, l.path, err)
			continue
		}
		key := l.method + " " + u.Path
		if !checked[key] {
			checked[key] = true
			req, _ := http.NewRequest(l.method, s.srv.URL+u.Path, nil)
			if _, pattern := routes.Handler(req); pattern == "" {
				t.Errorf("%s links to %s %s, which no route serves", l.from, l.method, l.path)
			}
		}
		shape := digits.ReplaceAllString(u.Path, "N")
		if l.method != http.MethodGet || seen[shape] {
			continue
		}
		seen[shape] = true
		resp, body := b.get(l.path)
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
			t.Errorf("%s links to GET %s: %d", l.from, l.path, resp.StatusCode)
			continue
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			continue
		}
		queue = append(queue, adminLinksOf(t, body, l.path)...)
	}
	var crawled []string
	for k := range seen {
		crawled = append(crawled, k)
	}
	sort.Strings(crawled)
	// The crawl must reach the whole back office, or it proves nothing.
	for _, want := range []string{views.AdminArticles, views.AdminMedia, views.AdminComments, views.AdminFeatured,
		views.AdminTags, views.AdminPages, views.AdminSections, views.AdminUsers, views.AdminSettings,
		views.AdminAudit, views.AdminProfile, views.AdminArticlesTrash, views.AdminArticleNew, views.AdminPageNew,
		"/admin/bai-viet/N", "/admin/bai-viet/N/phien-ban"} {
		if !seen[want] {
			t.Errorf("crawl never reached %s; crawled %v", want, crawled)
		}
	}
	if len(checked) < 40 {
		t.Errorf("only %d distinct admin links checked", len(checked))
	}
}
