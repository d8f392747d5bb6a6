package handlers

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"toasoan/db"
)

// postRoute finds every state-changing route in the public route list.
var postRoute = regexp.MustCompile(`"POST (/[^"]*)"`)

// TestCrossSiteRefusedOnEveryPostRoute takes every POST pattern — the public ones from
// routes.go, the back office's as Routes registered them — and sends it cross-site with a
// signed-in admin's cookie: each must answer 403 in Vietnamese and change nothing.
func TestCrossSiteRefusedOnEveryPostRoute(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{CaptchaOff: true})
	admin := s.loginAs(t, db.RoleAdmin)
	var patterns []string
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range postRoute.FindAllStringSubmatch(string(src), -1) {
		patterns = append(patterns, m[1])
	}
	public := len(patterns)
	for _, p := range s.app.adminPatterns {
		if path, ok := strings.CutPrefix(p, "POST "); ok {
			patterns = append(patterns, path)
		}
	}
	if public < 2 || len(patterns)-public < 30 {
		t.Fatalf("found only %d public and %d back-office POST routes", public, len(patterns)-public)
	}
	fill := strings.NewReplacer("{id}", "1", "{action}", "duyet", "{rev}", "1", "{$}", "")
	before := s.queryInt(t, `SELECT count(*) FROM audit_log`)
	for _, p := range patterns {
		path := fill.Replace(p)
		for _, h := range []http.Header{{"Sec-Fetch-Site": {"cross-site"}}, {"Origin": {"https://evil.example"}}} {
			r, body := admin.send(http.MethodPost, path, "application/x-www-form-urlencoded",
				strings.NewReader(url.Values{"name": {"x"}, "title": {"x"}, "content": {"xx"}}.Encode()), h)
			if r.StatusCode != http.StatusForbidden || !(strings.Contains(body, "trang web khác") || strings.Contains(body, msgCrossSite)) {
				t.Errorf("cross-site POST %s (%v): %d", path, h, r.StatusCode)
			}
		}
	}
	after := s.queryInt(t, `SELECT count(*) FROM audit_log`)
	if after != before {
		t.Errorf("refused requests still changed something: %d audit entries", after-before)
	}
	// The same forms from the site itself (no Origin, as an old browser or curl sends) work.
	if r, _ := admin.post("/admin/chuyen-muc", url.Values{"name": {"Quốc phòng - An ninh"}, "slug": {"quoc-phong"}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("same-site form without JS: %d", r.StatusCode)
	}
}

// TestExpiredSessionIsRefused ends a session the way its absolute lifetime does (the
// store's expiry passes): the next request goes to the login page.
func TestExpiredSessionIsRefused(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	b := s.loginAs(t, db.RoleEditor)
	if r, _ := b.get("/admin/"); r.StatusCode != http.StatusOK {
		t.Fatalf("fresh session: %d", r.StatusCode)
	}
	if _, err := s.app.DB.Writer().Exec(`UPDATE sessions SET expiry = julianday('now') - 1`); err != nil {
		t.Fatal(err)
	}
	r, _ := b.get("/admin/")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/admin/login") {
		t.Errorf("expired session: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
}
