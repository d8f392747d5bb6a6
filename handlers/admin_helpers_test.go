package handlers

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"toasoan/db"
)

// adminTestPassword is every test account's password.
const adminTestPassword = "mật-khẩu-đủ-dài-123"

// adminSite is a test site with one account per role.
type adminSite struct {
	*testSite
	clock   *testClock
	dataDir string
	users   map[string]db.User // by role
}

// newAdminSite starts the real routes over a real SQLite file with demo content and
// three accounts (admin, editor, author) whose password is adminTestPassword.
func newAdminSite(t *testing.T, cfg Config) *adminSite {
	t.Helper()
	dir := t.TempDir()
	s := openAdminSite(t, dir, cfg, true)
	for _, role := range db.Roles {
		if _, err := s.app.DB.CreateUser(context.Background(), db.Actor{UserName: "test"}, testNow, db.NewUser{
			Name: role + "1", DisplayName: "Người " + role, Role: role, Password: adminTestPassword}); err != nil {
			t.Fatal(err)
		}
		u, err := s.app.DB.UserByName(context.Background(), role+"1")
		if err != nil {
			t.Fatal(err)
		}
		s.users[role] = u
	}
	return s
}

// openAdminSite opens (or reopens, for restart tests) the site stored in dir.
func openAdminSite(t *testing.T, dir string, cfg Config, withDemo bool) *adminSite {
	t.Helper()
	clock := newTestClock()
	site := openTestSite(t, dir, cfg, withDemo, clock.Now)
	return &adminSite{testSite: site, clock: clock, dataDir: dir, users: map[string]db.User{}}
}

// adminBrowser is a client with its own cookie jar that does not follow redirects.
type adminBrowser struct {
	t      *testing.T
	s      *adminSite
	client *http.Client
}

func (s *adminSite) newBrowser(t *testing.T) *adminBrowser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &adminBrowser{t: t, s: s, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// loginAs returns a browser signed in with the account of a role.
func (s *adminSite) loginAs(t *testing.T, role string) *adminBrowser {
	t.Helper()
	b := s.newBrowser(t)
	resp, body := b.post("/admin/login", url.Values{"name": {role + "1"}, "password": {adminTestPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as %s: %d %s", role, resp.StatusCode, body)
	}
	return b
}

// get fetches a path like a browser's navigation.
func (b *adminBrowser) get(path string) (*http.Response, string) {
	b.t.Helper()
	return b.send(http.MethodGet, path, "", nil, nil)
}

// post sends a form the way a same-origin browser form does.
func (b *adminBrowser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	return b.send(http.MethodPost, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()),
		http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {b.s.srv.URL}})
}

// htmx sends a form as htmx does.
func (b *adminBrowser) htmx(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	return b.send(http.MethodPost, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()),
		http.Header{"Sec-Fetch-Site": {"same-origin"}, "HX-Request": {"true"}})
}

func (b *adminBrowser) send(method, path, ctype string, body io.Reader, h http.Header) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.s.srv.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, string(out)
}

// sessionCookie is the browser's session cookie value, or "".
func (b *adminBrowser) sessionCookie() string {
	u, _ := url.Parse(b.s.srv.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if strings.HasSuffix(c.Name, "toasoan_session") {
			return c.Value
		}
	}
	return ""
}

// auditActions lists the audit log's actions, newest first.
func (s *adminSite) auditActions(t *testing.T) []string {
	t.Helper()
	entries, _, err := s.app.DB.AuditLog(context.Background(), db.AuditQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Action)
	}
	return out
}
