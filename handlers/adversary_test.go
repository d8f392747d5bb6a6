package handlers

import (
	"net/http"
	"strings"
	"testing"

	"toasoan/views"
)

// TestHostHeaderCannotPoisonPages: a client choosing its own Host header must not change
// the bytes any other client receives. The first request of each URL (a cold cache
// entry) comes with a foreign Host; then a reader asks normally: no page, feed or file
// may carry the foreign host, and the foreign client's own copy carries the site's.
func TestHostHeaderCannotPoisonPages(t *testing.T) {
	s := newTestSite(t)
	art := latestArticle(t, s)
	paths := []string{"/", views.ArticlePath(art), views.ArticlePath(art) + "?in=1", "/chuyen-muc/" + art.CategorySlug,
		"/rss.xml", "/atom.xml", "/chuyen-muc/" + art.CategorySlug + "/rss.xml", "/sitemap.xml", "/robots.txt", "/en/about"}
	for _, p := range paths {
		for _, host := range []string{"evil.example", "evil.example:8080"} {
			req, _ := http.NewRequest("GET", s.srv.URL+p, nil)
			req.Host = host
			resp, body := s.send(t, req)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s with Host %s: %d", p, host, resp.StatusCode)
			}
			if strings.Contains(body, "evil.example") {
				t.Errorf("%s: the answer to Host %s names it", p, host)
			}
		}
		_, body := s.get(t, p)
		if strings.Contains(body, "evil.example") {
			t.Errorf("%s: a reader got the poisoned host", p)
		}
		if !strings.Contains(body, s.app.Config.BaseURL) {
			t.Errorf("%s: no absolute URL on the base %s", p, s.app.Config.BaseURL)
		}
	}
}
