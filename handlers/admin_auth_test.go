package handlers

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"toasoan/db"
)

func TestAdminWithoutSessionGoesToLogin(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	b := s.newBrowser(t)
	for _, path := range []string{"/admin", "/admin/", "/admin/bai-viet"} {
		resp, _ := b.get(path)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login") {
			t.Errorf("GET %s: %d → %q, want 303 to the login page", path, resp.StatusCode, resp.Header.Get("Location"))
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("GET %s: Cache-Control %q", path, cc)
		}
	}
	resp, body := b.get("/admin/login")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("login page: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if len(find(parse(t, body), byTag("form"))) != 1 {
		t.Error("login page has no form")
	}
	// htmx requests without a session are told where to go instead of getting a page.
	resp, _ = b.htmx("/admin/binh-luan/1/duyet", url.Values{})
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("HX-Redirect") != "/admin/login" {
		t.Errorf("htmx without session: %d %q", resp.StatusCode, resp.Header.Get("HX-Redirect"))
	}
}

func TestLoginCookieFlags(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		base       string
		name       string
		wantSecure bool
	}{{"", "toasoan_session", false}, {"https://tin.example.vn", "__Host-toasoan_session", true}} {
		t.Run(c.name, func(t *testing.T) {
			s := newAdminSite(t, Config{BaseURL: c.base})
			b := s.newBrowser(t)
			resp, _ := b.post("/admin/login", url.Values{"name": {"editor1"}, "password": {adminTestPassword}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %d", resp.StatusCode)
			}
			var got *http.Cookie
			for _, ck := range resp.Cookies() {
				if strings.HasSuffix(ck.Name, "toasoan_session") {
					got = ck
				}
			}
			if got == nil {
				t.Fatal("no session cookie set")
			}
			if got.Name != c.name || !got.HttpOnly || got.SameSite != http.SameSiteLaxMode || got.Secure != c.wantSecure || got.Path != "/" {
				t.Errorf("cookie %+v", got)
			}
			if !got.Expires.IsZero() || got.MaxAge != 0 || got.Domain != "" {
				t.Errorf("session cookie must be a host-only browser-session cookie: %+v", got)
			}
			sm := s.app.back.sessions
			if sm.IdleTimeout != sessionIdleTimeout || sm.Lifetime != sessionLifetime || sessionIdleTimeout <= 0 || sessionLifetime > 24*time.Hour {
				t.Errorf("idle timeout %v, lifetime %v", sm.IdleTimeout, sm.Lifetime)
			}
		})
	}
}

func TestSessionFixationAndLogout(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	b := s.newBrowser(t)
	// An attacker plants a token; logging in must not keep it.
	u, _ := url.Parse(s.srv.URL)
	planted := "planted-token-0123456789abcdefghijklmnopqrstu"
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "toasoan_session", Value: planted, Path: "/"}})
	resp, _ := b.post("/admin/login", url.Values{"name": {"admin1"}, "password": {adminTestPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	token := b.sessionCookie()
	if token == "" || token == planted {
		t.Fatalf("session token after login = %q (planted %q)", token, planted)
	}
	if resp, _ := b.get("/admin/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("dashboard after login: %d", resp.StatusCode)
	}
	// Logout is a POST; GET is not allowed.
	if resp, _ := b.get("/admin/logout"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /admin/logout: %d, want 405", resp.StatusCode)
	}
	resp, _ = b.post("/admin/logout", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	// The old token is dead even if someone kept a copy.
	thief := s.newBrowser(t)
	thief.client.Jar.SetCookies(u, []*http.Cookie{{Name: "toasoan_session", Value: token, Path: "/"}})
	if resp, _ := thief.get("/admin/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("old token after logout: %d, want 303 to login", resp.StatusCode)
	}
	if !slices.Contains(s.auditActions(t), "logout") {
		t.Error("logout not audited")
	}
}

func TestLoginFailuresAreGenericThrottledAndAudited(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	b := s.newBrowser(t)
	fail := func(name, pw string) (*http.Response, string) {
		return b.post("/admin/login", url.Values{"name": {name}, "password": {pw}})
	}
	// Unknown name and wrong password: same status, same message.
	r1, body1 := fail("khong-co-ai", "sai-mat-khau-123")
	r2, body2 := fail("editor1", "sai-mat-khau-123")
	if r1.StatusCode != http.StatusUnprocessableEntity || r2.StatusCode != r1.StatusCode {
		t.Fatalf("failed logins: %d / %d", r1.StatusCode, r2.StatusCode)
	}
	msg := func(body string) string {
		n := find(parse(t, body), byClass("form-error"))
		if len(n) == 0 {
			return ""
		}
		return text(n[0])
	}
	if msg(body1) != badCredentials || msg(body2) != badCredentials {
		t.Fatalf("messages %q / %q", msg(body1), msg(body2))
	}
	if !strings.Contains(body2, `value="editor1"`) {
		t.Error("the name typed is not kept")
	}
	for i := 1; i < freeFailuresUser; i++ {
		if r, _ := fail("editor1", "sai"); r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d: %d", i+1, r.StatusCode)
		}
	}
	// Now the account must wait, even with the right password.
	r, body := fail("editor1", adminTestPassword)
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after %d failures: %d, want 429", freeFailuresUser, r.StatusCode)
	}
	if m := msg(body); !strings.Contains(m, "Vui lòng thử lại sau") || !strings.Contains(m, "giây") {
		t.Errorf("429 message %q", m)
	}
	if r.Header.Get("Retry-After") != "30" {
		t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	// Other accounts from elsewhere are not locked out by this account's failures.
	other := s.newBrowser(t)
	if r, _ := other.post("/admin/login", url.Values{"name": {"author1"}, "password": {adminTestPassword}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("another account: %d", r.StatusCode)
	}
	// After the wait the right password works; one more failure doubles the wait.
	s.clock.Advance(31 * time.Second)
	if r, _ := fail("editor1", "sai-lan-nua"); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("after the wait: %d", r.StatusCode)
	}
	r, _ = fail("editor1", adminTestPassword)
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "60" {
		t.Fatalf("second loginBackoff: %d Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	s.clock.Advance(61 * time.Second)
	if r, _ := fail("editor1", adminTestPassword); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("right password after the wait: %d", r.StatusCode)
	}
	// Success clears the count.
	n, _, err := s.app.DB.LoginFailures(context.Background(), db.ThrottleUser, "editor1")
	if err != nil || n != 0 {
		t.Errorf("failures after success: %d %v", n, err)
	}
	actions := s.auditActions(t)
	failed := 0
	for _, a := range actions {
		if a == "login.failed" {
			failed++
		}
	}
	if failed != freeFailuresUser+2 || !slices.Contains(actions, "login.throttled") || !slices.Contains(actions, "login") {
		t.Errorf("audit: %d failures logged, actions %v", failed, actions)
	}
}

func TestLoginThrottledPerAddress(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	b := s.newBrowser(t)
	for i := range freeFailuresIP {
		name := "nguoi-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		if r, _ := b.post("/admin/login", url.Values{"name": {name}, "password": {"sai-mat-khau"}}); r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d: %d", i, r.StatusCode)
		}
	}
	if r, _ := b.post("/admin/login", url.Values{"name": {"admin1"}, "password": {adminTestPassword}}); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after %d failures from one address: %d, want 429", freeFailuresIP, r.StatusCode)
	}
}

func TestLoginBadInput(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	b := s.newBrowser(t)
	cases := []struct {
		name string
		form url.Values
		want int
	}{
		{"missing", url.Values{}, http.StatusUnprocessableEntity},
		{"no password", url.Values{"name": {"admin1"}}, http.StatusUnprocessableEntity},
		{"oversized name", url.Values{"name": {strings.Repeat("a", 5000)}, "password": {"x"}}, http.StatusUnprocessableEntity},
		{"sql", url.Values{"name": {"admin1' OR '1'='1"}, "password": {"' OR '1'='1"}}, http.StatusUnprocessableEntity},
		{"xss", url.Values{"name": {`<script>alert(1)</script>`}, "password": {"x"}}, http.StatusUnprocessableEntity},
		{"huge body", url.Values{"name": {"admin1"}, "password": {strings.Repeat("x", 100<<10)}}, http.StatusRequestEntityTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, body := b.post("/admin/login", c.form)
			if r.StatusCode != c.want {
				t.Fatalf("%d, want %d", r.StatusCode, c.want)
			}
			if strings.Contains(body, "<script>alert") {
				t.Error("input echoed unescaped")
			}
			if b.sessionCookie() != "" && r.StatusCode != http.StatusSeeOther {
				if resp, _ := b.get("/admin/"); resp.StatusCode == http.StatusOK {
					t.Error("bad input logged in")
				}
			}
		})
	}
	// A non-NFC (decomposed) name is normalized: still the same generic failure.
	r, _ := b.post("/admin/login", url.Values{"name": {"admin1"}, "password": {"mật-khẩu-sai-nfd"}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("NFD: %d", r.StatusCode)
	}
	// The open-redirect guard keeps "next" inside the back office.
	r, _ = b.post("/admin/login", url.Values{"name": {"admin1"}, "password": {adminTestPassword}, "next": {"https://evil.example/"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/admin/" {
		t.Errorf("next to another site: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
}

func TestCrossSiteStateChangesRefused(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	b := s.loginAs(t, "admin")
	for _, h := range []http.Header{
		{"Sec-Fetch-Site": {"cross-site"}},
		{"Origin": {"https://evil.example"}},
	} {
		for _, path := range []string{"/admin/login", "/admin/logout", "/admin/bai-viet"} {
			r, body := b.send(http.MethodPost, path, "application/x-www-form-urlencoded",
				strings.NewReader("name=admin1&password="+url.QueryEscape(adminTestPassword)), h)
			if r.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s with %v: %d, want 403", path, h, r.StatusCode)
			}
			if !strings.Contains(body, "trang web khác") {
				t.Errorf("POST %s: no Vietnamese explanation", path)
			}
		}
	}
	// Still signed in: the refused logout did nothing.
	if r, _ := b.get("/admin/"); r.StatusCode != http.StatusOK {
		t.Errorf("after refused cross-site logout: %d", r.StatusCode)
	}
}

func TestDisablingUserEndsSessions(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	author := s.loginAs(t, "author")
	if r, _ := author.get("/admin/"); r.StatusCode != http.StatusOK {
		t.Fatalf("author dashboard: %d", r.StatusCode)
	}
	u := s.users["author"]
	if err := s.app.DB.UpdateUser(context.Background(), db.Actor{UserName: "test"}, testNow, u.ID, u.DisplayName, u.Role, true); err != nil {
		t.Fatal(err)
	}
	if r, _ := author.get("/admin/"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("disabled user's session: %d, want 303 to login", r.StatusCode)
	}
	if r, _ := author.post("/admin/login", url.Values{"name": {"author1"}, "password": {adminTestPassword}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("disabled user logs in: %d", r.StatusCode)
	}
	// A password reset ends the other sessions too.
	editor := s.loginAs(t, "editor")
	if err := s.app.DB.SetPassword(context.Background(), db.Actor{}, testNow, s.users["editor"].ID, "mot-mat-khau-moi-dai"); err != nil {
		t.Fatal(err)
	}
	if r, _ := editor.get("/admin/"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("session after password reset: %d", r.StatusCode)
	}
}

func TestSetupLink(t *testing.T) {
	t.Parallel()
	s := openAdminSite(t, t.TempDir(), Config{}, false)
	ctx := context.Background()
	if err := s.app.BootstrapAccounts(ctx, false, s.srv.URL); err != nil {
		t.Fatal(err)
	}
	token := s.app.back.setupToken
	if len(token) < 30 {
		t.Fatalf("setup token %q", token)
	}
	b := s.newBrowser(t)
	if r, _ := b.get("/admin/thiet-lap?token=wrong"); r.StatusCode != http.StatusNotFound {
		t.Errorf("wrong token: %d", r.StatusCode)
	}
	if r, _ := b.get("/admin/thiet-lap?token=" + token); r.StatusCode != http.StatusOK {
		t.Fatalf("setup page: %d", r.StatusCode)
	}
	bad := []url.Values{
		{"token": {token}, "name": {"Quản Trị"}, "password": {adminTestPassword}, "password2": {adminTestPassword}},
		{"token": {token}, "name": {"chief"}, "password": {"ngan"}, "password2": {"ngan"}},
		{"token": {token}, "name": {"chief"}, "password": {adminTestPassword}, "password2": {"khac-nhau-123456"}},
		{"token": {token}},
	}
	for _, f := range bad {
		if r, _ := b.post("/admin/thiet-lap", f); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("bad setup %v: %d", f, r.StatusCode)
		}
	}
	r, _ := b.post("/admin/thiet-lap", url.Values{"token": {token}, "name": {"chief"}, "display_name": {"Tổng biên tập"},
		"password": {adminTestPassword}, "password2": {adminTestPassword}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("setup: %d", r.StatusCode)
	}
	if r, _ := b.get("/admin/"); r.StatusCode != http.StatusOK {
		t.Errorf("signed in after setup: %d", r.StatusCode)
	}
	u, err := s.app.DB.UserByName(ctx, "chief")
	if err != nil || u.Role != db.RoleAdmin {
		t.Fatalf("first admin: %+v %v", u, err)
	}
	// Used once: the link is dead now.
	if r, _ := s.newBrowser(t).get("/admin/thiet-lap?token=" + token); r.StatusCode != http.StatusNotFound {
		t.Errorf("reused setup link: %d", r.StatusCode)
	}
}

func TestSessionsOnlyOnAdminRoutes(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	b := s.loginAs(t, db.RoleEditor)
	for _, p := range []string{"/", "/bai-viet/1", "/chuyen-muc/thoi-su", "/healthz"} {
		r, _ := b.get(p)
		if len(r.Header.Values("Set-Cookie")) != 0 || r.Header.Get("Cache-Control") == "no-store" && p != "/healthz" {
			t.Errorf("GET %s: Set-Cookie %v, Cache-Control %q", p, r.Header.Values("Set-Cookie"), r.Header.Get("Cache-Control"))
		}
		if strings.Contains(r.Header.Get("Content-Security-Policy"), "nonce-") {
			t.Errorf("GET %s carries the admin CSP", p)
		}
	}
	r, _ := b.get("/admin/")
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "style-src 'self' 'nonce-") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("admin CSP %q", csp)
	}
	r2, _ := b.get("/admin/")
	if r2.Header.Get("Content-Security-Policy") == csp {
		t.Error("the style nonce does not change between responses")
	}
}

// TestLoginThrottleBehindProxy: behind a trusted reverse proxy, failures count per client
// (X-Forwarded-For), so one attacker does not lock every editor out; from an untrusted
// peer the header is ignored, so it cannot be used to dodge the limit.
func TestLoginThrottleBehindProxy(t *testing.T) {
	t.Parallel()
	loopback := netip.MustParsePrefix("127.0.0.0/8")
	for _, trusted := range []bool{true, false} {
		cfg := Config{}
		if trusted {
			cfg.TrustedProxies = []netip.Prefix{loopback}
		}
		s := newAdminSite(t, cfg)
		b := s.newBrowser(t)
		attacker := http.Header{"X-Forwarded-For": {"198.51.100.7"}}
		for i := range freeFailuresIP {
			name := "nguoi-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
			b.send(http.MethodPost, "/admin/login", "application/x-www-form-urlencoded",
				strings.NewReader(url.Values{"name": {name}, "password": {"sai-mat-khau"}}.Encode()), attacker)
		}
		editor := http.Header{"X-Forwarded-For": {"203.0.113.20"}}
		r, _ := b.send(http.MethodPost, "/admin/login", "application/x-www-form-urlencoded",
			strings.NewReader(url.Values{"name": {"editor1"}, "password": {adminTestPassword}}.Encode()), editor)
		if trusted && r.StatusCode != http.StatusSeeOther {
			t.Errorf("trusted proxy: another client's login: %d, want 303", r.StatusCode)
		}
		if !trusted && r.StatusCode != http.StatusTooManyRequests {
			t.Errorf("untrusted peer: a forged X-Forwarded-For dodged the limit: %d, want 429", r.StatusCode)
		}
	}
}
